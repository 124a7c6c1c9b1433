"""Reads of periods, earnings and payouts, scoped to whoever asks.

A contractor's payouts are only ever fetched through their own user; a miss
is a 404. Every read here is a fixed number of queries, whatever the history.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import ContractorProfile, User
from payments.models import Adjustment, Payout, PayoutLine, PayoutStatus
from payments.services.periods import PERIOD_DAYS, period_bounds
from portal.dates import local_today
from portal.money import line_amount_expression
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


_EARNING_KEYS = (
    "logged_minutes",
    "submitted_minutes",
    "approved_minutes",
    "logged_minor",
    "submitted_minor",
    "approved_minor",
)


def _status_sums(status: str | None) -> dict[str, Sum]:
    only = Q(status=status) if status else Q()
    name = status or "logged"
    return {
        f"{name}_minutes": Sum("minutes", filter=only, default=0),
        f"{name}_minor": Sum(
            line_amount_expression("minutes", "rate_minor"), filter=only, default=0
        ),
    }


def period_earnings_for_contractor(profile: ContractorProfile, *, day: date) -> PeriodEarnings:
    """What the contractor's time in the period of ``day`` is worth, per project: all of it,
    what waits for review, and what is approved. Two queries."""
    period = period_covering(day)
    start, end = (period.start_on, period.end_on) if period else period_bounds(day)
    # Typed as plain mappings: the sums are annotated by computed names.
    rows: QuerySet[TimeEntry, Mapping[str, Any]] = (
        TimeEntry.objects.filter(assignment__contractor=profile, work_on__range=(start, end))
        .values("assignment__project_id", "assignment__project__name", "currency")
        .annotate(
            **_status_sums(None),
            **_status_sums(EntryStatus.SUBMITTED),
            **_status_sums(EntryStatus.APPROVED),
        )
        .order_by("assignment__project__name", "assignment__project_id", "currency")
    )
    projects = [
        ProjectEarnings(
            project_id=row["assignment__project_id"],
            project_name=row["assignment__project__name"],
            currency=row["currency"],
            **{key: row[key] for key in _EARNING_KEYS},
        )
        for row in rows
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
    """The last ``weeks`` pay weeks' approved earnings, one series per currency. One query."""
    last_start, last_end = period_bounds(today)
    first_start = last_start - timedelta(days=PERIOD_DAYS * (weeks - 1))
    amount = line_amount_expression("minutes", "rate_minor")
    rows = (
        TimeEntry.objects.filter(
            assignment__contractor=profile,
            status=EntryStatus.APPROVED,
            work_on__range=(first_start, last_end),
        )
        .values("work_on", "currency")
        .annotate(
            total=Sum(amount),
            paid=Sum(amount, filter=Q(payout_lines__payout__status=PayoutStatus.PAID), default=0),
        )
        .order_by()
    )
    starts = [first_start + timedelta(days=PERIOD_DAYS * index) for index in range(weeks)]
    buckets: dict[str, dict[date, list[int]]] = defaultdict(
        lambda: {start: [0, 0] for start in starts}
    )
    for row in rows:
        start, _end = period_bounds(row["work_on"])
        bucket = buckets[row["currency"]].setdefault(start, [0, 0])
        bucket[0] += row["paid"]
        bucket[1] += row["total"] - row["paid"]
    return [
        EarningsSeries(
            currency=currency,
            weeks=[WeekEarnings(start, *by_start[start]) for start in starts],
        )
        for currency, by_start in sorted(buckets.items())
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


def payout_list_for_contractor(user: User) -> QuerySet[Payout]:
    """The user's payouts, newest period first, with lines and adjustments.

    Cancelled drafts are left out: their entries are in a later payout.
    """
    payouts = Payout.objects.filter(contractor__user=user).exclude(status=PayoutStatus.CANCELLED)
    return _with_details(payouts).order_by("-period__start_on", "-pk")


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
