"""The weekly timesheet's vocabulary: durations as people type them, weeks, and grid cells.

Weeks run Monday to Sunday in the contractor's own time zone; a work date is a
plain date on that calendar.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from projects.models import MINUTES_PER_DAY, EntryKind

DURATION_HELP = "Write hours as 1:30, 1.5 or 90m."

_CLOCK = re.compile(r"^(\d{1,3}):([0-5]\d)$")
_MINUTES = re.compile(r"^(\d{1,4})m(?:in)?$")
_HOURS_AND_MINUTES = re.compile(r"^(\d{1,3})h([0-5]?\d)m?$")
_HOURS = re.compile(r"^(\d{1,3}(?:[.,]\d{1,4})?|[.,]\d{1,4})h?$")


def parse_hours(text: str) -> int | None:
    """Minutes in ``text`` (``1:30``, ``1.5``, ``1,5``, ``90m``, ``1h30``); ``None`` if blank.

    A bare number is hours. Decimal hours must come to whole minutes, so
    ``1.33`` is refused rather than silently rounded.
    """
    value = "".join((text or "").split()).lower()
    if not value:
        return None
    if match := _CLOCK.match(value):
        return int(match[1]) * 60 + int(match[2])
    if match := _MINUTES.match(value):
        return int(match[1])
    if match := _HOURS_AND_MINUTES.match(value):
        return int(match[1]) * 60 + int(match[2])
    if match := _HOURS.match(value):
        return _decimal_hours_to_minutes(match[1].replace(",", "."), text)
    raise ValidationError(f"“{text.strip()}” is not a duration. {DURATION_HELP}")


def parse_duration(text: str) -> int | None:
    """A day's cell: ``parse_hours``, at most 24 hours."""
    minutes = parse_hours(text)
    if minutes is not None and minutes > MINUTES_PER_DAY:
        raise ValidationError("A day has 24 hours at most.")
    return minutes


def _decimal_hours_to_minutes(number: str, text: str) -> int:
    try:
        minutes = Decimal(number) * 60
    except InvalidOperation:
        raise ValidationError(f"“{text.strip()}” is not a duration. {DURATION_HELP}") from None
    if minutes != minutes.to_integral_value():
        raise ValidationError(
            f"{text.strip()} hours is not a whole number of minutes; write it as 1:20 or 80m."
        )
    return int(minutes)


def format_minutes(minutes: int | None) -> str:
    """``90`` → ``1:30``; the form every page and email shows durations in."""
    if not minutes:
        return "0:00"
    hours, rest = divmod(minutes, 60)
    return f"{hours}:{rest:02d}"


# --- Weeks and days ----------------------------------------------------------------


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_days(start: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range(7)]


def local_today(time_zone: str) -> date:
    return timezone.now().astimezone(ZoneInfo(time_zone)).date()


def local_date(moment: datetime, time_zone: str) -> date:
    return moment.astimezone(ZoneInfo(time_zone)).date()


def day_bounds(day: date, time_zone: str) -> tuple[datetime, datetime]:
    """The instants (in UTC) a calendar day starts and ends in ``time_zone``.

    In UTC because Python compares and subtracts datetimes sharing one zone by
    their wall clocks, which is wrong across a daylight-saving change.
    """
    zone = ZoneInfo(time_zone)
    start = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


def parse_week(value: str | None, *, today: date) -> date:
    """The Monday of the week named by ``value`` (any date in it); this week if absent or bad."""
    try:
        return week_start(date.fromisoformat(value)) if value else week_start(today)
    except ValueError:
        return week_start(today)


# --- Grid cells ------------------------------------------------------------------


@dataclass(frozen=True)
class EntryChange:
    """One change a contractor asks for: the cell's new minutes (0 removes the entry).

    ``entry_id`` names the entry being changed when it may move to another cell
    (the API's update); without it the change is to whatever entry the cell holds.
    ``key`` is where errors about this change are reported (a grid cell's name);
    empty, errors are keyed by field instead.
    """

    assignment_id: int
    work_on: date
    kind: str
    minutes: int
    note: str = ""
    entry_id: int | None = None
    key: str = ""


def cell_key(assignment_id: int, kind: str, day: date) -> str:
    return f"{assignment_id}-{kind}-{day.isoformat()}"


_CELL_FIELD = re.compile(r"^m-(\d+)-([a-z]+)-(\d{4}-\d{2}-\d{2})$")


@dataclass
class GridPost:
    """A submitted grid: the changes it asks for, and the cells that could not be read."""

    changes: list[EntryChange]
    errors: dict[str, list[str]]
    rows: set[tuple[int, str]]


def parse_grid(data: Mapping[str, str], *, days: list[date]) -> GridPost:
    """Read the grid's ``m-<assignment>-<kind>-<date>`` and ``n-…`` inputs.

    Cells for days outside the week or with an unknown kind are ignored: the
    page never renders them, so they can only come from a tampered form.
    """
    post = GridPost(changes=[], errors={}, rows=set())
    for name in data:
        match = _CELL_FIELD.match(name)
        if not match or match[2] not in EntryKind.values:
            continue
        try:
            day = date.fromisoformat(match[3])
        except ValueError:
            continue
        if day not in days:
            continue
        assignment_id, kind = int(match[1]), match[2]
        key = cell_key(assignment_id, kind, day)
        post.rows.add((assignment_id, kind))
        try:
            minutes = parse_duration(data[name]) or 0
        except ValidationError as exc:
            post.errors[key] = exc.messages
            continue
        note = (data.get(f"n-{key}") or "").strip()
        post.changes.append(EntryChange(assignment_id, day, kind, minutes, note, key=key))
    return post


def day_label(day: date) -> str:
    """``Wed 4 Nov`` — how messages name a day."""
    return f"{day:%a} {day.day} {day:%b}"
