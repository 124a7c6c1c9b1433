"""Files sent with a case are checked by their content when they arrive: a PDF, PNG or JPEG
within the size limit, whatever the name says; a refusal sits next to the field."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from projects.models import CaseAttachment, CaseEvidence, CaseStatus
from projects.services import cases
from tests.factories import pdf_bytes
from tests.projects.cases_setup import rule_book

pytestmark = pytest.mark.django_db

# A Windows program's first bytes, under a document's name.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40 + b"IEND\xaeB`\x82"


@pytest.fixture
def case(clock, manager, alice, alice_on_project):
    rule = rule_book(manager, clock)
    case = cases.case_open(
        contractor=alice.contractor_profile,
        rule=rule,
        by=manager,
        evidence_summary="Three days logged with no task activity.",
        assignment=alice_on_project,
    )
    return cases.case_notice(case=case, by=manager, proposed_outcome="removal")


def _answer(client, case, upload):
    return client.post(
        reverse("cases:respond", args=[case.pk]), {"text": "I worked offline.", "files": upload}
    )


def test_a_program_renamed_as_a_pdf_is_refused_next_to_the_field(client, alice, case):
    client.force_login(alice)
    response = _answer(client, case, SimpleUploadedFile("timesheet.pdf", EXE))
    assert response.status_code == 200
    errors = response.context["response_form"].errors
    assert errors["files"] == ["This file is not a PDF, PNG or JPEG, whatever its name says."]
    assert "whatever its name says" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.NOTICED
    assert not CaseAttachment.objects.exists()


def test_a_real_pdf_or_png_is_kept_with_the_answer(client, alice, case):
    client.force_login(alice)
    response = _answer(client, case, SimpleUploadedFile("log.pdf", pdf_bytes()))
    assert response.status_code == 302
    response = _answer(client, case, SimpleUploadedFile("screen.png", PNG))
    assert response.status_code == 302
    assert CaseAttachment.objects.filter(case=case).count() == 2


@override_settings(CASE_UPLOAD_MAX_BYTES=1024 * 1024)
def test_a_file_over_the_limit_is_refused(client, alice, case):
    client.force_login(alice)
    big = SimpleUploadedFile("log.pdf", pdf_bytes(b"0" * (1024 * 1024 + 1)))
    response = _answer(client, case, big)
    assert response.status_code == 200
    assert "the limit is 1 MB" in response.context["response_form"].errors["files"][0]
    assert not CaseAttachment.objects.exists()


def test_an_appeal_file_is_checked_too(client, alice, manager, case):
    cases.case_respond(case=case, by=alice, text="I worked offline.")
    cases.case_decide(
        case=case, by=manager, decision=cases.Decision(outcome="warning", reasons="Log daily.")
    )
    client.force_login(alice)
    response = client.post(
        reverse("cases:appeal", args=[case.pk]),
        {"text": "Look again.", "files": SimpleUploadedFile("proof.jpg", EXE)},
    )
    assert response.status_code == 200
    assert "files" in response.context["appeal_form"].errors
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED


def test_evidence_files_are_checked_when_added(manager, case):
    with pytest.raises(ValidationError) as refused:
        cases.case_evidence_add(
            case=case, by=manager, kind="file", file=SimpleUploadedFile("log.pdf", EXE)
        )
    assert "file" in refused.value.message_dict
    item = cases.case_evidence_add(
        case=case, by=manager, kind="file", file=SimpleUploadedFile("log.pdf", pdf_bytes())
    )
    assert list(CaseEvidence.objects.filter(kind="file")) == [item]
