"""Checks uploaded documents by their content, never by their name."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _looks_like_pdf(upload: UploadedFile) -> bool:
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    # The PDF header must come first; readers tolerate a little leading junk
    # but a real export never has any, and an HTML page never has the header.
    return head.startswith(b"%PDF-") and b"%%EOF" in _tail(upload)


def _tail(upload: UploadedFile, size: int = 2048) -> bytes:
    upload.seek(0, 2)
    end = upload.tell()
    upload.seek(max(0, end - size))
    tail = upload.read()
    upload.seek(0)
    return tail


def _looks_like_docx(upload: UploadedFile) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and "word/document.xml" in names


def inspect_document(
    upload: UploadedFile, *, allow_docx: bool = True, max_bytes: int | None = None
) -> str:
    """Return the real content type of a PDF (or DOCX) upload, or raise ValidationError."""
    limit = max_bytes or settings.RESUME_MAX_BYTES
    if upload.size is None or upload.size == 0:
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
    if _looks_like_pdf(upload):
        return PDF
    if allow_docx and _looks_like_docx(upload):
        return DOCX
    if allow_docx:
        message = _("This file is not a PDF or a Word (.docx) document, whatever its name says.")
    else:
        message = _("This file is not a PDF, whatever its name says.")
    raise ValidationError(message, code="bad_type")
