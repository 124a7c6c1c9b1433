"""The managers' case queue: opening a case, the step actions and their forms, the export."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse

from projects.models import Case, CaseStatus
from projects.services import cases
from tests.projects.cases_setup import rule_book

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:projects_case_changelist")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def rule(clock, manager):
    return rule_book(manager, clock)


def _open(alice, manager, rule, **extra) -> Case:
    return cases.case_open(
        contractor=alice.contractor_profile, rule=rule, by=manager, evidence_summary="E.", **extra
    )


def _act(client, case: Case, action: str, **data):
    url = reverse("admin:projects_case_act", args=[case.pk, action])
    return client.post(url, {"apply": "1", **data} if data else {})


def test_a_manager_opens_a_case_from_the_form(manager_client, rule, alice, alice_on_project):
    url = reverse("admin:projects_case_add") + f"?contractor={alice.contractor_profile.pk}"
    page = manager_client.get(url)
    assert page.status_code == 200
    response = manager_client.post(
        url,
        {
            "apply": "1",
            "contractor": alice.contractor_profile.pk,
            "assignment": alice_on_project.pk,
            "rule": rule.pk,
            "evidence_summary": "Three days with no activity.",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.status, case.handler.email) == (CaseStatus.OPEN, "manager@example.com")


def test_deciding_before_the_deadline_is_refused_on_the_form(manager_client, manager, rule, alice):
    case = cases.case_notice(
        case=_open(alice, manager, rule), by=manager, proposed_outcome="warning"
    )
    form = _act(manager_client, case, "decide")
    assert form.status_code == 200 and 'name="reasons"' in form.content.decode()
    refused = _act(manager_client, case, "decide", outcome="warning", reasons="Noted.")
    assert refused.status_code == 200
    assert "has until" in refused.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.NOTICED


def test_the_queue_and_timeline_load_and_the_steps_are_recorded(
    manager_client, manager, rule, alice, django_assert_max_num_queries
):
    case = _open(alice, manager, rule)
    _act(manager_client, case, "warn", what_to_change="Log daily.", change_by="2026-11-20")
    _act(manager_client, case, "notice", proposed_outcome="warning", response_days="7")
    case.refresh_from_db()
    assert case.status == CaseStatus.NOTICED
    page = manager_client.get(reverse("admin:projects_case_change", args=[case.pk]))
    html = page.content.decode()
    assert "Warning given" in html and "Notice given" in html
    with django_assert_max_num_queries(20):
        manager_client.get(QUEUE)
    for _ in range(20):
        _open(alice, manager, rule)
    with django_assert_max_num_queries(20):
        assert manager_client.get(QUEUE).status_code == 200


def test_the_interim_suspension_action_needs_its_own_permission(
    manager_client, manager, rule, alice
):
    case = _open(alice, manager, rule)
    response = _act(manager_client, case, "interim_suspend")
    assert response.status_code == 403


def test_the_export_covers_a_date_range_in_csv_and_json_with_withheld_items(
    clock, manager_client, manager, rule, alice
):
    case = _open(alice, manager, rule)
    cases.case_evidence_add(
        case=case, by=manager, kind="text", text="Statement.", withheld_reason="Privacy."
    )
    with clock.back_at(clock() - timedelta(days=40)):
        _open(alice, manager, rule)
    day = clock().date()
    url = reverse("admin:projects_case_export")
    data = {"apply": "1", "start": day - timedelta(days=1), "end": day}
    rows = list(
        csv.reader(
            io.StringIO(manager_client.post(url, {**data, "file_format": "csv"}).content.decode())
        )
    )
    assert [row[0] for row in rows[1:]] == [str(case.pk)]
    exported = json.loads(manager_client.post(url, {**data, "file_format": "json"}).content)
    assert exported[0]["evidence"][0]["withheld_reason"] == "Privacy."


def test_a_contractor_cannot_reach_the_queue(client, alice):
    client.force_login(alice)
    assert client.get(QUEUE).status_code in (302, 403)


def test_the_appeal_deadline_and_the_appeal_decider_have_distinct_labels():
    deadline = Case._meta.get_field("appeal_target_at").verbose_name
    hearer = Case._meta.get_field("appeal_decided_by").verbose_name
    # One msgid for both would force a translator to give a date and a person the same words.
    assert str(deadline) == "appeal decision due by"
    assert str(hearer) == "appeal decided by"
