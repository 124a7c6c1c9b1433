import csv
import io
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from payments import services
from payments.models import AdjustmentKind
from projects.models import EntryKind, TimeEntry
from tests.payments import factories
from tests.projects.factories import LAST_MONDAY, THIS_MONDAY, log

EARNINGS = reverse("payments:earnings")
EARNINGS_CSV = reverse("payments:earnings_csv")
PAYROLL = reverse("payments:payroll")
PAYROLL_CSV = reverse("payments:payroll_csv")


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_body(response).decode(), newline="")))


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    return client


# --- The earnings page --------------------------------------------------------------------


def test_the_current_period_shows_logged_submitted_and_approved_per_project(
    clock, alice_client, alice, manager, alice_on_project, alice_on_other
):
    monday, tuesday = factories.submitted_week(
        alice_on_project, minutes=[90, 30], monday=THIS_MONDAY
    )
    factories.approve([monday], by=manager)
    log(alice, alice_on_other, THIS_MONDAY, 60, kind="meeting")

    page = alice_client.get(EARNINGS).content.decode()

    assert "Week of Nov 9 – Nov 15, 2026" in page
    assert "The current pay period." in page
    # Search relevance at 25.00: 2:00 logged (50.00), 0:30 waiting (12.50), 1:30 approved.
    assert "2:00 · €50.00" in page
    assert "0:30 · €12.50" in page
    assert "1:30 · €37.50" in page
    # Chat safety review at 30.00: one draft hour.
    assert "1:00 · €30.00" in page
    assert "Total EUR" in page


def test_amounts_follow_the_readers_language_not_the_contractors_country(
    clock, client, alice, manager, alice_on_project
):
    factories.submitted_week(alice_on_project, minutes=[90], monday=THIS_MONDAY)
    client.force_login(alice)

    vietnamese = client.get(EARNINGS, HTTP_ACCEPT_LANGUAGE="vi-VN,vi;q=0.9").content.decode()
    unset = client.get(EARNINGS).content.decode()  # the site's English, though she is in Germany
    american = client.get(EARNINGS, HTTP_ACCEPT_LANGUAGE="en-US").content.decode()

    assert "1:30 · 37,50\xa0€" in vietnamese
    assert "1:30 · €37.50" in unset
    assert "1:30 · €37.50" in american


def test_another_week_is_one_link_away(clock, alice_client, manager, alice_paid_week):
    page = alice_client.get(EARNINGS, {"period": "2026-11-04"}).content.decode()

    assert "Week of Nov 2 – Nov 8, 2026" in page
    assert "Closed: these hours are final and being paid." in page
    assert "10:00 · €250.00" in page
    assert "?period=2026-10-26" in page and "?period=2026-11-09" in page


def test_payout_history_shows_each_payout_with_lines_adding_up(
    clock, alice_client, manager, alice_paid_week
):
    bonus = services.AdjustmentDetails(AdjustmentKind.BONUS, 1000, "Weekend rush")
    services.payout_adjust(payout=alice_paid_week, by=manager, details=bonus)
    factories.pay(factories.approve_payout(alice_paid_week, by=manager), by=manager)

    page = alice_client.get(EARNINGS).content.decode()

    assert f'id="payout-{alice_paid_week.pk}"' in page
    assert "Week of Nov 2, 2026: €260.00" in page
    assert "Paid on Nov 12, 2026." in page
    assert "WISE-0001" in page
    assert page.count("/h</td>") == 5  # five lines, each with its rate
    assert page.count("€50.00</td>") == 5
    assert "Bonus: Weekend rush" in page
    assert "€250.00" in page and "€260.00" in page


def test_the_chart_tells_paid_from_pending_in_text(
    clock, alice_client, alice, manager, alice_paid_week, alice_on_project
):
    factories.pay(factories.approve_payout(alice_paid_week, by=manager), by=manager)
    factories.approved_week(alice_on_project, manager=manager, minutes=[60], monday=THIS_MONDAY)

    page = alice_client.get(EARNINGS).content.decode()

    assert "<svg" in page and 'role="img"' in page
    assert "<title" in page and "<desc" in page
    assert "Week of Nov 2: €250.00" in page
    assert "Week of Nov 9: €25.00 (€25.00 not paid yet)" in page
    assert "hatched: approved, not paid yet" in page
    assert "<summary>The same numbers as a table (EUR)</summary>" in page


def test_the_page_costs_the_same_queries_for_one_week_and_fifty(
    clock, client, alice, manager, django_assert_max_num_queries
):
    factories.history(alice, manager=manager, clock=clock, weeks=1, before=date(2025, 11, 3))
    client.force_login(alice)
    with django_assert_max_num_queries(12) as one:
        assert client.get(EARNINGS).status_code == 200
    factories.history(alice, manager=manager, clock=clock, weeks=50, minutes=(60,) * 7)

    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(EARNINGS)

    assert page.context["payouts"].paginator.count == 51
    assert b"Older payouts" in page.content


def test_people_without_a_contractor_profile_get_404(client, manager, applicant):
    client.force_login(manager)
    assert client.get(EARNINGS).status_code == 404
    assert client.get(EARNINGS_CSV, {"year": 2026}).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(EARNINGS).url.startswith(reverse("account_login"))


# --- The contractor's CSV -------------------------------------------------------------------


def test_a_contractor_downloads_a_period_with_only_their_own_lines(
    clock, alice_client, manager, alice, alice_on_project, bob_on_project
):
    factories.approved_week(alice_on_project, manager=manager, minutes=[120] * 5)
    factories.approved_week(bob_on_project, manager=manager, minutes=[600])
    factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)
    alice_payout = alice.contractor_profile.payouts.get()

    response = alice_client.get(EARNINGS_CSV, {"period": "2026-11-05"})

    assert response["Content-Disposition"] == 'attachment; filename="earnings-2026-11-02.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = _rows(response)
    assert header[:7] == ["date", "type", "project", "kind", "minutes", "hourly_rate", "amount"]
    assert len(rows) == 5
    assert {row[0] for row in rows} == {f"2026-11-0{day}" for day in range(2, 7)}
    assert {(row[4], row[5], row[6], row[9]) for row in rows} == {
        ("120", "25.00", "50.00", str(alice_payout.pk))
    }


def test_a_year_includes_adjustments_and_neutralises_text(
    clock, alice_client, manager, alice_paid_week
):
    details = services.AdjustmentDetails(AdjustmentKind.DEDUCTION, -500, "=cmd|' /C calc'!A0")
    services.payout_adjust(payout=alice_paid_week, by=manager, details=details)

    header, *rows = _rows(alice_client.get(EARNINGS_CSV, {"year": 2026}))

    assert len(rows) == 6
    assert rows[-1][1:] == [
        "deduction",
        "",
        "",
        "",
        "",
        "-5.00",
        "EUR",
        "",
        str(alice_paid_week.pk),
        "draft",
        "",
        "",
        "'=cmd|' /C calc'!A0",
    ]


def test_the_download_needs_a_period_or_a_year(alice_client):
    response = alice_client.get(EARNINGS_CSV)
    assert response.status_code == 400
    assert b"Choose either a pay period or a year." in response.content


# --- The payroll page -------------------------------------------------------------------------


def test_an_accountant_picks_a_period_sees_totals_and_downloads(
    clock, client, accountant, manager, alice_paid_week
):
    client.force_login(accountant)
    page = client.get(PAYROLL, {"period": "2026-11-02", "kind": "summary"})
    assert "€250.00" in page.content.decode()

    response = client.get(PAYROLL_CSV, {"period": "2026-11-02", "kind": "summary"})

    assert response["Content-Disposition"] == (
        'attachment; filename="payroll-summary-2026-11-02.csv"'
    )
    header, row = _rows(response)
    assert header[:4] == ["payout_id", "period_start", "contractor_id", "legal_name"]
    assert row[3:] == [
        "Alice Example",
        "alice@example.com",
        "DE",
        "bank_transfer",
        "••••3000",
        "EUR",
        "600",
        "250.00",
        "0.00",
        "250.00",
        "draft",
        "",
        "",
    ]
    detail = _rows(client.get(PAYROLL_CSV, {"period": "2026-11-02", "kind": "detail"}))
    assert len(detail) == 6
    assert detail[1][7:13] == ["2026-11-02", "Search relevance", "task", "120", "25.00", "50.00"]


def test_the_export_is_rfc_4180(clock, client, accountant, alice_paid_week):
    client.force_login(accountant)
    body = _body(client.get(PAYROLL_CSV, {"period": "2026-11-02", "kind": "detail"}))

    assert body.endswith(b"\r\n")
    assert body.count(b"\r\n") == 6
    assert b"\n" not in body.replace(b"\r\n", b"")
    body.decode("utf-8")


def test_filters_narrow_the_export(clock, client, accountant, manager, alice_paid_week):
    client.force_login(accountant)
    query = {"period": "2026-11-02", "kind": "summary"}
    assert len(_rows(client.get(PAYROLL_CSV, {**query, "currency": "JPY"}))) == 1
    assert len(_rows(client.get(PAYROLL_CSV, {**query, "country": "FR"}))) == 1
    assert len(_rows(client.get(PAYROLL_CSV, {**query, "status": "paid"}))) == 1
    assert len(_rows(client.get(PAYROLL_CSV, {**query, "status": "draft", "country": "DE"}))) == 2


def test_a_bad_choice_is_shown_next_to_the_field(clock, client, accountant, last_week):
    client.force_login(accountant)
    response = client.get(PAYROLL_CSV, {"period": "1999-01-04", "kind": "everything"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a valid choice. That choice is not one of the available choices." in page


def test_the_export_costs_the_same_queries_for_one_line_and_fifty(
    clock,
    client,
    accountant,
    manager,
    alice_on_project,
    alice_on_other,
    django_assert_max_num_queries,
):
    earlier = LAST_MONDAY - timedelta(weeks=1)
    factories.approved_week(alice_on_project, manager=manager, minutes=[60], monday=earlier)
    factories.generate(factories.closed_period(earlier, by=manager), by=manager)
    for kind in EntryKind.values:
        factories.submitted_week(alice_on_project, minutes=[10] * 7, kind=kind)
        factories.submitted_week(alice_on_other, minutes=[10] * 3, kind=kind)
    factories.approve(list(TimeEntry.objects.filter(status="submitted")), by=manager)
    factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)
    client.force_login(accountant)

    with django_assert_max_num_queries(12) as one:
        assert len(_rows(client.get(PAYROLL_CSV, {"period": earlier, "kind": "detail"}))) == 2
    with django_assert_max_num_queries(len(one.captured_queries)):
        rows = _rows(client.get(PAYROLL_CSV, {"period": LAST_MONDAY, "kind": "detail"}))

    assert len(rows) == 51


@pytest.mark.parametrize("who", ["alice", "manager"])
def test_contractors_and_staff_without_the_permission_get_403(db, client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(PAYROLL).status_code == 403
    assert client.get(PAYROLL_CSV, {"period": "2026-11-02"}).status_code == 403


def test_a_manager_granted_the_permission_may_export(client, manager, last_week):
    manager.user_permissions.add(Permission.objects.get(codename="export_payroll"))
    client.force_login(manager)
    assert client.get(PAYROLL).status_code == 200


# --- Navigation and the dashboard ----------------------------------------------------------------


def test_the_dashboard_shows_this_week_and_the_latest_payout(
    clock, alice_client, manager, alice_paid_week
):
    factories.pay(factories.approve_payout(alice_paid_week, by=manager), by=manager)

    page = alice_client.get(reverse("home")).content.decode()

    assert "Your earnings" in page
    assert "No hours logged yet." in page
    assert "€250.00 for the week of Nov 2" in page
    assert f"?period=2026-11-02#payout-{alice_paid_week.pk}" in page
    assert f'href="{EARNINGS}"' in page


def test_the_navigation_links_earnings_and_the_payroll_by_role(client, alice, accountant, manager):
    client.force_login(alice)
    assert ">Earnings</a>" in client.get(EARNINGS).content.decode()
    client.force_login(accountant)
    assert ">Payroll export</a>" in client.get(PAYROLL).content.decode()
    client.force_login(manager)
    page = client.get(reverse("account_email")).content.decode()
    assert ">Payroll export</a>" not in page and ">Earnings</a>" not in page
