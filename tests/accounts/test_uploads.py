"""Documents are judged by their content, never by their name or declared type."""

import io
import os
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.forms import ApplicationForm, W8BENForm
from accounts.uploads import DOCX, PDF, inspect_document
from tests import factories

pytestmark = pytest.mark.django_db

HTML_PAGE = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
FIVE_MB = 5 * 1024 * 1024


def upload(name: str, content: bytes, content_type: str = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def oversize_pdf() -> bytes:
    return factories.pdf_bytes(b"%" + b"x" * FIVE_MB + b"\n")


def application_data() -> dict:
    return {
        "legal_name": "Carol Example",
        "display_name": "Carol",
        "country": "FR",
        "time_zone": "Europe/Paris",
        "hours_per_week": "10",
        "payout_currency": "EUR",
        "motivation": "I like careful work.",
    }


def resume_errors(resume: SimpleUploadedFile) -> list[str]:
    form = ApplicationForm(application_data(), {"resume": resume})
    form.is_valid()
    return form.errors.get("resume", [])


def test_real_pdf_is_accepted_as_pdf():
    assert inspect_document(upload("cv.pdf", factories.pdf_bytes())) == PDF


def test_real_looking_docx_is_accepted_as_docx():
    assert inspect_document(upload("cv.docx", factories.docx_bytes(), DOCX)) == DOCX


def test_docx_is_refused_where_only_a_pdf_will_do():
    with pytest.raises(ValidationError) as caught:
        inspect_document(upload("form.docx", factories.docx_bytes(), DOCX), allow_docx=False)
    assert caught.value.code == "bad_type"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"%PDF-1.4\n" + HTML_PAGE, id="pdf-header-with-html-body-and-no-eof"),
        pytest.param(b"Just some notes about me.\n" * 20, id="text-renamed-pdf"),
        pytest.param(HTML_PAGE, id="html-renamed-pdf"),
        pytest.param(b"PK\x03\x04not really a zip", id="broken-zip-renamed-docx"),
    ],
)
def test_fake_documents_are_refused_whatever_their_name(content):
    with pytest.raises(ValidationError) as caught:
        inspect_document(upload("resume.pdf", content))
    assert caught.value.code == "bad_type"


def test_empty_file_is_refused():
    with pytest.raises(ValidationError) as caught:
        inspect_document(upload("resume.pdf", b""))
    assert caught.value.code == "empty"


def test_file_over_five_megabytes_is_refused_even_if_a_real_pdf():
    with pytest.raises(ValidationError) as caught:
        inspect_document(upload("resume.pdf", oversize_pdf()))
    assert caught.value.code == "too_large"


def test_application_form_puts_a_fake_pdf_error_on_the_resume_field():
    errors = resume_errors(upload("resume.pdf", b"%PDF-1.7\n" + HTML_PAGE))
    assert errors == ["This file is not a PDF or a Word (.docx) document, whatever its name says."]


def test_application_form_refuses_html_renamed_pdf_on_the_resume_field():
    assert resume_errors(upload("resume.pdf", HTML_PAGE, "application/pdf"))


def test_application_form_refuses_an_oversize_resume_with_the_limit_in_the_message():
    errors = resume_errors(upload("resume.pdf", oversize_pdf()))
    assert errors and "limit is 5 MB" in errors[0]


def test_application_form_accepts_a_docx_resume():
    assert resume_errors(upload("resume.docx", factories.docx_bytes(), DOCX)) == []


def test_tax_form_document_must_be_a_real_pdf():
    form = W8BENForm({}, {"document": upload("w8.pdf", factories.docx_bytes(), DOCX)})
    assert not form.is_valid()
    assert form.errors["document"] == ["This file is not a PDF, whatever its name says."]


MB = 1024 * 1024


def docx_with_padding(*, zeros: int, random: int = 0) -> bytes:
    """A DOCX carrying a member of ``zeros`` zero bytes (which deflate to almost nothing),
    after ``random`` bytes that do not compress: a zip bomb, or an archive merely too big."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if random:
            archive.writestr("word/media/photo.bin", os.urandom(random))
        with archive.open("word/media/padding.bin", "w", force_zip64=True) as member:
            chunk = bytes(MB)
            for _ in range(zeros // MB):
                member.write(chunk)
    return buffer.getvalue()


def test_a_docx_bomb_is_refused_for_its_compression_ratio():
    bomb = docx_with_padding(zeros=40 * MB)
    assert len(bomb) < 100 * 1024

    with pytest.raises(ValidationError) as caught:
        inspect_document(upload("cv.docx", bomb, DOCX))

    assert caught.value.code == "docx_too_compressed"
    assert "Save it as a PDF" in caught.value.messages[0]


def test_a_docx_that_opens_past_the_size_bound_is_refused_even_at_a_modest_ratio():
    archive = docx_with_padding(zeros=60 * MB, random=4 * MB)

    with pytest.raises(ValidationError) as caught:
        inspect_document(upload("cv.docx", archive, DOCX))

    assert caught.value.code == "docx_too_large"
    assert "the limit is 50 MB" in caught.value.messages[0]


def test_the_application_form_shows_the_zip_bomb_refusal_next_to_the_resume():
    errors = resume_errors(upload("cv.docx", docx_with_padding(zeros=200 * MB), DOCX))
    assert errors == [
        "This Word document takes 200.0 MB once opened; the limit is 50 MB. "
        "Save it as a PDF and upload that instead."
    ]


def test_a_docx_whose_header_understates_a_member_is_refused_as_damaged():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/padding.bin", bytes(2 * MB))
    # Both headers of the padding declare 1 KiB: sizes that pass, data that inflates past them.
    honest = (2 * MB).to_bytes(4, "little")
    lying = buffer.getvalue().replace(honest, (1024).to_bytes(4, "little"))
    assert buffer.getvalue().count(honest) == 2

    with pytest.raises(ValidationError) as caught:
        inspect_document(upload("cv.docx", lying, DOCX))

    assert caught.value.code == "bad_type"
    assert "damaged" in caught.value.messages[0]
