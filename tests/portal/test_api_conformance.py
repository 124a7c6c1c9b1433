"""The live API against its own OpenAPI schema, driven by schemathesis.

Every operation is called with generated input (valid and invalid) as a
contractor with data of her own, as a manager with every staff permission the
group gives, and without credentials. Each answer must be no server error and a
status code the schema documents for that operation, with a body of the
documented shape.
"""

import json
from functools import partial

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from accounts import services as account_services
from tests.payments import factories as payment_factories
from tests.projects import factories as project_factories
from tests.projects.conftest import Clock

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

# The schema exactly as /api/schema/ serves it, built without a request so that loading
# it needs no database at collection time.
_document = SchemaGenerator().get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(_document)))
APP = WSGIHandler()


@pytest.fixture
def wsgi_requests_in_test_transaction():
    """Keep the test's transaction open across requests served by the real WSGI handler.

    Django closes the database connection at the end of each request when it is in
    a transaction it does not own; the test client disconnects the same signals.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(wsgi_requests_in_test_transaction, monkeypatch, manager, alice):
    """Alice's and the manager's token, with data of Alice's for the ids to find."""
    clock = Clock(project_factories.NOW)
    monkeypatch.setattr(timezone, "now", clock)
    with clock.back_at(project_factories.SETUP_AT):
        project = project_factories.project_create(manager)
        assignment = project_factories.assign(project, alice, by=manager)
    payment_factories.approved_week(assignment, manager=manager, minutes=[120] * 3)
    period = payment_factories.closed_period(project_factories.LAST_MONDAY, by=manager)
    payment_factories.generate(period, by=manager)
    project_factories.log(alice, assignment, project_factories.NOW.date(), minutes=60)
    _token, alice_key = account_services.api_token_create(user=alice, name="conformance")
    _token, manager_key = account_services.api_token_create(user=manager, name="conformance")
    return {"alice": alice_key, "manager": manager_key}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_its_schema_says(case, tokens):
    for key in (tokens["alice"], tokens["manager"], None):
        # Throttling is documented (429); clearing its counters keeps it from hiding the rest.
        cache.clear()
        headers = {"Authorization": f"Token {key}"} if key else {}
        case.call_and_validate(app=APP, headers=headers, checks=CHECKS)


def test_every_operation_is_checked():
    operations = list(schema.get_all_operations())

    assert len(operations) >= 40
    assert all(result.ok() for result in operations)


# --- Server errors the run above found, each now a 400 -----------------------------------

TOO_BIG = 2**64


def _client(user) -> APIClient:
    _token, key = account_services.api_token_create(user=user, name="script")
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/review/time-entries/approve", {"ids": [1, TOO_BIG]}),
        ("/api/v1/review/time-entries/reject", {"ids": [TOO_BIG], "reason": "No."}),
    ],
)
def test_an_id_beyond_the_databases_integers_is_refused(manager, path, body):
    response = _client(manager).post(path, body, format="json")

    assert response.status_code == 400
    assert "ids" in response.json()


@pytest.mark.django_db
def test_a_filter_id_beyond_the_databases_integers_is_refused(manager):
    response = _client(manager).get("/api/v1/review/time-entries", {"project": TOO_BIG})

    assert response.status_code == 400
    assert "project" in response.json()


@pytest.mark.django_db
def test_a_signal_for_an_id_beyond_the_databases_integers_is_refused(manager):
    response = _client(manager).post(
        "/api/v1/cases/signals",
        {"contractor": TOO_BIG, "rule": "R1", "source": "qa", "summary": "Late."},
        format="json",
    )

    assert response.status_code == 400
    assert "contractor" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "field", "data"),
    [
        ("get", "/api/v1/earnings", "period", {"period": "9999-12-31"}),
        ("get", "/api/v1/time-entries", "week", {"week": "9999-12-31"}),
        ("post", "/api/v1/time-entries/submit-week", "week", {"week": "9999-12-31"}),
        (
            "post",
            "/api/v1/time-entries",
            "work_on",
            {"assignment": 1, "work_on": "9999-12-31", "minutes": 5},
        ),
    ],
)
def test_a_day_in_the_calendars_last_week_is_refused_not_a_server_error(
    alice, method, path, field, data
):
    client = _client(alice)
    send = {"get": client.get, "post": partial(client.post, format="json")}[method]

    response = send(path, data)

    assert response.status_code == 400
    assert response.json() == {field: ["Choose an earlier date."]}


@pytest.mark.django_db
def test_a_review_week_in_the_calendars_last_week_is_refused(manager):
    response = _client(manager).get("/api/v1/review/time-entries", {"week": "9999-12-31"})

    assert response.status_code == 400
    assert response.json() == {"week": ["Choose an earlier date."]}
