"""The weekly timesheet's vocabulary: durations as people type them, weeks, and grid cells.

Weeks run Monday to Sunday in the contractor's own time zone; a work date is a
plain date on that calendar.
"""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.models import MINUTES_PER_DAY, EntryKind

# How a day's cell is read (``parse_duration``); shown next to the timesheet.
DURATION_HELP = _("Write hours as 1:30, 1.5 or 90m; a number above 24 is minutes.")
# How a total of hours is read (``parse_hours``), e.g. a weekly cap.
HOURS_HELP = _("Write hours as 1:30, 1.5 or 90m. A plain number is hours.")

# The unit words people write in the site's languages, each with its length in
# minutes. Matched without case or spaces, longest word first.
UNIT_MINUTES: dict[str, int] = {
    # English
    "h": 60,
    "hr": 60,
    "hrs": 60,
    "hour": 60,
    "hours": 60,
    "m": 1,
    "min": 1,
    "mins": 1,
    "minute": 1,
    "minutes": 1,
    # Bahasa Indonesia
    "jam": 60,
    "menit": 1,
    # Tiếng Việt, also as typed without a Vietnamese keyboard
    "giờ": 60,
    "gio": 60,
    "phút": 1,
    "phut": 1,
    # 中文 (traditional and simplified)
    "小時": 60,
    "小时": 60,
    "個小時": 60,
    "个小时": 60,
    "鐘頭": 60,
    "钟头": 60,
    "時": 60,
    "时": 60,
    "分": 1,
    "分鐘": 1,
    "分钟": 1,
}
_HOUR = 60
_NUMBER = r"(\d{1,5}(?:[.,]\d{1,4})?|[.,]\d{1,4})"
_UNIT = "|".join(re.escape(word) for word in sorted(UNIT_MINUTES, key=len, reverse=True))
_HOUR_WORDS = "|".join(
    re.escape(word)
    for word in sorted(UNIT_MINUTES, key=len, reverse=True)
    if UNIT_MINUTES[word] == _HOUR
)
_CLOCK = re.compile(rf"(\d{{1,3}}):([0-5]\d)(?:{_HOUR_WORDS})?")
_BARE = re.compile(_NUMBER)
_WHOLE = re.compile(r"\d{1,5}")
_TERM = re.compile(rf"{_NUMBER}({_UNIT})")
_TRAILING_MINUTES = re.compile(r"[0-5]?\d")


def _normalize(text: str | None) -> str:
    """Without spaces or case, full-width digits and marks as ASCII (``１：３０`` → ``1:30``)."""
    return "".join(unicodedata.normalize("NFKC", text or "").split()).casefold()


def parse_hours(text: str | None) -> int | None:
    """Minutes in ``text``; ``None`` if blank.

    Reads ``1:30``, ``1.5``, ``1,5``, ``90m``, ``1h30`` and the unit words of
    ``UNIT_MINUTES`` in any language: ``1 jam 30 menit``, ``1,5 giờ``, ``90分鐘``,
    ``1 hour 30 minutes``. A bare number is hours. Decimal hours must come to
    whole minutes, so ``1.33`` is refused rather than silently rounded.
    """
    value = _normalize(text)
    if not value:
        return None
    if match := _CLOCK.fullmatch(value):
        return int(match[1]) * 60 + int(match[2])
    if _BARE.fullmatch(value):
        return _to_minutes(value, _HOUR, text)
    return _units_to_minutes(value, text)


def parse_duration(text: str | None) -> int | None:
    """A day's cell: ``parse_hours``, at most 24 hours.

    A day never has more than 24 hours, so a bare whole number above 24 is
    minutes (``90`` is an hour and a half); up to 24 it is hours.
    """
    minutes = _day_minutes(text)
    if minutes is not None and minutes > MINUTES_PER_DAY:
        raise ValidationError(gettext("A day has 24 hours at most."), code="too_long")
    return minutes


def _day_minutes(text: str | None) -> int | None:
    value = _normalize(text)
    if not value:
        return None
    if _WHOLE.fullmatch(value) and int(value) > 24:
        return int(value)
    return parse_hours(text)


def shown_minutes(text: str | None) -> int:
    """What a cell adds to the totals shown beside it: 0 when blank or unreadable.

    A cell over 24 hours still counts, so the day's total shows the overrun the
    save will refuse. ``timesheet.js`` reads cells the same way as people type.
    """
    try:
        return _day_minutes(text) or 0
    except ValidationError:
        return 0


def _units_to_minutes(value: str, text: str) -> int:
    """``1h30m``, ``90menit``, ``1giờ30`` (already normalized): hours, then minutes."""
    terms: list[tuple[str, int]] = []
    position = 0
    while match := _TERM.match(value, position):
        terms.append((match[1], UNIT_MINUTES[match[2]]))
        position = match.end()
    rest = value[position:]
    units = [unit for _number, unit in terms]
    if rest and units == [_HOUR] and _TRAILING_MINUTES.fullmatch(rest):
        terms.append((rest, 1))  # "1h30": what follows the hours is minutes
        units.append(1)
    elif rest or units not in ([_HOUR], [1], [_HOUR, 1]):
        raise _not_a_duration(text)
    minutes = sum(_to_minutes(number, unit, text) for number, unit in terms)
    if len(terms) == 2 and _to_minutes(terms[1][0], 1, text) >= 60:
        raise _not_a_duration(text)  # "1h 75m"
    return minutes


def _to_minutes(number: str, unit: int, text: str) -> int:
    try:
        minutes = Decimal(number.replace(",", ".")) * unit
    except InvalidOperation:
        raise _not_a_duration(text) from None
    if minutes != minutes.to_integral_value():
        raise ValidationError(
            gettext("“%(text)s” is not a whole number of minutes; write it as 1:20 or 80m."),
            code="inexact",
            params={"text": text.strip()},
        )
    return int(minutes)


def _not_a_duration(text: str) -> ValidationError:
    return ValidationError(
        gettext("“%(text)s” is not a duration. Write hours as 1:30, 1.5 or 90m."),
        code="invalid",
        params={"text": text.strip()},
    )


# --- Weeks and days ----------------------------------------------------------------


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_days(start: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range(7)]


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
    """A submitted grid: the changes it asks for, and the cells that could not be read.

    ``typed`` keeps each cell's text and note as typed, by cell key, so a grid
    shown again with its errors shows what was typed, readable or not.
    """

    changes: list[EntryChange]
    errors: dict[str, list[str]]
    rows: set[tuple[int, str]]
    typed: dict[str, tuple[str, str]] = field(default_factory=dict)


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
        text, note = data[name], data.get(f"n-{key}") or ""
        post.typed[key] = (text, note)
        try:
            minutes = parse_duration(text) or 0
        except ValidationError as exc:
            post.errors[key] = exc.messages
            continue
        post.changes.append(EntryChange(assignment_id, day, kind, minutes, note.strip(), key=key))
    return post


@dataclass(frozen=True)
class GridTotals:
    """A week's grid added up: per row, per day, per assignment, and the whole week."""

    rows: list[int]
    days: list[int]
    by_assignment: dict[int, int]

    @property
    def week(self) -> int:
        return sum(self.days)


def grid_totals(rows: list[tuple[int, list[int]]]) -> GridTotals:
    """Totals of ``rows``, each an assignment id and its minutes per day of the week."""
    days = [sum(column) for column in zip(*(minutes for _id, minutes in rows), strict=True)]
    by_assignment: dict[int, int] = {}
    for assignment_id, minutes in rows:
        by_assignment[assignment_id] = by_assignment.get(assignment_id, 0) + sum(minutes)
    return GridTotals(
        rows=[sum(minutes) for _id, minutes in rows],
        days=days or [0] * 7,
        by_assignment=by_assignment,
    )
