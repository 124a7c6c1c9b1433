"""Paid on time, told in time: late-payment compensation and standby pay on the next payout."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from payments import services
from payments.models import Adjustment, AdjustmentKind, Payout, PayoutStatus
from payments.services.owed import late_compensation_amount, late_weeks
from projects import services as project_services
from projects.models import PauseReason, StandbyPay
from tests.payments import factories
from tests.projects.factories import LAST_MONDAY, NOW, THIS_MONDAY

pytestmark = pytest.mark.django_db

# Periods close at NOW (Thursday 12 November 2026); payouts are due seven days later.
DUE = date(2026, 11, 19)


@pytest.mark.parametrize(
    ("paid_on", "weeks"),
    [
        (DUE - timedelta(days=1), 0),
        (DUE, 0),
        (DUE + timedelta(days=1), 1),
        (DUE + timedelta(days=7), 1),
        (DUE + timedelta(days=8), 2),
        (DUE + timedelta(days=14), 2),
        (DUE + timedelta(days=15), 3),
    ],
)
def test_late_weeks_count_every_started_week(paid_on, weeks):
    assert late_weeks(due_on=DUE, paid_on=paid_on) == weeks


@pytest.mark.parametrize(
    ("net_minor", "currency", "weeks", "expected"),
    [
        # ¥1,000,000 net: 1 % a started week; ¥750 at least.
        (1_000_000, "JPY", 1, 10_000),
        (1_000_000, "JPY", 2, 20_000),
        (50_000, "JPY", 1, 750),
        # 1.000 % of 123.455 KWD is 1.23455 KWD: rounded half-up once to 1.235 … but the
        # 1.500 KWD minimum is more.
        (123_455, "KWD", 1, 1_500),
        (1_234_550, "KWD", 1, 12_346),
        (1_234_550, "KWD", 3, 37_037),
        (25_000, "EUR", 0, 0),
    ],
)
def test_compensation_is_a_percent_per_started_week_at_least_the_minimum(
    net_minor, currency, weeks, expected
):
    assert late_compensation_amount(net_minor=net_minor, currency=currency, weeks=weeks) == expected


def _approved_payout(clock, manager, assignment, *, rate_minor: int, currency: str) -> Payout:
    clock.set(NOW)
    project_services.assignment_rate_set(
        assignment=assignment,
        by=manager,
        rate_minor=rate_minor,
        currency=currency,
        effective_on=LAST_MONDAY,
        currency_change_confirmed=True,
    )
    factories.approved_week(assignment, manager=manager, minutes=[600])
    factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)
    return factories.approve_payout(assignment.contractor.payouts.get(), by=manager)


def _pay_on(clock, payout, manager, day: date) -> Payout:
    clock.set(datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12))
    return services.payout_mark_paid(payout=payout, by=manager, reference="REF-1", paid_on=day)


@pytest.mark.parametrize(
    ("currency", "rate_minor", "days_late", "expected"),
    [
        # ¥100,000/h × 10 h = ¥1,000,000 net.
        ("JPY", 100_000, 0, None),
        ("JPY", 100_000, 1, 10_000),
        ("JPY", 100_000, 7, 10_000),
        ("JPY", 100_000, 8, 20_000),
        # 123.455 KWD/h × 10 h = 1,234.550 KWD net.
        ("KWD", 123_455, 7, 12_346),
        ("KWD", 123_455, 8, 24_691),
    ],
)
def test_a_payout_paid_late_is_compensated_once_on_a_new_draft(
    clock, manager, alice_on_project, currency, rate_minor, days_late, expected
):
    payout = _approved_payout(
        clock, manager, alice_on_project, rate_minor=rate_minor, currency=currency
    )
    assert payout.due_on == DUE
    paid = _pay_on(clock, payout, manager, DUE + timedelta(days=days_late))

    automatic = Adjustment.objects.filter(kind=AdjustmentKind.LATE)
    if expected is None:
        assert not automatic.exists()
        return
    compensation = automatic.get()
    assert (compensation.amount_minor, compensation.late_for) == (expected, paid)
    draft = compensation.payout
    assert (draft.status, draft.period, draft.currency) == (
        PayoutStatus.DRAFT,
        paid.period,
        currency,
    )
    assert draft.net_minor == expected
    assert compensation.reason.startswith(f"Late-payment compensation: payout #{paid.pk} was due")

    # Generating the period again, or asking again, adds nothing.
    factories.generate(paid.period, by=manager)
    assert services.late_compensation_attach(payout=paid, by=manager) is None
    assert automatic.count() == 1


def test_nobody_adds_or_removes_an_automatic_adjustment_by_hand(clock, manager, alice_on_project):
    payout = _approved_payout(clock, manager, alice_on_project, rate_minor=100_000, currency="JPY")
    _pay_on(clock, payout, manager, DUE + timedelta(days=3))
    draft = Adjustment.objects.get(kind=AdjustmentKind.LATE).payout
    for kind in (AdjustmentKind.LATE, AdjustmentKind.STANDBY):
        with pytest.raises(ValidationError):
            services.payout_adjust(
                payout=draft,
                by=manager,
                details=services.AdjustmentDetails(kind=kind, amount_minor=100, reason="x"),
            )
    with pytest.raises(ValidationError, match="compensation or standby pay"):
        services.payout_cancel(payout=draft, by=manager, reason="Not needed.")
    draft.refresh_from_db()
    assert draft.status == PayoutStatus.DRAFT


@pytest.fixture
def paused_at_once(clock, manager, project, alice_paid_week):
    """Alice has 10 h approved last week (2:30 a week over four weeks); the project pauses
    with no notice: she is owed 2:30 × €25 × 7 / 7 = €62.50."""
    clock.set(NOW)
    project_services.project_pause(
        project=project,
        by=manager,
        reason=PauseReason.NO_WORK,
        message="The queue is empty.",
        short_notice_confirmed=True,
    )
    return StandbyPay.objects.get()


def test_standby_pay_becomes_an_adjustment_of_the_next_payout_once(
    clock, manager, alice, paused_at_once
):
    assert (paused_at_once.amount_minor, paused_at_once.currency) == (6250, "EUR")
    clock.set(NOW + timedelta(days=7))
    this_week = factories.closed_period(THIS_MONDAY, by=manager)
    factories.generate(this_week, by=manager)
    factories.generate(this_week, by=manager)

    adjustment = Adjustment.objects.get(kind=AdjustmentKind.STANDBY)
    assert adjustment.standby == paused_at_once
    assert adjustment.amount_minor == 6250
    assert adjustment.reason.startswith(
        "Standby pay: «Search relevance» paused with 7 days less notice than the minimum."
    )
    payout = adjustment.payout
    assert (payout.contractor.user, payout.period, payout.net_minor) == (alice, this_week, 6250)


def test_a_scheduled_pause_owes_nothing_on_a_payout_until_it_takes_effect(
    clock, manager, project, alice_paid_week
):
    clock.set(NOW)
    project_services.project_pause_schedule(
        project=project,
        by=manager,
        reason=PauseReason.BUDGET,
        message="Budget.",
        effective_at=NOW + timedelta(days=3),
        short_notice_confirmed=True,
    )
    assert StandbyPay.objects.count() == 1
    services.payouts_generate(period=factories.period(LAST_MONDAY), by=manager)
    assert not Adjustment.objects.filter(kind=AdjustmentKind.STANDBY).exists()


def test_the_contractor_sees_the_compensation_and_its_reason_on_earnings(
    clock, client, alice, manager, alice_on_project
):
    payout = _approved_payout(clock, manager, alice_on_project, rate_minor=100_000, currency="JPY")
    _pay_on(clock, payout, manager, DUE + timedelta(days=8))
    draft = Adjustment.objects.get(kind=AdjustmentKind.LATE).payout
    client.force_login(alice)
    body = client.get(reverse("payments:payout", args=[draft.pk])).content.decode()
    assert "Late-payment compensation" in body
    assert f"payout #{payout.pk} was due on" in body
    assert "2 started weeks late" in body


def test_the_payout_api_names_the_automatic_adjustments(clock, alice, manager, paused_at_once):
    clock.set(NOW + timedelta(days=7))
    factories.generate(factories.closed_period(THIS_MONDAY, by=manager), by=manager)
    client = APIClient()
    client.force_authenticate(alice)
    payouts = client.get("/api/v1/payouts").json()["results"]
    details = [client.get(f"/api/v1/payouts/{p['id']}").json() for p in payouts]
    adjustments = [a for p in details for a in p["adjustments"]]
    assert [(a["type"], a["amount_minor"]) for a in adjustments] == [("standby", 6250)]
