"""Hours worked survive removal from the project, suspension and offboarding, and are paid;
an offboarded contractor still sees their earnings and payouts and downloads their CSV."""

import pytest
from django.urls import reverse

from payments.models import Payout
from portal.money import format_money
from projects import services as project_services
from projects.models import EntryStatus, RemovalGround, TimeEntry
from tests.payments import factories
from tests.projects.factories import LAST_MONDAY, NOW, log
from tests.sanctions import sanction

pytestmark = pytest.mark.django_db


def _remove(alice, manager, assignment):
    project_services.assignment_remove(
        assignment=assignment,
        by=manager,
        reason="The client needs fewer people.",
        ground=RemovalGround.STAFFING,
    )


def _suspend(alice, manager, assignment):
    sanction(alice.contractor_profile, by=manager, outcome="suspension")


def _offboard(alice, manager, assignment):
    sanction(alice.contractor_profile, by=manager, outcome="offboarding")


@pytest.mark.parametrize("event", [_remove, _suspend, _offboard], ids=lambda f: f.__name__)
def test_approved_and_submitted_hours_survive_and_are_paid(
    clock, manager, alice, alice_on_project, event
):
    clock.set(NOW)
    factories.approved_week(alice_on_project, manager=manager, minutes=[60, 60])
    waiting = factories.submitted_week(alice_on_project, minutes=[0, 0, 90])

    event(alice, manager, alice_on_project)

    # Hours sent before are still reviewed, and everything approved is paid.
    factories.approve(waiting, by=manager)
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {EntryStatus.APPROVED}
    factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)
    payout = Payout.objects.get()
    assert payout.minutes == 210
    assert payout.gross_minor == 2500 * 210 // 60


def test_a_draft_left_at_removal_can_still_be_submitted_and_is_paid(
    clock, manager, alice, alice_on_project
):
    clock.set(NOW)
    [draft] = log(alice, alice_on_project, LAST_MONDAY, 45)
    _remove(alice, manager, alice_on_project)

    [sent] = project_services.time_week_submit(by=alice, week=LAST_MONDAY)
    assert sent.pk == draft.pk
    factories.approve([sent], by=manager)
    factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)
    assert Payout.objects.get().minutes == 45


def test_an_offboarded_contractor_still_sees_earnings_and_payouts_and_downloads_the_csv(
    client, clock, manager, alice, alice_on_project
):
    clock.set(NOW)
    factories.approved_week(alice_on_project, manager=manager, minutes=[120])
    factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)
    payout = factories.approve_payout(Payout.objects.get(), by=manager)
    factories.pay(payout, by=manager)
    _offboard(alice, manager, alice_on_project)

    alice.refresh_from_db()
    assert alice.is_active  # they can still sign in
    client.force_login(alice)
    earnings = client.get(reverse("payments:earnings"))
    assert earnings.status_code == 200
    assert format_money(payout.net_minor, "EUR") in earnings.content.decode()
    assert client.get(reverse("payments:payout", args=[payout.pk])).status_code == 200
    csv = client.get(reverse("payments:earnings_csv"), {"year": 2026})
    assert csv.status_code == 200
    body = b"".join(csv.streaming_content) if csv.streaming else csv.content
    assert LAST_MONDAY.isoformat().encode() in body
