"""The public on-time pay record at /transparency/, computed from the payouts."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from payments import services
from payments.models import Adjustment, AdjustmentKind, Payout
from portal.money import format_money
from tests.payments import factories
from tests.projects import conftest as projects_conftest
from tests.projects.factories import LAST_MONDAY, NOW

pytestmark = pytest.mark.django_db

clock = projects_conftest.clock
project = projects_conftest.project
alice_on_project = projects_conftest.alice_on_project
bob_on_project = projects_conftest.bob_on_project


def _pay_on(clock, payout, manager, day: date) -> Payout:
    clock.set(datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12))
    return services.payout_mark_paid(payout=payout, by=manager, reference="REF-1", paid_on=day)


def test_the_record_shows_each_month_paid_on_time_median_days_and_compensation(
    client, clock, settings, manager, alice_on_project, bob_on_project
):
    settings.PAYOUT_DUE_DAYS = 7
    clock.set(NOW)
    factories.approved_week(alice_on_project, manager=manager, minutes=[600])
    factories.approved_week(bob_on_project, manager=manager, minutes=[600])
    # Closed at NOW, Thursday 12 November: due on 19 November.
    factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)
    alice_payout = factories.approve_payout(alice_on_project.contractor.payouts.get(), by=manager)
    bob_payout = factories.approve_payout(bob_on_project.contractor.payouts.get(), by=manager)

    _pay_on(clock, alice_payout, manager, date(2026, 11, 13))  # 1 day after the close
    _pay_on(clock, bob_payout, manager, date(2026, 12, 1))  # 19 days: 12 days late
    compensation = Adjustment.objects.get(kind=AdjustmentKind.LATE, late_for=bob_payout)
    carrier = factories.approve_payout(compensation.payout, by=manager)
    _pay_on(clock, carrier, manager, date(2026, 12, 3))  # 21 days, late itself

    clock.set(datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
    response = client.get(reverse("transparency"))
    assert response.status_code == 200
    december, november = response.context["pay_record"]
    assert (november.month, november.paid, november.on_time) == (date(2026, 11, 1), 1, 1)
    assert (november.median_days, november.compensation) == (1, [])
    assert (december.month, december.paid, december.on_time) == (date(2026, 12, 1), 2, 0)
    assert december.median_days == 20
    assert december.compensation == [(compensation.amount_minor, "EUR")]
    assert compensation.amount_minor == carrier.net_minor > 0

    page = re.sub(r"\s+", " ", response.content.decode())
    assert "Pay on time" in page
    assert "November 2026" in page and "December 2026" in page
    assert "100%" in page and "0%" in page
    assert format_money(compensation.amount_minor, "EUR") in page
