"""A contractor's writes to their time: drafts from the grid or the API, and submitting a week.

Each write opens the contractor's book first (``time_book.open_book``: their
profile row locked, the weeks touched read once). Every change is checked in
full before anything is written: a grid with one bad cell saves nothing.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from projects.models import Assignment, EntryStatus, TimeEntry, TimeEntryStatusChange
from projects.services.time_book import TimeBook, check_submission, judge, open_book
from projects.time_rules import rate_on
from projects.timesheet import EntryChange, week_days, week_start

# --- Writing changes -------------------------------------------------------------


def _snapshot_rate(book: TimeBook, entry: TimeEntry) -> None:
    rate = rate_on(book.assignments[entry.assignment_id].rates.all(), entry.work_on)
    assert rate is not None  # judge() refuses a day without a rate before anything is written.
    entry.rate_minor, entry.currency = rate.rate_minor, rate.currency


def _write(
    book: TimeBook, effective: list[tuple[EntryChange, TimeEntry | None]]
) -> list[TimeEntry]:
    """Write the judged changes; the book then holds the entries as written."""
    doomed = [entry.pk for change, entry in effective if entry is not None and not change.minutes]
    if doomed:
        TimeEntry.objects.filter(pk__in=doomed).delete()
        for pk in doomed:
            del book.entries[pk]
    saved: list[TimeEntry] = []
    for change, entry in effective:
        if not change.minutes:
            continue
        entry = entry or TimeEntry(assignment_id=change.assignment_id, status=EntryStatus.DRAFT)
        entry.work_on, entry.kind = change.work_on, change.kind
        entry.minutes, entry.note = change.minutes, change.note
        _snapshot_rate(book, entry)
        entry.save()
        book.entries[entry.pk] = entry
        saved.append(entry)
    book.index_cells()
    return saved


@transaction.atomic
def time_entries_save(*, by: User, changes: list[EntryChange]) -> list[TimeEntry]:
    """Apply a contractor's changes (a timesheet grid, or one API call) all or nothing.

    Returns the entries created or changed; removed entries are gone.
    """
    book = open_book(
        by=by,
        days=[change.work_on for change in changes],
        entry_ids=[change.entry_id for change in changes if change.entry_id],
    )
    return _write(book, judge(book, changes))


@transaction.atomic
def time_entry_create(
    *, by: User, assignment: Assignment, work_on: date, kind: str, minutes: int, note: str = ""
) -> TimeEntry:
    """Log one new entry; a cell that already has one is refused (change that one instead)."""
    if minutes < 1:
        raise ValidationError({"minutes": [_("Log at least one minute.")]})
    book = open_book(by=by, days=[work_on])
    if (assignment.pk, work_on, kind) in book.by_cell:
        raise ValidationError(
            {"kind": [_("There is already an entry of this kind that day; change that one.")]}
        )
    change = EntryChange(assignment.pk, work_on, kind, minutes, (note or "").strip())
    return _write(book, judge(book, [change]))[0]


@transaction.atomic
def time_entry_update(
    *, by: User, entry: TimeEntry, work_on: date, kind: str, minutes: int, note: str
) -> TimeEntry:
    if minutes < 1:
        raise ValidationError({"minutes": [_("Log at least one minute, or delete the entry.")]})
    change = EntryChange(
        entry.assignment_id, work_on, kind, minutes, (note or "").strip(), entry.pk
    )
    book = open_book(by=by, days=[work_on], entry_ids=[entry.pk])
    saved = _write(book, judge(book, [change]))
    return saved[0] if saved else book.entries[entry.pk]


@transaction.atomic
def time_entry_delete(*, by: User, entry: TimeEntry) -> None:
    change = EntryChange(entry.assignment_id, entry.work_on, entry.kind, 0, "", entry.pk)
    book = open_book(by=by, days=[entry.work_on], entry_ids=[entry.pk])
    _write(book, judge(book, [change]))


# --- Submitting a week -------------------------------------------------------------


@transaction.atomic
def time_week_submit(
    *, by: User, week: date, changes: list[EntryChange] | None = None
) -> list[TimeEntry]:
    """Send the week's drafts and corrected rejections to the manager, all or none.

    In a pay period already closed they go as late hours: reviewed like any
    others, and once approved paid with the next payouts generated.

    ``changes`` (the grid as it was when "Submit" was pressed) are saved first,
    in the same transaction. Every rule is checked again: a project paused or a
    cap lowered since a draft was saved shows up here, next to the cell, before
    anything is sent.
    """
    changes = changes or []
    days = week_days(week_start(week))
    # One lock and one load serve both the save and the submission: the book
    # holds every entry as written once the changes are saved.
    book = open_book(
        by=by,
        days=[*days, *(change.work_on for change in changes)],
        entry_ids=[change.entry_id for change in changes if change.entry_id],
    )
    just_saved = {entry.pk for entry in _write(book, judge(book, changes))} if changes else set()
    pending = [
        e
        for e in book.entries.values()
        if e.can_transition_to(EntryStatus.SUBMITTED) and e.work_on in days
    ]
    if not pending:
        raise ValidationError(_("There is nothing to submit for this week."))
    check_submission(book, pending)
    now = timezone.now()
    history = [history_row(entry, to=EntryStatus.SUBMITTED, by=by, at=now) for entry in pending]
    for entry in pending:
        entry.status, entry.submitted_at, entry.rejection_reason = EntryStatus.SUBMITTED, now, ""
        entry.written_in = ""
        entry.late = entry.work_on in book.closed_dates
        entry.updated_at = now
        if entry.pk not in just_saved:  # the save took their rate a moment ago
            _snapshot_rate(book, entry)
    TimeEntry.objects.bulk_update(
        pending,
        [
            "status",
            "submitted_at",
            "rejection_reason",
            "written_in",
            "late",
            "rate_minor",
            "currency",
            "updated_at",
        ],
    )
    TimeEntryStatusChange.objects.bulk_create(history)
    return pending


def history_row(
    entry: TimeEntry, *, to: str, by: User, at: datetime, reason: str = ""
) -> TimeEntryStatusChange:
    return TimeEntryStatusChange(
        entry=entry, from_status=entry.status, to_status=to, reason=reason, by=by, at=at
    )
