"""GET /healthz: what a load balancer or orchestrator polls."""

from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db

URL = "/healthz"


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def with_broker(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False


def test_healthy_with_the_database_up_and_tasks_run_in_process(client, eager):
    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}
    assert "no-cache" in response["Cache-Control"]


def test_unavailable_when_the_database_is_down(client, eager):
    broken = mock.MagicMock()
    broken.cursor.side_effect = OperationalError("could not connect to server")

    with mock.patch("portal.views.connection", broken):
        response = client.get(URL)

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down", "broker": "eager"}


def test_healthy_when_the_broker_answers(client, with_broker):
    with mock.patch("portal.views.celery_app.connection_for_write") as connection_for_write:
        response = client.get(URL)

    assert response.status_code == 200
    assert response.json()["broker"] == "ok"
    connection_for_write.return_value.__enter__.return_value.ensure_connection.assert_called_once()


def test_unavailable_when_the_broker_is_down(client, with_broker):
    refused = ConnectionRefusedError(111, "Connection refused")

    with mock.patch("portal.views.celery_app.connection_for_write", side_effect=refused):
        response = client.get(URL)

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "down"}


def test_reachable_over_plain_http_when_https_is_enforced(client, eager, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(URL).status_code == 200
    assert client.get("/").status_code == 301


def test_only_get_is_allowed(client, eager):
    assert client.post(URL).status_code == 405
