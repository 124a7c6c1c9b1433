from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Value
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import User
from portal.money import (
    _format_money,
    currencies_in_use,
    currency_choices,
    currency_exponent,
    decimal_to_minor,
    format_money,
    line_amount,
    line_amount_expression,
    minor_to_decimal,
    plain_amount,
    validate_currency,
)


def _reference(minutes: int, rate_minor: int) -> int:
    exact = Decimal(minutes) * Decimal(rate_minor) / Decimal(60)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_line_amount_is_minutes_times_rate_over_sixty():
    assert line_amount(90, 2500) == 3750
    assert line_amount(60, 1999) == 1999


def test_line_amount_rounds_half_up_once():
    assert line_amount(1, 30) == 1  # 0.5 rounds up
    assert line_amount(1, 29) == 0  # 0.483 rounds down
    assert line_amount(7, 1000) == 117  # 116.67
    assert line_amount(-1, 30) == -1  # half away from zero, as corrections need


@given(st.integers(-(10**6), 10**6), st.integers(0, 10**7))
def test_line_amount_matches_decimal_half_up(minutes, rate_minor):
    assert line_amount(minutes, rate_minor) == _reference(minutes, rate_minor)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("minutes", "rate_minor"),
    [(1, 30), (1, 29), (7, 1000), (90, 2500), (1440, 10**7), (59, 1), (30, 1)],
)
def test_database_expression_rounds_like_python(minutes, rate_minor):
    User.objects.create_user("someone@example.com")
    amount = (
        User.objects.annotate(m=Value(minutes), r=Value(rate_minor))
        .annotate(amount=line_amount_expression("m", "r"))
        .values_list("amount", flat=True)
        .get()
    )
    assert amount == line_amount(minutes, rate_minor)


def test_exponent_comes_from_cldr():
    assert currency_exponent("EUR") == 2
    assert currency_exponent("JPY") == 0
    assert currency_exponent("BHD") == 3


def test_format_money_follows_the_locale():
    assert format_money(1234, "EUR") == "€12.34"
    assert format_money(123456, "EUR", "de_DE") == "1.234,56\xa0€"
    assert format_money(1234, "JPY") == "¥1,234"
    assert format_money(1234, "BHD").endswith("1.234")


def test_minor_and_decimal_round_trip_exactly():
    assert minor_to_decimal(1234, "EUR") == Decimal("12.34")
    assert decimal_to_minor("12.34", "EUR") == 1234
    assert decimal_to_minor(Decimal("25"), "EUR") == 2500
    assert decimal_to_minor("1234", "JPY") == 1234


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        ("12.345", "EUR", "EUR amounts take at most 2 decimals."),
        ("12.5", "JPY", "JPY amounts take no decimals."),
        ("twelve", "EUR", "“twelve” is not an amount."),
        ("NaN", "EUR", "“NaN” is not an amount."),
    ],
)
def test_decimal_to_minor_refuses_what_it_cannot_hold(amount, currency, message):
    with pytest.raises(ValueError, match=message):
        decimal_to_minor(amount, currency)


@pytest.mark.parametrize(
    ("language", "minor", "currency", "shown"),
    [
        ("en", 123450, "USD", "$1,234.50"),
        ("id", 123450, "IDR", "Rp1.234,50"),
        ("vi", 1234500, "VND", "1.234.500\xa0₫"),
        ("zh-hant", 123450, "USD", "US$1,234.50"),
        # A bare "$" in Traditional Chinese is the New Taiwan dollar: the code says so.
        ("zh-hant", 123450, "TWD", "TWD\xa01,234.50"),
    ],
)
def test_amounts_follow_the_readers_language(language, minor, currency, shown):
    with translation.override(language):
        assert format_money(minor, currency) == shown


def test_format_money_repeats_itself_cheaply():
    _format_money.cache_clear()
    for _ in range(3):
        assert format_money(1250, "EUR", "de_DE") == "12,50\xa0€"
    assert _format_money.cache_info().hits == 2


def test_plain_amounts_have_exactly_the_currencys_decimals():
    assert plain_amount(-5, "EUR") == "-0.05"
    assert plain_amount(0, "KWD") == "0.000"
    assert plain_amount(1234, "JPY") == "1234"
    assert plain_amount(10**15 + 7, "EUR") == "10000000000000.07"


# --- Choosing a currency ------------------------------------------------------------------


def _codes(choices) -> list[str]:
    return [code for _group, options in choices for code, _label in options]


def test_only_currencies_in_use_are_offered_or_accepted():
    in_use = currencies_in_use()
    assert {"EUR", "USD", "IDR", "VND", "TWD", "JPY", "XOF", "CHF"} <= in_use
    # Metals, funds, test codes and currencies long replaced are not money anyone is paid in.
    retired = {"XAU", "XAG", "XDR", "XTS", "XXX", "DEM", "AFA", "ADP", "HRK", "BOV", "CHE"}
    assert not retired & in_use
    offered = _codes(currency_choices())
    assert sorted(offered) == sorted(in_use)
    assert len(offered) == len(set(offered))


@pytest.mark.parametrize("code", ["XAU", "XTS", "XXX", "DEM", "AFA", "ADP"])
def test_a_currency_not_in_use_is_refused_with_a_reason(code):
    with pytest.raises(ValidationError) as error:
        validate_currency(code)
    assert error.value.messages == [f"{code} is not a currency in use today; choose a current one."]
    with pytest.raises(ValidationError, match="QQQ is not an ISO 4217 currency code"):
        validate_currency("QQQ")
    validate_currency("EUR")


def test_likely_currencies_come_first_then_the_rest_by_name(settings):
    settings.VENDOR_COUNTRIES = ["US", "ID"]
    (suggested, first), (others, rest) = currency_choices(countries=["PH", "US"])
    assert (suggested, others) == ("Suggested", "Every other currency")
    assert [code for code, _label in first] == ["PHP", "USD", "IDR"]
    assert ("PHP", "Philippine Peso (PHP)") in first
    names = [label for _code, label in rest]
    assert names == sorted(names, key=str.casefold)
    assert names[0].startswith("Afghan Afghani")


def test_currency_names_are_in_the_readers_language(settings):
    settings.VENDOR_COUNTRIES = ["TW"]
    with translation.override("zh-hant"):
        [(_group, first), _rest] = currency_choices()
    # Chinese writes the brackets full-width.
    assert first == [("TWD", "新台幣（TWD）")]
    with translation.override("vi"):
        [_first, (_group, rest)] = currency_choices()
    assert dict(rest)["JPY"] == "Yên Nhật (JPY)"


def test_the_minor_units_amounts_are_stored_in_never_move():
    # Stored amounts are counts of these units: a Babel whose CLDR moves one (2.19 moved IDR,
    # COP and HUF to none and RSD to hundredths) would rescale every stored amount in it.
    expected = {"USD": 2, "EUR": 2, "GBP": 2, "IDR": 2, "VND": 0, "TWD": 2, "CNY": 2}
    expected.update({"COP": 2, "HUF": 2, "RSD": 0, "JPY": 0, "KWD": 3})
    assert {code: currency_exponent(code) for code in expected} == expected
