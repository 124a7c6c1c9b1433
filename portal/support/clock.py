"""The answer clock: business time of the support team, in its own zone.

A business day is the team's working hours on a working weekday that is not
a holiday. Targets are whole business days, counted as that many days' worth
of working minutes, so a question asked at 16:00 on a Friday with a one-day
target is due at 16:00 on Monday (or Tuesday, if Monday is a holiday).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


@dataclass(frozen=True)
class BusinessCalendar:
    time_zone: str
    weekdays: frozenset[int]
    start: time
    end: time
    holidays: frozenset[date]

    @classmethod
    def from_settings(cls) -> "BusinessCalendar":
        hours = settings.SUPPORT_BUSINESS_HOURS
        return cls(
            time_zone=hours["time_zone"],
            weekdays=frozenset(hours["weekdays"]),
            start=hours["start"],
            end=hours["end"],
            holidays=frozenset(settings.SUPPORT_HOLIDAYS),
        )

    @property
    def minutes_per_day(self) -> int:
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        return end - start

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def _window(self, day: date) -> tuple[datetime, datetime]:
        # In UTC: subtracting aware datetimes of one zone compares wall clocks,
        # which is wrong across a daylight-saving change.
        zone = ZoneInfo(self.time_zone)
        opens = datetime.combine(day, self.start, tzinfo=zone).astimezone(UTC)
        closes = datetime.combine(day, self.end, tzinfo=zone).astimezone(UTC)
        return opens, closes

    def _windows_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working windows from ``moment`` on, the first cut to start at ``moment``."""
        moment = moment.astimezone(UTC)
        day = moment.astimezone(ZoneInfo(self.time_zone)).date()
        # A year without one working day is a misconfiguration, not a long wait.
        for _ in range(366 * 2):
            if self.is_working_day(day):
                opens, closes = self._window(day)
                if closes > moment:
                    yield max(opens, moment), closes
            day += timedelta(days=1)
        raise ValueError("The support calendar has no working day within two years.")

    def business_minutes(self, start: datetime, end: datetime) -> int:
        """Whole working minutes between two moments (0 if ``end`` is not after ``start``)."""
        if end <= start:
            return 0
        end = end.astimezone(UTC)
        total = timedelta()
        for opens, closes in self._windows_from(start):
            if opens >= end:
                break
            total += min(closes, end) - opens
        return int(total.total_seconds() // 60)

    def add_business_minutes(self, start: datetime, minutes: int) -> datetime:
        """The moment ``minutes`` working minutes after ``start``."""
        left = timedelta(minutes=minutes)
        for opens, closes in self._windows_from(start):
            if closes - opens >= left:
                return opens + left
            left -= closes - opens
        raise AssertionError("unreachable: _windows_from ends by raising")


def target_minutes(category: str) -> int:
    """The working minutes the team promises for each answer in ``category``."""
    days = settings.SUPPORT_TARGETS.get(category, settings.SUPPORT_TARGETS["other"])
    return int(days * BusinessCalendar.from_settings().minutes_per_day)


def escalate_minutes_before() -> int:
    return int(settings.SUPPORT_ESCALATE_BEFORE_MINUTES)
