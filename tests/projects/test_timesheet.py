import json
import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from portal.dates import day_bounds, format_minutes
from projects import services
from projects.models import TimeEntry
from projects.timesheet import (
    UNIT_MINUTES,
    EntryChange,
    grid_totals,
    parse_duration,
    parse_grid,
    parse_hours,
    parse_week,
    shown_minutes,
    week_days,
    week_start,
)
from tests.projects.factories import LAST_MONDAY, log

TIMESHEET = reverse("projects:timesheet")


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


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("1:30", 90), ("0.5", 30), ("", 0), ("lots", 0), ("1.33", 0), ("25h", 1500), ("1441", 1441)],
)
def test_a_cell_adds_what_it_reads_to_the_totals_even_past_a_day(text, minutes):
    assert shown_minutes(text) == minutes


def test_grid_totals_add_up_rows_days_and_assignments():
    totals = grid_totals([(7, [90, 30, 0, 0, 0, 0, 0]), (7, [60, 0, 0, 0, 0, 0, 0]), (8, [0] * 7)])
    assert totals.rows == [120, 60, 0]
    assert totals.days == [150, 30, 0, 0, 0, 0, 0]
    assert totals.by_assignment == {7: 180, 8: 0}
    assert totals.week == 180
    assert grid_totals([]).days == [0] * 7


# --- The timesheet page ------------------------------------------------------------


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def _grid(assignment, day: date, value: str) -> dict:
    key = f"{assignment.pk}-task-{day.isoformat()}"
    return {f"m-{key}": value, f"n-{key}": ""}


def _input(body: str, assignment, day: date) -> str:
    name = f"m-{assignment.pk}-task-{day.isoformat()}"
    return re.search(rf'<input class="cell__hours" id="{name}"[^>]*>', body)[0]


def _save(client, *cells: dict):
    data = {"week": LAST_MONDAY.isoformat(), "action": "save"}
    for cell in cells:
        data |= cell
    return client.post(TIMESHEET, data)


def test_a_weekly_cap_passed_by_several_cells_is_said_once(alice_client, alice_on_project):
    days = week_days(LAST_MONDAY)[:5]
    response = _save(alice_client, *(_grid(alice_on_project, day, "4:30") for day in days))
    body = response.content.decode()
    cap = "This week on «Search relevance» would come to 22:30, over the weekly cap of 20:00."
    assert body.count(cap) == 1
    assert "Please correct the 1 problem below." in body
    assert f'<li id="x-1"><a href="#m-{alice_on_project.pk}-task-2026-11-02">{cap}</a></li>' in body
    for day in days:  # every cell involved is marked and points to the one message
        cell = _input(body, alice_on_project, day)
        assert 'aria-invalid="true"' in cell
        assert 'aria-describedby="x-1"' in cell
    assert not [c for row in response.context["sheet"].rows for c in row.cells if c.errors]
    assert not TimeEntry.objects.exists()


def test_a_day_over_24_hours_across_projects_is_said_once(
    alice_client, alice_on_project, alice_on_other
):
    monday = LAST_MONDAY
    response = _save(
        alice_client, _grid(alice_on_project, monday, "12"), _grid(alice_on_other, monday, "13")
    )
    body = response.content.decode()
    day = "Mon, Nov 2 would add up to 25:00 across your projects; a day has 24 hours."
    assert body.count(day) == 1
    for assignment in (alice_on_project, alice_on_other):
        assert 'aria-describedby="x-1"' in _input(body, assignment, monday)
    # The day's total shows the typed grid, marked as over the day.
    [column] = [c for c in response.context["columns"] if c.day == monday]
    assert (column.total, column.over) == (25 * 60, True)
    assert 'class="day-total is-over"' in body


def test_a_rule_only_one_cell_breaks_is_said_beside_that_cell(
    alice_client, alice_on_project, alice
):
    for day in week_days(LAST_MONDAY)[:4]:
        log(alice, alice_on_project, day, 270)
    response = _save(alice_client, _grid(alice_on_project, date(2026, 11, 6), "4:30"))
    body = response.content.decode()
    key = f"{alice_on_project.pk}-task-2026-11-06"
    assert 'aria-describedby="e-' + key + '"' in _input(body, alice_on_project, date(2026, 11, 6))
    # Beside the cell, and in the summary's line about that cell.
    assert body.count("would come to 22:30, over the weekly cap of 20:00.") == 2
    assert 'id="x-1"' not in body


def test_totals_follow_the_grid_as_typed_when_it_is_shown_again(alice_client, alice_on_project):
    response = _save(
        alice_client,
        _grid(alice_on_project, date(2026, 11, 2), "1:30"),
        _grid(alice_on_project, date(2026, 11, 3), "0.5"),
        _grid(alice_on_project, date(2026, 11, 4), "two hours"),
    )
    assert response.status_code == 200  # the unreadable cell refused the save
    [line] = response.context["lines"]
    assert line.total == 120
    assert [c.total for c in response.context["columns"]][:3] == [90, 30, 0]
    body = response.content.decode()
    assert '<td class="total" data-week-total>2:00</td>' in body
    assert [cap.minutes for cap in response.context["caps"]] == [120]


def test_the_script_gets_the_unit_words_and_its_sentences_from_the_page(
    alice_client, alice_on_project, alice
):
    User.objects.filter(pk=alice.pk).update(language="id")
    body = alice_client.get(TIMESHEET, {"week": LAST_MONDAY.isoformat()}).content.decode()
    units = re.search(r'data-units="([^"]*)"', body)[1]
    assert json.loads(units.replace("&quot;", '"')) == UNIT_MINUTES
    day_over = re.search(r'data-day-total="0" data-over-text="([^"]*)"', body)[1]
    assert "{total}" in day_over
    assert "akan berjumlah" in day_over  # in the reader's language
    assert re.search(r'data-text="Search relevance: \{used\} dari 20:00 minggu ini"', body)


def test_a_submitted_week_says_so_instead_of_offering_submit_again(
    alice_client, alice_on_project, alice
):
    log(alice, alice_on_project, LAST_MONDAY, 90)
    services.time_week_submit(by=alice, week=LAST_MONDAY)
    body = alice_client.get(TIMESHEET, {"week": LAST_MONDAY.isoformat()}).content.decode()
    # Submitted at NOW, 12:00 UTC: 1 PM in alice's Berlin.
    assert re.search(r"Submitted on Nov 12, 2026, 1:00\sPM, waiting for review\.", body)
    assert 'value="submit"' not in body
    assert "Worked more hours this week?" in body  # the days still open take more
    assert 'value="save"' in body


def test_a_week_partly_submitted_offers_to_submit_the_rest(alice_client, alice_on_project, alice):
    log(alice, alice_on_project, LAST_MONDAY, 90)
    services.time_week_submit(by=alice, week=LAST_MONDAY)
    log(alice, alice_on_project, date(2026, 11, 3), 60)
    body = alice_client.get(TIMESHEET, {"week": LAST_MONDAY.isoformat()}).content.decode()
    assert re.search(r"Part of this week was submitted on Nov 12, 2026, 1:00\sPM", body)
    assert "Submit week (1 entry waiting)" in body


def test_an_approved_week_says_when(clock, alice_client, alice_on_project, alice, manager):
    log(alice, alice_on_project, LAST_MONDAY, 90)
    [entry] = services.time_week_submit(by=alice, week=LAST_MONDAY)
    services.time_entries_approve(entry_ids=[entry.pk], by=manager)
    body = alice_client.get(TIMESHEET, {"week": LAST_MONDAY.isoformat()}).content.decode()
    assert re.search(r"This week.s hours were approved on Nov 12, 2026, 1:00\sPM\.", body)
    assert 'value="submit"' not in body
    assert "waiting for review" not in body


def test_a_week_with_nothing_sent_offers_both_buttons(alice_client, alice_on_project):
    body = alice_client.get(TIMESHEET, {"week": LAST_MONDAY.isoformat()}).content.decode()
    assert 'value="save"' in body
    assert 'value="submit"' in body
    assert "waiting for review" not in body
