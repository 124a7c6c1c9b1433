"""ISO reference lists (languages, time zones) and their validators.

Currencies are money's business: ``portal.money`` builds their list and
validates them; ``validate_currency`` is named here too because migrations
refer to it by this path.

The lists come from Babel's CLDR data and the system's tz database; they are
validated rather than stored as model choices so a data update never needs a
migration.
"""

from functools import cache

from babel import Locale
from babel.core import get_global
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.dates import _time_zone_name, babel_locale
from portal.money import validate_currency as validate_currency

_EN = Locale("en")


def language_choices() -> list[tuple[str, str]]:
    """ISO 639-1 languages named in the reader's language, in its alphabetical order."""
    return _language_choices(babel_locale())


@cache
def _language_choices(locale: str) -> list[tuple[str, str]]:
    names = Locale.parse(locale).languages
    # Two-letter ISO 639-1 codes only: the languages people actually list.
    pairs = [
        (code, names.get(code) or name) for code, name in _EN.languages.items() if len(code) == 2
    ]
    return sorted(pairs, key=lambda pair: pair[1].casefold())


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    """Every time zone, named in the reader's language, in its alphabetical order."""
    return _time_zone_choices(babel_locale())


@cache
def _time_zone_choices(locale: str) -> list[tuple[str, str]]:
    # Old names (aliases) stay valid but are not offered: each place once, by its current name.
    aliases = get_global("zone_aliases")
    zones = [zone for zone in settings.VALID_TIME_ZONES if zone not in aliases]
    pairs = [
        (zone, _time_zone_name(zone, locale))
        for zone in zones
        if "/" in zone and not zone.startswith("Etc/")
    ]
    return [("UTC", "UTC")] + sorted(pairs, key=lambda pair: (pair[1].casefold(), pair[0]))


def language_name(code: str) -> str:
    return dict(language_choices()).get(code, code)


def validate_language(value: str) -> None:
    if value not in dict(_language_choices("en")):
        raise ValidationError(
            _("%(value)s is not an ISO 639-1 language code."), params={"value": value}
        )


def validate_time_zone(value: str) -> None:
    if value not in settings.VALID_TIME_ZONES:
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def validate_site_language(value: str) -> None:
    if value and value not in dict(settings.LANGUAGES):
        raise ValidationError(
            _("%(value)s is not one of the site's languages."), params={"value": value}
        )
