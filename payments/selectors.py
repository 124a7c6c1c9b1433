"""Reads of periods, earnings and payouts, scoped to whoever asks.

A contractor's payouts are only ever fetched through their own user; a miss
is a 404. Every read here is a fixed number of queries, whatever the history.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median
from typing import Any

from babel.numbers import format_percent
from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ContractorProfile, User
from payments.models import Adjustment, AdjustmentKind, Payout, PayoutLine, PayoutStatus
from payments.services.periods import PERIOD_DAYS, period_bounds
from portal.dates import babel_locale, local_today
from portal.money import line_amount, line_amount_expression
from projects.models import EntryStatus, PayPeriod, TimeEntry

CHART_WEEKS = 12


def period_covering(day: date) -> PayPeriod | None:
    return PayPeriod.objects.filter(start_on__lte=day, end_on__gte=day).first()


def period_get_by_start(start_on: date) -> PayPeriod:
    period = PayPeriod.objects.filter(start_on=start_on).first()
    if period is None:
        raise Http404(_("No pay period starts on that day."))
    return period


# --- A period's earnings, per project ---------------------------------------------------


@dataclass(frozen=True)
class ProjectEarnings:
    """One project's time in a period, in one currency, by how far it has got."""

    project_id: int
    project_name: str
    currency: str
    logged_minutes: int
    submitted_minutes: int
    approved_minutes: int
    logged_minor: int
    submitted_minor: int
    approved_minor: int


@dataclass(frozen=True)
class CurrencyTotals:
    currency: str
    logged_minutes: int
    submitted_minutes: int
    approved_minutes: int
    logged_minor: int
    submitted_minor: int
    approved_minor: int


@dataclass
class PeriodEarnings:
    start_on: date
    end_on: date
    period: PayPeriod | None
    projects: list[ProjectEarnings] = field(default_factory=list)

    @property
    def is_closed(self) -> bool:
        return self.period is not None and self.period.is_closed

    @property
    def previous_start(self) -> date:
        return self.start_on - timedelta(days=PERIOD_DAYS)

    @property
    def next_start(self) -> date:
        return self.end_on + timedelta(days=1)

    @property
    def totals(self) -> list[CurrencyTotals]:
        sums: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
        for row in self.projects:
            values = (
                row.logged_minutes,
                row.submitted_minutes,
                row.approved_minutes,
                row.logged_minor,
                row.submitted_minor,
                row.approved_minor,
            )
            sums[row.currency] = [a + b for a, b in zip(sums[row.currency], values, strict=True)]
        return [CurrencyTotals(currency, *values) for currency, values in sorted(sums.items())]


def period_earnings_for_contractor(profile: ContractorProfile, *, day: date) -> PeriodEarnings:
    """What the contractor's time in the period of ``day`` is worth, per project: all of it,
    what waits for review, and what is approved. Two queries.

    A week holds a few dozen entries at most, so they are summed here, each entry's amount
    rounded once as a payout line's is (``line_amount``): building six filtered sums in SQL
    cost the dashboard and the earnings page more than reading the rows.
    """
    period = period_covering(day)
    start, end = (period.start_on, period.end_on) if period else period_bounds(day)
    rows = (
        TimeEntry.objects.filter(assignment__contractor=profile, work_on__range=(start, end))
        .order_by("assignment__project__name", "assignment__project_id", "currency")
        .values_list(
            "assignment__project_id",
            "assignment__project__name",
            "currency",
            "status",
            "minutes",
            "rate_minor",
        )
    )
    # Per project and currency, in the database's order of names: logged, submitted and
    # approved minutes, then their amounts.
    sums: dict[tuple[int, str, str], list[int]] = defaultdict(lambda: [0] * 6)
    for project_id, name, currency, status, minutes, rate_minor in rows:
        amount = line_amount(minutes, rate_minor)
        one = sums[(project_id, name, currency)]
        one[0] += minutes
        one[3] += amount
        if status == EntryStatus.SUBMITTED:
            one[1] += minutes
            one[4] += amount
        elif status == EntryStatus.APPROVED:
            one[2] += minutes
            one[5] += amount
    projects = [
        ProjectEarnings(project_id, name, currency, *values)
        for (project_id, name, currency), values in sums.items()
    ]
    return PeriodEarnings(start_on=start, end_on=end, period=period, projects=projects)


# --- Recent weeks, for the chart --------------------------------------------------------


@dataclass(frozen=True)
class WeekEarnings:
    start_on: date
    paid_minor: int
    pending_minor: int

    @property
    def total_minor(self) -> int:
        return self.paid_minor + self.pending_minor


@dataclass(frozen=True)
class EarningsSeries:
    """Approved earnings per week in one currency, oldest first: paid, and not paid yet."""

    currency: str
    weeks: list[WeekEarnings]

    @property
    def max_minor(self) -> int:
        return max((week.total_minor for week in self.weeks), default=0)


def weekly_earnings_for_contractor(
    profile: ContractorProfile, *, today: date, weeks: int = CHART_WEEKS
) -> list[EarningsSeries]:
    """The last ``weeks`` pay weeks' approved earnings, one series per currency. One query.

    A week's bar is its approved hours plus the adjustments of its payouts, so a week
    paid in one payout comes to that payout's net. Paid is what paid payouts hold; the
    rest (drafts, approved, failed, and hours in no payout yet) is not paid yet.
    """
    last_start, last_end = period_bounds(today)
    first_start = last_start - timedelta(days=PERIOD_DAYS * (weeks - 1))
    amount = line_amount_expression("minutes", "rate_minor")
    # An index probe per entry of the chart's weeks; a join to payouts here let the
    # planner walk the whole payouts table for a contractor with years of history.
    paid = Q(
        Exists(
            PayoutLine.objects.filter(time_entry=OuterRef("pk"), payout__status=PayoutStatus.PAID)
        )
    )
    hours = (
        TimeEntry.objects.filter(
            assignment__contractor=profile,
            status=EntryStatus.APPROVED,
            work_on__range=(first_start, last_end),
        )
        .order_by()
        .values("work_on", "currency")
        .annotate(total=Sum(amount), paid=Sum(amount, filter=paid, default=0))
        .values_list("work_on", "currency", "total", "paid")
    )
    adjustments = (
        Adjustment.objects.filter(
            payout__contractor=profile,
            payout__period__start_on__range=(first_start, last_end),
        )
        .exclude(payout__status=PayoutStatus.CANCELLED)
        .order_by()
        .values("payout__period__start_on", "payout__currency")
        .annotate(
            total=Sum("amount_minor"),
            paid=Sum("amount_minor", filter=Q(payout__status=PayoutStatus.PAID), default=0),
        )
        .values_list("payout__period__start_on", "payout__currency", "total", "paid")
    )
    starts = [first_start + timedelta(days=PERIOD_DAYS * index) for index in range(weeks)]
    buckets: dict[str, dict[date, list[int]]] = defaultdict(
        lambda: {start: [0, 0] for start in starts}
    )
    for day, currency, total, paid_minor in hours.union(adjustments, all=True):
        start, _end = period_bounds(day)
        bucket = buckets[currency].setdefault(start, [0, 0])
        bucket[0] += paid_minor
        bucket[1] += total - paid_minor
    return [
        EarningsSeries(
            currency=currency,
            weeks=[WeekEarnings(start, *by_start[start]) for start in starts],
        )
        for currency, by_start in sorted(buckets.items())
    ]


# --- The running balance ------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    """What is owed to the contractor in one currency and not paid yet."""

    currency: str
    # Approved hours no payout holds yet: they go into the next one generated.
    unpaid_approved_minor: int
    # The nets of payouts being prepared, approved or retried after a failure.
    in_payouts_minor: int

    @property
    def total_minor(self) -> int:
        return self.unpaid_approved_minor + self.in_payouts_minor


BALANCE_PAYOUT_STATUSES = (PayoutStatus.DRAFT, PayoutStatus.APPROVED, PayoutStatus.FAILED)


def balance_for_contractor(profile: ContractorProfile) -> list[Balance]:
    """Per currency: approved but in no payout yet, and in payouts not paid yet. One query."""
    approved = (
        TimeEntry.objects.filter(assignment__contractor=profile, status=EntryStatus.APPROVED)
        # NOT EXISTS reads the payout lines' index alone; a LEFT JOIN read each line too.
        .exclude(Exists(PayoutLine.objects.filter(time_entry=OuterRef("pk"))))
        .order_by()
        .values("currency")
        .annotate(
            unpaid=Sum(line_amount_expression("minutes", "rate_minor")),
            queued=Value(0, output_field=BigIntegerField()),
        )
        .values_list("currency", "unpaid", "queued")
    )
    queued = (
        Payout.objects.filter(contractor=profile, status__in=BALANCE_PAYOUT_STATUSES)
        .order_by()
        .values("currency")
        .annotate(
            unpaid=Value(0, output_field=BigIntegerField()),
            queued=Sum("net_minor"),
        )
        .values_list("currency", "unpaid", "queued")
    )
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for currency, unpaid, in_payouts in approved.union(queued, all=True):
        sums[currency][0] += unpaid
        sums[currency][1] += in_payouts
    return [
        Balance(currency, unpaid, in_payouts)
        for currency, (unpaid, in_payouts) in sorted(sums.items())
        if unpaid or in_payouts
    ]


# --- Payouts ------------------------------------------------------------------------------


def _with_details(payouts: QuerySet[Payout]) -> QuerySet[Payout]:
    return payouts.select_related("period").prefetch_related(
        Prefetch(
            "lines",
            queryset=PayoutLine.objects.select_related("project").order_by("work_on", "pk"),
        ),
        Prefetch("adjustments", queryset=Adjustment.objects.order_by("created_at", "pk")),
    )


def _line_count() -> Subquery:
    lines = PayoutLine.objects.filter(payout=OuterRef("pk")).order_by().values("payout")
    return Subquery(lines.annotate(n=Count("pk")).values("n"), output_field=IntegerField())


def payout_list_for_contractor(user: User) -> QuerySet[Payout]:
    """The user's payouts, newest period first, with lines and adjustments.

    Cancelled drafts are left out: their entries are in a later payout.
    """
    return _with_details(payout_summaries_for_contractor(user))


def payout_summaries_for_contractor(user: User) -> QuerySet[Payout]:
    """The user's payouts, newest period first, each with its number of lines (``line_count``)
    but not the lines: a page of them, whose lines are read one payout at a time."""
    payouts = Payout.objects.filter(contractor__user=user).exclude(status=PayoutStatus.CANCELLED)
    return (
        payouts.select_related("period")
        .annotate(line_count=Coalesce(_line_count(), 0))
        .order_by("-period__start_on", "-pk")
    )


def payout_get_for_contractor(*, user: User, pk: int) -> Payout:
    payout = payout_list_for_contractor(user).filter(pk=pk).first()
    if payout is None:
        raise Http404(_("No such payout."))
    return payout


def payout_list_for_staff() -> QuerySet[Payout]:
    return Payout.objects.select_related("contractor__user", "period")


@dataclass(frozen=True)
class PayoutTotal:
    currency: str
    count: int
    minutes: int
    gross_minor: int
    adjustments_minor: int
    net_minor: int


def payout_totals(payouts: QuerySet[Payout]) -> list[PayoutTotal]:
    """Count, minutes and amounts of ``payouts`` per currency. One query."""
    rows = (
        payouts.order_by()
        .values("currency")
        .annotate(
            n=Count("pk"),
            m=Sum("minutes"),
            g=Sum("gross_minor"),
            a=Sum("adjustments_minor"),
            t=Sum("net_minor"),
        )
        .order_by("currency")
    )
    return [
        PayoutTotal(row["currency"], row["n"], row["m"], row["g"], row["a"], row["t"])
        for row in rows
    ]


UNPAID_PAYOUT_STATUSES = (PayoutStatus.APPROVED, PayoutStatus.FAILED)


@dataclass(frozen=True)
class PayoutQueue:
    """The payouts waiting on staff: drafts to approve, and overdue ones by pay period."""

    to_approve: int
    overdue: int
    overdue_period_ids: list[int]


DUE_SOON_DAYS = 3


def _closed_before(day: date) -> Q:
    """Periods closed before ``day`` began (in the current time zone)."""
    return Q(period__closed_at__lt=timezone.make_aware(datetime.combine(day, time.min)))


def payouts_overdue_q(*, today: date) -> Q:
    """Unpaid payouts whose due date (``Payout.due_on``) is before ``today``."""
    first_day_not_late = today - timedelta(days=settings.PAYOUT_DUE_DAYS)
    return Q(status__in=UNPAID_PAYOUT_STATUSES) & _closed_before(first_day_not_late)


def payouts_due_soon_q(*, today: date) -> Q:
    """Unpaid payouts due today or in the next ``DUE_SOON_DAYS`` days (not yet overdue)."""
    first_day_not_late = today - timedelta(days=settings.PAYOUT_DUE_DAYS)
    return (
        Q(status__in=[PayoutStatus.DRAFT, *UNPAID_PAYOUT_STATUSES])
        & ~_closed_before(first_day_not_late)
        & _closed_before(first_day_not_late + timedelta(days=DUE_SOON_DAYS + 1))
    )


def payout_queue_for_staff(*, today: date) -> PayoutQueue:
    """Drafts to approve, and unpaid payouts past their due date; one query.

    A payout is overdue when it is approved (or failed) and its due date
    (``Payout.due_on``: its period's close plus ``PAYOUT_DUE_DAYS``) is before
    ``today``, which is a day in the current time zone.
    """
    overdue = payouts_overdue_q(today=today)
    rows = (
        Payout.objects.filter(Q(status=PayoutStatus.DRAFT) | overdue)
        .order_by()
        .values("status", "period_id")
        .annotate(n=Count("pk"))
    )
    to_approve, late, periods = 0, 0, set()
    for row in rows:
        if row["status"] == PayoutStatus.DRAFT:
            to_approve += row["n"]
        else:
            late += row["n"]
            periods.add(row["period_id"])
    return PayoutQueue(to_approve=to_approve, overdue=late, overdue_period_ids=sorted(periods))


def payout_line_totals(payout: Payout) -> tuple[int, int]:
    """The minutes and amount a payout's lines add up to (what its ``minutes`` and ``gross``
    must be)."""
    totals = PayoutLine.objects.filter(payout=payout).aggregate(
        minutes=Sum("minutes", default=0), amount=Sum("amount_minor", default=0)
    )
    return totals["minutes"], totals["amount"]


# --- The dashboard ------------------------------------------------------------------------


@dataclass(frozen=True)
class EarningsDashboard:
    earnings: PeriodEarnings
    latest_payout: Payout | None


def earnings_dashboard_for_contractor(profile: ContractorProfile) -> EarningsDashboard:
    """This week's earnings and the latest payout, for the home page; three queries."""
    today = local_today(profile.time_zone)
    latest = (
        Payout.objects.filter(contractor=profile)
        .exclude(status=PayoutStatus.CANCELLED)
        .select_related("period")
        .order_by("-period__start_on", "-pk")
        .first()
    )
    return EarningsDashboard(
        earnings=period_earnings_for_contractor(profile, day=today), latest_payout=latest
    )


# --- The public on-time record -------------------------------------------------------


@dataclass(frozen=True)
class PayRecordRow:
    """One month of payments: how many payouts were paid, how many by their due date, the
    median days from their period's close to payment, and the late-payment compensation
    paid with them, per currency."""

    month: date
    paid: int
    on_time: int
    median_days: float | None
    compensation: list[tuple[int, str]]

    @property
    def share_percent(self) -> str:
        """The share paid by the due date, as a percentage in the reader's language."""
        return format_percent(self.on_time / self.paid, locale=babel_locale())


def pay_record(*, months: int = 12, now: datetime | None = None) -> list[PayRecordRow]:
    """Per month paid (newest first, the last ``months``): the share of payouts paid by their
    due date, the median days from the period's close to payment, and the compensation.

    Computed from the payouts themselves, by the day each was paid (``paid_on``): paid
    ones only, so one still unpaid shows up in the month it is paid. Compensation for a
    late payout travels on the contractor's next payout (payments.services.owed), so it
    counts in the month that one is paid. Days are counted in the server's zone, as
    ``Payout.due_on`` is.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    year, month = divmod(local.year * 12 + local.month - 1 - (months - 1), 12)
    since = local.replace(
        year=year, month=month + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    late = Adjustment.objects.filter(payout=OuterRef("pk"), kind=AdjustmentKind.LATE)
    rows = (
        Payout.objects.filter(
            status=PayoutStatus.PAID,
            paid_on__gte=since.date(),
            period__closed_at__isnull=False,
        )
        .annotate(
            compensation=Coalesce(
                Subquery(
                    late.order_by().values("payout").annotate(s=Sum("amount_minor")).values("s"),
                    output_field=BigIntegerField(),
                ),
                Value(0),
            )
        )
        .order_by()
        .values_list("paid_on", "period__closed_at", "currency", "compensation")
    )
    groups: dict[date, dict[str, Any]] = {}
    for paid_on, closed_at, currency, compensation in rows.iterator():
        # The filter keeps only paid payouts of closed periods: both are set.
        assert paid_on is not None and closed_at is not None
        closed_on = timezone.localdate(closed_at)
        group = groups.setdefault(
            paid_on.replace(day=1), {"days": [], "on_time": 0, "compensation": defaultdict(int)}
        )
        group["days"].append((paid_on - closed_on).days)
        if paid_on <= closed_on + timedelta(days=settings.PAYOUT_DUE_DAYS):
            group["on_time"] += 1
        if compensation:
            group["compensation"][currency] += compensation
    return [
        PayRecordRow(
            month=month_start,
            paid=len(group["days"]),
            on_time=group["on_time"],
            median_days=median(group["days"]),
            compensation=sorted(
                (amount, currency) for currency, amount in group["compensation"].items()
            ),
        )
        for month_start, group in sorted(groups.items(), reverse=True)
    ]
