from datetime import date

import pytest
from django.core.exceptions import ValidationError

from portal.dates import day_bounds, format_minutes
from projects.timesheet import (
    EntryChange,
    parse_duration,
    parse_grid,
    parse_hours,
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


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        # English
        ("1 hour 30 minutes", 90),
        ("1 hour", 60),
        ("2 hours", 120),
        ("1hr 30min", 90),
        ("2 hrs 15 mins", 135),
        ("1 h 30 m", 90),
        ("45 minutes", 45),
        ("1 minute", 1),
        ("1.5 hours", 90),
        ("1:30h", 90),
        ("1H30M", 90),
        ("1 Hour 30 Minutes", 90),
        # Bahasa Indonesia
        ("1 jam 30 menit", 90),
        ("90 menit", 90),
        ("1,5 jam", 90),
        ("2 jam", 120),
        ("1jam30", 90),
        ("1 Jam 15 Menit", 75),
        # Tiếng Việt
        ("1 giờ 30 phút", 90),
        ("90 phút", 90),
        ("1,5 giờ", 90),
        ("2 giờ", 120),
        ("1 GIỜ 30 PHÚT", 90),
        ("1 gio 30 phut", 90),
        ("1 gio\u031b\u0300 30 phu\u0301t", 90),  # typed with combining accents
        # 中文
        ("1小時30分", 90),
        ("1小时30分钟", 90),
        ("90分鐘", 90),
        ("90分钟", 90),
        ("45分", 45),
        ("1.5小時", 90),
        ("2時", 120),
        ("1時30分", 90),
        ("1個小時30分鐘", 90),
        ("1 小時 30 分", 90),
        ("１：３０", 90),  # full-width, as an input method types it
        ("1\u3000小時", 60),  # with an ideographic space
    ],
)
def test_parse_duration_reads_unit_words_in_every_language(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("90", 90), ("25", 25), ("45", 45), ("1440", 1440), ("24", 24 * 60), ("1", 60)],
)
def test_a_bare_number_above_24_in_a_day_is_minutes(text, minutes):
    assert parse_duration(text) == minutes


def test_a_bare_number_is_always_hours_for_a_weekly_total():
    assert parse_hours("90") == 90 * 60
    assert parse_hours("37.5") == 37 * 60 + 30
    assert parse_hours("1 jam 30 menit") == 90
    assert parse_hours("40小時") == 40 * 60


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
        ("1,33 jam", "not a whole number of minutes"),
        ("0,01 giờ", "not a whole number of minutes"),
        ("1.5m", "not a whole number of minutes"),
        ("1.5 phút", "not a whole number of minutes"),
        ("1.5分鐘", "not a whole number of minutes"),
        ("24.5", "A day has 24 hours at most."),
        ("25h", "A day has 24 hours at most."),
        ("1441", "A day has 24 hours at most."),
        ("1441m", "A day has 24 hours at most."),
        ("1441 menit", "A day has 24 hours at most."),
        ("25 giờ", "A day has 24 hours at most."),
        ("25小時", "A day has 24 hours at most."),
        ("1h 75m", "is not a duration"),
        ("30m 1h", "is not a duration"),
        ("1h 2h", "is not a duration"),
        ("1m30", "is not a duration"),
        ("1 menit 30 jam", "is not a duration"),
        ("1 day", "is not a duration"),
        ("1 hari", "is not a duration"),
        ("1 ngày", "is not a duration"),
        ("1天", "is not a duration"),
        ("jam", "is not a duration"),
        ("h30", "is not a duration"),
        ("1..5", "is not a duration"),
        ("1.5.5", "is not a duration"),
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
