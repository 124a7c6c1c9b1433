"""Checks a support attachment by its content: a PDF, PNG or JPEG, whatever its name says."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"

MAX_FILES = 3


def _head_and_tail(upload: UploadedFile) -> tuple[bytes, bytes]:
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0, 2)
    end = upload.tell()
    upload.seek(max(0, end - 2048))
    tail = upload.read()
    upload.seek(0)
    return head, tail


def _content_type(head: bytes, tail: bytes) -> str | None:
    # Each format's signature at the start, and its end marker at the end, so a
    # renamed HTML page or a truncated file is refused.
    if head.startswith(b"%PDF-") and b"%%EOF" in tail:
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n") and b"IEND" in tail:
        return PNG
    if head.startswith(b"\xff\xd8\xff") and tail.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return JPEG
    return None


def inspect_attachment(upload: UploadedFile, *, max_bytes: int | None = None) -> str:
    """Return the real content type of an attachment, or raise ValidationError.

    The limit is support's unless another feature checking its uploads gives its own.
    """
    limit = settings.SUPPORT_ATTACHMENT_MAX_BYTES if max_bytes is None else max_bytes
    if not upload.size:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB."),
            code="too_large",
            params={
                "size": number_format(round(upload.size / 1024 / 1024, 1), 1),
                "limit": limit // (1024 * 1024),
            },
        )
    content_type = _content_type(*_head_and_tail(upload))
    if content_type is None:
        raise ValidationError(
            _("This file is not a PDF, PNG or JPEG, whatever its name says."), code="bad_type"
        )
    return content_type
