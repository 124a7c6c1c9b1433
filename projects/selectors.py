"""Reads of projects, assignments and time, scoped to whoever asks.

A contractor's objects are only ever fetched through their own profile; a
miss is a 404. Each function applies its joins and prefetches, so a page's
query count does not grow with the rows it shows.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Case, Count, Min, Prefetch, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import ContractorProfile, ContractorStatus, User
from portal.dates import format_minutes, local_today
from portal.money import line_amount_expression
from portal.selectors import with_delivery_counts
from projects.models import (
    EDITABLE_ENTRY_STATUSES,
    Assignment,
    AssignmentRate,
    AssignmentStatus,
    EntryKind,
    EntryStatus,
    Project,
    ProjectStatusChange,
    ScheduledPause,
    ScheduledPauseStatus,
    TimeEntry,
)
from projects.pay_periods import closed_pay_period_dates
from projects.time_rules import (
    assignment_day_problem,
    contractor_day_problem,
    pay_period_problem,
    rate_on,
)
from projects.timesheet import cell_key, week_days, week_start


def contractor_for_user(user: User) -> ContractorProfile | None:
    if not user.is_authenticated:
        return None
    return ContractorProfile.objects.filter(user=user).first()


def contractor_for_user_or_404(user: User) -> ContractorProfile:
    profile = contractor_for_user(user)
    if profile is None:
        raise Http404(_("Only contractors have projects."))
    return profile


def _assignments() -> QuerySet[Assignment]:
    """Assignments with their project, rates and the pause (if any) announced for it.

    ``project.pending_pauses`` holds the project's scheduled pause not yet
    in effect (at most one), for the "pausing on …" banner.
    """
    active_first = Case(When(status=AssignmentStatus.ACTIVE, then=0), default=1)
    return (
        Assignment.objects.select_related("project__manager")
        .prefetch_related(
            Prefetch("rates", queryset=AssignmentRate.objects.order_by("effective_on", "pk")),
            Prefetch(
                "project__scheduled_pauses",
                queryset=ScheduledPause.objects.filter(status=ScheduledPauseStatus.PENDING),
                to_attr="pending_pauses",
            ),
        )
        .order_by(active_first, "project__name", "pk")
    )


def assignment_list_for_contractor(user: User) -> QuerySet[Assignment]:
    """The user's assignments, active first; empty for someone without a profile."""
    return _assignments().filter(contractor__user=user)


def assignment_get_for_contractor(*, user: User, pk: int) -> Assignment:
    """One of ``user``'s assignments, with its project's full status history.

    ``project.announced_pauses`` lists every pause announced ahead of time,
    newest first, whether it took effect, was called off or is still to come.
    """
    assignment = (
        assignment_list_for_contractor(user)
        .prefetch_related(
            Prefetch(
                "project__status_changes",
                queryset=ProjectStatusChange.objects.order_by("-effective_at", "-pk"),
            ),
            Prefetch(
                "project__scheduled_pauses",
                queryset=ScheduledPause.objects.order_by("-effective_at", "-pk"),
                to_attr="announced_pauses",
            ),
            "project__expertise",
        )
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise Http404(_("No such assignment."))
    return assignment


def assignment_for_project_get_for_contractor(*, user: User, project_pk: int) -> Assignment:
    """``user``'s assignment to a project (the link a project notice carries), else 404."""
    assignment = assignment_list_for_contractor(user).filter(project_id=project_pk).first()
    if assignment is None:
        raise Http404(_("You are not on this project."))
    return assignment


# --- My projects -------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentSummary:
    """One line of "My projects": where an assignment stands this week."""

    assignment: Assignment
    current_rate: AssignmentRate | None
    week_minutes: int

    @property
    def project(self) -> Project:
        return self.assignment.project

    @property
    def cap_minutes(self) -> int:
        return self.assignment.cap_minutes

    @property
    def over_cap(self) -> bool:
        return self.week_minutes > self.cap_minutes

    @property
    def week_hours(self) -> str:
        return format_minutes(self.week_minutes)

    @property
    def cap_hours(self) -> str:
        return format_minutes(self.cap_minutes)


def assignment_summaries(profile: ContractorProfile, *, today: date) -> list[AssignmentSummary]:
    """Every assignment with its current rate and the hours logged in ``today``'s week."""
    monday = week_start(today)
    this_week = Q(time_entries__work_on__range=(monday, monday + timedelta(days=6)))
    assignments = (
        _assignments()
        .filter(contractor=profile)
        .annotate(week_minutes=Coalesce(Sum("time_entries__minutes", filter=this_week), 0))
    )
    return [
        AssignmentSummary(
            assignment=assignment,
            current_rate=rate_on(assignment.rates.all(), today),
            week_minutes=assignment.week_minutes,
        )
        for assignment in assignments
    ]


# --- The weekly timesheet ------------------------------------------------------------


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
    def kind_label(self) -> str:
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
        used = {a.pk: 0 for a in self.assignments}
        for entry in self.entries:
            used[entry.assignment_id] += entry.minutes
        return [CapUse(a, used[a.pk]) for a in self.assignments if a.pk in self._row_ids]

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
    known = {assignment.pk for assignment in assignments}
    keys = {(a.pk, EntryKind.TASK.value) for a in assignments if _covers_week(a, days)}
    keys |= {(entry.assignment_id, entry.kind) for entry in entries}
    keys |= {(pk, kind) for pk, kind in extra if pk in known and kind in EntryKind.values}
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
        _assignments()
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
            if locked := pay_period_problem(cell.day, closed):
                cell.problem, cell.locked = locked, True
        rows.append(TimesheetRow(assignment=assignment, kind=kind, cells=cells))
    return Timesheet(profile, days[0], today, days, rows, assignments, entries)


def _cell(
    profile: ContractorProfile,
    assignment: Assignment,
    kind: str,
    day: date,
    entry: TimeEntry | None,
    today: date,
) -> TimesheetCell:
    problem = contractor_day_problem(profile, day) or assignment_day_problem(
        assignment, day, today=today, time_zone=profile.time_zone
    )
    return TimesheetCell(
        key=cell_key(assignment.pk, kind, day),
        day=day,
        entry=entry,
        problem=problem,
        value=format_minutes(entry.minutes) if entry else "",
        note=entry.note if entry else "",
    )


# --- Dashboard ---------------------------------------------------------------------


@dataclass(frozen=True)
class WorkDashboard:
    """What the home page shows an assigned contractor about their work."""

    today: date
    summaries: list[AssignmentSummary]
    draft_count: int
    first_draft_on: date | None
    rejected: list[TimeEntry]
    rejected_count: int

    @property
    def week_minutes(self) -> int:
        return sum(summary.week_minutes for summary in self.summaries)

    @property
    def more_rejected(self) -> int:
        return self.rejected_count - len(self.rejected)

    @property
    def assignments(self) -> list[Assignment]:
        return [summary.assignment for summary in self.summaries]


def work_dashboard_for_user(user: User) -> WorkDashboard | None:
    """The home page's work section; ``None`` for anyone who has never been assigned."""
    profile = contractor_for_user(user)
    if profile is None or profile.status == ContractorStatus.APPLICANT:
        return None
    today = local_today(profile.time_zone)
    summaries = assignment_summaries(profile, today=today)
    if not summaries:
        return None
    open_entries = TimeEntry.objects.filter(
        assignment__contractor=profile, status__in=EDITABLE_ENTRY_STATUSES
    )
    counts = {
        row["status"]: row
        for row in open_entries.values("status").annotate(n=Count("pk"), first=Min("work_on"))
    }
    draft = counts.get(EntryStatus.DRAFT, {})
    rejected = open_entries.filter(status=EntryStatus.REJECTED).select_related(
        "assignment__project"
    )
    return WorkDashboard(
        today=today,
        summaries=summaries,
        draft_count=draft.get("n", 0),
        first_draft_on=draft.get("first"),
        rejected=list(rejected.order_by("work_on", "pk")[:5]),
        rejected_count=counts.get(EntryStatus.REJECTED, {}).get("n", 0),
    )


# --- Time entries for the API and the admin ----------------------------------------


def time_entry_list_for_contractor(user: User) -> QuerySet[TimeEntry]:
    return (
        TimeEntry.objects.filter(assignment__contractor__user=user)
        .select_related("assignment__project", "assignment__contractor__user")
        .order_by("work_on", "assignment_id", "kind")
    )


def time_entry_get_for_contractor(*, user: User, pk: int) -> TimeEntry:
    entry = time_entry_list_for_contractor(user).filter(pk=pk).first()
    if entry is None:
        raise Http404(_("No such time entry."))
    return entry


def time_entry_list_for_reviewer() -> QuerySet[TimeEntry]:
    return TimeEntry.objects.select_related(
        "assignment__project", "assignment__contractor__user", "reviewed_by"
    ).order_by("-work_on", "pk")


@dataclass(frozen=True)
class EntryTotal:
    currency: str
    count: int
    minutes: int
    amount_minor: int


def time_entry_totals(entries: QuerySet[TimeEntry]) -> list[EntryTotal]:
    """Count, hours and amount of ``entries`` per currency, each line rounded before summing."""
    rows = (
        entries.order_by()
        .values("currency")
        .annotate(
            entry_count=Count("pk"),
            total_minutes=Sum("minutes"),
            total_amount=Sum(line_amount_expression("minutes", "rate_minor")),
        )
        .order_by("currency")
    )
    return [
        EntryTotal(row["currency"], row["entry_count"], row["total_minutes"], row["total_amount"])
        for row in rows
    ]


def contractors_matching(project: Project) -> QuerySet[ContractorProfile]:
    """Active contractors not yet on ``project`` who speak every language and cover every
    expertise area it requires."""
    matching = ContractorProfile.objects.filter(status=ContractorStatus.ACTIVE).exclude(
        assignments__project=project
    )
    for code in project.languages:
        matching = matching.filter(languages__language=code)
    for area in project.expertise.all():
        matching = matching.filter(expertise=area)
    return (
        matching.select_related("user")
        .prefetch_related("languages", "expertise")
        .distinct()
        .order_by("legal_name", "pk")
    )


# --- Project status, for managers --------------------------------------------------------


def project_get_for_manager(pk: int) -> Project:
    """Any project, for staff whose permissions were checked by the caller; else 404."""
    project = Project.objects.filter(pk=pk).first()
    if project is None:
        raise Http404(_("No such project."))
    return project


def status_change_list_for_project(project: Project) -> QuerySet[ProjectStatusChange]:
    """The project's history, newest first, each change with how its notices went out."""
    changes = (
        ProjectStatusChange.objects.filter(project=project)
        .select_related("by")
        .order_by("-effective_at", "-pk")
    )
    return with_delivery_counts(changes, topic_prefix=ProjectStatusChange.TOPIC_PREFIX)


def scheduled_pause_with_delivery(pause: ScheduledPause) -> ScheduledPause:
    pauses = ScheduledPause.objects.filter(pk=pause.pk).select_related("by", "project")
    return with_delivery_counts(pauses, topic_prefix=ScheduledPause.TOPIC_PREFIX).get()
