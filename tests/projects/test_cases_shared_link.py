"""A representative without an account reads the case through the signed, expiring, read-only
link in each email: what the contractor sees and nothing more, until the link expires or the
contractor names someone else."""

import re
import time

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.cases.sharing import representative_token
from projects.services import cases
from tests.factories import pdf_bytes
from tests.projects.cases_setup import rule_book

pytestmark = pytest.mark.django_db

REP = "rina@example.org"


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
    cases.case_evidence_add(case=case, by=manager, kind="text", text="Activity log extract.")
    cases.case_evidence_add(
        case=case,
        by=manager,
        kind="text",
        text="A colleague's statement.",
        withheld_reason="Another person's privacy.",
    )
    case = cases.case_notice(case=case, by=manager, proposed_outcome="removal")
    cases.case_respond(
        case=case,
        by=alice,
        text="I worked offline.",
        representative_name="Rina",
        representative_email=REP,
    )
    case.refresh_from_db()
    return case


def _url(case) -> str:
    return reverse("cases:shared", args=[representative_token(case)])


def test_each_email_to_the_representative_carries_a_link_that_opens_the_case(
    client, manager, case, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_decide(
            case=case,
            by=manager,
            decision=cases.Decision(outcome="warning", reasons="Log daily from now on."),
        )
    (email,) = [m for m in outbox if m.to == [REP]]
    link = re.search(r"https?://\S+/cases/shared/\S+/", email.body)
    assert link is not None
    path = "/" + link.group(0).split("://", 1)[1].split("/", 1)[1]
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Log daily from now on." in html and "I worked offline." in html


def test_the_link_shows_what_the_contractor_sees_and_nothing_more(
    client, case, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = client.get(_url(case))
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    html = response.content.decode()
    assert "Three days logged with no task activity." in html
    assert "Activity log extract." in html
    assert "colleague" not in html and "Another person" not in html
    assert "Send my answer" not in html and 'method="post" action="/cases/' not in html


def test_a_tampered_or_made_up_link_is_a_404(client, case):
    token = representative_token(case)
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x" + token, "nothing"):
        assert client.get(reverse("cases:shared", args=[bad])).status_code == 404
    forged = signing.dumps([case.pk, ""], salt="another.salt", compress=True)
    assert client.get(reverse("cases:shared", args=[forged])).status_code == 404


def test_an_expired_link_is_a_404(client, case, monkeypatch, settings):
    url = _url(case)
    assert client.get(url).status_code == 200
    later = time.time() + (settings.CASE_REPRESENTATIVE_LINK_DAYS + 1) * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert client.get(url).status_code == 404


def test_changing_or_removing_the_representative_revokes_the_links_sent(client, alice, case):
    first = _url(case)
    cases.case_respond(
        case=case,
        by=alice,
        text="More detail.",
        representative_name="Budi",
        representative_email="budi@example.org",
    )
    case.refresh_from_db()
    assert client.get(first).status_code == 404
    second = _url(case)
    assert client.get(second).status_code == 200
    cases.case_respond(case=case, by=alice, text="I will speak for myself.")
    case.refresh_from_db()
    assert client.get(second).status_code == 404
    assert client.get(_url(case)).status_code == 404


def test_the_same_representative_keeps_their_link_across_answers(client, alice, case):
    url = _url(case)
    cases.case_respond(
        case=case,
        by=alice,
        text="More detail.",
        representative_name="Rina S.",
        representative_email=REP.upper(),
    )
    assert client.get(url).status_code == 200


def test_files_shown_to_the_contractor_download_and_withheld_ones_do_not(client, manager, case):
    shown = cases.case_evidence_add(
        case=case, by=manager, kind="file", file=SimpleUploadedFile("log.pdf", pdf_bytes())
    )
    hidden = cases.case_evidence_add(
        case=case,
        by=manager,
        kind="file",
        file=SimpleUploadedFile("other.pdf", pdf_bytes()),
        withheld_reason="Another person's data.",
    )
    token = representative_token(case)
    html = client.get(reverse("cases:shared", args=[token])).content.decode()
    assert reverse("cases:shared_evidence", args=[token, shown.pk]) in html
    assert str(hidden.pk) not in re.findall(r"/evidence/(\d+)/", html)
    ok = client.get(reverse("cases:shared_evidence", args=[token, shown.pk]))
    assert ok.status_code == 200 and b"".join(ok.streaming_content).startswith(b"%PDF-")
    refused = client.get(reverse("cases:shared_evidence", args=[token, hidden.pk]))
    assert refused.status_code == 404
    assert client.get(reverse("cases:shared_evidence", args=["bad", shown.pk])).status_code == 404
