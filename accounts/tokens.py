"""API token keys: how they are made, hashed and checked."""

import hashlib
import hmac
import secrets

PREFIX_LENGTH = 8


def token_make_key() -> tuple[str, str, str]:
    """Return (key, prefix, hash) for a new token; only prefix and hash are stored."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    key = f"{prefix}.{secrets.token_urlsafe(32)}"
    return key, prefix, token_hash(key)


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_split(key: str) -> str | None:
    prefix, sep, _secret = key.partition(".")
    return prefix if sep and len(prefix) == PREFIX_LENGTH else None


def token_matches(key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(token_hash(key), stored_hash)
