"""The contractor's Cases pages: their own cases only, shown evidence only, forms and the file."""

import json

import pytest
from django.urls import reverse

from projects.models import CaseStatus
from projects.services import cases
from tests.projects.cases_setup import rule_book

pytestmark = pytest.mark.django_db


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
    return cases.case_notice(case=case, by=manager, proposed_outcome="removal")


def test_the_case_page_shows_the_rule_text_the_shown_evidence_and_the_clock(client, alice, case):
    client.force_login(alice)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Log only the time you worked." in html
    assert "Activity log extract." in html
    assert "A colleague&#x27;s statement." not in html and "colleague" not in html
    assert "Another person" not in html
    assert "7 days left to answer" in html


def test_the_rule_text_is_in_the_readers_language(client, alice, case):
    alice.language = "id"
    alice.save(update_fields=["language"])
    client.force_login(alice)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Catat hanya waktu kerja Anda." in html


def test_another_contractors_case_is_a_404_everywhere(client, bob, case):
    client.force_login(bob)
    for name in ("cases:detail", "cases:print", "cases:json"):
        assert client.get(reverse(name, args=[case.pk])).status_code == 404
    response = client.post(reverse("cases:respond", args=[case.pk]), {"text": "Not mine."})
    assert response.status_code == 404
    listed = client.get(reverse("cases:list")).content.decode()
    assert reverse("cases:detail", args=[case.pk]) not in listed


def test_the_contractor_responds_with_a_representative(client, alice, case):
    client.force_login(alice)
    response = client.post(
        reverse("cases:respond", args=[case.pk]),
        {
            "text": "I worked offline.",
            "representative_name": "Rina (union rep)",
            "representative_email": "rina@example.org",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RESPONDED
    assert case.representative_email == "rina@example.org"


def test_an_empty_response_is_an_error_next_to_the_field(client, alice, case):
    client.force_login(alice)
    response = client.post(reverse("cases:respond", args=[case.pk]), {"text": ""})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode() or "errorlist" in (
        response.content.decode()
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.NOTICED


def test_the_case_file_downloads_as_json_without_withheld_items(client, alice, case):
    client.force_login(alice)
    response = client.get(reverse("cases:json", args=[case.pk]))
    data = json.loads(response.content)
    assert data["rule"]["text"] == "Log only the time you worked."
    assert [item["text"] for item in data["evidence"]] == ["Activity log extract."]
    assert "withheld_reason" not in json.dumps(data)
    assert [step["step"] for step in data["timeline"]][:1] == ["opened"]
    printable = client.get(reverse("cases:print", args=[case.pk])).content.decode()
    assert "Activity log extract." in printable and "colleague" not in printable


def test_the_cases_list_costs_the_same_queries_for_one_case_or_many(
    client, alice, manager, case, django_assert_max_num_queries
):
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        client.get(reverse("cases:list"))
    for _ in range(10):
        cases.case_open(
            contractor=alice.contractor_profile,
            rule=case.rule,
            by=manager,
            evidence_summary="Another.",
        )
    with django_assert_max_num_queries(12):
        html = client.get(reverse("cases:list")).content.decode()
    assert html.count('class="card"') == 11
