"""The read-only link a contractor's representative gets with every case email.

The link is signed (``django.core.signing``), expires after
``CASE_REPRESENTATIVE_LINK_DAYS`` and names the representative (a digest of
their address) and the moment they were named: when the contractor changes or
removes their representative, every link sent before stops working.
"""

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from projects.models import Case

_SALT = "projects.cases.representative"


def _named(case: Case) -> str:
    """Who the representative is and since when, without putting their address in a URL."""
    since = case.representative_since.isoformat() if case.representative_since else ""
    email = hashlib.sha256(case.representative_email.lower().encode()).hexdigest()[:16]
    return f"{since}/{email}"


def representative_token(case: Case) -> str:
    return signing.dumps([case.pk, _named(case)], salt=_SALT, compress=True)


def representative_link(case: Case) -> str:
    """The full address of the case file for the representative, for an email."""
    return settings.SITE_URL + reverse("cases:shared", args=[representative_token(case)])


def representative_link_expires_at() -> datetime:
    return timezone.now() + timedelta(days=settings.CASE_REPRESENTATIVE_LINK_DAYS)


def representative_token_read(token: str) -> tuple[int, str] | None:
    """(case pk, which representative) from a valid, unexpired token, or None."""
    try:
        pk, named = signing.loads(
            token,
            salt=_SALT,
            max_age=timedelta(days=settings.CASE_REPRESENTATIVE_LINK_DAYS),
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(pk, int) or not isinstance(named, str):
        return None
    return pk, named


def representative_token_matches(case: Case, named: str) -> bool:
    """The link's representative is still the one named on the case."""
    return bool(case.representative_email) and hmac.compare_digest(named, _named(case))
