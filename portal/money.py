"""Money: integer minor units plus an ISO 4217 code, rounded and formatted only here.

A currency's minor unit comes from CLDR through Babel (2 for EUR, 0 for JPY,
3 for BHD). Amounts never pass through a float: arithmetic is on integers,
and the one conversion to a decimal string (for display or for a form) goes
through ``Decimal``.
"""

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from babel import Locale
from babel.core import get_global
from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_currency_symbol,
    get_territory_currencies,
    list_currencies,
)
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, Expression, F
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal.dates import babel_locale

if TYPE_CHECKING:
    from portal.models import ExchangeRate as ExchangeRateModel

MINUTES_PER_HOUR = 60
# Most currencies have cents; the SQL below only spells out the others.
DEFAULT_EXPONENT = 2
_ENGLISH = Locale("en")


@cache
def currency_exponent(currency: str) -> int:
    """How many decimal places the currency's minor unit has."""
    return get_currency_precision(currency)


def line_amount(minutes: int, rate_minor: int) -> int:
    """What ``minutes`` of work at ``rate_minor`` per hour earn, in minor units.

    ``minutes × rate / 60`` rounded half-up (half away from zero), once, with
    integer arithmetic only.
    """
    product = minutes * rate_minor
    sign = -1 if product < 0 else 1
    quotient, remainder = divmod(abs(product), MINUTES_PER_HOUR)
    if 2 * remainder >= MINUTES_PER_HOUR:
        quotient += 1
    return sign * quotient


def line_amount_expression(minutes: str, rate_minor: str) -> Expression:
    """``line_amount`` as a database expression, for set-based totals.

    Only for non-negative minutes and rates (time entries), where integer
    division truncating towards zero is the same as flooring. Casting to a
    64-bit integer first keeps ``minutes × rate`` from overflowing a 32-bit
    column type on PostgreSQL.
    """
    product = Cast(F(minutes), BigIntegerField()) * Cast(F(rate_minor), BigIntegerField())
    return Cast(
        (product * 2 + MINUTES_PER_HOUR) / (2 * MINUTES_PER_HOUR), output_field=BigIntegerField()
    )


def minor_to_decimal(minor: int, currency: str) -> Decimal:
    """The amount in major units, exact (``1234`` EUR → ``Decimal("12.34")``)."""
    return Decimal(minor).scaleb(-currency_exponent(currency))


def decimal_to_minor(amount: Decimal | str, currency: str) -> int:
    """Minor units for an amount typed in major units; refuses sub-minor precision.

    Raises ``ValueError`` with a message fit to show next to the field when the
    amount is not a number or has more decimals than the currency allows.
    """
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation:
        raise ValueError(_("“%(amount)s” is not an amount.") % {"amount": amount}) from None
    if not value.is_finite():
        raise ValueError(_("“%(amount)s” is not an amount.") % {"amount": amount})
    exponent = currency_exponent(currency)
    scaled = value.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        if exponent == 0:
            raise ValueError(_("%(currency)s amounts take no decimals.") % {"currency": currency})
        raise ValueError(
            ngettext(
                "%(currency)s amounts take at most %(places)d decimal.",
                "%(currency)s amounts take at most %(places)d decimals.",
                exponent,
            )
            % {"currency": currency, "places": exponent}
        )
    return int(scaled)


def format_money(minor: int, currency: str, locale: str | None = None) -> str:
    """The amount as a reader expects it in ``locale`` (``€12.34``, ``12,34 €``).

    ``locale`` defaults to the active language's. Where the locale's symbol
    for the currency could be read as another currency's (TWD is a bare ``$``
    in Traditional Chinese), the ISO code stands in for it: ``TWD 1,234.00``.
    """
    return _format_money(minor, currency, locale or babel_locale())


# Cached: a page of payout lines repeats the same few rates and amounts, and
# Babel takes tens of microseconds for each.
@lru_cache(maxsize=8192)
def _format_money(minor: int, currency: str, locale: str) -> str:
    amount = minor_to_decimal(minor, currency)
    if not _symbol_is_ambiguous(currency, locale):
        return format_currency(amount, currency, locale=locale)
    pattern = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0]
    if pattern.startswith("¤"):
        pattern = "¤¤\xa0" + pattern.lstrip("¤").lstrip()
    else:
        pattern = pattern.rstrip("¤").rstrip() + "\xa0¤¤"
    return format_currency(amount, currency, format=pattern, locale=locale)


@cache
def _symbol_is_ambiguous(currency: str, locale: str) -> bool:
    """Whether another currency is written with the same symbol here or in English."""
    symbol = get_currency_symbol(currency, locale=locale)
    if symbol == currency:
        return False
    for other in (Locale.parse(locale), _ENGLISH):
        for code, other_symbol in other.currency_symbols.items():
            if other_symbol == symbol and code != currency:
                return True
    return False


def line_amount_sql(minutes: str, rate_minor: str) -> str:
    """``line_amount`` as a SQL snippet over two column expressions, for raw set-based SQL.

    The same rule as ``line_amount_expression`` (non-negative inputs only).
    """
    product = f"(CAST({minutes} AS BIGINT) * CAST({rate_minor} AS BIGINT))"
    return f"(({product} * 2 + {MINUTES_PER_HOUR}) / {2 * MINUTES_PER_HOUR})"


def plain_amount(minor: int, currency: str) -> str:
    """The amount as a plain decimal with exactly the currency's decimals: ``-5.00``, ``1234``.

    What machines read (CSV, APIs): no symbol, no grouping, ``.`` as the point.
    """
    return f"{minor_to_decimal(minor, currency):f}"


@cache
def exponents_sql() -> str:
    """``VALUES`` rows ``(code, exponent, scale)`` for every currency whose minor unit is
    not a hundredth; join on the code, and default to ``DEFAULT_EXPONENT`` and its scale."""
    return ", ".join(
        f"('{code}', {currency_exponent(code)}, {10 ** currency_exponent(code)})"
        for code in sorted(list_currencies())
        if currency_exponent(code) != DEFAULT_EXPONENT
    )


def plain_amount_sql(minor: str, exponent: str, scale: str) -> str:
    """``plain_amount`` as PostgreSQL text, for exports the database writes itself.

    Integer arithmetic only: the sign, the whole units, and the minor units
    padded to the exponent. ``scale`` is ``10 ** exponent``.
    """
    return (
        f"(CASE WHEN {minor} < 0 THEN '-' ELSE '' END || (abs({minor}) / {scale})::text"
        f" || CASE WHEN {exponent} > 0 THEN '.' || lpad(mod(abs({minor}), {scale})::text, "
        f"{exponent}, '0') ELSE '' END)"
    )


# --- Choosing a currency ------------------------------------------------------------------

CurrencyChoices = list[tuple[str, str] | tuple[str, list[tuple[str, str]]]]


def currencies_in_use(on: date | None = None) -> frozenset[str]:
    """ISO 4217 codes that are legal tender somewhere on ``on`` (today by default).

    From CLDR's territory currencies, so metals, funds and test codes (XAU,
    XDR, XTS, XXX) and retired currencies (DEM, AFA, HRK) are left out: Babel's
    ``list_currencies()`` has all of them.
    """
    return _currencies_in_use(on or timezone.now().date())


@lru_cache(maxsize=4)
def _currencies_in_use(on: date) -> frozenset[str]:
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, on, tender=True))
    return frozenset(codes)


def currency_choices(*, countries: Iterable[str] = ()) -> CurrencyChoices:
    """Every currency in use, named in the reader's language, the likely ones first.

    Two groups (``<optgroup>``): the currencies of ``countries`` (say, the
    contractor's) and of ``settings.VENDOR_COUNTRIES``, in that order; then
    every other currency in use, by its name in the reader's alphabet.
    """
    # Only two-letter codes reach the cache: a form may pass what a visitor typed.
    codes = (str(country).upper() for country in [*countries, *settings.VENDOR_COUNTRIES])
    likely = tuple(dict.fromkeys(code for code in codes if len(code) == 2 and code.isalpha()))
    return _currency_choices(babel_locale(), likely, timezone.now().date())


@lru_cache(maxsize=256)
def _currency_choices(locale: str, countries: tuple[str, ...], on: date) -> CurrencyChoices:
    in_use = currencies_in_use(on)
    first = [
        code for country in countries for code in get_territory_currencies(country, on, tender=True)
    ]
    first = [code for code in dict.fromkeys(first) if code in in_use]
    rest = sorted(
        (code for code in in_use if code not in first),
        key=lambda code: (currency_name(code, locale).casefold(), code),
    )
    if not first:
        return [(code, currency_label(code, locale)) for code in rest]
    return [
        (str(_SUGGESTED), [(code, currency_label(code, locale)) for code in first]),
        (str(_OTHERS), [(code, currency_label(code, locale)) for code in rest]),
    ]


_SUGGESTED = gettext_lazy("Suggested")
_OTHERS = gettext_lazy("Every other currency")


def currency_name(code: str, locale: str | None = None) -> str:
    """The currency's name in ``locale`` (the reader's by default), English if it has none."""
    names = Locale.parse(locale or babel_locale()).currencies
    return names.get(code) or _ENGLISH.currencies.get(code) or code


def currency_label(code: str, locale: str | None = None) -> str:
    """How a currency is offered in a list: its name, then its code (``Euro (EUR)``)."""
    return _("%(name)s (%(code)s)") % {"name": currency_name(code, locale), "code": code}


def validate_currency(value: str) -> None:
    """Refuse anything but a currency in use today; forms, the API and models all check this."""
    if value in currencies_in_use():
        return
    if value in list_currencies():
        raise ValidationError(
            _("%(value)s is not a currency in use today; choose a current one."),
            code="currency_not_in_use",
            params={"value": value},
        )
    raise ValidationError(
        _("%(value)s is not an ISO 4217 currency code."),
        code="currency_unknown",
        params={"value": value},
    )


# --- Converting between currencies ---------------------------------------------------------


class ExchangeRates:
    """The managers' exchange-rate table, read once and asked many times.

    A rate for a pair on a day is the latest row for that pair on or before
    the day; a pair recorded only the other way round is used inverted. There
    is no fallback to the internet or to a cross rate: a missing rate is a
    ``ValidationError`` that names the pair and the day.
    """

    def __init__(self, rows: Iterable[tuple[str, str, date, Decimal]]) -> None:
        self._by_pair: dict[tuple[str, str], list[tuple[date, Decimal]]] = {}
        for from_currency, to_currency, on, rate in rows:
            self._by_pair.setdefault((from_currency, to_currency), []).append((on, rate))
        for history in self._by_pair.values():
            history.sort()

    @classmethod
    def load(cls, *, currencies: Iterable[str] | None = None) -> "ExchangeRates":
        """Every recorded rate, or only those between ``currencies``; one query."""
        # Imported here: models import this module for validation and formatting.
        from portal.models import ExchangeRate

        rows = ExchangeRate.objects.all()
        if currencies is not None:
            codes = set(currencies)
            rows = rows.filter(from_currency__in=codes, to_currency__in=codes)
        return cls(rows.values_list("from_currency", "to_currency", "on", "rate"))

    def rate(self, from_currency: str, to_currency: str, *, on: date) -> Decimal:
        """How many ``to_currency`` one ``from_currency`` buys on ``on``."""
        if from_currency == to_currency:
            return Decimal(1)
        direct = self._latest(from_currency, to_currency, on)
        inverse = self._latest(to_currency, from_currency, on)
        if direct is None and inverse is None:
            raise ValidationError(
                _(
                    "No exchange rate from %(from)s to %(to)s on or before %(day)s; "
                    "a manager has to record one first."
                ),
                code="no_exchange_rate",
                params={"from": from_currency, "to": to_currency, "day": on.isoformat()},
            )
        # The more recent of the two directions wins; on a tie, the direct one.
        if direct is not None and (inverse is None or direct[0] >= inverse[0]):
            return direct[1]
        assert inverse is not None
        return Decimal(1) / inverse[1]

    def convert(
        self,
        minor: int,
        from_currency: str,
        to_currency: str,
        *,
        on: date,
        rounding: str = ROUND_HALF_UP,
    ) -> int:
        """``minor`` units of ``from_currency`` in minor units of ``to_currency``, rounded once."""
        rate = self.rate(from_currency, to_currency, on=on)
        return decimal_in_minor(
            minor_to_decimal(minor, from_currency) * rate, to_currency, rounding
        )

    def _latest(
        self, from_currency: str, to_currency: str, on: date
    ) -> tuple[date, Decimal] | None:
        history = self._by_pair.get((from_currency, to_currency), [])
        earlier = [row for row in history if row[0] <= on]
        return earlier[-1] if earlier else None


def decimal_in_minor(amount: Decimal, currency: str, rounding: str = ROUND_HALF_UP) -> int:
    """An exact amount in major units as whole minor units, rounded once as asked."""
    return int(amount.scaleb(currency_exponent(currency)).to_integral_value(rounding=rounding))


def convert(
    minor: int,
    from_currency: str,
    to_currency: str,
    *,
    on: date,
    rounding: str = ROUND_HALF_UP,
) -> int:
    """Convert through the exchange-rate table managers keep (one query, no internet)."""
    rates = ExchangeRates.load(currencies=(from_currency, to_currency))
    return rates.convert(minor, from_currency, to_currency, on=on, rounding=rounding)


@transaction.atomic
def exchange_rate_add(*, by: Any, rate: "ExchangeRateModel") -> "ExchangeRateModel":
    """Record a rate a manager read from a named source; rows are added, never edited."""
    rate.pk = None
    rate.created_by = by
    rate.from_currency = rate.from_currency.upper()
    rate.to_currency = rate.to_currency.upper()
    rate.full_clean()
    rate.save()
    return rate
