"""Before a pay period closes, contractors with unsubmitted hours and the reviewers hear of it."""

from datetime import UTC, datetime, timedelta

from django.conf import settings as django_settings

from payments import services
from payments.tasks import pay_periods_remind
from portal.models import Notification, NotificationKind, OutboundEmail
from projects.models import PayPeriod
from tests.payments import factories
from tests.projects.factories import THIS_MONDAY, log

# THIS_MONDAY's period (9–15 November) is closed by the schedule on 18 November at
# midnight UTC (two whole days after its last day); the reminder is due 24 hours before.
REMINDER_DUE = datetime(2026, 11, 17, 0, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _reminders(user):
    return Notification.objects.filter(recipient=user, kind=NotificationKind.PERIOD_CLOSING)


def test_the_schedule_runs_the_reminder(settings):
    entry = django_settings.CELERY_BEAT_SCHEDULE["pay-periods-remind"]
    assert entry["task"] == "payments.tasks.pay_periods_remind"
    assert django_settings.PERIOD_CLOSE_REMINDER_HOURS == 24


def test_the_close_moment_follows_the_close_schedule(db, clock):
    period = factories.period(THIS_MONDAY)
    assert services.reminders.pay_period_closes_at(period) == datetime(2026, 11, 18, tzinfo=UTC)


def test_only_contractors_with_unsubmitted_hours_are_reminded_once(
    clock, manager, alice, bob, accountant, alice_on_project, bob_on_project
):
    alice.language = "id"
    alice.save(update_fields=["language"])
    log(alice, alice_on_project, THIS_MONDAY, 90)
    factories.submitted_week(bob_on_project, minutes=[60], monday=THIS_MONDAY)

    assert services.pay_periods_remind_due(now=REMINDER_DUE - HOUR) == 0
    assert not _reminders(alice).exists()

    assert services.pay_periods_remind_due(now=REMINDER_DUE) == 1
    assert services.pay_periods_remind_due(now=REMINDER_DUE + HOUR) == 0
    assert pay_periods_remind.delay().get() == 0

    reminder = _reminders(alice).get()
    assert reminder.language == "id"
    assert reminder.link.endswith(f"?week={THIS_MONDAY.isoformat()}")
    assert (
        OutboundEmail.objects.filter(to=alice.email, topic__startswith="period-closing").count()
        == 1
    )
    assert not _reminders(bob).exists()
    assert not _reminders(accountant).exists()
    assert PayPeriod.objects.get(start_on=THIS_MONDAY).reminded_at == REMINDER_DUE


def test_reviewers_are_reminded_once_of_hours_waiting(
    clock, manager, accountant, alice, bob, alice_on_project, bob_on_project
):
    factories.submitted_week(bob_on_project, minutes=[60, 30], monday=THIS_MONDAY)
    factories.submitted_week(alice_on_project, minutes=[45], monday=THIS_MONDAY)

    services.pay_periods_remind_due(now=REMINDER_DUE)
    services.pay_periods_remind_due(now=REMINDER_DUE + HOUR)

    notice = _reminders(manager).get()
    assert "3" in notice.body
    assert "status__exact=submitted" in notice.link
    assert not _reminders(accountant).exists()
    assert not _reminders(alice).exists()


def test_no_reviewer_notice_when_nothing_waits(clock, manager, alice, alice_on_project):
    log(alice, alice_on_project, THIS_MONDAY, 30)
    services.pay_periods_remind_due(now=REMINDER_DUE)
    assert not _reminders(manager).exists()
    assert _reminders(alice).count() == 1


def test_a_closed_period_is_not_reminded(clock, manager, alice, alice_on_project):
    log(alice, alice_on_project, THIS_MONDAY, 30)
    period = factories.period(THIS_MONDAY)
    clock.set(datetime(2026, 11, 16, 12, tzinfo=UTC))
    services.pay_period_close(period=period, by=manager)
    assert services.pay_period_remind(period=period, now=REMINDER_DUE) == 0
    assert services.pay_periods_remind_due(now=REMINDER_DUE) == 0
    assert not _reminders(alice).exists()
