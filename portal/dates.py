"""Durations, local calendar days, and dates and times as the reader writes them.

Every date and time a person reads goes through here: in the active language
(Babel's CLDR data) and the active time zone (the reader's, set per request by
``portal.middleware.UserLocaleMiddleware`` and per recipient when a notice is
written). No page or email formats a date with ``strftime`` or a fixed pattern.
"""

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import (
    format_date,
    format_datetime,
    format_skeleton,
    format_time,
    get_timezone_location,
)
from django.utils import timezone, translation

# Named styles map to CLDR's; anything else is a CLDR skeleton such as "MMMEd".
_STYLES = {"short", "medium", "long", "full"}
# Weekday names alone are patterns, not skeletons: skeleton matching would
# shorten "EEEE" (Thursday) to the abbreviation.
_WEEKDAY_PATTERNS = {"EEE", "EEEE"}


@cache
def _babel_locale_for(language: str) -> str:
    try:
        return str(Locale.parse(translation.to_locale(language)))
    except (ValueError, UnknownLocaleError):
        return "en"


def babel_locale(language: str | None = None) -> str:
    """The Babel locale of ``language`` (default: the active one): ``zh-hant`` → ``zh_Hant``."""
    return _babel_locale_for(language or translation.get_language() or "en")


# --- Durations ------------------------------------------------------------------


def format_minutes(minutes: int | None) -> str:
    """``90`` → ``1:30``; the form every page and email shows durations in."""
    if not minutes:
        return "0:00"
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{rest:02d}"


# --- Calendar days in a time zone --------------------------------------------------


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


# --- Dates and times for reading -------------------------------------------------------


def format_day(value: date | datetime | None, style: str = "medium") -> str:
    """A calendar date in the reader's language: ``26 Nov 2026``, ``2026年11月26日``.

    ``style`` is short/medium/long/full or a CLDR skeleton (``MMMEd`` gives
    ``Thu, 26 Nov``). A datetime is first moved to the reader's time zone.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return _format_day(value, style, babel_locale())


# A page names the same few days many times (a payout list, a timesheet), and Babel
# works each pattern out afresh: remembering recent answers halves those pages' time.
@lru_cache(maxsize=4096)
def _format_day(value: date, style: str, locale: str) -> str:
    if style in _STYLES or style in _WEEKDAY_PATTERNS:
        return format_date(value, format=style, locale=locale)
    return format_skeleton(style, value, locale=locale)


def format_moment(value: datetime | None, style: str = "medium") -> str:
    """A moment in the reader's zone and language: ``26 Nov 2026, 06:43``.

    ``style`` is short/medium/long/full for the date part (the time is always
    hours and minutes), or a CLDR skeleton for the whole.
    """
    if value is None or value == "":
        return ""
    return _format_moment(value, style, timezone.get_current_timezone(), babel_locale())


@lru_cache(maxsize=4096)
def _format_moment(value: datetime, style: str, zone: tzinfo, locale: str) -> str:
    if style not in _STYLES:
        return format_skeleton(style, value, tzinfo=zone, locale=locale)
    day = format_date(value.astimezone(zone).date(), format=style, locale=locale)
    clock = format_time(value, format="short", tzinfo=zone, locale=locale)
    pattern = Locale.parse(locale).datetime_formats.get(style) or "{1} {0}"
    return str(pattern).replace("{1}", day).replace("{0}", clock)


def format_clock(value: datetime | None) -> str:
    """Hours and minutes of a moment in the reader's zone: ``06:43``."""
    if value is None or value == "":
        return ""
    return format_time(
        value, format="short", tzinfo=timezone.get_current_timezone(), locale=babel_locale()
    )


def format_iso_moment(value: datetime) -> str:
    """The machine-readable form for ``<time datetime>``, in the reader's zone."""
    return format_datetime(value, "yyyy-MM-dd'T'HH:mmxxx", tzinfo=timezone.get_current_timezone())


def time_zone_name(zone: str, language: str | None = None) -> str:
    """A time zone as people know it, in their language: ``Asia/Jakarta`` →
    ``Indonesia (Jakarta)``, ``Indonesia (Jakarta)``, ``印尼（雅加達）``."""
    return _time_zone_name(zone, babel_locale(language))


@cache
def _time_zone_name(zone: str, locale: str) -> str:
    if zone in ("UTC", "Etc/UTC"):
        return "UTC"
    city = get_timezone_location(zone, locale=locale, return_city=True)
    territory = get_global("zone_territories").get(zone)
    country = Locale.parse(locale).territories.get(territory) if territory else None
    if not country or country == city:
        return city
    return _PLACE_PATTERN[locale.split("_")[0] == "zh"].format(country=country, city=city)


# CLDR writes "country (city)"; Chinese uses full-width brackets.
_PLACE_PATTERN = {False: "{country} ({city})", True: "{country}（{city}）"}


def time_zone_label() -> str:
    """The reader's active time zone, named in their language."""
    return time_zone_name(str(timezone.get_current_timezone_name()))


def day_label(day: date) -> str:
    """How messages name a day: ``Wed, 4 Nov`` in the reader's language."""
    return format_day(day, "MMMEd")
