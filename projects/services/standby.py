"""Notice or pay: a pause or close with less than the minimum notice owes standby pay.

Called by the status services inside their transaction, so the pay owed is
committed with the pause or close that owes it, or not at all.
"""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import ngettext

from portal.dates import local_today
from portal.money import currency_exponent, decimal_in_minor
from projects import notices
from projects.models import (
    Assignment,
    AssignmentStatus,
    EntryStatus,
    Project,
    ProjectStatusChange,
    ScheduledKind,
    ScheduledPause,
    StandbyPay,
    StandbyStatus,
)
from projects.time_rules import rate_on

DAY = timedelta(days=1)
HISTORY_WEEKS = 4


def minimum_notice_days(kind: str) -> int:
    if kind == ScheduledKind.CLOSE:
        return settings.CLOSE_MIN_NOTICE_DAYS
    return settings.PAUSE_MIN_NOTICE_DAYS


def days_missing(kind: str, *, effective_at: datetime | None) -> int:
    """Whole days of notice short of the minimum; ``None`` means at once.

    Only whole days given count as notice, so a part-day short counts as a
    day missing.
    """
    given = 0
    if effective_at is not None:
        given = max(0, (effective_at - timezone.now()) // DAY)
    return max(0, minimum_notice_days(kind) - given)


def refuse_unconfirmed_short_notice(kind: str, *, missing: int, confirmed: bool) -> None:
    """Short notice is allowed, as projects do stop suddenly, but only when meant."""
    if missing and not confirmed:
        minimum = minimum_notice_days(kind)
        if kind == ScheduledKind.CLOSE:
            message = ngettext(
                "A close needs %(count)d day's notice. To close with less, confirm it: "
                "every active assignee is then owed standby pay.",
                "A close needs %(count)d days' notice. To close with less, confirm it: "
                "every active assignee is then owed standby pay.",
                minimum,
            )
        else:
            message = ngettext(
                "A pause needs %(count)d day's notice. To pause with less, confirm it: "
                "every active assignee is then owed standby pay.",
                "A pause needs %(count)d days' notice. To pause with less, confirm it: "
                "every active assignee is then owed standby pay.",
                minimum,
            )
        raise ValidationError({"short_notice_confirmed": [message % {"count": minimum}]})


def _with_recent_approved(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Annotate each assignment with its approved minutes of the last four weeks.

    One window for all, ending at the site's today: a contractor's own today
    is at most a day off, which a four-week average hardly feels.
    """
    today = timezone.localdate()
    return assignments.annotate(
        recent_approved=Sum(
            "time_entries__minutes",
            filter=Q(
                time_entries__status=EntryStatus.APPROVED,
                time_entries__work_on__gte=today - HISTORY_WEEKS * 7 * DAY,
                time_entries__work_on__lt=today,
            ),
            default=0,
        )
    )


def expected_weekly_minutes(assignment: Assignment, *, recent_approved: int) -> int:
    """The lower of the forecast and the average approved minutes a week of the last four weeks.

    The average counts only the weeks the assignment has run, so a new
    assignee's short history is not diluted by weeks before they started.
    """
    ran_days = (timezone.localdate() - assignment.start_on).days
    weeks = min(HISTORY_WEEKS, max(1, -(-ran_days // 7)))
    return min(assignment.expected_minutes, recent_approved // weeks)


def standby_amount(*, weekly_minutes: int, rate_minor: int, currency: str, days: int) -> int:
    """weekly minutes × hourly rate × days ÷ 7, in minor units, rounded half-up once."""
    minor = Decimal(weekly_minutes * rate_minor * days) / Decimal(60 * 7)
    return decimal_in_minor(minor.scaleb(-currency_exponent(currency)), currency, ROUND_HALF_UP)


def standby_record(
    project: Project,
    *,
    kind: str,
    missing: int,
    change: ProjectStatusChange | None = None,
    scheduled: ScheduledPause | None = None,
) -> list[StandbyPay]:
    """Owe each active assignee standby pay for ``missing`` days and tell them what and why."""
    if not missing:
        return []
    assignments = _with_recent_approved(
        Assignment.objects.filter(project=project, status=AssignmentStatus.ACTIVE)
        .select_related("project", "contractor")
        .prefetch_related("rates")
        .order_by("pk")
    )
    owed = []
    for assignment in assignments:
        today = local_today(assignment.contractor.time_zone)
        rate = rate_on(assignment.rates.all(), max(today, assignment.start_on))
        if rate is None:
            continue
        # Annotated by _with_recent_approved.
        recent = assignment.recent_approved  # type: ignore[attr-defined]
        weekly = expected_weekly_minutes(assignment, recent_approved=recent)
        amount = standby_amount(
            weekly_minutes=weekly, rate_minor=rate.rate_minor, currency=rate.currency, days=missing
        )
        if amount < 1:
            continue
        owed.append(
            StandbyPay(
                assignment=assignment,
                change=change,
                scheduled=scheduled,
                kind=kind,
                days_missing=missing,
                weekly_minutes=weekly,
                rate_minor=rate.rate_minor,
                currency=rate.currency,
                amount_minor=amount,
            )
        )
    StandbyPay.objects.bulk_create(owed)
    notices.standby_owed_notify(project, owed)
    return owed


def standby_cancel(scheduled: ScheduledPause) -> int:
    """Call off what a scheduled pause owed; a pause called off before it starts owes nothing."""
    return StandbyPay.objects.filter(scheduled=scheduled, status=StandbyStatus.OWED).update(
        status=StandbyStatus.CANCELLED, cancelled_at=timezone.now()
    )
