from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts import services as account_services
from projects import services
from projects.models import EntryStatus, PauseReason, TimeEntry
from tests.projects.factories import LAST_MONDAY, SETUP_AT, log, log_many, many_assignments

pytestmark = pytest.mark.django_db

ASSIGNMENTS = "/api/v1/assignments"
ENTRIES = "/api/v1/time-entries"
SUBMIT = "/api/v1/time-entries/submit-week"
REVIEW = "/api/v1/review/time-entries"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api(alice):
    return _client(alice)


def test_assignments_list_project_status_and_rates(api, alice_on_project, manager):
    services.project_pause(
        project=alice_on_project.project,
        by=manager,
        reason=PauseReason.QUALITY,
        message="Batch review.",
        expected_resume_on=date(2026, 11, 20),
        short_notice_confirmed=True,
    )
    [item] = api.get(ASSIGNMENTS).json()["results"]
    assert item["id"] == alice_on_project.pk
    assert item["project"]["status"] == "paused"
    assert item["project"]["pause_message"] == "Batch review."
    assert item["project"]["expected_resume_on"] == "2026-11-20"
    assert item["project"]["manager_email"] == "manager@example.com"
    assert item["current_rate"] == {
        "rate_minor": 2500,
        "currency": "EUR",
        "effective_on": "2026-10-01",
        "reason": "",
    }
    assert item["weekly_cap_minutes"] == 1200


def test_assignments_are_scoped_to_the_owner(alice_on_project, bob):
    assert _client(bob).get(ASSIGNMENTS).json()["results"] == []


def test_a_token_works_like_a_session(alice_on_project, alice):
    _token, key = account_services.api_token_create(user=alice, name="labelling tool")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(ASSIGNMENTS).status_code == 200


def test_create_list_update_delete_a_draft(api, alice_on_project):
    created = api.post(
        ENTRIES,
        {"assignment": alice_on_project.pk, "work_on": "2026-11-02", "minutes": 90, "note": "v2"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    entry = created.json()
    assert (entry["status"], entry["kind"], entry["rate_minor"], entry["amount_minor"]) == (
        "draft",
        "task",
        2500,
        3750,
    )
    listed = api.get(ENTRIES, {"week": "2026-11-05"}).json()
    assert [e["id"] for e in listed] == [entry["id"]]
    assert api.get(ENTRIES, {"week": "2026-11-09"}).json() == []

    changed = api.patch(f"{ENTRIES}/{entry['id']}", {"minutes": 60}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["minutes"], changed.json()["note"]) == (60, "v2")
    assert api.delete(f"{ENTRIES}/{entry['id']}").status_code == 204
    assert not TimeEntry.objects.exists()


def test_rule_violations_are_400s_keyed_by_field(api, alice_on_project):
    future = api.post(
        ENTRIES,
        {"assignment": alice_on_project.pk, "work_on": "2026-11-20", "minutes": 60},
        format="json",
    )
    assert future.status_code == 400
    assert future.json() == {
        "work_on": ["Fri, Nov 20 hasn't happened yet in your time zone: Germany (Berlin)."]
    }
    bad = api.post(
        ENTRIES,
        {"assignment": alice_on_project.pk, "work_on": "2026-11-02", "minutes": 2000},
        format="json",
    )
    assert bad.status_code == 400
    assert "minutes" in bad.json()


def test_submit_a_week_then_edits_are_refused(api, alice_on_project, alice):
    [entry] = log(alice, alice_on_project, LAST_MONDAY, 60)
    submitted = api.post(SUBMIT, {"week": "2026-11-04"}, format="json")
    assert submitted.status_code == 200
    assert [e["status"] for e in submitted.json()] == ["submitted"]
    refused = api.patch(f"{ENTRIES}/{entry.pk}", {"minutes": 30}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"minutes": ["This entry is submitted; it can't be changed."]}
    empty = api.post(SUBMIT, {"week": "2026-11-04"}, format="json")
    assert empty.json() == {"non_field_errors": ["There is nothing to submit for this week."]}


def test_submit_errors_are_keyed_by_cell(api, alice_on_project, alice, manager):
    log(alice, alice_on_project, LAST_MONDAY, 60)
    services.assignment_update(
        assignment=alice_on_project, by=manager, weekly_cap_minutes=30, end_on=None
    )
    response = api.post(SUBMIT, {"week": "2026-11-02"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [f"{alice_on_project.pk}-task-2026-11-02"]


def test_another_contractors_ids_are_404(alice_on_project, bob_on_project, alice, bob):
    [entry] = log(alice, alice_on_project, LAST_MONDAY, 60)
    client = _client(bob)
    assert client.get(f"{ENTRIES}/{entry.pk}").status_code == 404
    assert client.patch(f"{ENTRIES}/{entry.pk}", {"minutes": 5}, format="json").status_code == 404
    assert client.delete(f"{ENTRIES}/{entry.pk}").status_code == 404
    created = client.post(
        ENTRIES,
        {"assignment": alice_on_project.pk, "work_on": "2026-11-02", "minutes": 60},
        format="json",
    )
    assert created.status_code == 404
    assert client.get(ENTRIES, {"week": "2026-11-02"}).json() == []
    assert TimeEntry.objects.get().minutes == 60


def test_contractors_cannot_use_the_review_endpoints(api, alice_on_project, alice):
    [entry] = log(alice, alice_on_project, LAST_MONDAY, 60)
    services.time_week_submit(by=alice, week=LAST_MONDAY)
    assert api.get(REVIEW).status_code == 403
    assert api.post(f"{REVIEW}/approve", {"ids": [entry.pk]}, format="json").status_code == 403
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED


def test_manager_lists_filters_approves_and_rejects(
    alice_on_project, alice_on_other, alice, manager
):
    log(alice, alice_on_project, LAST_MONDAY, 60)
    log(alice, alice_on_other, LAST_MONDAY, 30)
    entries = services.time_week_submit(by=alice, week=LAST_MONDAY)
    client = _client(manager)
    listed = client.get(REVIEW, {"status": "submitted", "project": alice_on_project.project_id})
    [item] = listed.json()["results"]
    assert item["contractor"]["email"] == "alice@example.com"
    ids = {e.assignment_id: e.pk for e in entries}
    approved = client.post(f"{REVIEW}/approve", {"ids": [ids[alice_on_project.pk]]}, format="json")
    assert [e["status"] for e in approved.json()] == ["approved"]
    no_reason = client.post(
        f"{REVIEW}/reject", {"ids": [ids[alice_on_other.pk]], "reason": ""}, format="json"
    )
    assert no_reason.status_code == 400
    rejected = client.post(
        f"{REVIEW}/reject", {"ids": [ids[alice_on_other.pk]], "reason": "Too short."}, format="json"
    )
    assert rejected.json()[0]["rejection_reason"] == "Too short."
    again = client.post(f"{REVIEW}/approve", {"ids": [ids[alice_on_project.pk]]}, format="json")
    assert again.status_code == 400


def test_accountant_can_list_but_not_review(alice_on_project, alice, accountant):
    [entry] = log(alice, alice_on_project, LAST_MONDAY, 60)
    client = _client(accountant)
    assert client.get(REVIEW).status_code == 200
    assert client.post(f"{REVIEW}/approve", {"ids": [entry.pk]}, format="json").status_code == 403


def test_list_queries_do_not_grow(clock, alice, manager):
    with clock.back_at(SETUP_AT):
        [first] = many_assignments(alice, 1, by=manager)
    log_many(alice, first, 1)
    client = _client(alice)

    def count(url, params=None) -> int:
        client.get(url, params)  # warm the per-process caches first
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params).status_code == 200
        return len(queries)

    assignments_one = count(ASSIGNMENTS)
    entries_one = count(ENTRIES, {"week": "2026-11-02"})
    with clock.back_at(SETUP_AT):
        many_assignments(alice, 49, by=manager)
    log_many(alice, first, 35)
    assert count(ASSIGNMENTS) == assignments_one
    assert count(ENTRIES, {"week": "2026-11-02"}) == entries_one


def test_schema_lists_the_projects_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (ASSIGNMENTS, ENTRIES, SUBMIT, REVIEW, f"{REVIEW}/approve", f"{REVIEW}/reject"):
        assert f"{path}:" in schema


def test_bad_filters_are_400s_not_errors(api, manager):
    assert api.get(ENTRIES, {"week": "next tuesday"}).status_code == 400
    client = _client(manager)
    assert client.get(REVIEW, {"project": "abc"}).status_code == 400
    assert client.get(REVIEW, {"status": "lost"}).status_code == 400
