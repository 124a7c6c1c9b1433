from datetime import date

import pytest
from django.core.exceptions import ValidationError

from projects.timesheet import (
    EntryChange,
    day_bounds,
    format_minutes,
    parse_duration,
    parse_grid,
    parse_week,
    week_days,
    week_start,
)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1:30", 90),
        ("0:05", 5),
        ("1.5", 90),
        ("1,5", 90),
        (".25", 15),
        ("90m", 90),
        ("90 min", 90),
        ("2", 120),
        ("2h", 120),
        ("1h30", 90),
        ("1h 30m", 90),
        (" 8:00 ", 480),
        ("24", 1440),
        ("0", 0),
    ],
)
def test_parse_duration_reads_what_people_type(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["", "   ", None])
def test_blank_cell_is_none(text):
    assert parse_duration(text) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "is not a duration"),
        ("1:75", "is not a duration"),
        ("-1", "is not a duration"),
        ("1.33", "not a whole number of minutes"),
        ("25", "A day has 24 hours at most."),
        ("1441m", "A day has 24 hours at most."),
    ],
)
def test_parse_duration_refuses_what_it_cannot_read_exactly(text, message):
    with pytest.raises(ValidationError, match=message):
        parse_duration(text)


def test_format_minutes_is_hours_and_minutes():
    assert format_minutes(90) == "1:30"
    assert format_minutes(5) == "0:05"
    assert format_minutes(0) == "0:00"
    assert format_minutes(1440) == "24:00"


def test_weeks_run_monday_to_sunday():
    assert week_start(date(2026, 11, 12)) == date(2026, 11, 9)
    assert week_start(date(2026, 11, 9)) == date(2026, 11, 9)
    assert week_days(date(2026, 11, 9))[-1] == date(2026, 11, 15)


def test_parse_week_falls_back_to_this_week():
    today = date(2026, 11, 12)
    assert parse_week("2026-11-04", today=today) == date(2026, 11, 2)
    assert parse_week(None, today=today) == date(2026, 11, 9)
    assert parse_week("not-a-date", today=today) == date(2026, 11, 9)


def test_day_bounds_follow_daylight_saving():
    # Europe/Berlin leaves summer time on 25 October 2026: that day has 25 hours.
    start, end = day_bounds(date(2026, 10, 25), "Europe/Berlin")
    assert (end - start).total_seconds() == 25 * 3600


def test_parse_grid_reads_cells_and_notes_and_reports_unreadable_ones():
    days = week_days(date(2026, 11, 2))
    post = parse_grid(
        {
            "m-7-task-2026-11-02": "1:30",
            "n-7-task-2026-11-02": " rubric v2 ",
            "m-7-task-2026-11-03": "",
            "m-7-training-2026-11-04": "lots",
            "m-7-task-2026-11-20": "1",  # not in the week
            "m-7-bogus-2026-11-02": "1",  # not a kind
            "csrfmiddlewaretoken": "x",
        },
        days=days,
    )
    assert post.changes == [
        EntryChange(7, date(2026, 11, 2), "task", 90, "rubric v2", key="7-task-2026-11-02"),
        EntryChange(7, date(2026, 11, 3), "task", 0, "", key="7-task-2026-11-03"),
    ]
    assert list(post.errors) == ["7-training-2026-11-04"]
    assert post.rows == {(7, "task"), (7, "training")}
