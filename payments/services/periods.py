"""Pay periods: weeks on the calendar the settings define, closed by a manager or the schedule."""

import logging
from datetime import date, timedelta

from babel.dates import get_day_names
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from portal.dates import babel_locale, format_day
from projects.models import PayPeriod, PayPeriodStatusChange, PeriodStatus, TimeEntry

logger = logging.getLogger(__name__)

PERIOD_DAYS = 7


def period_bounds(day: date) -> tuple[date, date]:
    """The first and last day of the pay period ``day`` falls in, by the configured weekday."""
    offset = (day.weekday() - settings.PAY_PERIOD_START_WEEKDAY) % PERIOD_DAYS
    start = day - timedelta(days=offset)
    return start, start + timedelta(days=PERIOD_DAYS - 1)


def _overlapping(start_on: date, end_on: date) -> Q:
    return Q(start_on__lte=end_on) & Q(end_on__gte=start_on)


def pay_period_check(start_on: date) -> tuple[date, date]:
    """The new period's first and last day; refuses a wrong weekday or an overlap."""
    start, end = period_bounds(start_on)
    if start != start_on:
        message = _("Pay periods start on a %(weekday)s; pick %(day)s.") % {
            # The whole name: a "EEEE" skeleton would give the short one ("Mon").
            "weekday": get_day_names("wide", locale=babel_locale())[start.weekday()],
            "day": format_day(start),
        }
        raise ValidationError({"start_on": [message]})
    if PayPeriod.objects.filter(_overlapping(start, end)).exists():
        raise ValidationError({"start_on": [_("A pay period already covers some of these days.")]})
    return start, end


@transaction.atomic
def pay_period_create(*, start_on: date) -> PayPeriod:
    """Add the period starting on ``start_on``, which must be the configured first weekday."""
    start, end = pay_period_check(start_on)
    return PayPeriod.objects.create(start_on=start, end_on=end)


@transaction.atomic
def pay_period_for(day: date) -> PayPeriod:
    """The period covering ``day``, created if it does not exist yet."""
    existing = PayPeriod.objects.filter(start_on__lte=day, end_on__gte=day).first()
    if existing is not None:
        return existing
    start, end = period_bounds(day)
    period, _created = PayPeriod.objects.get_or_create(start_on=start, defaults={"end_on": end})
    return period


@transaction.atomic
def pay_period_close(*, period: PayPeriod, by: User | None, today: date | None = None) -> PayPeriod:
    """Close a period that has ended: its entries are locked, its approved hours payable.

    ``by`` is empty when the schedule closes it.
    """
    period = PayPeriod.objects.select_for_update().get(pk=period.pk)
    if not period.can_transition_to(PeriodStatus.CLOSED):
        raise ValidationError(
            _("The pay period %(period)s is already closed."), params={"period": period}
        )
    today = today or timezone.localdate()
    if period.end_on >= today:
        raise ValidationError(
            _("The pay period %(period)s has not ended yet; it can be closed from %(day)s."),
            params={"period": period, "day": format_day(period.end_on + timedelta(days=1))},
        )
    now = timezone.now()
    PayPeriodStatusChange.objects.create(
        period=period, from_status=period.status, to_status=PeriodStatus.CLOSED, by=by, at=now
    )
    period.status, period.closed_at, period.closed_by = PeriodStatus.CLOSED, now, by
    period.save(update_fields=["status", "closed_at", "closed_by"])
    return period


def pay_periods_ensure(*, until: date) -> int:
    """Create every missing period from the first week with logged time up to ``until``.

    Weeks an existing period already overlaps (one created before the start
    weekday setting changed) are left alone. Returns how many were created.
    """
    first_day = TimeEntry.objects.aggregate(first=Min("work_on"))["first"]
    if first_day is None or first_day > until:
        return 0
    start, _end = period_bounds(first_day)
    last_start, last_end = period_bounds(until)
    taken = list(
        PayPeriod.objects.filter(_overlapping(start, last_end)).values_list("start_on", "end_on")
    )
    missing = []
    while start <= last_start:
        end = start + timedelta(days=PERIOD_DAYS - 1)
        if not any(taken_start <= end and taken_end >= start for taken_start, taken_end in taken):
            missing.append(PayPeriod(start_on=start, end_on=end))
        start += timedelta(days=PERIOD_DAYS)
    created = PayPeriod.objects.bulk_create(missing, ignore_conflicts=True)
    return len(created)


def pay_periods_close_due(*, today: date | None = None) -> list[PayPeriod]:
    """What the schedule runs: every period that ended long enough ago gets closed.

    A period is due ``PAY_PERIOD_CLOSE_AFTER_DAYS`` whole days after its last
    day, giving managers time to review the week's hours first. Each period is
    closed in its own transaction; one a manager closed meanwhile is skipped.
    """
    today = today or timezone.localdate()
    pay_periods_ensure(until=today)
    due_by = today - timedelta(days=settings.PAY_PERIOD_CLOSE_AFTER_DAYS + 1)
    closed = []
    due = PayPeriod.objects.filter(status=PeriodStatus.OPEN, end_on__lte=due_by)
    for period in due.order_by("start_on"):
        try:
            closed.append(pay_period_close(period=period, by=None, today=today))
        except ValidationError:
            logger.info("Pay period %s was closed meanwhile", period.pk)
    return closed
