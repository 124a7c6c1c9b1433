"""ISO reference lists (languages, currencies, time zones) and their validators.

The lists come from Babel's CLDR data and the system's tz database; they are
validated rather than stored as model choices so a data update never needs a
migration.
"""

from functools import cache

from babel import Locale
from babel.numbers import list_currencies
from django.conf import settings
from django.core.exceptions import ValidationError

_EN = Locale("en")


@cache
def currency_choices() -> list[tuple[str, str]]:
    codes = sorted(code for code in list_currencies() if code in _EN.currencies)
    return [(code, f"{code} — {_EN.currencies[code]}") for code in codes]


@cache
def language_choices() -> list[tuple[str, str]]:
    # Two-letter ISO 639-1 codes only: the languages people actually list.
    pairs = [(code, name) for code, name in _EN.languages.items() if len(code) == 2]
    return sorted(pairs, key=lambda pair: pair[1])


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(settings.VALID_TIME_ZONES)]


def language_name(code: str) -> str:
    return dict(language_choices()).get(code, code)


def validate_currency(value: str) -> None:
    if value not in dict(currency_choices()):
        raise ValidationError(
            "%(value)s is not an ISO 4217 currency code.", params={"value": value}
        )


def validate_language(value: str) -> None:
    if value not in dict(language_choices()):
        raise ValidationError(
            "%(value)s is not an ISO 639-1 language code.", params={"value": value}
        )


def validate_time_zone(value: str) -> None:
    if value not in settings.VALID_TIME_ZONES:
        raise ValidationError("%(value)s is not a known time zone.", params={"value": value})
