"""The database could not answer: a "try again" page or a 503, never a raw server error.

A dropped connection, a failover or a statement timeout interrupts a
person's action; the transaction around the service rolls back, so nothing
is half-written and trying again is safe. They are told so, in the site's
layout (or, through the API, in its JSON error shape, see ``portal.api_kit``),
with status 503 so clients and proxies know to retry. Celery tasks retry the
same faults on their own (``RETRY_ON_DB_FAULTS``).
"""

import logging
import sys
from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

logger = logging.getLogger(__name__)

# psycopg reports a lost connection, a server going away and a cancelled
# (timed-out) statement as OperationalError, a connection already closed as
# InterfaceError; SQLite reports a locked database as OperationalError.
DB_FAULTS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30

# For @shared_task: retry with a growing, jittered delay, up to about half an hour in all.
RETRY_ON_DB_FAULTS = {
    "autoretry_for": DB_FAULTS,
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


class DatabaseFaultMiddleware:
    """Answer a view's database fault with the "try again" page (status 503), and log it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DB_FAULTS):
            return None
        logger.error(
            "Database fault during %s %s; answered 503.",
            request.method,
            request.path,
            exc_info=exception,
        )
        return unavailable(request)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """``handler500``: a database fault outside any view (loading the session, the user)
    still gets the "try again" page; anything else, Django's own error page."""
    _type, exception, _traceback = sys.exc_info()
    if isinstance(exception, DB_FAULTS):
        return unavailable(request)
    return defaults.server_error(request, template_name)


def unavailable(request: HttpRequest) -> HttpResponse:
    """The "try again" page in the site's layout, even if the database can't say who is asking."""
    try:
        response = render(request, "503.html", status=503)
    except DatabaseError:
        # Showing the signed-in header needs the session and the user, which the
        # database could not give: the layout as a visitor sees it serves.
        request.user = AnonymousUser()
        response = render(request, "503.html", {"messages": []}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
