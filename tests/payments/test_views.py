import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

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

    listed = alice_client.get(EARNINGS).content.decode()
    payout_url = reverse("payments:payout", args=[alice_paid_week.pk])
    page = alice_client.get(payout_url).content.decode()

    # The list says where the payout stands and links to its lines, without them.
    assert f'id="payout-{alice_paid_week.pk}"' in listed
    assert "Week of Nov 2, 2026: €260.00" in listed
    assert "Paid on Nov 12, 2026." in listed
    assert f'<a href="{payout_url}">The 5 lines of the week of Nov 2, 2026</a>' in listed
    assert "/h</td>" not in listed
    # Its own page has every line and adjustment, adding up.
    assert "Week of Nov 2, 2026: €260.00" in page
    assert "WISE-0001" in page
    assert page.count("/h</td>") == 5  # five lines, each with its rate
    assert page.count("€50.00</td>") == 5
    assert "Bonus: Weekend rush" in page
    assert "€250.00" in page and "€260.00" in page


def test_a_payout_page_costs_the_same_queries_for_five_lines_or_seven(
    clock, client, alice, manager, alice_paid_week, django_assert_max_num_queries
):
    factories.history(
        alice, manager=manager, clock=clock, weeks=1, minutes=(60,) * 7, before=date(2025, 11, 3)
    )
    older = alice.contractor_profile.payouts.exclude(pk=alice_paid_week.pk).get()
    client.force_login(alice)
    url = reverse("payments:payout", args=[alice_paid_week.pk])
    client.get(url)  # warm the per-process caches first
    with django_assert_max_num_queries(12) as five:
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(len(five.captured_queries)):
        page = client.get(reverse("payments:payout", args=[older.pk])).content.decode()
    assert page.count("/h</td>") == older.lines.count() == 7


def test_a_payout_page_is_its_contractors_only(clock, client, bob, manager, alice_paid_week):
    client.force_login(bob)
    assert client.get(reverse("payments:payout", args=[alice_paid_week.pk])).status_code == 404
    client.force_login(manager)
    assert client.get(reverse("payments:payout", args=[alice_paid_week.pk])).status_code == 404


def _chart_rows(page: str) -> list[str]:
    """Each week's row of the chart as its text, newest first."""
    rows = re.findall(r'<li class="chart__row">(.*?)</li>', page, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_the_chart_tells_paid_from_pending_in_text_newest_week_first(
    clock, alice_client, alice, manager, alice_paid_week, alice_on_project
):
    factories.pay(factories.approve_payout(alice_paid_week, by=manager), by=manager)
    factories.approved_week(alice_on_project, manager=manager, minutes=[60], monday=THIS_MONDAY)

    page = alice_client.get(EARNINGS).content.decode()

    rows = _chart_rows(page)
    assert len(rows) == 12
    assert rows[0] == "Nov 9 €25.00 €25.00 not paid yet"
    assert rows[1] == "Nov 2 €250.00"
    assert "EUR: €275.00 approved in 12 weeks." in page
    assert "hatched: approved, not paid yet" in page
    # Nothing scrolls sideways: no scroll region, no minimum width.
    assert "table-wrap" not in page and 'tabindex="0"' not in page


def test_a_weeks_bar_includes_its_payouts_adjustments(
    clock, alice_client, manager, alice_paid_week
):
    bonus = services.AdjustmentDetails(AdjustmentKind.BONUS, 1500, "Weekend rush")
    services.payout_adjust(payout=alice_paid_week, by=manager, details=bonus)
    alice_paid_week.refresh_from_db()

    page = alice_client.get(EARNINGS).content.decode()

    assert alice_paid_week.net_minor == 26500
    assert "Nov 2 €265.00 €265.00 not paid yet" in _chart_rows(page)
    factories.pay(factories.approve_payout(alice_paid_week, by=manager), by=manager)
    paid = _chart_rows(alice_client.get(EARNINGS).content.decode())
    assert "Nov 2 €265.00" in paid


def test_a_cancelled_payouts_adjustments_leave_the_chart(
    clock, alice_client, manager, alice_paid_week
):
    bonus = services.AdjustmentDetails(AdjustmentKind.BONUS, 1500, "Weekend rush")
    services.payout_adjust(payout=alice_paid_week, by=manager, details=bonus)
    services.payout_cancel(payout=alice_paid_week, by=manager, reason="Redo")

    rows = _chart_rows(alice_client.get(EARNINGS).content.decode())

    assert "Nov 2 €250.00 €250.00 not paid yet" in rows


def test_each_payout_says_where_the_money_goes_and_when(
    clock, alice_client, manager, alice_paid_week
):
    page = alice_client.get(EARNINGS).content.decode()
    # Closed on Nov 12 (the frozen clock): due seven days later.
    assert "Due by" in page and "Nov 19, 2026" in page
    assert "Your bank account ••••3000" in page

    factories.pay(factories.approve_payout(alice_paid_week, by=manager), by=manager)
    paid = alice_client.get(EARNINGS).content.decode()

    assert "Sent to" in paid and "Your bank account ••••3000" in paid
    assert "Paid on Nov 12, 2026." in paid
    # A paid payout keeps its due date, so the contractor sees whether it came in time.
    assert "Due by" in paid and "Nov 19, 2026" in paid
    alice_paid_week.refresh_from_db()
    assert (alice_paid_week.paid_to_method, alice_paid_week.paid_to_account) == (
        "bank_transfer",
        "••••3000",
    )


def test_the_running_balance_separates_unpaid_hours_from_payouts_not_paid(
    clock, alice_client, manager, alice_paid_week, alice_on_project
):
    factories.approved_week(alice_on_project, manager=manager, minutes=[60], monday=THIS_MONDAY)

    page = alice_client.get(EARNINGS).content.decode()
    balance = page[page.index('id="balance-title"') : page.index('id="period-title"')]

    assert "Approved, not yet in a payout" in balance and "<dd>€25.00</dd>" in balance
    assert "In payouts not paid yet" in balance and "<dd>€250.00</dd>" in balance
    assert "€275.00" in balance
    factories.pay(factories.approve_payout(alice_paid_week, by=manager), by=manager)
    after = alice_client.get(EARNINGS).content.decode()
    assert "<dd>€0.00</dd>" in after[after.index('id="balance-title"') :]


def test_a_new_contractor_has_no_balance(clock, alice_client, alice_on_project):
    page = alice_client.get(EARNINGS).content.decode()
    assert "Nothing right now: no approved hours are waiting to be paid." in page


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
    assert len(page.context["payouts"].object_list) == 12  # a page, newest first
    assert b"Older payouts" in page.content
    assert b"/h</td>" not in page.content  # no payout's lines on the list


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
    assert header[:8] == [
        "date",
        "type",
        "project",
        "kind",
        "minutes",
        "hours",
        "hourly_rate",
        "amount",
    ]
    assert len(rows) == 5
    assert {row[0] for row in rows} == {f"2026-11-0{day}" for day in range(2, 7)}
    assert {(row[4], row[5], row[6], row[7], row[10]) for row in rows} == {
        ("120", "2.00", "25.00", "50.00", str(alice_payout.pk))
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
        "10.00",
        "250.00",
        "0.00",
        "250.00",
        "draft",
        "",
        "",
    ]
    detail = _rows(client.get(PAYROLL_CSV, {"period": "2026-11-02", "kind": "detail"}))
    assert len(detail) == 6
    assert detail[1][7:15] == [
        "time",
        "2026-11-02",
        "Search relevance",
        "task",
        "120",
        "2.00",
        "25.00",
        "50.00",
    ]


def test_the_export_is_rfc_4180(clock, client, accountant, alice_paid_week):
    client.force_login(accountant)
    body = _body(client.get(PAYROLL_CSV, {"period": "2026-11-02", "kind": "detail"}))

    assert body.endswith(b"\r\n")
    assert body.count(b"\r\n") == 6
    assert b"\n" not in body.replace(b"\r\n", b"")
    body.decode("utf-8")


def test_filters_narrow_the_export_and_an_empty_file_is_said_not_served(
    clock, client, accountant, manager, alice_paid_week
):
    client.force_login(accountant)
    query = {"period": "2026-11-02", "kind": "summary"}
    for narrowed in ({"currency": "JPY"}, {"country": "FR"}, {"status": "paid"}):
        response = client.get(PAYROLL_CSV, {**query, **narrowed})
        assert response["Content-Type"].startswith("text/html"), narrowed
        assert "the file would have nothing but its header row" in response.content.decode()
    assert len(_rows(client.get(PAYROLL_CSV, {**query, "status": "draft", "country": "DE"}))) == 2


def test_a_bad_choice_is_shown_next_to_the_field(clock, client, accountant, manager, last_week):
    factories.closed_period(LAST_MONDAY, by=manager)
    client.force_login(accountant)
    response = client.get(PAYROLL_CSV, {"period": "1999-01-04", "kind": "everything"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a closed pay period: only those have payouts to export." in page
    assert "Select a valid choice. everything is not one of the available choices." in page


def test_the_picker_offers_closed_periods_newest_first(
    clock, client, accountant, manager, alice, alice_on_project
):
    factories.history(alice, manager=manager, clock=clock, weeks=3)
    factories.period(THIS_MONDAY)
    client.force_login(accountant)

    form = client.get(PAYROLL).context["form"]

    offered = [value for value, _label in form.fields["period"].choices]
    assert [str(value) for value in offered] == ["2026-11-02", "2026-10-26", "2026-10-19"]
    refused = client.get(PAYROLL_CSV, {"period": THIS_MONDAY.isoformat(), "kind": "summary"})
    assert refused.status_code == 400
    assert "Choose a closed pay period" in refused.content.decode()


def test_without_a_closed_period_the_page_says_there_is_nothing_yet(
    clock, client, accountant, last_week
):
    client.force_login(accountant)
    page = client.get(PAYROLL).content.decode()

    assert "No pay period is closed yet, so there is nothing to export." in page
    assert "Download CSV" not in page


def test_the_detail_adds_up_to_the_summarys_net_adjustments_included(
    clock, client, accountant, manager, alice_paid_week
):
    for kind, amount, reason in [("bonus", 1500, "Weekend rush"), ("deduction", -250, "Fee")]:
        details = services.AdjustmentDetails(kind, amount, reason)
        services.payout_adjust(payout=alice_paid_week, by=manager, details=details)
    client.force_login(accountant)
    query = {"period": "2026-11-02"}

    summary_header, summary_row = _rows(client.get(PAYROLL_CSV, {**query, "kind": "summary"}))
    summary = dict(zip(summary_header, summary_row, strict=True))
    header, *detail = _rows(client.get(PAYROLL_CSV, {**query, "kind": "detail"}))
    named = [dict(zip(header, row, strict=True)) for row in detail]

    assert summary["net"] == "262.50"
    assert sum(Decimal(row["amount"]) for row in named) == Decimal("262.50")
    assert [row["type"] for row in named] == ["time"] * 5 + ["bonus", "deduction"]
    assert (named[-1]["amount"], named[-1]["reason"], named[-1]["minutes"]) == ("-2.50", "Fee", "")


def test_a_spreadsheet_download_starts_with_a_byte_order_mark_only_when_asked(
    clock, client, accountant, alice, alice_paid_week
):
    client.force_login(accountant)
    query = {"period": "2026-11-02", "kind": "summary"}

    plain = _body(client.get(PAYROLL_CSV, query))
    spreadsheet = _body(client.get(PAYROLL_CSV, {**query, "bom": "on"}))

    assert plain.startswith(b"payout_id,")
    assert spreadsheet == b"\xef\xbb\xbf" + plain
    client.force_login(alice)
    earnings = _body(client.get(EARNINGS_CSV, {"year": 2026, "bom": "on"}))
    assert earnings.startswith(b"\xef\xbb\xbfdate,")


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


def test_the_payroll_export_is_one_click_from_where_accountants_land(client, accountant):
    client.force_login(accountant)
    landing = client.get(reverse("home"), follow=True)

    assert landing.redirect_chain[-1][0] == reverse("admin:index")
    assert f'href="{PAYROLL}"' in landing.content.decode()
