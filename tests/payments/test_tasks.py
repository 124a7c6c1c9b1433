from datetime import date

from django.conf import settings

from payments.tasks import pay_periods_close_due, pay_periods_open
from projects.models import PayPeriod, PeriodStatus
from tests.projects.factories import LAST_MONDAY, log


def test_the_schedule_runs_the_close_task_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["pay-periods-close-due"]
    assert entry["task"] == "payments.tasks.pay_periods_close_due"
    assert entry["schedule"].total_seconds() == 3600


def test_the_task_closes_due_periods_once(clock, settings, alice, alice_on_project):
    settings.PAY_PERIOD_CLOSE_AFTER_DAYS = 2
    log(alice, alice_on_project, LAST_MONDAY, 60)

    assert pay_periods_close_due.delay().get() == 1
    assert pay_periods_close_due.delay().get() == 0

    period = PayPeriod.objects.get(start_on=LAST_MONDAY)
    assert (period.status, period.closed_by) == (PeriodStatus.CLOSED, None)
    assert period.status_changes.get().by is None
    assert PayPeriod.objects.get(start_on=date(2026, 11, 9)).status == PeriodStatus.OPEN


def test_the_schedule_opens_each_weeks_period_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["pay-periods-open"]
    assert entry["task"] == "payments.tasks.pay_periods_open"
    assert entry["schedule"].total_seconds() == 3600


def test_the_open_task_creates_this_weeks_period_once(db, clock):
    assert pay_periods_open.delay().get() == 1
    assert pay_periods_open.delay().get() == 0

    period = PayPeriod.objects.get()
    assert (period.start_on, period.status) == (date(2026, 11, 9), PeriodStatus.OPEN)
