"""The exchange-rate table: conversions read only what managers recorded, rounded once."""

from datetime import date
from decimal import ROUND_CEILING, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from portal.models import ExchangeRate
from portal.money import ExchangeRates, convert, currency_exponent

DAY = date(2026, 3, 2)


def _rate(from_currency: str, to_currency: str, rate: str, on: date = DAY) -> ExchangeRate:
    return ExchangeRate.objects.create(
        from_currency=from_currency,
        to_currency=to_currency,
        rate=Decimal(rate),
        on=on,
        source="Test central bank",
    )


def test_converts_through_the_latest_rate_on_or_before_the_day(db):
    _rate("EUR", "USD", "1.10", on=date(2026, 3, 1))
    _rate("EUR", "USD", "1.20", on=date(2026, 3, 10))

    assert convert(1000, "EUR", "USD", on=date(2026, 3, 5)) == 1100
    assert convert(1000, "EUR", "USD", on=date(2026, 3, 10)) == 1200


def test_a_pair_recorded_the_other_way_is_inverted(db):
    _rate("USD", "IDR", "16000")

    assert convert(1_600_000, "IDR", "USD", on=DAY) == 100  # Rp16,000.00 → $1.00


def test_zero_decimal_currency_rounds_half_up_to_whole_units(db):
    _rate("EUR", "JPY", "160.005")
    assert currency_exponent("JPY") == 0

    assert convert(100, "EUR", "JPY", on=DAY) == 160  # ¥160.005
    assert convert(1000, "EUR", "JPY", on=DAY) == 1600  # ¥1600.05 → 1600
    assert convert(10000, "EUR", "JPY", on=DAY) == 16001  # ¥16000.5 → 16001


def test_three_decimal_currency_keeps_its_thousandths(db):
    _rate("USD", "BHD", "0.376")
    assert currency_exponent("BHD") == 3

    assert convert(725, "USD", "BHD", on=DAY) == 2726  # 7.25 × 0.376 = 2.726 BHD
    assert convert(1, "USD", "BHD", on=DAY) == 4  # 0.00376 → 0.004
    assert convert(1, "USD", "BHD", on=DAY, rounding=ROUND_CEILING) == 4


def test_missing_rate_is_a_clear_error(db):
    _rate("EUR", "USD", "1.10", on=date(2026, 4, 1))

    with pytest.raises(ValidationError) as raised:
        convert(100, "EUR", "USD", on=DAY)

    assert raised.value.error_list[0].code == "no_exchange_rate"
    assert "EUR" in raised.value.messages[0] and "USD" in raised.value.messages[0]
    assert "2026-03-02" in raised.value.messages[0]


def test_same_currency_needs_no_rate(db):
    assert convert(1234, "EUR", "EUR", on=DAY) == 1234


def test_one_rate_per_pair_and_day(db):
    _rate("EUR", "USD", "1.10")
    with pytest.raises(IntegrityError):
        _rate("EUR", "USD", "1.11")


def test_a_rate_must_be_positive(db):
    with pytest.raises(IntegrityError):
        _rate("EUR", "USD", "0")


def test_the_table_is_read_once_for_many_conversions(db, django_assert_num_queries):
    _rate("EUR", "USD", "1.10")
    _rate("USD", "VND", "25000")
    with django_assert_num_queries(1):
        rates = ExchangeRates.load()
        for minor in range(50):
            rates.convert(minor, "EUR", "USD", on=DAY)
            rates.convert(minor, "VND", "USD", on=DAY)


@given(
    minor=st.integers(min_value=0, max_value=10**12),
    rate=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("100000"), places=4),
    pair=st.sampled_from([("EUR", "USD"), ("USD", "JPY"), ("USD", "BHD"), ("BHD", "IDR")]),
)
def test_conversion_is_within_half_a_minor_unit_of_exact(minor, rate, pair):
    from_currency, to_currency = pair
    rates = ExchangeRates([(from_currency, to_currency, DAY, rate)])

    converted = rates.convert(minor, from_currency, to_currency, on=DAY)

    exact = Decimal(minor).scaleb(-currency_exponent(from_currency)) * rate
    exact_minor = exact.scaleb(currency_exponent(to_currency))
    assert isinstance(converted, int)
    assert abs(Decimal(converted) - exact_minor) <= Decimal("0.5")
    ceiling = rates.convert(minor, from_currency, to_currency, on=DAY, rounding=ROUND_CEILING)
    assert exact_minor <= ceiling < exact_minor + 1


def test_manager_records_a_rate_in_the_admin_and_cannot_edit_it(client, manager):
    client.force_login(manager)
    data = {
        "from_currency": "USD",
        "to_currency": "IDR",
        "rate": "16250.5",
        "on": "2026-11-26",
        "source": "Bank Indonesia JISDOR",
    }

    response = client.post(reverse("admin:portal_exchangerate_add"), data)

    assert response.status_code == 302
    rate = ExchangeRate.objects.get()
    assert (rate.from_currency, rate.created_by) == ("USD", manager)
    change = client.post(reverse("admin:portal_exchangerate_change", args=[rate.pk]), data)
    assert change.status_code == 403


def test_accountant_reads_rates_but_cannot_add(client, accountant):
    client.force_login(accountant)
    assert client.get(reverse("admin:portal_exchangerate_changelist")).status_code == 200
    assert client.get(reverse("admin:portal_exchangerate_add")).status_code == 403
