"""Pay periods: weeks on the calendar the settings define, closed by a manager or the schedule.

Periods exist by themselves: the schedule opens each week's as it begins
anywhere on earth, and whatever needs a period creates the missing ones on
the way (``pay_period_for``, ``pay_periods_ensure``). Nobody types one in, so
there is no period in the future to lock or delete by mistake.
"""

import logging
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from portal.dates import format_day
from projects.models import PayPeriod, PayPeriodStatusChange, PeriodStatus, TimeEntry

logger = logging.getLogger(__name__)

PERIOD_DAYS = 7
# The earliest time zone in use (Kiribati's Line Islands) starts each day this far ahead of UTC.
EARLIEST_ZONE_AHEAD = timedelta(hours=14)


def period_bounds(day: date) -> tuple[date, date]:
    """The first and last day of the pay period ``day`` falls in, by the configured weekday."""
    offset = (day.weekday() - settings.PAY_PERIOD_START_WEEKDAY) % PERIOD_DAYS
    start = day - timedelta(days=offset)
    return start, start + timedelta(days=PERIOD_DAYS - 1)


def _overlapping(start_on: date, end_on: date) -> Q:
    return Q(start_on__lte=end_on) & Q(end_on__gte=start_on)


def latest_begun_day(now: datetime | None = None) -> date:
    """The latest calendar day that has begun somewhere: a week's period opens with it."""
    return ((now or timezone.now()).astimezone(UTC) + EARLIEST_ZONE_AHEAD).date()


@transaction.atomic
def pay_period_for(day: date) -> PayPeriod:
    """The period covering ``day``, created if it does not exist yet.

    Refuses a day whose week has not begun anywhere yet: periods are never opened ahead.
    """
    existing = PayPeriod.objects.filter(start_on__lte=day, end_on__gte=day).first()
    if existing is not None:
        return existing
    start, end = period_bounds(day)
    if start > latest_begun_day():
        raise ValidationError(
            _("The pay period of %(day)s opens when that week begins."),
            params={"day": format_day(day)},
        )
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


def pay_periods_ensure(*, until: date | None = None) -> int:
    """Create every missing period up to the week of ``until`` (by default the latest day
    begun), from the first week with logged time or the week after the last period.

    Weeks an existing period already overlaps (one created before the start
    weekday setting changed) are left alone. Returns how many were created.
    """
    until = until or latest_begun_day()
    first_day = TimeEntry.objects.aggregate(first=Min("work_on"))["first"]
    # The weeks after the last period too, so a schedule that stopped for a while leaves no gap.
    latest_end = PayPeriod.objects.aggregate(last=Max("end_on"))["last"]
    after_last = latest_end + timedelta(days=1) if latest_end else None
    start, _end = period_bounds(min(day for day in (first_day, after_last, until) if day))
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
