"""The weekly timesheet's read model: one row per assignment and kind, one cell per day.

Each cell says whether it takes time and, if not, why, by the same rules the
time services enforce (projects.time_rules), so the page greys out exactly
what a save would refuse. A week costs a fixed number of queries.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Sum

from accounts.models import ContractorProfile
from portal.dates import format_minutes, local_today
from projects.models import (
    Assignment,
    EntryKind,
    EntryStatus,
    ProjectStatusChange,
    TimeEntry,
)
from projects.pay_periods import closed_pay_period_dates
from projects.selectors.assignments import LimitUse, assignments_with_details
from projects.time_rules import (
    assignment_day_problem,
    contractor_day_problem,
    pay_period_problem,
)
from projects.timesheet import cell_key, week_days, week_start

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass
class TimesheetCell:
    key: str
    day: date
    entry: TimeEntry | None
    problem: str | None
    locked: bool = False
    value: str = ""
    note: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def editable(self) -> bool:
        if self.locked:
            return False
        if self.entry is not None:
            return self.entry.is_editable
        return self.problem is None


@dataclass
class TimesheetRow:
    assignment: Assignment
    kind: str
    cells: list[TimesheetCell]

    @property
    def kind_label(self) -> "StrOrPromise":
        return EntryKind(self.kind).label

    @property
    def total_minutes(self) -> int:
        return sum(cell.entry.minutes for cell in self.cells if cell.entry)


@dataclass(frozen=True)
class CapUse:
    assignment: Assignment
    minutes: int

    @property
    def over(self) -> bool:
        return self.minutes > self.assignment.cap_minutes


@dataclass
class Timesheet:
    profile: ContractorProfile
    week: date
    today: date
    days: list[date]
    rows: list[TimesheetRow]
    assignments: list[Assignment]
    entries: list[TimeEntry]
    # Minutes logged on each paid assessment or training, every week together.
    limited_minutes: dict[int, int] = field(default_factory=dict)

    @property
    def previous_week(self) -> date:
        return self.week - timedelta(days=7)

    @property
    def next_week(self) -> date:
        return self.week + timedelta(days=7)

    @property
    def is_current_week(self) -> bool:
        return self.week == week_start(self.today)

    @property
    def day_totals(self) -> list[int]:
        return [sum(e.minutes for e in self.entries if e.work_on == day) for day in self.days]

    @property
    def total_minutes(self) -> int:
        return sum(entry.minutes for entry in self.entries)

    @property
    def caps(self) -> list[CapUse]:
        """Weekly caps of the project work shown; assessments and training have limits."""
        used = {a.pk: 0 for a in self.assignments}
        for entry in self.entries:
            used[entry.assignment_id] += entry.minutes
        return [
            CapUse(a, used[a.pk])
            for a in self.assignments
            if a.pk in self._row_ids and not a.project.is_paid_activity
        ]

    @property
    def paid_activities(self) -> list[LimitUse]:
        """Paid assessments and training, each with the time logged on it over every week."""
        return [
            LimitUse(a, self.limited_minutes.get(a.pk, 0))
            for a in self.assignments
            if a.project.is_paid_activity
        ]

    @property
    def _row_ids(self) -> set[int]:
        return {row.assignment.pk for row in self.rows}

    @property
    def pending_count(self) -> int:
        return sum(1 for entry in self.entries if entry.is_editable)

    @property
    def rejected(self) -> list[TimeEntry]:
        return [entry for entry in self.entries if entry.status == EntryStatus.REJECTED]


def _covers_week(assignment: Assignment, days: list[date]) -> bool:
    return assignment.start_on <= days[-1] and (
        assignment.end_on is None or assignment.end_on >= days[0]
    )


def _row_keys(
    assignments: list[Assignment],
    entries: list[TimeEntry],
    days: list[date],
    extra: Collection[tuple[int, str]],
) -> list[tuple[int, str]]:
    """A task row for each assignment the week touches, plus a row per kind logged or asked for."""
    known = {assignment.pk: assignment for assignment in assignments}
    # Assessments and training take time of their own kind only.
    keys = {(a.pk, a.project.entry_kind) for a in assignments if _covers_week(a, days)}
    keys |= {(entry.assignment_id, entry.kind) for entry in entries}
    keys |= {
        (pk, kind)
        for pk, kind in extra
        if pk in known
        and kind in EntryKind.values
        and (not known[pk].project.is_paid_activity or kind == known[pk].project.entry_kind)
    }
    order = {assignment.pk: index for index, assignment in enumerate(assignments)}
    kinds = list(EntryKind.values)
    return sorted(keys, key=lambda key: (order[key[0]], kinds.index(key[1])))


def timesheet_for_contractor(
    profile: ContractorProfile,
    *,
    week: date,
    extra_rows: Collection[tuple[int, str]] = frozenset(),
) -> Timesheet:
    """The week's grid: one row per assignment and kind, one cell per day."""
    today = local_today(profile.time_zone)
    days = week_days(week_start(week))
    assignments = list(
        assignments_with_details()
        .filter(contractor=profile)
        .prefetch_related(
            Prefetch(
                "project__status_changes",
                queryset=ProjectStatusChange.objects.order_by("effective_at", "pk"),
            )
        )
    )
    entries = list(
        TimeEntry.objects.filter(assignment__contractor=profile, work_on__range=(days[0], days[-1]))
        .select_related("reviewed_by")
        .order_by("work_on", "pk")
    )
    closed = closed_pay_period_dates(days)
    by_cell = {(e.assignment_id, e.kind, e.work_on): e for e in entries}
    by_pk = {assignment.pk: assignment for assignment in assignments}
    rows = []
    for assignment_id, kind in _row_keys(assignments, entries, days, extra_rows):
        assignment = by_pk[assignment_id]
        cells = [
            _cell(profile, assignment, kind, day, by_cell.get((assignment_id, kind, day)), today)
            for day in days
        ]
        for cell in cells:
            # A rejected entry of a closed period stays open to correct, as late hours.
            correctable = cell.entry is not None and cell.entry.status == EntryStatus.REJECTED
            if not correctable and (locked := pay_period_problem(cell.day, closed)):
                cell.problem, cell.locked = locked, True
        rows.append(TimesheetRow(assignment=assignment, kind=kind, cells=cells))
    return Timesheet(
        profile, days[0], today, days, rows, assignments, entries, limited_time(assignments)
    )


def limited_time(assignments: list[Assignment]) -> dict[int, int]:
    """Minutes logged on each paid assessment or training: one query, none without any."""
    limited = [a.pk for a in assignments if a.project.is_paid_activity]
    if not limited:
        return {}
    totals = (
        TimeEntry.objects.filter(assignment_id__in=limited)
        .values("assignment_id")
        .annotate(total=Sum("minutes"))
    )
    return {row["assignment_id"]: row["total"] for row in totals}


def _cell(
    profile: ContractorProfile,
    assignment: Assignment,
    kind: str,
    day: date,
    entry: TimeEntry | None,
    today: date,
) -> TimesheetCell:
    paid_activity = assignment.project.is_paid_activity
    problem = contractor_day_problem(
        profile, day, paid_activity=paid_activity
    ) or assignment_day_problem(assignment, day, today=today, time_zone=profile.time_zone)
    return TimesheetCell(
        key=cell_key(assignment.pk, kind, day),
        day=day,
        entry=entry,
        problem=problem,
        value=format_minutes(entry.minutes) if entry else "",
        note=entry.note if entry else "",
    )
