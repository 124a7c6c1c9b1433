"""Case files download privately: the contractor gets the evidence shown to them and their own
files; staff who view cases get all; the name's extension is the detected type's."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.services import cases
from tests import factories
from tests.projects.cases_setup import rule_book

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32 + b"IEND\xaeB`\x82"


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
    # A PDF whose name says otherwise (storage turns the space into "_"), and a withheld
    # screenshot.
    cases.case_evidence_add(
        case=case,
        by=manager,
        kind="file",
        file=SimpleUploadedFile("activity log.exe", factories.pdf_bytes()),
    )
    cases.case_evidence_add(
        case=case,
        by=manager,
        kind="file",
        file=SimpleUploadedFile("colleague.png", PNG),
        withheld_reason="Another person's privacy.",
    )
    case = cases.case_notice(case=case, by=manager, proposed_outcome="removal")
    cases.case_respond(
        case=case,
        by=alice,
        text="The tool was down; my screenshot.",
        files=[SimpleUploadedFile("screen.pdf", PNG)],
    )
    return case


def _urls(case):
    shown, withheld = case.evidence.order_by("pk")
    sent = case.attachments.get()
    return (
        reverse("cases:evidence", args=[case.pk, shown.pk]),
        reverse("cases:evidence", args=[case.pk, withheld.pk]),
        reverse("cases:attachment", args=[case.pk, sent.pk]),
    )


def test_the_contractor_downloads_shown_evidence_and_their_own_files(client, alice, case):
    shown, withheld, sent = _urls(case)
    client.force_login(alice)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert shown in page and sent in page and withheld not in page

    response = client.get(shown)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="activity_log.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")

    response = client.get(sent)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="screen.png"'

    # Withheld evidence is as absent as anything else.
    assert client.get(withheld).status_code == 404


def test_another_contractor_gets_a_404_for_every_file(client, bob, case):
    client.force_login(bob)
    for url in _urls(case):
        assert client.get(url).status_code == 404


def test_a_file_asked_for_under_another_case_is_a_404(client, alice, case, manager, clock):
    other = cases.case_open(
        contractor=alice.contractor_profile,
        rule=case.rule,
        by=manager,
        evidence_summary="Another matter.",
    )
    shown = case.evidence.order_by("pk").first()
    client.force_login(alice)
    url = reverse("cases:evidence", args=[other.pk, shown.pk])
    assert client.get(url).status_code == 404


def test_staff_who_view_cases_get_every_file_and_others_do_not(client, manager, case):
    assert manager.has_perm("projects.view_case")
    client.force_login(manager)
    for url in _urls(case):
        assert client.get(url).status_code == 200
    accountant = factories.accountant_create()
    assert not accountant.has_perm("projects.view_case")
    client.force_login(accountant)
    for url in _urls(case):
        assert client.get(url).status_code == 404


def test_the_admin_links_evidence_files_to_the_private_download(client, manager, case):
    client.force_login(manager)
    page = client.get(reverse("admin:projects_case_change", args=[case.pk])).content.decode()
    for item in case.evidence.all():
        assert reverse("cases:evidence", args=[case.pk, item.pk]) in page
    assert "/media/" not in page
