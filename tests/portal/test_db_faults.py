"""A database fault during someone's action is a "try again" (503), logged, never a raw 500;
the tasks retry it."""

import logging
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from payments import tasks as payment_tasks
from portal.notifications import tasks as notification_tasks
from projects import tasks as project_tasks

pytestmark = pytest.mark.django_db

TIMEOUT = OperationalError("canceling statement due to statement timeout")
DROPPED = OperationalError("server closed the connection unexpectedly")
CLOSED = InterfaceError("connection already closed")


@pytest.mark.parametrize("fault", [TIMEOUT, DROPPED, CLOSED], ids=["timeout", "dropped", "closed"])
def test_a_fault_during_an_action_shows_the_try_again_page_in_the_layout(
    client, alice, caplog, fault
):
    client.force_login(alice)

    with (
        mock.patch("portal.notifications.services.notifications_mark_all_read", side_effect=fault),
        caplog.at_level(logging.ERROR, logger="portal.db_faults"),
    ):
        response = client.post(reverse("notifications:read_all"))

    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert "Please try again" in html and "Nothing was half-saved" in html
    assert reverse("notifications:read_all") in html
    assert "Database fault during POST /notifications/read-all/" in caplog.text
    assert str(fault) in caplog.text


def test_the_try_again_page_is_in_the_readers_language(client, alice):
    alice.language = "vi"
    alice.save(update_fields=["language"])
    client.force_login(alice)

    with mock.patch(
        "portal.notifications.services.notifications_mark_all_read", side_effect=TIMEOUT
    ):
        response = client.post(reverse("notifications:read_all"))

    assert response.status_code == 503
    assert '<html lang="vi">' in response.content.decode()


def test_a_database_gone_before_the_view_still_gets_the_try_again_page(alice):
    client = Client(raise_request_exception=False)
    client.force_login(alice)

    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=DROPPED):
        response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.status_code == 503
    assert 'class="site-header"' in html
    assert "Please try again" in html


def test_other_errors_still_reach_the_server_error_page(alice):
    client = Client(raise_request_exception=False)
    client.force_login(alice)

    with mock.patch(
        "portal.notifications.services.notifications_mark_all_read",
        side_effect=RuntimeError("a bug"),
    ):
        response = client.post(reverse("notifications:read_all"))

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.parametrize("fault", [TIMEOUT, CLOSED], ids=["timeout", "closed"])
def test_the_api_answers_a_fault_with_a_503_json_error(alice, caplog, fault):
    api = APIClient()
    api.force_authenticate(alice)

    with (
        mock.patch("portal.notifications.services.notifications_mark_all_read", side_effect=fault),
        caplog.at_level(logging.ERROR, logger="portal.api_kit"),
    ):
        response = api.post(reverse("api-notifications-read-all"))

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "detail": "The service could not reach its database; nothing was changed. Try again."
    }
    assert "Database fault during API POST" in caplog.text


@pytest.mark.parametrize(
    "task",
    [
        notification_tasks.outbox_send,
        notification_tasks.outbox_sweep,
        project_tasks.project_pauses_apply_due,
        payment_tasks.pay_periods_close_due,
    ],
    ids=lambda task: task.name.rsplit(".", 1)[-1],
)
def test_every_task_that_reads_the_database_retries_its_faults(task):
    assert OperationalError in task.autoretry_for
    assert InterfaceError in task.autoretry_for
    assert task.retry_backoff and task.max_retries


def test_a_delivery_task_hit_by_a_fault_runs_again_and_delivers():
    calls = []

    def deliver(*, ids):
        calls.append(ids)
        if len(calls) == 1:
            raise DROPPED
        return len(ids)

    with mock.patch.object(notification_tasks, "outbox_deliver", side_effect=deliver):
        result = notification_tasks.outbox_send.apply(args=[[1, 2]], throw=False)

    assert result.get() == 2
    assert calls == [[1, 2], [1, 2]]
