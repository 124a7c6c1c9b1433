"""What operators see of a running portal: log lines tied to their request or task,
and errors reported to Sentry when a DSN is configured.

Each request gets an id (the proxy's ``X-Request-ID`` when it sends a sane one,
else a new one), echoed in the response and attached to every log line written
while it is handled; a Celery task's lines carry the task id. In production the
lines are JSON, one per line.
"""

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
_request_id: ContextVar[str] = ContextVar("request_id", default="")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``task_id`` to every record (empty outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        record.task_id = _current_task_id()
        return True


def _current_task_id() -> str:
    from celery import current_task

    task = current_task
    request = getattr(task, "request", None) if task else None
    return (getattr(request, "id", None) or "") if request else ""


def logging_config(*, json_lines: bool, level: str) -> dict:
    """The ``LOGGING`` setting: JSON lines for machines, plain lines for a terminal."""
    fields = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(task_id)s"
    formatter = (
        {"()": "pythonjsonlogger.json.JsonFormatter", "format": fields}
        if json_lines
        else {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s%(task_id)s] %(message)s"
        }
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "portal.observability.ContextFilter"}},
        "formatters": {"default": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }


def sentry_init(*, dsn: str, environment: str, traces_sample_rate: float = 0.0) -> None:
    """Report errors from the web processes and the Celery workers to Sentry.

    Personal data (emails, IPs, request bodies) is not sent — the SDK's
    default, left as it is: contractors' details stay in the portal.
    """
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        traces_sample_rate=traces_sample_rate,
    )
