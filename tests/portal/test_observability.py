"""Log lines tied to their request and task, and Sentry only when configured."""

import json
import logging

import pytest
from django.urls import reverse
from pythonjsonlogger.json import JsonFormatter

from portal.celery import app as celery_app
from portal.observability import ContextFilter, logging_config, sentry_init

pytestmark = pytest.mark.django_db


def _json_line(record: logging.LogRecord) -> dict:
    config = logging_config(json_lines=True, level="INFO")
    formatter = JsonFormatter(config["formatters"]["default"]["format"])
    ContextFilter().filter(record)
    return json.loads(formatter.format(record))


def test_every_response_names_its_request(client):
    first = client.get(reverse("healthz"))["X-Request-ID"]
    second = client.get(reverse("healthz"))["X-Request-ID"]
    assert first and second and first != second


def test_a_proxys_request_id_is_kept_and_a_strange_one_replaced(client):
    kept = client.get(reverse("healthz"), HTTP_X_REQUEST_ID="edge-4f2a")
    assert kept["X-Request-ID"] == "edge-4f2a"
    replaced = client.get(reverse("healthz"), HTTP_X_REQUEST_ID="<script>" * 20)
    assert replaced["X-Request-ID"] != "<script>" * 20
    assert len(replaced["X-Request-ID"]) == 32


def test_log_lines_written_during_a_request_carry_its_id(client, caplog, monkeypatch):
    seen = []

    def spy(request):
        record = logging.LogRecord("portal", logging.INFO, __file__, 1, "hello", None, None)
        seen.append(_json_line(record))
        from django.http import HttpResponse

        return HttpResponse("ok")

    from portal import observability

    response = observability.RequestIdMiddleware(spy)(client.get(reverse("healthz")).wsgi_request)
    assert seen[0]["message"] == "hello"
    assert seen[0]["request_id"] == response["X-Request-ID"]
    assert seen[0]["task_id"] == ""


def test_log_lines_written_by_a_task_carry_the_task_id():
    @celery_app.task(name="tests.observability.log_line")
    def log_line():
        record = logging.LogRecord("portal", logging.INFO, __file__, 1, "in a task", None, None)
        return _json_line(record)

    result = log_line.apply(task_id="task-123")
    assert result.get()["task_id"] == "task-123"


def test_sentry_starts_only_with_a_dsn_and_sends_no_personal_data():
    import sentry_sdk

    assert not sentry_sdk.get_client().is_active()
    sentry_init(dsn="http://key@127.0.0.1:9/1", environment="test")
    try:
        client = sentry_sdk.get_client()
        assert client.is_active()
        assert not client.should_send_default_pii()
        names = set(client.integrations)
        assert {"django", "celery"} <= names
    finally:
        sentry_sdk.get_client().close(timeout=0)
        sentry_sdk.init()
