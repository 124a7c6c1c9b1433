"""Checks uploaded documents by their content, never by their name."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

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
        raise ValidationError("The file is empty.", code="empty")
    if upload.size > limit:
        raise ValidationError(
            "The file is %(size)s MB; the limit is %(limit)s MB.",
            code="too_large",
            params={"size": f"{upload.size / 1024 / 1024:.1f}", "limit": limit // (1024 * 1024)},
        )
    if _looks_like_pdf(upload):
        return PDF
    if allow_docx and _looks_like_docx(upload):
        return DOCX
    expected = "a PDF or a Word (.docx) document" if allow_docx else "a PDF"
    raise ValidationError(
        "This file is not %(expected)s, whatever its name says.",
        code="bad_type",
        params={"expected": expected},
    )
