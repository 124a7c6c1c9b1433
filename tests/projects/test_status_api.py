"""Managers pause, resume and close projects through the API, and every assignee is told."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from accounts import services as account_services
from portal.models import Notification, NotificationKind
from projects.models import ProjectStatus, ScheduledPause, ScheduledPauseStatus
from tests.projects.factories import NOW

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(project, action: str) -> str:
    return f"/api/v1/projects/{project.pk}/{action}"


@pytest.fixture
def staffed(clock, project, alice_on_project, bob_on_project):
    clock.set(NOW)
    return project


def test_a_platform_pauses_a_project_with_a_token_and_everyone_is_told(
    staffed, manager, alice, bob
):
    _token, key = account_services.api_token_create(user=manager, name="labelling platform")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.post(
        _url(staffed, "pause"),
        {
            "reason": "no_work",
            "message": "The task queue is empty until the next batch lands.",
            "expected_resume_on": "2026-11-20",
            "short_notice_confirmed": True,
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["to_status"], body["reason"], body["by"]) == ("paused", "no_work", manager.email)
    assert body["delivery"] == {
        "notified": 2,
        "emails_sent": 0,
        "emails_failed": 0,
        "emails_waiting": 2,
    }
    staffed.refresh_from_db()
    assert staffed.status == ProjectStatus.PAUSED
    notices = Notification.objects.filter(kind=NotificationKind.PROJECT_PAUSED)
    assert {n.recipient_id for n in notices} == {alice.pk, bob.pk}


def test_a_future_time_schedules_the_pause(staffed, manager, alice):
    at = NOW + timedelta(days=1)
    response = _client(manager).post(
        _url(staffed, "pause"),
        {
            "reason": "budget",
            "message": "Budget runs out.",
            "effective_at": at.isoformat(),
            "short_notice_confirmed": True,
        },
        format="json",
    )

    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["status"], body["delivery"]["notified"]) == ("pending", 2)
    staffed.refresh_from_db()
    assert staffed.status == ProjectStatus.ACTIVE
    listed = _client(alice).get("/api/v1/assignments").json()["results"][0]["project"]
    assert listed["scheduled_pause"]["message"] == "Budget runs out."

    cancelled = _client(manager).post(
        _url(staffed, "pause/cancel"), {"message": "Budget extended."}, format="json"
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert ScheduledPause.objects.get().status == ScheduledPauseStatus.CANCELLED


def test_resume_close_and_the_history_with_delivery_counts(staffed, manager):
    client = _client(manager)
    client.post(
        _url(staffed, "pause"),
        {"reason": "quality", "message": "Review.", "short_notice_confirmed": True},
        format="json",
    )
    resumed = client.post(_url(staffed, "resume"), {"message": "All clear."}, format="json")
    assert resumed.status_code == 200
    assert resumed.json()["to_status"] == "active"
    closed = client.post(
        _url(staffed, "close"),
        {"message": "Done.", "short_notice_confirmed": True},
        format="json",
    )
    assert closed.json()["to_status"] == "closed"

    history = client.get(_url(staffed, "status-changes")).json()["results"]
    assert [change["to_status"] for change in history] == [
        "closed",
        "active",
        "paused",
        "active",
        "draft",
    ]
    assert [change["delivery"]["notified"] for change in history] == [2, 2, 2, 0, 0]


def test_refusals_are_400s_keyed_by_field_and_change_nothing(staffed, manager):
    client = _client(manager)
    missing = client.post(
        _url(staffed, "pause"), {"reason": "quality", "message": ""}, format="json"
    )
    assert missing.status_code == 400
    assert "message" in missing.json()
    past = client.post(
        _url(staffed, "pause"),
        {"reason": "quality", "message": "x", "effective_at": "2026-01-01T00:00:00Z"},
        format="json",
    )
    assert past.status_code == 400
    assert past.json() == {"effective_at": ["Choose a time in the future, or pause now."]}
    not_paused = client.post(_url(staffed, "resume"), {}, format="json")
    assert not_paused.status_code == 400
    assert "is not paused" in not_paused.json()["non_field_errors"][0]
    assert client.post(_url(staffed, "close"), {}, format="json").status_code == 400
    staffed.refresh_from_db()
    assert staffed.status == ProjectStatus.ACTIVE
    assert not Notification.objects.filter(kind__startswith="project_").exists()


def test_only_managers_with_the_permission_may_change_status(staffed, alice, accountant):
    for user in (alice, accountant):
        client = _client(user)
        response = client.post(
            _url(staffed, "pause"), {"reason": "quality", "message": "x"}, format="json"
        )
        assert response.status_code == 403
        assert client.get(_url(staffed, "status-changes")).status_code == 403
    staffed.refresh_from_db()
    assert staffed.status == ProjectStatus.ACTIVE


def test_an_unknown_project_is_404(manager):
    response = _client(manager).post(
        "/api/v1/projects/999999/pause", {"reason": "quality", "message": "x"}, format="json"
    )
    assert response.status_code == 404
