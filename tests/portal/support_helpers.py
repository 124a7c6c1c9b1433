"""Builders shared by the support tests: a frozen clock, uploads, a question through the service."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.support import services
from portal.support.models import Category
from tests.factories import pdf_bytes

UTC = ZoneInfo("UTC")
_real_now = timezone.now

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40 + b"IEND\xaeB`\x82"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40 + b"\xff\xd9"


def at(*args: int) -> datetime:
    """A moment in UTC, the team's zone in the default settings. 2026-11-27 is a Friday."""
    return datetime(*args, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now: datetime | None = None

    def __call__(self) -> datetime:
        return self.now or _real_now()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def pdf(name: str = "statement.pdf") -> SimpleUploadedFile:
    return upload(name, pdf_bytes())


def ask(user, *, category: str = Category.PAY, subject: str = "Where is my payout?", **kwargs):
    return services.conversation_open(
        by=user,
        category=category,
        subject=subject,
        body=kwargs.pop("body", "My payout for last week has not arrived."),
        **kwargs,
    )
