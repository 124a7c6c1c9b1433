"""Reads for the managers' review of hours: the weeks waiting, and one contractor's week.

Hours are reviewed a contractor-week at a time, as the contractor submits
them. Each read here is a fixed number of queries, whatever the number of
contractors or entries.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import ContractorProfile
from portal.money import line_amount
from projects.models import EntryKind, EntryStatus, ScheduledPause, ScheduledPauseStatus, TimeEntry
from projects.timesheet import week_days, week_start

# --- The queue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekWaiting:
    """A contractor's week with hours submitted and not yet reviewed."""

    contractor_id: int
    contractor_name: str
    week: date
    entries: int
    minutes: int


def review_weeks_waiting_count() -> int:
    """How many contractor-weeks have hours waiting for review; one query."""
    return (
        TimeEntry.objects.filter(status=EntryStatus.SUBMITTED)
        .order_by()
        .annotate(week=TruncWeek("work_on"))
        .values("assignment__contractor_id", "week")
        .distinct()
        .count()
    )


def review_weeks_waiting(*, limit: int) -> list[WeekWaiting]:
    """The contractor-weeks waiting longest (oldest week first); one query."""
    rows = (
        TimeEntry.objects.filter(status=EntryStatus.SUBMITTED)
        .order_by()
        .annotate(week=TruncWeek("work_on"))
        .values("assignment__contractor_id", "assignment__contractor__legal_name", "week")
        .annotate(entry_count=Count("pk"), total_minutes=Sum("minutes"), first=Min("submitted_at"))
        .order_by("week", "first", "assignment__contractor_id")[:limit]
    )
    return [
        WeekWaiting(
            contractor_id=row["assignment__contractor_id"],
            contractor_name=row["assignment__contractor__legal_name"],
            week=_as_date(row["week"]),
            entries=row["entry_count"],
            minutes=row["total_minutes"],
        )
        for row in rows
    ]


def _as_date(value: date) -> date:
    # TruncWeek gives a datetime on some backends even for a date column.
    return value.date() if hasattr(value, "date") else value


@dataclass(frozen=True)
class WeekTotal:
    """One contractor's hours in one week, among the entries a list shows."""

    contractor_id: int
    contractor_name: str
    week: date
    entries: int
    minutes: int
    submitted: int


def review_week_totals(entries: QuerySet[TimeEntry], *, limit: int) -> list[WeekTotal]:
    """Hours per contractor and week of ``entries``, newest week first; one query."""
    rows = (
        entries.order_by()
        .annotate(week=TruncWeek("work_on"))
        .values("assignment__contractor_id", "assignment__contractor__legal_name", "week")
        .annotate(
            entry_count=Count("pk"),
            total_minutes=Sum("minutes"),
            submitted_count=Count("pk", filter=Q(status=EntryStatus.SUBMITTED)),
        )
        .order_by("-week", "assignment__contractor__legal_name", "assignment__contractor_id")[
            :limit
        ]
    )
    return [
        WeekTotal(
            contractor_id=row["assignment__contractor_id"],
            contractor_name=row["assignment__contractor__legal_name"],
            week=_as_date(row["week"]),
            entries=row["entry_count"],
            minutes=row["total_minutes"],
            submitted=row["submitted_count"],
        )
        for row in rows
    ]


def review_week_entries_waiting(
    entries: QuerySet[TimeEntry], *, since: date
) -> QuerySet[TimeEntry]:
    """``entries`` from ``since`` on of the contractors with hours waiting for review since then:
    what an unfiltered list's weekly totals show, without grouping every entry there is."""
    waiting = TimeEntry.objects.filter(status=EntryStatus.SUBMITTED, work_on__gte=since)
    return entries.filter(
        work_on__gte=since, assignment__contractor__in=waiting.values("assignment__contractor")
    )


def scheduled_pause_pending_count() -> int:
    """Pauses announced and not yet in effect; one query."""
    return ScheduledPause.objects.filter(status=ScheduledPauseStatus.PENDING).count()


# --- One contractor's week ------------------------------------------------------------------


@dataclass
class ReviewRow:
    """One project and kind: the entry of each day (or ``None``)."""

    project_name: str
    kind: str
    cells: list[TimeEntry | None]

    @property
    def kind_label(self) -> str:
        return str(EntryKind(self.kind).label)

    @property
    def total_minutes(self) -> int:
        return sum(entry.minutes for entry in self.cells if entry)


@dataclass(frozen=True)
class ProjectTotal:
    project_name: str
    minutes: int
    currency: str
    amount_minor: int


@dataclass
class ReviewWeek:
    profile: ContractorProfile
    week: date
    days: list[date]
    entries: list[TimeEntry]
    drafts: int
    rows: list[ReviewRow] = field(default_factory=list)

    @property
    def previous_week(self) -> date:
        return self.week - timedelta(days=7)

    @property
    def next_week(self) -> date:
        return self.week + timedelta(days=7)

    @property
    def day_totals(self) -> list[int]:
        return [sum(e.minutes for e in self.entries if e.work_on == day) for day in self.days]

    @property
    def total_minutes(self) -> int:
        return sum(entry.minutes for entry in self.entries)

    @property
    def project_totals(self) -> list[ProjectTotal]:
        sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for entry in self.entries:
            bucket = sums[(entry.assignment.project.name, entry.currency)]
            bucket[0] += entry.minutes
            bucket[1] += line_amount(entry.minutes, entry.rate_minor)
        return [
            ProjectTotal(name, minutes, currency, amount)
            for (name, currency), (minutes, amount) in sorted(sums.items())
        ]

    @property
    def submitted(self) -> list[TimeEntry]:
        return [entry for entry in self.entries if entry.status == EntryStatus.SUBMITTED]

    @property
    def notes(self) -> list[TimeEntry]:
        return [entry for entry in self.entries if entry.note]


def review_week_for_reviewer(*, contractor_id: int, week: date) -> ReviewWeek:
    """A contractor's week as submitted: every entry past draft, in a grid; two queries.

    Drafts are the contractor's work in progress and only counted. Staff whose
    permission was checked by the caller may read any contractor; else 404.
    """
    profile = ContractorProfile.objects.select_related("user").filter(pk=contractor_id).first()
    if profile is None:
        raise Http404(_("No such contractor."))
    days = week_days(week_start(week))
    in_week = TimeEntry.objects.filter(
        assignment__contractor=profile, work_on__range=(days[0], days[-1])
    )
    entries = list(
        in_week.select_related("assignment__project", "reviewed_by").order_by(
            "assignment__project__name", "assignment_id", "work_on", "kind", "pk"
        )
    )
    drafts = [entry for entry in entries if entry.status == EntryStatus.DRAFT]
    entries = [entry for entry in entries if entry.status != EntryStatus.DRAFT]
    review = ReviewWeek(profile, days[0], days, entries, drafts=len(drafts))
    review.rows = _rows(entries, days)
    return review


def _rows(entries: list[TimeEntry], days: list[date]) -> list[ReviewRow]:
    kinds = list(EntryKind.values)
    by_row: dict[tuple[int, str], dict[date, TimeEntry]] = {}
    names: dict[int, str] = {}
    for entry in entries:
        by_row.setdefault((entry.assignment_id, entry.kind), {})[entry.work_on] = entry
        names[entry.assignment_id] = entry.assignment.project.name
    keys = sorted(by_row, key=lambda key: (names[key[0]], key[0], kinds.index(key[1])))
    return [
        ReviewRow(names[key[0]], key[1], [by_row[key].get(day) for day in days]) for key in keys
    ]
