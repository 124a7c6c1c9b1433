"""What a case file is, by its content, and the name it downloads under.

Case files are not limited to one format (evidence can be a screenshot, a
document, an export), so the type is read from the bytes when the file is
served: a known format keeps its own type and extension; anything else is
served as opaque bytes, never as something a browser would open or run.
"""

import zipfile

from django.db.models.fields.files import FieldFile

from accounts.uploads import DOCX, EXTENSIONS, PDF, download_name

PNG = "image/png"
JPEG = "image/jpeg"
OCTET = "application/octet-stream"
_OTHER_EXTENSIONS = {PNG: ".png", JPEG: ".jpg", OCTET: ".bin"}


def detect_type(file: FieldFile) -> str:
    with file.open("rb") as handle:
        head = handle.read(1024)
        handle.seek(0)
        if head.startswith(b"PK\x03\x04"):
            try:
                with zipfile.ZipFile(handle) as archive:
                    names = set(archive.namelist())
            except (zipfile.BadZipFile, OSError, ValueError):
                names = set()
            return DOCX if {"[Content_Types].xml", "word/document.xml"} <= names else OCTET
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    return OCTET


def case_file_name(file: FieldFile, content_type: str, *, fallback: str) -> str:
    """The uploader's name with the detected type's extension (``download_name``'s rules)."""
    original = file.name.rsplit("/", 1)[-1]
    if content_type in EXTENSIONS:
        return download_name(original, content_type, fallback=fallback)
    # download_name knows only the résumé's formats: clean the stem with it, then add ours.
    stem = download_name(original, PDF, fallback=fallback).removesuffix(EXTENSIONS[PDF])
    return f"{stem}{_OTHER_EXTENSIONS[content_type]}"
