"""What a contractor takes home: fees absorbed or deducted, exchange into the payout currency,
and the pay per hour after those costs beside the floor."""

import html
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from payments import services
from payments.forms import AdjustmentForm
from payments.models import Adjustment, AdjustmentKind, Payout, PayoutStatus
from payments.services import owed
from payments.services.owed import fee_top_up_attach
from payments.take_home import book_for, take_home_attach
from portal.models import STAFF_ONLY_KINDS, ExchangeRate, Notification, NotificationKind
from portal.money import exchange_rate_add
from projects.models import FloorBasis, FloorUnit, WageFloor
from projects.services.floors import wage_floor_add
from tests import factories as people
from tests.payments import factories
from tests.portal.test_settings import LOAD_SETTINGS, production_env, run
from tests.projects.factories import LAST_MONDAY, SETUP_AT, assign

pytestmark = pytest.mark.django_db

EARNINGS = reverse("payments:earnings")
PAYOUTS = reverse("admin:payments_payout_changelist")
REPORT = reverse("admin:payments_payout_payments_report")
PAID_ON = date(2026, 11, 12)


@pytest.fixture
def floor(clock):
    """Germany's floor of €25.00 an hour: exactly what Alice's project pays."""
    return wage_floor_add(
        by=None,
        floor=WageFloor(
            country="DE",
            basis=FloorBasis.STATUTORY,
            amount_minor=2500,
            currency="EUR",
            unit=FloorUnit.HOUR,
            valid_from=date(2026, 1, 1),
            source_name="Mindestlohnkommission",
            source_url="https://example.org/mindestlohn",
            licence="public domain — official figure",
            retrieved_on=date(2026, 1, 5),
        ),
    )


@pytest.fixture
def euro_dollar(manager):
    """The vendor's table: one euro buys 1.08 dollars."""
    return exchange_rate_add(
        by=manager,
        rate=ExchangeRate(
            from_currency="EUR",
            to_currency="USD",
            rate=Decimal("1.08"),
            on=date(2026, 11, 1),
            source="ECB reference rate",
        ),
    )


@pytest.fixture
def carol_on_project(clock, manager, project, euro_dollar):
    """Carol lives in Germany and is paid in dollars, on the project at €25.00 an hour."""
    carol = people.contractor_create(
        "carol@example.com",
        by=manager,
        legal_name="Carol Example",
        display_name="Carol",
        payout_currency="USD",
    )
    with clock.back_at(SETUP_AT):
        return assign(project, carol, by=manager)


@pytest.fixture
def carol_week(manager, carol_on_project):
    """Carol's week of 10:00 at €25.00: an approved payout of €250.00."""
    factories.approved_week(carol_on_project, manager=manager, minutes=[120] * 5)
    factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)
    return factories.approve_payout(carol_on_project.contractor.payouts.get(), by=manager)


def _pay(payout: Payout, manager, **receipt) -> Payout:
    services.payout_mark_paid(
        payout=payout,
        by=manager,
        reference="WISE-1",
        paid_on=PAID_ON,
        receipt=services.Receipt(**receipt) if receipt else None,
    )
    payout.refresh_from_db()
    return payout


def _fee_top_ups() -> list[Adjustment]:
    return list(Adjustment.objects.filter(kind=AdjustmentKind.FEE_TOP_UP))


def _flags() -> int:
    return Notification.objects.filter(kind=NotificationKind.PAYOUT_BELOW_FLOOR).count()


def _client(user, client):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    return client


# --- Absorbed or deducted -------------------------------------------------------------------


def test_fees_absorbed_leave_the_contractor_the_whole_payout(
    settings, floor, manager, alice_paid_week
):
    settings.PAYOUT_FEES_POLICY = "absorbed"
    factories.approve_payout(alice_paid_week, by=manager)

    paid = _pay(alice_paid_week, manager, fee=Decimal("5.00"))

    assert (paid.fee_policy, paid.fee_minor) == ("absorbed", 500)
    assert (paid.received_minor, paid.received_currency) == (25000, "EUR")
    # 250.00 over ten hours is the floor exactly: not below it.
    assert (paid.effective_hourly_minor, paid.floor_hourly_minor) == (2500, 2500)
    assert not paid.below_floor_after_costs
    assert _fee_top_ups() == [] and _flags() == 0


def test_fees_deducted_are_taken_and_the_pay_topped_up_to_the_floor_once(
    settings, floor, manager, alice, alice_paid_week
):
    settings.PAYOUT_FEES_POLICY = "deducted"
    factories.approve_payout(alice_paid_week, by=manager)

    paid = _pay(alice_paid_week, manager, fee=Decimal("5.00"))

    assert (paid.fee_policy, paid.fee_minor, paid.received_minor) == ("deducted", 500, 24500)
    assert (paid.effective_hourly_minor, paid.floor_hourly_minor) == (2450, 2500)
    assert paid.below_floor_after_costs
    [top_up] = _fee_top_ups()
    assert (top_up.amount_minor, top_up.fee_top_up_for, top_up.created_by) == (500, paid, manager)
    assert top_up.payout.status == PayoutStatus.DRAFT and top_up.payout != paid
    assert "took home €24.50 an hour, below the floor of €25.00 an hour" in top_up.reason
    # Owed by rule: running it again adds nothing, and nobody can cancel it away.
    assert fee_top_up_attach(payout=paid, by=manager) is None
    assert len(_fee_top_ups()) == 1
    with pytest.raises(ValidationError):
        services.payout_cancel(payout=top_up.payout, by=manager, reason="Not owed")
    # The managers who pay are told; the contractor is not sent a staff notice.
    assert _flags() == 1
    assert not Notification.objects.filter(
        recipient=alice, kind=NotificationKind.PAYOUT_BELOW_FLOOR
    ).exists()
    assert NotificationKind.PAYOUT_BELOW_FLOOR in STAFF_ONLY_KINDS


def test_no_top_up_when_deducted_fees_leave_the_pay_at_the_floor(
    settings, manager, alice_paid_week
):
    settings.PAYOUT_FEES_POLICY = "deducted"
    factories.approve_payout(alice_paid_week, by=manager)

    paid = _pay(alice_paid_week, manager, fee=Decimal("5.00"))

    # No floor recorded for Germany: nothing to judge against, nothing owed.
    assert (paid.effective_hourly_minor, paid.floor_hourly_minor) == (2450, None)
    assert _fee_top_ups() == [] and _flags() == 0


def test_exchange_is_judged_in_the_contractors_currency_absorbed(
    settings, floor, manager, carol_week
):
    settings.PAYOUT_FEES_POLICY = "absorbed"

    paid = _pay(carol_week, manager, fee=Decimal("5.00"), exchange_rate=Decimal("1.07"))

    # €250.00 at the provider's 1.07 is $267.50; the floor at the vendor's 1.08 is $27.00.
    assert (paid.received_minor, paid.received_currency) == (26750, "USD")
    assert (paid.effective_hourly_minor, paid.floor_hourly_minor) == (2675, 2700)
    assert paid.below_floor_after_costs
    # Flagged to managers, but with fees absorbed nothing is deducted and nothing topped up.
    assert _flags() == 1
    assert _fee_top_ups() == []


def test_exchange_is_judged_in_the_contractors_currency_deducted(
    settings, floor, manager, carol_week
):
    settings.PAYOUT_FEES_POLICY = "deducted"

    paid = _pay(carol_week, manager, fee=Decimal("5.00"), exchange_rate=Decimal("1.07"))

    # €245.00 sent at 1.07 is $262.15: $26.21 an hour for ten hours.
    assert (paid.received_minor, paid.effective_hourly_minor) == (26215, 2621)
    [top_up] = _fee_top_ups()
    # $270.00 − $262.15 = $7.85, at 1.07 back into euros and rounded up: €7.34.
    assert top_up.amount_minor == 734
    assert top_up.payout.currency == "EUR"


def test_the_received_amount_reported_is_the_truth_and_gives_the_rate(
    settings, floor, manager, carol_week
):
    paid = _pay(carol_week, manager, received=Decimal("270.00"), received_currency="USD")

    assert (paid.received_minor, paid.exchange_rate) == (27000, Decimal("1.08"))
    assert (paid.effective_hourly_minor, paid.floor_hourly_minor) == (2700, 2700)
    assert _flags() == 0


def test_a_fee_top_up_can_not_be_typed_by_hand(manager, alice_paid_week):
    kinds = dict(AdjustmentForm(currency="EUR").fields["kind"].choices)
    assert AdjustmentKind.FEE_TOP_UP not in kinds
    with pytest.raises(ValidationError):
        services.payout_adjust(
            payout=alice_paid_week,
            by=manager,
            details=services.AdjustmentDetails(AdjustmentKind.FEE_TOP_UP, 500, "Fees"),
        )


def test_a_fee_in_another_currency_than_the_payouts_is_refused(manager, alice_paid_week):
    factories.approve_payout(alice_paid_week, by=manager)
    receipt = services.Receipt(fee=Decimal("5.00"), fee_currency="USD")
    with pytest.raises(ValidationError, match="recorded in the payout's currency, EUR"):
        services.payout_mark_paid(
            payout=alice_paid_week, by=manager, reference="W-1", paid_on=PAID_ON, receipt=receipt
        )
    alice_paid_week.refresh_from_db()
    assert alice_paid_week.status == PayoutStatus.APPROVED


# --- The payments report -------------------------------------------------------------------


def test_a_report_without_the_new_columns_still_marks_paid(client, manager, floor, alice_paid_week):
    factories.approve_payout(alice_paid_week, by=manager)
    report = f"payout_id,reference,paid_on\r\n{alice_paid_week.pk},WISE-9,2026-11-11\r\n"

    _client(manager, client).post(REPORT, {"report": SimpleUploadedFile("r.csv", report.encode())})

    alice_paid_week.refresh_from_db()
    assert (alice_paid_week.status, alice_paid_week.fee_minor) == ("paid", None)
    # Paid in the currency of the work: what was sent arrived.
    assert (alice_paid_week.received_minor, alice_paid_week.effective_hourly_minor) == (25000, 2500)


def test_a_report_carries_fee_rate_and_amount_received(settings, client, manager, carol_week):
    settings.PAYOUT_FEES_POLICY = "deducted"
    report = (
        "payout_id,reference,paid_on,fee,fee_currency,exchange_rate,received_amount,"
        "received_currency\r\n"
        f"{carol_week.pk},WISE-9,2026-11-11,4.50,eur,1.0712,262.80,USD\r\n"
    )

    _client(manager, client).post(REPORT, {"report": SimpleUploadedFile("r.csv", report.encode())})

    carol_week.refresh_from_db()
    assert carol_week.status == "paid"
    assert (carol_week.fee_minor, carol_week.exchange_rate) == (450, Decimal("1.0712"))
    assert (carol_week.received_minor, carol_week.received_currency) == (26280, "USD")


@pytest.mark.parametrize(
    ("cells", "problem"),
    [
        ("five,,,,", "Line 3: fee must be a number written like 12.50, got “five”."),
        ("-1,,,,", "Line 3: fee can't be negative."),
        ("1.005,EUR,,,", "Line 3: fee: EUR amounts take at most 2 decimals."),
        (",,0,,", "Line 3: exchange_rate must be more than zero."),
        (",,,12,XYZ", "Line 3: received_currency must be a current ISO 4217 code"),
        (",EUR,,,", "Line 3: fee_currency is given without a fee."),
        (",,,NaN,", "Line 3: received_amount must be a number"),
    ],
)
def test_bad_take_home_values_are_refused_naming_the_line(
    client, manager, alice_paid_week, cells, problem
):
    factories.approve_payout(alice_paid_week, by=manager)
    report = (
        "payout_id,reference,paid_on,fee,fee_currency,exchange_rate,received_amount,"
        "received_currency\r\n"
        f"{alice_paid_week.pk},WISE-8,2026-11-11,,,,,\r\n"
        f"{alice_paid_week.pk},WISE-8,2026-11-11,{cells}\r\n"
    )

    page = _client(manager, client).post(
        REPORT, {"report": SimpleUploadedFile("r.csv", report.encode())}
    )

    assert problem in html.unescape(page.content.decode())
    alice_paid_week.refresh_from_db()
    assert alice_paid_week.status == PayoutStatus.APPROVED


# --- What the contractor sees ----------------------------------------------------------------


def test_the_earnings_page_shows_the_chain_and_the_hourly_pay_beside_the_floor(
    settings, client, floor, manager, alice, alice_paid_week
):
    settings.PAYOUT_FEES_POLICY = "absorbed"
    factories.approve_payout(alice_paid_week, by=manager)
    _pay(alice_paid_week, manager, fee=Decimal("5.00"))

    page = _client(alice, client).get(EARNINGS).content.decode()

    assert "What you took home" in page
    assert "Fees paid by the vendor (€5.00)" in page
    assert "€25.00/h over 10:00 hours" in page
    assert "Floor in force: €25.00/h" in page
    assert "Below the floor after costs" not in page
    # Nothing is exchanged from euros to euros: no such step.
    assert "Exchange" not in page


def test_deducted_fees_show_below_the_floor_and_the_top_up_with_its_reason(
    settings, client, floor, manager, alice, alice_paid_week
):
    settings.PAYOUT_FEES_POLICY = "deducted"
    factories.approve_payout(alice_paid_week, by=manager)
    _pay(alice_paid_week, manager, fee=Decimal("5.00"))
    alice_client = _client(alice, client)

    listed = alice_client.get(EARNINGS).content.decode()
    detail = alice_client.get(reverse("payments:payout", args=[alice_paid_week.pk]))

    for page in (listed, detail.content.decode()):
        assert "−€5.00, taken from the payout" in page
        assert "€245.00" in page
        assert "€24.50/h over 10:00 hours" in page
        assert "Floor in force: €25.00/h" in page
        assert "Below the floor after costs" in page
        assert "a fee top-up for the difference goes into your next payout" in page
    [top_up] = _fee_top_ups()
    draft = alice_client.get(reverse("payments:payout", args=[top_up.payout_id])).content.decode()
    assert "Fee top-up: After the fees deducted" in draft
    # Its pay per hour is not judged: the draft pays no hours.
    assert "/h over" not in draft


def test_the_page_shows_the_exchange_in_the_contractors_currency(
    client, floor, manager, carol_week
):
    _pay(carol_week, manager, fee=Decimal("5.00"), exchange_rate=Decimal("1.07"))

    page = _client(carol_week.contractor.user, client).get(EARNINGS).content.decode()

    assert "1 EUR = 1.07 USD" in page
    assert "$267.50" in page
    assert "$26.75/h over 10:00 hours" in page
    assert "Floor in force: $27.00/h" in page
    assert "Below the floor after costs" in page


def test_an_unpaid_payout_is_estimated_with_the_vendors_rate(client, floor, carol_week):
    page = _client(carol_week.contractor.user, client).get(EARNINGS).content.decode()

    assert "What you take home (estimate)" in page
    assert "1 EUR = 1.08 USD" in page
    assert "the vendor's rate, until the provider reports the one applied" in page
    assert "$270.00" in page
    assert "$27.00/h over 10:00 hours" in page


def test_the_earnings_page_costs_the_same_queries_for_one_payout_or_six(
    client, clock, floor, manager, alice, django_assert_max_num_queries
):
    factories.history(alice, manager=manager, clock=clock, weeks=1, before=date(2026, 10, 5))
    alice_client = _client(alice, client)
    alice_client.get(EARNINGS)  # warm the per-process caches first
    with CaptureQueriesContext(connection) as one:
        assert "Floor in force" in alice_client.get(EARNINGS).content.decode()
    factories.history(alice, manager=manager, clock=clock, weeks=5, before=date(2026, 9, 28))

    with django_assert_max_num_queries(len(one.captured_queries)):
        page = alice_client.get(EARNINGS).content.decode()

    assert page.count("Floor in force") == 6
    assert len(one.captured_queries) <= 12


# --- What managers see -----------------------------------------------------------------------


def test_managers_filter_the_payouts_paid_below_the_floor_after_costs(
    client, floor, manager, alice_on_project, carol_on_project
):
    for assignment in (alice_on_project, carol_on_project):
        factories.approved_week(assignment, manager=manager, minutes=[120] * 5)
    factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)
    alice_week = alice_on_project.contractor.payouts.get()
    carol_week = carol_on_project.contractor.payouts.get()
    _pay(factories.approve_payout(alice_week, by=manager), manager, fee=Decimal("5.00"))
    _pay(
        factories.approve_payout(carol_week, by=manager),
        manager,
        fee=Decimal("5.00"),
        exchange_rate=Decimal("1.07"),
    )
    manager_client = _client(manager, client)

    everything = manager_client.get(PAYOUTS).content.decode()
    below = manager_client.get(PAYOUTS, {"after_costs": "below"})

    assert "$26.75/h, below the floor of $27.00/h" in everything
    assert "€25.00/h (floor €25.00/h)" in everything
    assert list(below.context["cl"].result_list) == [carol_week]
    [flag] = Notification.objects.filter(kind=NotificationKind.PAYOUT_BELOW_FLOOR)
    assert flag.recipient == manager
    assert flag.link == reverse("admin:payments_payout_change", args=[carol_week.pk])
    assert "Carol Example took home $26.75 an hour" in flag.body


def test_a_manager_marking_paid_by_hand_may_give_the_fee_and_amount_received(
    settings, client, floor, manager, alice_paid_week
):
    settings.PAYOUT_FEES_POLICY = "deducted"
    factories.approve_payout(alice_paid_week, by=manager)
    manager_client = _client(manager, client)
    pk = alice_paid_week.pk
    form = manager_client.post(
        PAYOUTS, {"action": "mark_paid", ACTION_CHECKBOX_NAME: [pk], "index": 0}
    ).content.decode()
    assert f"Fee for Payout #{pk}, in EUR (if known)" in form
    assert f"Amount received for Payout #{pk}, in EUR (if known)" in form

    manager_client.post(
        PAYOUTS,
        {
            "action": "mark_paid",
            ACTION_CHECKBOX_NAME: [pk],
            "index": 0,
            "apply": "1",
            "paid_on": "2026-11-12",
            f"reference_{pk}": "WISE-7",
            f"fee_{pk}": "2.00",
        },
    )

    alice_paid_week.refresh_from_db()
    assert (alice_paid_week.status, alice_paid_week.fee_minor) == ("paid", 200)
    assert (alice_paid_week.received_minor, alice_paid_week.effective_hourly_minor) == (24800, 2480)
    assert [top_up.amount_minor for top_up in _fee_top_ups()] == [200]


# --- The API -----------------------------------------------------------------------------


def test_the_api_carries_the_same_figures(settings, floor, manager, carol_week):
    settings.PAYOUT_FEES_POLICY = "deducted"
    _pay(carol_week, manager, fee=Decimal("5.00"), exchange_rate=Decimal("1.07"))
    api = APIClient()
    api.force_authenticate(carol_week.contractor.user)

    detail = api.get(f"/api/v1/payouts/{carol_week.pk}").json()["take_home"]
    [listed] = [p for p in api.get("/api/v1/payouts").json()["results"] if p["status"] == "paid"]

    assert listed["take_home"] == detail
    assert detail == {
        "fee_policy": "deducted",
        "fee_minor": 500,
        "sent_minor": 24500,
        "currency": "USD",
        "exchange_rate": "1.070000000000",
        "received_minor": 26215,
        "estimated": False,
        "effective_hourly_minor": 2621,
        "floor_hourly_minor": 2700,
        "below_floor": True,
    }


def test_the_schema_documents_the_take_home_fields(client):
    schema = client.get("/api/schema/").content.decode()
    assert "TakeHome:" in schema
    for field in ("effective_hourly_minor", "floor_hourly_minor", "below_floor", "fee_policy"):
        assert f"{field}:" in schema


# --- The setting -------------------------------------------------------------------------------


def test_a_fees_policy_other_than_absorbed_or_deducted_stops_the_process():
    result = run(["-c", LOAD_SETTINGS], production_env(PAYOUT_FEES_POLICY="split"))
    assert result.returncode != 0
    assert "PAYOUT_FEES_POLICY must be absorbed or deducted." in result.stderr
    code = f"{LOAD_SETTINGS}; print(portal.settings.PAYOUT_FEES_POLICY)"
    assert run(["-c", code], production_env()).stdout.split() == ["absorbed"]


# --- Pay for the hours only -----------------------------------------------------------------


def _adjust(payout: Payout, manager, kind: str, amount_minor: int, reason: str) -> None:
    services.payout_adjust(
        payout=payout,
        by=manager,
        details=services.AdjustmentDetails(kind=kind, amount_minor=amount_minor, reason=reason),
    )


def test_a_deduction_is_not_paid_back_as_a_fee_top_up(
    settings, client, floor, manager, alice, alice_paid_week
):
    settings.PAYOUT_FEES_POLICY = "deducted"
    _adjust(alice_paid_week, manager, AdjustmentKind.DEDUCTION, -10000, "Advance repaid.")
    factories.approve_payout(alice_paid_week, by=manager)

    paid = _pay(alice_paid_week, manager, fee=Decimal("1.00"))

    # €150.00 less the €1.00 fee arrives; the ten hours were paid €250.00 less that fee.
    assert paid.received_minor == 14900
    assert (paid.effective_hourly_minor, paid.floor_hourly_minor) == (2490, 2500)
    [top_up] = _fee_top_ups()
    assert top_up.amount_minor == 100
    page = _client(alice, client).get(EARNINGS).content.decode()
    assert "€24.90/h over 10:00 hours" in page
    assert "Bonuses, deductions and other adjustments are paid with it" in page


def test_a_bonus_does_not_hide_a_shortfall_after_fees(settings, floor, manager, alice_paid_week):
    settings.PAYOUT_FEES_POLICY = "deducted"
    _adjust(alice_paid_week, manager, AdjustmentKind.BONUS, 5000, "Launch week.")
    factories.approve_payout(alice_paid_week, by=manager)

    paid = _pay(alice_paid_week, manager, fee=Decimal("5.00"))

    assert paid.received_minor == 29500
    assert (paid.effective_hourly_minor, paid.floor_hourly_minor) == (2450, 2500)
    assert paid.below_floor_after_costs
    [top_up] = _fee_top_ups()
    assert top_up.amount_minor == 500
    assert _flags() == 1


def test_the_pay_for_the_hours_is_exchanged_at_the_payouts_rate_without_the_deduction(
    settings, floor, manager, carol_on_project
):
    settings.PAYOUT_FEES_POLICY = "deducted"
    factories.approved_week(carol_on_project, manager=manager, minutes=[120] * 5)
    factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)
    payout = carol_on_project.contractor.payouts.get()
    _adjust(payout, manager, AdjustmentKind.DEDUCTION, -10000, "Advance repaid.")
    factories.approve_payout(payout, by=manager)

    paid = _pay(payout, manager, fee=Decimal("1.00"), exchange_rate=Decimal("1.1"))

    # (€150.00 − €1.00) × 1.1 arrives; the hours were paid (€250.00 − €1.00) × 1.1 = $273.90,
    # above the floor of €25.00 at the vendor's 1.08.
    assert (paid.received_minor, paid.received_currency) == (16390, "USD")
    assert (paid.effective_hourly_minor, paid.floor_hourly_minor) == (2739, 2700)
    assert not paid.below_floor_after_costs
    assert _fee_top_ups() == [] and _flags() == 0


# --- Reading only the floors and rates a page needs ---------------------------------------------


def _far_floors(count: int) -> None:
    WageFloor.objects.bulk_create(
        WageFloor(
            country=country,
            basis=FloorBasis.STATUTORY,
            amount_minor=1000 + n,
            currency="USD",
            unit=FloorUnit.HOUR,
            valid_from=date(2000, 1, 1) + timedelta(days=n),
            source_name="Elsewhere",
            source_url="https://example.org/elsewhere",
            licence="public domain — official figure",
            retrieved_on=date(2026, 1, 5),
        )
        for n, country in enumerate(["US", "CA", "MX", "BR", "AR"] * (count // 5))
    )


def _old_rates(count: int) -> None:
    ExchangeRate.objects.bulk_create(
        ExchangeRate(
            from_currency=pair[0],
            to_currency=pair[1],
            rate=Decimal("1.05"),
            on=date(2020, 1, 1) + timedelta(days=n),
            source="ECB reference rate",
        )
        for n in range(count)
        for pair in (("EUR", "USD"), ("GBP", "JPY"))
    )


def test_the_pages_read_only_the_floors_and_rates_their_payouts_need(
    client, floor, manager, alice, carol_week, django_assert_max_num_queries
):
    carol = carol_week.contractor.user
    carol_client = _client(carol, client)
    api = APIClient()
    api.force_authenticate(carol)
    payout_page = reverse("payments:payout", args=[carol_week.pk])
    pages = [(carol_client, EARNINGS), (carol_client, payout_page), (api, "/api/v1/payouts")]
    counts = []
    for reader, url in pages:
        reader.get(url)  # warm the per-process caches first
        with CaptureQueriesContext(connection) as before:
            assert reader.get(url).status_code == 200
        counts.append(len(before.captured_queries))
    _far_floors(200)
    _old_rates(300)

    for (reader, url), count in zip(pages, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert reader.get(url).status_code == 200
    [listed] = take_home_attach(
        Payout.objects.select_related("contractor", "period").filter(pk=carol_week.pk),
        today=date(2026, 11, 20),
    )
    book = book_for([listed], today=date(2026, 11, 20))
    assert [floor.country for history in book._floors.values() for floor in history] == ["DE"]
    # Of the 300 older euro-dollar rates only the one in force on the first day is read,
    # and no pound-yen rate: neither currency is anyone's here.
    assert sorted(book.rates._by_pair) == [("EUR", "USD")]
    assert len(book.rates._by_pair[("EUR", "USD")]) <= 2
    assert listed.take_home.floor_hourly_minor == 2700


# --- A fee top-up with no draft to take it --------------------------------------------------


def test_a_fee_top_up_with_no_draft_to_take_it_stays_owed_for_the_next_generation(
    settings, monkeypatch, floor, manager, alice_paid_week
):
    settings.PAYOUT_FEES_POLICY = "deducted"
    factories.approve_payout(alice_paid_week, by=manager)

    # Another payout of Alice's for the week is approved or failed while this one is paid:
    # no draft there can take what is owed.
    with monkeypatch.context() as blocked:
        blocked.setattr(owed, "_draft_for", lambda contractor_id, period, currency: None)
        paid = _pay(alice_paid_week, manager, fee=Decimal("5.00"))

    assert paid.below_floor_after_costs and _fee_top_ups() == []
    [flag] = Notification.objects.filter(kind=NotificationKind.PAYOUT_BELOW_FLOOR)
    assert "A fee top-up for the difference is owed" in flag.body
    assert "The next payout generation adds it" in flag.body
    assert "check the exchange rate" not in flag.body

    factories.generate(paid.period, by=manager)
    [top_up] = _fee_top_ups()
    assert (top_up.amount_minor, top_up.fee_top_up_for) == (500, paid)
    assert top_up.payout.status == PayoutStatus.DRAFT and top_up.payout != paid
    # Owed once: generating again adds nothing.
    factories.generate(paid.period, by=manager)
    assert len(_fee_top_ups()) == 1
