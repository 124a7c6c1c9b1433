"""Email replies to support answers: the reply address, and reading what a reply says.

Each answer email carries ``Reply-To: <localpart>+<token>@<domain>``. The token
names the conversation and is signed with the site's secret key, together with
the asker's email address, so an address cannot be guessed or altered to reach
another conversation, and stops working when the asker's address changes. It is lowercase hex,
because some mail servers change the case of the part before the ``@``.
"""

import hashlib
import re
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from html import unescape

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "portal.support.inbound.reply-to"
_SIGNATURE_CHARS = 32
_TOKEN = re.compile(rf"c([0-9]{{1,18}})-([0-9a-f]{{{_SIGNATURE_CHARS}}})")
_RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")

# The line a mail program writes above the quoted email, in the site's languages.
# Some programs break it over two lines, so each is also tried on a line joined
# with the next.
_QUOTE_INTROS = [
    re.compile(r"^on\b.{0,300}\bwrote:?$", re.IGNORECASE),  # English
    re.compile(r"^pada\b.{0,300}\bmenulis:?$", re.IGNORECASE),  # Bahasa Indonesia
    re.compile(r"^vào\b.{0,300}\bđã viết:?$", re.IGNORECASE),  # Tiếng Việt
    re.compile(r"^.{0,300}(寫道|写道)[:：]?$"),  # 中文
    re.compile(r"^-{2,}\s*(original message|pesan asli|thư gốc|原始郵件|原始邮件)\s*-{2,}$", re.I),
]
_SIGNATURE_LINE = "-- "


def _signature(conversation_id: int, email: str, secret: str | None = None) -> str:
    value = f"conversation:{conversation_id}:email:{email.strip().lower()}"
    digest = salted_hmac(_SALT, value, secret=secret, algorithm="sha256").hexdigest()
    return digest[:_SIGNATURE_CHARS]


def reply_token(conversation_id: int, email: str) -> str:
    """The token of a conversation's reply address, for the asker's email address: when the
    asker changes address, the old tokens stop working."""
    return f"c{conversation_id}-{_signature(conversation_id, email)}"


def token_conversation_id(token: str) -> int | None:
    """The conversation a token claims to name, not yet checked; ``None`` if it is no token."""
    match = _TOKEN.fullmatch(token.lower())
    return int(match[1]) if match else None


def token_is_valid(token: str, *, conversation_id: int, email: str) -> bool:
    """Whether this site signed the token for this conversation and this asker's address."""
    match = _TOKEN.fullmatch(token.lower())
    if match is None or int(match[1]) != conversation_id:
        return False
    return any(
        constant_time_compare(match[2], _signature(conversation_id, email, secret))
        for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    )


def inbound_enabled() -> bool:
    return bool(settings.SUPPORT_INBOUND_LOCALPART and settings.SUPPORT_INBOUND_DOMAIN)


def reply_address(conversation_id: int, email: str) -> str:
    """The address the asker (at ``email``) replies to this conversation's emails at; empty
    when replies by email are not set up."""
    if not inbound_enabled():
        return ""
    local, domain = settings.SUPPORT_INBOUND_LOCALPART, settings.SUPPORT_INBOUND_DOMAIN
    return f"{local}+{reply_token(conversation_id, email)}@{domain}"


def is_inbound_address(address: str) -> bool:
    local, _at, domain = address.strip().lower().rpartition("@")
    base = settings.SUPPORT_INBOUND_LOCALPART.lower()
    return (
        inbound_enabled()
        and domain == settings.SUPPORT_INBOUND_DOMAIN
        and (local == base or local.startswith(f"{base}+"))
    )


# --- Reading a message ------------------------------------------------------------------


@dataclass
class ParsedReply:
    message_id: str
    sender: str
    subject: str
    tokens: list[str]
    text: str
    files: list[SimpleUploadedFile] = field(default_factory=list)
    # An automatic message (an out-of-office, a bounce) is never answered, so two
    # robots cannot write to each other for ever.
    automatic: bool = False
    # Whether the receiving mail server vouches for the From address (always true when
    # no SUPPORT_INBOUND_AUTHSERV_ID is set: the From header is then taken as it is).
    sender_verified: bool = True
    # Larger than SUPPORT_INBOUND_MAX_BYTES: only the headers were read.
    too_large: bool = False


def parse_reply(raw: bytes) -> ParsedReply:
    message = message_from_bytes(raw, policy=email_policy.default)
    assert isinstance(message, EmailMessage)
    message_id = str(message.get("Message-ID", "")).strip()
    if not message_id:
        # Without one, the content identifies the message: the same bytes read twice
        # are the same mail.
        message_id = f"<sha256.{hashlib.sha256(raw).hexdigest()}@inbound>"
    _name, sender = parseaddr(str(message.get("From", "")))
    return ParsedReply(
        message_id=message_id[:255],
        sender=sender.strip().lower()[:254],
        subject=str(message.get("Subject", "")).strip()[:255],
        tokens=_tokens(message),
        text=new_text(_body_text(message)),
        files=_attachments(message),
        automatic=_is_automatic(message),
        sender_verified=sender_verified(message, sender.strip().lower()),
    )


def _tokens(message: EmailMessage) -> list[str]:
    addresses = getaddresses(
        [str(value) for name in _RECIPIENT_HEADERS for value in message.get_all(name, [])]
    )
    tokens = []
    for _name, address in addresses:
        local, _at, _domain = address.lower().rpartition("@")
        if is_inbound_address(address) and "+" in local:
            token = local.split("+", 1)[1]
            if token not in tokens:
                tokens.append(token)
    return tokens


def _is_automatic(message: EmailMessage) -> bool:
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    # A delivery failure has an empty return path and comes from the mail system.
    bounce = str(message.get("Return-Path", "")).strip() == "<>"
    local = parseaddr(str(message.get("From", "")))[1].lower().partition("@")[0]
    return (
        auto != "no"
        or precedence in {"bulk", "junk", "list", "auto_reply"}
        or bounce
        or local in {"mailer-daemon", "postmaster"}
    )


def sender_verified(message: EmailMessage, sender: str) -> bool:
    """Whether the receiving mail server's ``Authentication-Results`` show the From address
    is genuine: DMARC passed, or a DKIM signature of the From domain (or a parent of it)
    checked out.

    Only the first header stamped with our server's authserv-id counts: anyone can write
    such headers into a message, but that server puts its own on top (and should remove
    look-alikes). Headers with other authserv-ids are ignored.
    """
    authserv_id = settings.SUPPORT_INBOUND_AUTHSERV_ID
    if not authserv_id:
        return True
    domain = sender.rpartition("@")[2]
    if not domain:
        return False
    for header in message.get_all("Authentication-Results", []):
        server, results = _authentication_results(str(header))
        if server != authserv_id:
            continue
        return any(_vouches_for(method, result, props, domain) for method, result, props in results)
    return False


def _vouches_for(method: str, result: str, props: dict[str, str], domain: str) -> bool:
    if result != "pass":
        return False
    if method == "dmarc":
        return props.get("header.from", domain) == domain
    if method == "dkim":
        signer = props.get("header.d", "")
        return bool(signer) and (domain == signer or domain.endswith(f".{signer}"))
    return False


_AuthResult = tuple[str, str, dict[str, str]]


def _authentication_results(value: str) -> tuple[str, list[_AuthResult]]:
    """An ``Authentication-Results`` header (RFC 8601) as its authserv-id and, for each
    method, its name, its result and its properties, all lowercased."""
    parts = _split_outside_quotes(_without_comments(value))
    server = parts[0].split()[0].strip('"').lower() if parts and parts[0].split() else ""
    results: list[_AuthResult] = []
    for part in parts[1:]:
        words = re.sub(r"\s*=\s*", "=", part).split()
        if not words or "=" not in words[0]:
            continue
        method, _eq, result = words[0].partition("=")
        props = {}
        for word in words[1:]:
            name, eq, prop = word.partition("=")
            if eq:
                props[name.lower()] = prop.strip('"').lower()
        results.append((method.partition("/")[0].lower(), result.lower(), props))
    return server, results


def _without_comments(value: str) -> str:
    """The header without its (comments), which may nest; quoted text is kept as it is."""
    kept: list[str] = []
    depth, quoted = 0, False
    for char in value:
        if char == '"' and depth == 0:
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
            continue
        elif not quoted and char == ")" and depth:
            depth -= 1
            continue
        if depth == 0:
            kept.append(char)
    return "".join(kept)


def _split_outside_quotes(value: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in value:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return parts


def _body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if part.get_content_subtype() == "html":
        content = _html_text(content)
    return str(content)


def _html_text(html: str) -> str:
    html = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", "", html)
    # Mail programs put the quoted email in a blockquote; it is not the reply.
    html = re.sub(r"(?is)<blockquote\b.*?</blockquote>", "", html)
    html = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", html)
    return unescape(re.sub(r"(?s)<[^>]+>", "", html))


def new_text(text: str) -> str:
    """What the sender wrote: without the quoted email below (or interleaved) and the
    signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if line.rstrip("\n") == _SIGNATURE_LINE or line == "--":
            break
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if _is_quote_intro(stripped) or (
            following
            and _is_quote_intro(f"{stripped} {following}")
            and not following.startswith(">")
        ):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def _is_quote_intro(line: str) -> bool:
    return bool(line) and any(pattern.match(line) for pattern in _QUOTE_INTROS)


def _attachments(message: EmailMessage) -> list[SimpleUploadedFile]:
    files = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        name = part.get_filename() or "attachment"
        files.append(SimpleUploadedFile(name[-200:], payload, part.get_content_type()))
    return files
