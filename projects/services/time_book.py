"""A contractor's time as the rules see it: the book every write opens, and its judgement.

Opening the book locks the contractor's profile row, so two saves from the
same person (two tabs, the site and the API) can't together slip past the
24-hour day or the weekly cap; it then reads the weeks a write touches with
everything the rules need, so judging a whole grid costs no further queries.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, Sum
from django.utils.translation import gettext as _

from accounts.models import ContractorProfile, User
from portal.dates import day_label, format_minutes, local_today
from projects.models import (
    MINUTES_PER_DAY,
    Assignment,
    AssignmentRate,
    EntryKind,
    EntryStatus,
    ProjectStatusChange,
    TimeEntry,
)
from projects.pay_periods import closed_pay_period_dates
from projects.time_rules import (
    assignment_day_problem,
    contractor_day_problem,
    pay_period_problem,
    rate_on,
)
from projects.timesheet import EntryChange, cell_key, week_days, week_start

Cell = tuple[int, date, str]


@dataclass
class TimeBook:
    """What the rules need to judge a contractor's changes, loaded once (``open_book``)."""

    profile: ContractorProfile
    today: date
    assignments: dict[int, Assignment]
    entries: dict[int, TimeEntry]
    closed_dates: set[date]
    # Minutes on each paid assessment or training outside the weeks loaded: its time
    # limit counts every week, not only the ones a write touches.
    logged_elsewhere: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index_cells()

    def index_cells(self) -> None:
        """(Re)build the entry of each cell, after entries were loaded, written or removed."""
        self.by_cell = {self.cell_of(entry): entry for entry in self.entries.values()}

    @staticmethod
    def cell_of(entry: TimeEntry) -> Cell:
        return (entry.assignment_id, entry.work_on, entry.kind)


def _lock_profile(user: User) -> ContractorProfile:
    profile = ContractorProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        raise ValidationError(_("Only contractors log time."))
    return profile


def _assignments_for_rules(profile: ContractorProfile) -> dict[int, Assignment]:
    assignments = Assignment.objects.filter(contractor=profile).select_related("project")
    assignments = assignments.prefetch_related(
        Prefetch("rates", queryset=AssignmentRate.objects.order_by("effective_on", "pk")),
        Prefetch(
            "project__status_changes",
            queryset=ProjectStatusChange.objects.order_by("effective_at", "pk"),
        ),
    )
    return {assignment.pk: assignment for assignment in assignments}


def open_book(*, by: User, days: Iterable[date], entry_ids: Iterable[int] = ()) -> TimeBook:
    """Lock ``by``'s profile, then read their entries in every week touched by ``days`` or by
    ``entry_ids``, with everything the rules need to judge changes to them."""
    profile = _lock_profile(by)
    days = set(days)
    if entry_ids := list(entry_ids):
        moving = TimeEntry.objects.filter(pk__in=entry_ids, assignment__contractor=profile)
        days |= set(moving.values_list("work_on", flat=True))
    weeks = {week_start(day) for day in days}
    in_weeks = Q()
    for start in weeks:
        in_weeks |= Q(work_on__range=(start, start + timedelta(days=6)))
    entries = TimeEntry.objects.filter(in_weeks, assignment__contractor=profile) if weeks else []
    loaded_days = {day for start in weeks for day in week_days(start)}
    assignments = _assignments_for_rules(profile)
    return TimeBook(
        profile=profile,
        today=local_today(profile.time_zone),
        assignments=assignments,
        entries={entry.pk: entry for entry in entries},
        closed_dates=closed_pay_period_dates(loaded_days, lock=True),
        logged_elsewhere=_logged_elsewhere(assignments, in_weeks if weeks else None),
    )


def _logged_elsewhere(assignments: dict[int, Assignment], in_weeks: Q | None) -> dict[int, int]:
    """Minutes on each time-limited assignment outside the weeks loaded (one query, and
    none for someone without a paid assessment or training)."""
    limited = [pk for pk, a in assignments.items() if a.project.time_limit_minutes is not None]
    if not limited:
        return {}
    outside = TimeEntry.objects.filter(assignment_id__in=limited)
    if in_weeks is not None:
        outside = outside.exclude(in_weeks)
    totals = outside.values("assignment_id").annotate(total=Sum("minutes"))
    return {row["assignment_id"]: row["total"] for row in totals}


# --- Judging changes ---------------------------------------------------------------


def _current_entry(book: TimeBook, change: EntryChange) -> TimeEntry | None:
    if change.entry_id is not None:
        entry = book.entries.get(change.entry_id)
        if entry is None:
            raise ValidationError(_("No such time entry."))
        return entry
    return book.by_cell.get((change.assignment_id, change.work_on, change.kind))


def _is_noop(change: EntryChange, entry: TimeEntry | None) -> bool:
    if entry is None:
        return change.minutes == 0 and not change.note
    return (
        (entry.assignment_id, entry.work_on, entry.kind)
        == (change.assignment_id, change.work_on, change.kind)
        and entry.minutes == change.minutes
        and entry.note == change.note
    )


def _day_problems(
    book: TimeBook, assignment: Assignment, day: date, *, late: bool = False
) -> list[tuple[str, str]]:
    """What keeps ``day`` from taking time; ``late`` lets an existing entry of a closed pay
    period be corrected or submitted as late hours."""
    paid_activity = assignment.project.is_paid_activity
    problem = contractor_day_problem(
        book.profile, day, paid_activity=paid_activity
    ) or assignment_day_problem(assignment, day, today=book.today, time_zone=book.profile.time_zone)
    if problem:
        return [("work_on", problem)]
    if not late and (locked := pay_period_problem(day, book.closed_dates)):
        return [("work_on", locked)]
    if rate_on(assignment.rates.all(), day) is None:
        return [("work_on", _("No rate is set for this day yet; ask your manager."))]
    return []


def _not_editable(entry: TimeEntry) -> str:
    if entry.status == EntryStatus.APPROVED:
        return _("This entry is approved; it can't be changed.")
    return _("This entry is submitted; it can't be changed.")


def _change_problems(
    book: TimeBook, change: EntryChange, entry: TimeEntry | None
) -> list[tuple[str, str]]:
    if entry is not None and not entry.is_editable:
        return [("minutes", _not_editable(entry))]
    # In a closed pay period only a rejected entry may still change, and only in place:
    # corrected, it is submitted as late hours. New time and drafts there stay locked.
    correcting_late = (
        entry is not None
        and entry.status == EntryStatus.REJECTED
        and (change.assignment_id, change.work_on, change.kind)
        == (entry.assignment_id, entry.work_on, entry.kind)
    )
    if (
        entry is not None
        and not correcting_late
        and (locked := pay_period_problem(entry.work_on, book.closed_dates))
    ):
        return [("work_on", locked)]
    if change.minutes == 0:
        if change.note and entry is None:
            return [("minutes", _("Add the hours this note is about, or clear the note."))]
        return []
    if change.kind not in EntryKind.values:
        return [("kind", _("Choose a kind: task, training, assessment, meeting or review."))]
    if not 0 < change.minutes <= MINUTES_PER_DAY:
        return [("minutes", _("A day has 24 hours at most."))]
    if len(change.note) > 500:
        return [("note", _("Keep the note under 500 characters."))]
    assignment = book.assignments.get(change.assignment_id)
    if assignment is None:
        return [("assignment", _("No such assignment."))]
    if assignment.project.is_paid_activity and change.kind != assignment.project.entry_kind:
        return [("kind", _paid_activity_kind_message(assignment))]
    return _day_problems(book, assignment, change.work_on, late=correcting_late)


def _paid_activity_kind_message(assignment: Assignment) -> str:
    if assignment.project.entry_kind == EntryKind.TRAINING:
        return _("Time on «%(project)s» is logged as training.") % {
            "project": assignment.project.name
        }
    return _("Time on «%(project)s» is logged as assessment.") % {
        "project": assignment.project.name
    }


def _limit_problem(book: TimeBook, assignment: Assignment, total: int) -> str | None:
    """An assessment's or a training's time limit, counted over every week."""
    limit = assignment.project.time_limit_minutes
    if limit is None:
        return None
    total += book.logged_elsewhere.get(assignment.pk, 0)
    if total <= limit:
        return None
    return _("Your time on «%(project)s» would come to %(total)s, over its limit of %(limit)s.") % {
        "project": assignment.project.name,
        "total": format_minutes(total),
        "limit": format_minutes(limit),
    }


def _totals_problems(
    book: TimeBook, final: dict[Cell, int], judged: Iterable[Cell]
) -> dict[Cell, list[tuple[str, str]]]:
    """The 24-hour day across all projects, each work assignment's weekly cap, and each
    assessment's or training's time limit."""
    per_day: Counter[date] = Counter()
    per_week: Counter[tuple[int, date]] = Counter()
    per_assignment: Counter[int] = Counter()
    for (assignment_id, day, _kind), minutes in final.items():
        per_day[day] += minutes
        per_week[(assignment_id, week_start(day))] += minutes
        per_assignment[assignment_id] += minutes
    problems: dict[Cell, list[tuple[str, str]]] = defaultdict(list)
    for cell in judged:
        assignment_id, day, _kind = cell
        if per_day[day] > MINUTES_PER_DAY:
            problems[cell].append(
                (
                    "minutes",
                    _("%(day)s would add up to %(total)s across your projects; a day has 24 hours.")
                    % {"day": day_label(day), "total": format_minutes(per_day[day])},
                )
            )
        assignment = book.assignments[assignment_id]
        if assignment.project.is_paid_activity:
            # Its own limit applies instead of a weekly cap.
            if over := _limit_problem(book, assignment, per_assignment[assignment_id]):
                problems[cell].append(("minutes", over))
            continue
        week_total = per_week[(assignment_id, week_start(day))]
        if week_total > assignment.cap_minutes:
            problems[cell].append(
                (
                    "minutes",
                    _(
                        "This week on «%(project)s» would come to %(total)s, "
                        "over the weekly cap of %(cap)s."
                    )
                    % {
                        "project": assignment.project.name,
                        "total": format_minutes(week_total),
                        "cap": format_minutes(assignment.cap_minutes),
                    },
                )
            )
    return problems


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _add(errors: dict[str, list[str]], key: str, problems: list[tuple[str, str]]) -> None:
    for field_name, message in problems:
        errors.setdefault(key or field_name, []).append(message)


def judge(book: TimeBook, changes: list[EntryChange]) -> list[tuple[EntryChange, TimeEntry | None]]:
    """The changes that change something, each with its current entry; raises on any problem."""
    errors: dict[str, list[str]] = {}
    final: dict[Cell, int] = {book.cell_of(e): e.minutes for e in book.entries.values()}
    effective: list[tuple[EntryChange, TimeEntry | None]] = []
    seen: set[Cell] = set()
    for change in changes:
        entry = _current_entry(book, change)
        if _is_noop(change, entry):
            continue
        cell = (change.assignment_id, change.work_on, change.kind)
        occupant = book.by_cell.get(cell)
        if cell in seen or (occupant is not None and entry is not None and occupant != entry):
            _add(
                errors,
                change.key,
                [("kind", _("There is already an entry of this kind that day."))],
            )
            continue
        seen.add(cell)
        _add(errors, change.key, _change_problems(book, change, entry))
        if entry is not None:
            final.pop(book.cell_of(entry), None)
        if change.minutes:
            final[cell] = change.minutes
        effective.append((change, entry))
    judged = {
        (c.assignment_id, c.work_on, c.kind): c.key
        for c, _entry in effective
        if c.minutes and c.assignment_id in book.assignments
    }
    for cell, problems in _totals_problems(book, final, judged).items():
        _add(errors, judged[cell], problems)
    _raise_if(errors)
    return effective


def check_submission(book: TimeBook, pending: list[TimeEntry]) -> None:
    """Every rule again, for each entry about to be submitted; raises with errors by cell."""
    errors: dict[str, list[str]] = {}
    for entry in pending:
        key = cell_key(entry.assignment_id, entry.kind, entry.work_on)
        assignment = book.assignments[entry.assignment_id]
        # Drafts and rejected entries of a closed pay period go in as late hours.
        _add(errors, key, _day_problems(book, assignment, entry.work_on, late=True))
    final = {book.cell_of(e): e.minutes for e in book.entries.values()}
    judged = {book.cell_of(e): cell_key(e.assignment_id, e.kind, e.work_on) for e in pending}
    for cell, problems in _totals_problems(book, final, judged).items():
        _add(errors, judged[cell], problems)
    _raise_if(errors)
