"""A floor that rises after a rate was set: announced to managers, and topped up at payout."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from payments.forms import AdjustmentForm
from payments.models import Adjustment, AdjustmentKind, Payout
from projects.models import FloorBasis, FloorUnit, WageFloor
from projects.selectors.floors import assignments_below_announced_floor, wage_floors_announced
from projects.services.floors import floor_exception_grant, wage_floor_add
from tests.payments import factories
from tests.projects.factories import LAST_MONDAY

SOURCE = {
    "source_name": "Mindestlohnkommission",
    "source_url": "https://example.org/mindestlohn",
    "licence": "public domain — official figure",
    "retrieved_on": date(2026, 1, 5),
}
RISE_ON = date(2026, 11, 5)  # the Thursday of LAST_MONDAY's week


def _floor(amount_minor: int, valid_from: date) -> WageFloor:
    return wage_floor_add(
        by=None,
        floor=WageFloor(
            country="DE",
            basis=FloorBasis.STATUTORY,
            amount_minor=amount_minor,
            currency="EUR",
            unit=FloorUnit.HOUR,
            valid_from=valid_from,
            **SOURCE,
        ),
    )


@pytest.fixture
def rise(clock, alice_on_project):
    """€20.00 an hour all year, rising to €26.00 from Thursday; Alice is paid €25.00."""
    _floor(2000, date(2026, 1, 1))
    return _floor(2600, RISE_ON)


def _top_ups(payout: Payout) -> list[Adjustment]:
    return list(payout.adjustments.filter(kind=AdjustmentKind.FLOOR_TOP_UP))


def test_managers_see_the_assignments_a_rising_floor_will_leave_below_it(rise, alice_on_project):
    assert list(wage_floors_announced(today=date(2026, 11, 1))) == [rise]
    [below] = assignments_below_announced_floor(rise)
    assert (below.assignment, below.rate.rate_minor, below.gap_minor) == (
        alice_on_project,
        2500,
        100,
    )


def test_lines_worked_on_or_after_the_rise_are_topped_up_once(
    rise, clock, manager, alice_on_project
):
    # Monday to Friday, two hours a day at €25.00; Thursday and Friday fall under €26.00.
    factories.approved_week(alice_on_project, manager=manager, minutes=[120] * 5)
    period = factories.closed_period(LAST_MONDAY, by=manager)
    factories.generate(period, by=manager)

    payout = Payout.objects.get()
    [top_up] = _top_ups(payout)
    assert top_up.amount_minor == 400  # 2 days × 2 h × €1.00
    assert "€26.00 an hour" in top_up.reason
    assert "Mindestlohnkommission" in top_up.reason
    assert (payout.gross_minor, payout.adjustments_minor, payout.net_minor) == (
        25000,
        400,
        25400,
    )

    factories.generate(period, by=manager)
    payout.refresh_from_db()
    assert len(_top_ups(payout)) == 1
    assert payout.net_minor == 25400


def test_hours_approved_later_get_only_their_own_top_up(rise, clock, manager, alice_on_project):
    monday, *rest = factories.submitted_week(alice_on_project, minutes=[120] * 5)
    factories.approve(rest[:3], by=manager)  # Tuesday to Thursday
    period = factories.closed_period(LAST_MONDAY, by=manager)
    factories.generate(period, by=manager)
    factories.approve(rest[3:], by=manager)  # Friday, after the first run
    factories.generate(period, by=manager)

    payout = Payout.objects.get()
    assert [adjustment.amount_minor for adjustment in _top_ups(payout)] == [200, 200]
    assert payout.net_minor == payout.gross_minor + 400


def test_a_floor_exception_covering_the_day_means_no_top_up(rise, clock, manager, alice_on_project):
    manager.user_permissions.add(Permission.objects.get(codename="grant_floor_exception"))
    granter = type(manager).objects.get(pk=manager.pk)
    floor_exception_grant(
        assignment=alice_on_project,
        by=granter,
        reason="Pilot week agreed in writing.",
        starts_on=date(2026, 11, 2),
        ends_on=RISE_ON,
    )
    factories.approved_week(alice_on_project, manager=manager, minutes=[120] * 5)
    factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)

    [top_up] = _top_ups(Payout.objects.get())
    assert top_up.amount_minor == 200  # Friday only: the exception ended on Thursday


def test_no_top_up_when_the_rate_clears_the_floor(clock, manager, alice_paid_week):
    assert _top_ups(alice_paid_week) == []


def test_a_scheduled_run_adds_the_top_up_without_a_person(rise, clock, manager, alice_on_project):
    factories.approved_week(alice_on_project, manager=manager, minutes=[60] * 5)
    factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=None)
    [top_up] = _top_ups(Payout.objects.get())
    assert (top_up.amount_minor, top_up.created_by) == (200, None)


def test_managers_cannot_type_a_floor_top_up():
    kinds = dict(AdjustmentForm(currency="EUR").fields["kind"].choices)
    assert AdjustmentKind.FLOOR_TOP_UP not in kinds


def test_the_contractor_sees_the_top_up_and_its_reason(
    rise, clock, client, alice, manager, alice_on_project
):
    factories.approved_week(alice_on_project, manager=manager, minutes=[120] * 5)
    factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)
    client.force_login(alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"

    payout = Payout.objects.get()
    page = client.get(reverse("payments:payout", args=[payout.pk])).content.decode()

    assert "Floor top-up:" in page
    assert "topped up to it (up to €26.00 an hour" in page
