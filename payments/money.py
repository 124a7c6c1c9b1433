"""Money: integer minor units plus an ISO 4217 code, rounded and formatted only here.

A currency's minor unit comes from CLDR through Babel (2 for EUR, 0 for JPY,
3 for BHD). Amounts never pass through a float: arithmetic is on integers,
and the one conversion to a decimal string (for display or for a form) goes
through ``Decimal``.
"""

from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision, list_currencies
from django.db.models import BigIntegerField, Expression, F
from django.db.models.functions import Cast

MINUTES_PER_HOUR = 60
# Most currencies have cents; the SQL below only spells out the others.
DEFAULT_EXPONENT = 2


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
        raise ValueError(f"{amount!r} is not an amount.") from None
    if not value.is_finite():
        raise ValueError(f"{amount!r} is not an amount.")
    exponent = currency_exponent(currency)
    scaled = value.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        places = "no decimals" if exponent == 0 else f"at most {exponent} decimals"
        raise ValueError(f"{currency} amounts take {places}.")
    return int(scaled)


@lru_cache(maxsize=8192)
def format_money(minor: int, currency: str, locale: str = "en") -> str:
    """The amount as a reader expects it in ``locale`` (``€12.34``, ``12,34 €``).

    Cached: a page of payout lines repeats the same few rates and amounts, and
    Babel takes tens of microseconds for each.
    """
    return format_currency(minor_to_decimal(minor, currency), currency, locale=locale)


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


@cache
def display_locale(accept_language: str, country: str) -> str:
    """The locale to show a person's amounts in: their browser's, else its language in
    their country.

    ``en-US`` stays ``en_US``; a bare ``de`` in Austria gives ``de_AT``; a
    language without a variant for the country falls back to the language
    alone; no usable header gives English in their country (``en_DE``).
    """
    for tag in _preferred_tags(accept_language):
        language = tag.split("_")[0]
        # A tag with a region is what the person chose; a bare language takes their country's.
        chosen = (tag,) if "_" in tag else ()
        for candidate in (*chosen, f"{language}_{country}", language):
            try:
                return str(Locale.parse(candidate))
            except (ValueError, UnknownLocaleError):
                continue
    return "en"


def _preferred_tags(accept_language: str) -> list[str]:
    """``Accept-Language`` as Babel-style tags (``de_AT``, ``en``), most wanted first."""
    weighted = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().replace("-", "_")
        if not tag or tag == "*":
            continue
        quality = params.strip().removeprefix("q=")
        try:
            weight = Decimal(quality) if params else Decimal(1)
        except InvalidOperation:
            continue
        weighted.append((-weight, position, tag))
    # English is the fallback, with the country's conventions where CLDR has them.
    return [tag for _weight, _position, tag in sorted(weighted)][:5] + ["en"]
