"""Money: integer minor units plus an ISO 4217 code, rounded and formatted only here.

A currency's minor unit comes from CLDR through Babel (2 for EUR, 0 for JPY,
3 for BHD). Amounts never pass through a float: arithmetic is on integers,
and the one conversion to a decimal string (for display or for a form) goes
through ``Decimal``.
"""

from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from babel import Locale
from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_currency_symbol,
    list_currencies,
)
from django.db.models import BigIntegerField, Expression, F
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.dates import babel_locale

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
