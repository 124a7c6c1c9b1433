"""The answer clock counts the support team's business hours only."""

from datetime import UTC, date, datetime, time

import pytest

from portal.support.clock import BusinessCalendar

# 9:00–17:00 Monday to Friday in Jakarta (UTC+7, no daylight saving).
CALENDAR = BusinessCalendar(
    time_zone="Asia/Jakarta",
    weekdays=frozenset(range(5)),
    start=time(9),
    end=time(17),
    holidays=frozenset({date(2026, 12, 25)}),
)
DAY = 8 * 60


def jakarta(*args: int) -> datetime:
    # 2026-11-27 is a Friday; 2026-12-25 a Friday holiday.
    from zoneinfo import ZoneInfo

    return datetime(*args, tzinfo=ZoneInfo("Asia/Jakarta"))


def test_one_business_day_from_friday_afternoon_lands_on_monday_afternoon():
    due = CALENDAR.add_business_minutes(jakarta(2026, 11, 27, 16, 0), DAY)
    assert due == jakarta(2026, 11, 30, 16, 0)


def test_the_weekend_counts_nothing():
    assert (
        CALENDAR.business_minutes(jakarta(2026, 11, 27, 16, 0), jakarta(2026, 11, 30, 10, 0)) == 120
    )


def test_a_holiday_is_skipped_like_a_weekend():
    # Thursday 24 Dec 16:00 + 1 day: Friday is a holiday, so Monday 28 Dec 16:00.
    due = CALENDAR.add_business_minutes(jakarta(2026, 12, 24, 16, 0), DAY)
    assert due == jakarta(2026, 12, 28, 16, 0)
    assert (
        CALENDAR.business_minutes(jakarta(2026, 12, 24, 9, 0), jakarta(2026, 12, 28, 17, 0))
        == 2 * DAY
    )


def test_a_question_asked_at_night_starts_counting_at_opening_time():
    asked = jakarta(2026, 11, 25, 22, 30)
    assert CALENDAR.add_business_minutes(asked, 60) == jakarta(2026, 11, 26, 10, 0)
    assert CALENDAR.business_minutes(asked, jakarta(2026, 11, 26, 9, 0)) == 0


def test_moments_in_other_zones_are_read_in_the_teams_zone():
    # 02:00 UTC is 09:00 in Jakarta.
    start = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    assert CALENDAR.add_business_minutes(start, 30) == jakarta(2026, 11, 26, 9, 30)


def test_across_a_daylight_saving_change_a_working_day_is_still_eight_hours():
    berlin = BusinessCalendar(
        time_zone="Europe/Berlin",
        weekdays=frozenset(range(5)),
        start=time(9),
        end=time(17),
        holidays=frozenset(),
    )
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Berlin")
    # Clocks went back on Sunday 25 Oct 2026.
    friday = datetime(2026, 10, 23, 13, 0, tzinfo=zone)
    assert berlin.add_business_minutes(friday, DAY) == datetime(2026, 10, 26, 13, 0, tzinfo=zone)


def test_a_calendar_without_working_days_is_refused():
    never = BusinessCalendar(
        time_zone="UTC", weekdays=frozenset(), start=time(9), end=time(17), holidays=frozenset()
    )
    with pytest.raises(ValueError):
        never.add_business_minutes(jakarta(2026, 11, 26, 9, 0), 60)
