"""The staff who pay hear of overdue payouts every day they stay overdue, once that day."""

from datetime import timedelta

import pytest

from accounts.selectors import staff_with_permission
from payments import tasks
from payments.models import Payout
from portal.models import Notification, NotificationKind
from tests.payments import factories
from tests.projects import conftest as projects_conftest
from tests.projects.factories import LAST_MONDAY, NOW

pytestmark = pytest.mark.django_db

clock = projects_conftest.clock
project = projects_conftest.project
alice_on_project = projects_conftest.alice_on_project


@pytest.fixture
def approved_payout(clock, manager, alice_on_project):
    """Alice's payout of last week, approved, its period closed at NOW."""
    clock.set(NOW)
    factories.approved_week(alice_on_project, manager=manager, minutes=[120] * 5)
    period = factories.closed_period(LAST_MONDAY, by=manager)
    factories.generate(period, by=manager)
    payout = Payout.objects.get(contractor=alice_on_project.contractor)
    return factories.approve_payout(payout, by=manager)


def _told():
    return list(
        Notification.objects.filter(kind=NotificationKind.PAYOUTS_OVERDUE).values_list(
            "recipient__email", "topic", "language", "title"
        )
    )


def test_managers_are_emailed_once_a_day_while_a_payout_is_overdue(
    approved_payout,
    clock,
    manager,
    accountant,
    alice,
    settings,
    outbox,
    django_capture_on_commit_callbacks,
):
    settings.PAYOUT_DUE_DAYS = 7
    manager.language = "id"
    manager.save(update_fields=["language"])
    payers = {user.email for user in staff_with_permission("payments.pay_payout")}
    assert manager.email in payers

    # Due today: not overdue yet, nobody is told.
    clock.set(NOW + timedelta(days=7))
    assert tasks.payouts_overdue() == 0

    clock.set(NOW + timedelta(days=8, hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.payouts_overdue() == len(payers)
    # The same day again: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.payouts_overdue() == 0
    day = (NOW + timedelta(days=8)).date().isoformat()
    told = _told()
    assert {email for email, *_ in told} == payers
    assert alice.email not in payers
    assert {topic for _e, topic, *_ in told} == {f"payouts-overdue:{day}"}
    # Each in their own language.
    assert {(email, language) for email, _t, language, _ in told if email == manager.email} == {
        (manager.email, "id")
    }
    assert sorted(m.to[0] for m in outbox) == sorted(payers)
    notice = Notification.objects.filter(kind=NotificationKind.PAYOUTS_OVERDUE).first()
    assert notice.link.endswith("?due=overdue")
    english = [title for email, _t, _l, title in told if email != manager.email]
    assert not english or english[0] == "1 payout is overdue"

    # The next day, still unpaid: told again.
    clock.set(NOW + timedelta(days=9, hours=1))
    assert tasks.payouts_overdue() == len(payers)
    assert len(_told()) == 2 * len(payers)

    # Paid: the reminders stop.
    factories.pay(approved_payout, by=manager)
    clock.set(NOW + timedelta(days=10, hours=1))
    assert tasks.payouts_overdue() == 0
    assert len(_told()) == 2 * len(payers)


def test_the_schedule_checks_for_overdue_payouts(settings):
    [entry] = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "payments.tasks.payouts_overdue"
    ]
    assert entry["schedule"] <= timedelta(days=1)
