"""Checks uploaded documents by their content, never by their name."""

import unicodedata
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx"}

# A résumé's archive is mostly text and a few pictures: a few megabytes once
# opened, compressed a few times over. An archive past either bound is built
# to swamp whoever opens it (a reviewer's word processor, an indexer).
DOCX_MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
DOCX_MAX_RATIO = 100
DOCX_MAX_MEMBERS = 1000
_INFLATE_CHUNK = 64 * 1024


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
        _check_docx_bounds(upload)
        return DOCX
    if allow_docx:
        message = _("This file is not a PDF or a Word (.docx) document, whatever its name says.")
    else:
        message = _("This file is not a PDF, whatever its name says.")
    raise ValidationError(message, code="bad_type")


def _check_docx_bounds(upload: UploadedFile) -> None:
    """Refuse an archive that opens far larger, or is compressed far more, than a document is.

    The sizes the archive declares are checked first; then every member is
    inflated (at most the declared total, which zipfile never reads past) so a
    header that understates a member fails its checksum instead of passing.
    """
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            declared = sum(member.file_size for member in members)
            if len(members) > DOCX_MAX_MEMBERS or declared > DOCX_MAX_UNCOMPRESSED_BYTES:
                raise _docx_too_large(declared)
            if declared > DOCX_MAX_RATIO * max(upload.size or 0, 1):
                raise _docx_too_compressed(declared, upload.size or 1)
            for member in members:
                with archive.open(member) as stream:
                    while stream.read(_INFLATE_CHUNK):
                        pass
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ValidationError(
            _("This Word (.docx) document is damaged; save it again or upload a PDF."),
            code="bad_type",
        ) from None
    finally:
        upload.seek(0)


def _docx_too_large(declared: int) -> ValidationError:
    return ValidationError(
        _(
            "This Word document takes %(size)s MB once opened; the limit is %(limit)s MB. "
            "Save it as a PDF and upload that instead."
        ),
        code="docx_too_large",
        params={
            "size": number_format(round(declared / 1024 / 1024, 1), 1),
            "limit": DOCX_MAX_UNCOMPRESSED_BYTES // (1024 * 1024),
        },
    )


def _docx_too_compressed(declared: int, size: int) -> ValidationError:
    return ValidationError(
        _(
            "This Word document is compressed %(ratio)s times over, far more than a real "
            "document is. Save it as a PDF and upload that instead."
        ),
        code="docx_too_compressed",
        params={"ratio": number_format(declared // size)},
    )


def download_name(original: str, content_type: str, *, fallback: str) -> str:
    """The name a download is saved under: the uploader's name, the detected type's extension.

    Whatever the uploader called the file, it is saved as what it is: a PDF
    named ``cv.exe`` downloads as ``cv.pdf``. Invisible formatting characters
    (a right-to-left override turns ``fdp.exe`` into what reads as ``exe.pdf``)
    and path separators are dropped first.
    """
    cleaned = "".join(
        " " if char in "/\\" else char
        for char in unicodedata.normalize("NFC", original)
        if unicodedata.category(char)[0] != "C" and char not in '"'
    ).strip()
    stem = (cleaned.rsplit(".", 1)[0] if "." in cleaned else cleaned).strip(" .")
    return f"{(stem or fallback)[:100]}{EXTENSIONS[content_type]}"
