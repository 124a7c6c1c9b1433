import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts import services as account_services
from payments import services
from payments.models import AdjustmentKind
from tests.payments import factories
from tests.projects.factories import THIS_MONDAY

pytestmark = pytest.mark.django_db

EARNINGS = "/api/v1/earnings"
PAYOUTS = "/api/v1/payouts"
EXPORT = "/api/v1/payroll/export"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_earnings_summary_for_a_period(clock, alice, manager, alice_on_project):
    monday, _tuesday = factories.submitted_week(
        alice_on_project, minutes=[90, 30], monday=THIS_MONDAY
    )
    factories.approve([monday], by=manager)

    current = _client(alice).get(EARNINGS).json()
    earlier = _client(alice).get(EARNINGS, {"period": "2026-11-05"}).json()

    assert current["period_start"] == "2026-11-09"
    assert current["closed"] is False
    assert current["projects"] == [
        {
            "project_id": alice_on_project.project_id,
            "project_name": "Search relevance",
            "currency": "EUR",
            "logged_minutes": 120,
            "submitted_minutes": 30,
            "approved_minutes": 90,
            "logged_minor": 5000,
            "submitted_minor": 1250,
            "approved_minor": 3750,
        }
    ]
    assert current["totals"][0]["approved_minor"] == 3750
    assert (earlier["period_start"], earlier["projects"]) == ("2026-11-02", [])


def test_payouts_come_with_lines_and_adjustments_that_add_up(
    clock, alice, manager, alice_paid_week
):
    services.payout_adjust(
        payout=alice_paid_week,
        by=manager,
        details=services.AdjustmentDetails(AdjustmentKind.DEDUCTION, -250, "Duplicate task"),
    )

    [summary] = _client(alice).get(PAYOUTS).json()["results"]
    payout = _client(alice).get(summary["url"]).json()

    # The list names the lines; the payout's own URL has them.
    assert summary["url"] == f"http://testserver{PAYOUTS}/{alice_paid_week.pk}"
    assert "lines" not in summary and "adjustments" not in summary
    assert summary == {key: payout[key] for key in summary}
    assert summary["line_count"] == 5
    assert (payout["period_start"], payout["status"], payout["currency"]) == (
        "2026-11-02",
        "draft",
        "EUR",
    )
    assert len(payout["lines"]) == 5
    assert payout["lines"][0] | {"time_entry": 0} == {
        "time_entry": 0,
        "work_on": "2026-11-02",
        "project": "Search relevance",
        "kind": "task",
        "minutes": 120,
        "rate_minor": 2500,
        "amount_minor": 5000,
    }
    assert sum(line["amount_minor"] for line in payout["lines"]) == payout["gross_minor"]
    assert payout["adjustments"][0]["type"] == "deduction"
    assert payout["net_minor"] == payout["gross_minor"] - 250 == 24750
    # Closed on Nov 12 (the frozen clock), due seven days later; not sent anywhere yet.
    assert (payout["due_on"], payout["paid_to_method"], payout["paid_to_account"]) == (
        "2026-11-19",
        "",
        "",
    )


def test_another_contractors_payout_is_404(clock, bob, alice_paid_week):
    assert _client(bob).get(f"{PAYOUTS}/{alice_paid_week.pk}").status_code == 404
    assert _client(bob).get(PAYOUTS).json()["results"] == []


def test_staff_have_no_earnings(manager):
    assert _client(manager).get(EARNINGS).status_code == 404


def test_a_token_reads_payouts(clock, alice, alice_paid_week):
    _token, key = account_services.api_token_create(user=alice, name="bookkeeping")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(PAYOUTS).json()["count"] == 1


def test_the_payout_list_costs_the_same_queries_for_one_and_fifty(clock, alice, manager):
    factories.history(alice, manager=manager, clock=clock, weeks=1, before=date(2025, 11, 3))
    client = _client(alice)
    with CaptureQueriesContext(connection) as one:
        assert client.get(PAYOUTS).json()["count"] == 1
    factories.history(alice, manager=manager, clock=clock, weeks=50, minutes=(60,) * 7)

    with CaptureQueriesContext(connection) as many:
        page = client.get(PAYOUTS).json()

    # Twelve a page, newest first, without their lines: a fixed number of queries.
    assert (page["count"], len(page["results"])) == (51, 12)
    assert page["next"].endswith("?page=2")
    starts = [payout["period_start"] for payout in page["results"]]
    assert starts == sorted(starts, reverse=True)
    assert len(many.captured_queries) == len(one.captured_queries)


def test_an_accountant_streams_the_export(clock, accountant, alice_paid_week):
    response = _client(accountant).get(
        EXPORT, {"period_start": "2026-11-02", "kind": "detail"}, HTTP_ACCEPT="text/csv"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:2] == ["payout_id", "period_start"]
    assert len(rows) == 6
    spreadsheet = _client(accountant).get(
        EXPORT, {"period_start": "2026-11-02", "bom": "true"}, HTTP_ACCEPT="text/csv"
    )
    assert b"".join(spreadsheet.streaming_content).startswith(b"\xef\xbb\xbfpayout_id,")


def test_the_export_is_refused_to_contractors_and_checks_its_parameters(
    clock, alice, accountant, alice_paid_week
):
    assert _client(alice).get(EXPORT, {"period_start": "2026-11-02"}).status_code == 403
    bad = _client(accountant).get(EXPORT, {"period_start": "soon", "kind": "all"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"period_start", "kind"}
    assert _client(accountant).get(EXPORT, {"period_start": "1999-01-04"}).status_code == 404


def test_the_schema_lists_the_payments_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (EARNINGS, PAYOUTS, f"{PAYOUTS}/{{payout_id}}", EXPORT):
        assert f"{path}:" in schema
    assert "text/csv" in schema
