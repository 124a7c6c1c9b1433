"""Wage floors: the floor in force for a place, the loader, and what managers review."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from portal.models import ExchangeRate
from portal.money import ExchangeRates, currency_exponent
from projects.models import FloorBasis, FloorUnit, WageFloor
from projects.selectors.floors import (
    FloorBook,
    assignments_below_announced_floor,
    floor_for,
    floor_for_contractor,
    wage_floors_announced,
    wage_floors_stale,
)
from projects.services.floors import CSV_COLUMNS, wage_floor_add, wage_floor_rows, wage_floors_load

SHIPPED = Path(__file__).resolve().parents[2] / "projects" / "data" / "wage_floors.csv"
DAY = date(2026, 3, 2)
SOURCE = {
    "source_name": "Test ministry",
    "source_url": "https://example.org/decree",
    "licence": "public domain — official figure",
    "retrieved_on": date(2026, 1, 5),
}


def _floor(**fields) -> WageFloor:
    values = {
        "country": "ID",
        "basis": FloorBasis.STATUTORY,
        "currency": "IDR",
        "unit": FloorUnit.HOUR,
        "valid_from": date(2026, 1, 1),
        **SOURCE,
    }
    values.update(fields)
    return wage_floor_add(by=None, floor=WageFloor(**values))


def _rate(from_currency: str, to_currency: str, rate: str, on: date = date(2026, 1, 1)) -> None:
    ExchangeRate.objects.create(
        from_currency=from_currency, to_currency=to_currency, rate=Decimal(rate), on=on, source="T"
    )


def _csv(*rows: dict[str, str]) -> str:
    lines = [",".join(CSV_COLUMNS)]
    for row in rows:
        lines.append(",".join(row.get(column, "") for column in CSV_COLUMNS))
    return "\n".join(lines) + "\n"


def _row(**overrides: str) -> dict[str, str]:
    row = {
        "country": "VN",
        "subdivision": "VN-MW1",
        "subdivision_name": "Region I",
        "basis": "statutory",
        "amount": "4960000",
        "currency": "VND",
        "unit": "month",
        "hours_per_unit": "208",
        "valid_from": "2024-07-01",
        "source_name": "Decree 74/2024/ND-CP",
        "source_url": "https://example.org/decree-74",
        "licence": "public domain — official figure",
        "retrieved_on": "2026-11-26",
    }
    row.update(overrides)
    return row


# --- The floor in force --------------------------------------------------------------------


def test_monthly_floor_is_spread_over_its_hours_and_rounded_up(db):
    floor = _floor(
        country="VN", amount_minor=4_960_000, currency="VND", unit="month", hours_per_unit=208
    )
    assert currency_exponent("VND") == 0
    # 4,960,000 ÷ 208 = 23,846.15… → 23,847: never a fraction below the law.
    assert floor.hourly_minor == 23_847


def test_subdivision_floor_is_preferred_to_the_national_one(db):
    _floor(amount_minor=2_000_000)  # Rp20,000.00 an hour nationally
    _floor(subdivision="ID-JK", subdivision_name="DKI Jakarta", amount_minor=3_000_000)
    _floor(subdivision="ID-JB", subdivision_name="Jawa Barat", amount_minor=1_500_000)

    assert floor_for(country="ID", subdivision="ID-JK", on=DAY, currency="IDR").hourly_minor == (
        3_000_000
    )
    # Lower than the national row, still the one that binds for the same basis.
    assert floor_for(country="ID", subdivision="ID-JB", on=DAY, currency="IDR").hourly_minor == (
        1_500_000
    )
    assert floor_for(country="ID", subdivision="ID-BA", on=DAY, currency="IDR").hourly_minor == (
        2_000_000
    )


def test_highest_counted_basis_binds(db, settings):
    _floor(amount_minor=2_000_000)
    _floor(basis=FloorBasis.LIVING, amount_minor=2_500_000)
    vendor = _floor(country="", basis=FloorBasis.VENDOR, amount_minor=200, currency="USD")
    _rate("USD", "IDR", "16000")

    found = floor_for(country="ID", on=DAY, currency="IDR")
    assert found.floor == vendor
    assert found.hourly_minor == 3_200_000  # $2.00 at Rp16,000
    assert found.source_hourly_minor == 200

    settings.WAGE_FLOOR_BASES = ["statutory", "living"]
    assert floor_for(country="ID", on=DAY, currency="IDR").basis == FloorBasis.LIVING
    settings.WAGE_FLOOR_BASES = ["statutory"]
    assert floor_for(country="ID", on=DAY, currency="IDR").hourly_minor == 2_000_000


def test_living_wage_counts_only_where_a_row_exists(db):
    _floor(amount_minor=2_000_000)
    _floor(country="VN", basis=FloorBasis.LIVING, amount_minor=30_000, currency="VND")

    assert floor_for(country="ID", on=DAY, currency="IDR").basis == FloorBasis.STATUTORY


def test_vendor_floor_applies_where_no_law_is_recorded(db):
    _floor(country="", basis=FloorBasis.VENDOR, amount_minor=800, currency="USD")

    found = floor_for(country="BR", on=DAY, currency="USD")
    assert found.hourly_minor == 800
    assert found.floor.place_label == "Everywhere"


def test_no_floor_at_all_is_none(db):
    assert floor_for(country="BR", on=DAY, currency="USD") is None


def test_a_new_row_supersedes_the_old_from_its_date(db):
    _floor(country="TW", currency="TWD", amount_minor=19000, valid_from=date(2025, 1, 1))
    _floor(country="TW", currency="TWD", amount_minor=19600, valid_from=date(2026, 1, 1))

    on = {
        day: floor_for(country="TW", on=day, currency="TWD").hourly_minor
        for day in (
            date(2025, 12, 31),
            date(2026, 1, 1),
        )
    }
    assert on == {date(2025, 12, 31): 19000, date(2026, 1, 1): 19600}
    assert floor_for(country="TW", on=date(2024, 12, 31), currency="TWD") is None


def test_a_floor_past_its_end_no_longer_binds(db):
    _floor(amount_minor=2_000_000, valid_to=date(2026, 2, 28))

    assert floor_for(country="ID", on=date(2026, 2, 28), currency="IDR") is not None
    assert floor_for(country="ID", on=DAY, currency="IDR") is None


def test_conversion_without_a_rate_is_a_clear_error(db):
    _floor(amount_minor=2_000_000)

    with pytest.raises(ValidationError) as raised:
        floor_for(country="ID", on=DAY, currency="USD")
    assert raised.value.error_list[0].code == "no_exchange_rate"


def test_conversion_to_three_decimals_rounds_up(db):
    _floor(country="US", amount_minor=725, currency="USD")
    _rate("USD", "BHD", "0.3761")

    # 7.25 × 0.3761 = 2.726725 BHD → 2.727, the floor rounded up.
    assert floor_for(country="US", on=DAY, currency="BHD").hourly_minor == 2727


def test_contractor_floor_uses_their_country_and_subdivision(alice):
    profile = alice.contractor_profile
    profile.subdivision = "DE-BE"
    profile.save(update_fields=["subdivision"])
    _floor(country="DE", currency="EUR", amount_minor=1282)

    assert floor_for_contractor(profile, on=DAY, currency="EUR").hourly_minor == 1282


def test_the_book_answers_many_checks_in_two_queries(db, django_assert_num_queries):
    _floor(amount_minor=2_000_000)
    _floor(subdivision="ID-JK", amount_minor=3_000_000)
    _rate("USD", "IDR", "16000")
    with django_assert_num_queries(2):
        book = FloorBook.load()
        for _ in range(50):
            book.floor_for(country="ID", subdivision="ID-JK", on=DAY, currency="USD")


@given(
    amount=st.integers(min_value=1, max_value=10**10),
    hours=st.decimals(min_value=Decimal("1"), max_value=Decimal("744"), places=2),
    currency=st.sampled_from(["VND", "JPY", "EUR", "BHD", "KWD"]),
)
def test_hourly_floor_is_never_below_the_exact_share(amount, hours, currency):
    floor = WageFloor(amount_minor=amount, currency=currency, unit="month", hours_per_unit=hours)

    exact = Decimal(amount) / hours
    assert exact <= floor.hourly_minor < exact + 1


@given(
    hourly=st.integers(min_value=1, max_value=10**8),
    rate=st.decimals(min_value=Decimal("0.001"), max_value=Decimal("30000"), places=3),
    target=st.sampled_from(["JPY", "BHD", "USD"]),
)
def test_converted_floor_is_never_below_the_exact_conversion(hourly, rate, target):
    floor = WageFloor(
        country="VN",
        basis="statutory",
        amount_minor=hourly,
        currency="VND",
        unit="hour",
        hours_per_unit=1,
        valid_from=date(2026, 1, 1),
    )
    book = FloorBook([floor], ExchangeRates([("VND", target, date(2026, 1, 1), rate)]))

    found = book.floor_for(country="VN", on=DAY, currency=target)

    exact = (Decimal(hourly) * rate).scaleb(currency_exponent(target))
    assert exact <= found.hourly_minor < exact + 1


# --- Rows are append-only and always sourced -----------------------------------------------


def test_a_floor_needs_a_place_unless_it_is_the_vendors(db):
    with pytest.raises(ValidationError):
        _floor(country="", amount_minor=100)


def test_a_floor_needs_its_source(db):
    with pytest.raises(ValidationError):
        _floor(amount_minor=100, source_url="")


# --- The loader ---------------------------------------------------------------------------


def test_loader_is_idempotent(db):
    text = _csv(_row(), _row(subdivision="VN-MW2", subdivision_name="Region II", amount="4410000"))

    first = wage_floors_load(by=None, rows=wage_floor_rows(io.StringIO(text)))
    second = wage_floors_load(by=None, rows=wage_floor_rows(io.StringIO(text)))

    assert (first.added, first.unchanged) == (2, 0)
    assert (second.added, second.unchanged) == (0, 2)
    assert WageFloor.objects.count() == 2


def test_loader_refuses_a_row_without_a_source_and_names_the_line(db):
    text = _csv(_row(), _row(subdivision="VN-MW2", source_url=""))

    with pytest.raises(ValidationError) as raised:
        wage_floors_load(by=None, rows=wage_floor_rows(io.StringIO(text)))

    assert raised.value.messages[0].startswith("Line 3:")
    assert "source_url" in raised.value.messages[0]
    assert not WageFloor.objects.exists()  # all or nothing


def test_loader_refuses_to_edit_a_stored_figure(db):
    wage_floors_load(by=None, rows=wage_floor_rows(io.StringIO(_csv(_row()))))

    with pytest.raises(ValidationError) as raised:
        wage_floors_load(by=None, rows=[_row(amount="5000000")])

    assert "Line 2:" in raised.value.messages[0]
    assert WageFloor.objects.get().amount_minor == 4_960_000


def test_loader_records_a_later_check_of_the_same_figure(db):
    wage_floors_load(by=None, rows=[_row(retrieved_on="2025-01-01")])

    report = wage_floors_load(by=None, rows=[_row(retrieved_on="2026-11-26")])

    assert report.rechecked == 1
    assert WageFloor.objects.get().retrieved_on == date(2026, 11, 26)


def test_command_loads_the_shipped_file_twice_without_change(db):
    out = io.StringIO()
    call_command("load_wage_floors", str(SHIPPED), stdout=out)
    count = WageFloor.objects.count()
    call_command("load_wage_floors", stdout=out)

    assert WageFloor.objects.count() == count
    assert "0 added" in out.getvalue().splitlines()[-1]
    countries = set(WageFloor.objects.values_list("country", flat=True))
    assert {"ID", "VN", "TW", "PH", "KE", "IN", "US", "DE", "FR", "NL"} <= countries
    assert not WageFloor.objects.filter(source_url="").exists()
    assert WageFloor.objects.filter(country="ID").exclude(subdivision="").count() >= 30


def test_command_reports_a_bad_file_without_loading_it(db, tmp_path):
    path = tmp_path / "floors.csv"
    path.write_text(_csv(_row(), _row(subdivision="VN-MW2", source_name="")), encoding="utf-8")

    with pytest.raises(CommandError, match="Line 3"):
        call_command("load_wage_floors", str(path))
    assert not WageFloor.objects.exists()


def test_shipped_floors_give_the_2025_jakarta_figure_per_hour(db):
    call_command("load_wage_floors", stdout=io.StringIO())

    found = floor_for(country="ID", subdivision="ID-JK", on=date(2025, 6, 1), currency="IDR")

    # Rp5,396,761 a month ÷ 173 hours = Rp31,195.15… → Rp31,195.15 rounded up to the sen.
    assert found.hourly_minor == 3_119_516
    assert found.floor.source_url.startswith("https://")


# --- What managers review -----------------------------------------------------------------


def test_stale_floors_are_those_in_force_and_unchecked_for_13_months(db):
    old = _floor(
        country="IN",
        currency="INR",
        amount_minor=17600,
        unit="day",
        hours_per_unit=8,
        valid_from=date(2017, 6, 1),
        retrieved_on=date(2025, 1, 1),
    )
    _floor(
        country="US",
        currency="USD",
        amount_minor=725,
        valid_from=date(2009, 7, 24),
        retrieved_on=date(2026, 11, 1),
    )
    _floor(
        country="TW",
        currency="TWD",
        amount_minor=19000,
        valid_from=date(2024, 1, 1),
        retrieved_on=date(2024, 1, 1),
    )
    _floor(
        country="TW",
        currency="TWD",
        amount_minor=19600,
        valid_from=date(2026, 1, 1),
        retrieved_on=date(2025, 10, 1),
    )

    assert list(wage_floors_stale(today=date(2026, 11, 26))) == [old]


def test_announced_floor_lists_the_assignments_that_will_fall_below_it(
    clock, alice_on_project, manager
):
    # alice (Germany) is on €25.00 an hour.
    raise_on = date(2027, 1, 1)
    rising = _floor(
        country="DE",
        currency="EUR",
        amount_minor=2600,
        valid_from=raise_on,
    )
    _floor(country="DE", currency="EUR", amount_minor=1282, valid_from=date(2025, 1, 1))

    assert list(wage_floors_announced(today=date(2026, 11, 12))) == [rising]
    below = assignments_below_announced_floor(rising)
    assert [row.assignment for row in below] == [alice_on_project]
    assert below[0].gap_minor == 100

    elsewhere = _floor(country="FR", currency="EUR", amount_minor=9000, valid_from=raise_on)
    assert assignments_below_announced_floor(elsewhere) == []


# --- The admin ----------------------------------------------------------------------------

FLOORS = "admin:projects_wagefloor_changelist"


def test_manager_adds_a_floor_in_the_admin_and_cannot_edit_it(client, manager):
    client.force_login(manager)
    data = {
        "country": "VN",
        "subdivision": "vn-mw1",
        "subdivision_name": "Region I",
        "basis": "statutory",
        "amount_minor": "5310000",
        "currency": "VND",
        "unit": "month",
        "hours_per_unit": "208",
        "valid_from": "2026-01-01",
        "source_name": "Decree",
        "source_url": "https://example.org/decree",
        "licence": "public domain — official figure",
        "retrieved_on": "2026-11-26",
    }

    response = client.post(reverse("admin:projects_wagefloor_add"), data)

    assert response.status_code == 302
    floor = WageFloor.objects.get()
    assert (floor.subdivision, floor.created_by) == ("VN-MW1", manager)
    change = client.post(reverse("admin:projects_wagefloor_change", args=[floor.pk]), data)
    assert change.status_code == 403
    delete = client.post(reverse("admin:projects_wagefloor_delete", args=[floor.pk]), {"post": 1})
    assert delete.status_code == 403


def test_stale_filter_and_list_queries_stay_flat(client, manager, django_assert_max_num_queries):
    client.force_login(manager)
    for index in range(50):
        _floor(
            country="ID",
            subdivision=f"ID-X{index}",
            amount_minor=100 + index,
            valid_from=date(2020, 1, 1),
            retrieved_on=date(2020, 1, 1),
        )
    _floor(country="US", currency="USD", amount_minor=725, retrieved_on=date(2026, 11, 1))

    with django_assert_max_num_queries(12):
        response = client.get(reverse(FLOORS), {"review": "stale"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 50


def test_announced_view_lists_the_rates_that_will_fall_below(
    clock, client, manager, alice_on_project
):
    client.force_login(manager)
    _floor(country="DE", currency="EUR", amount_minor=2600, valid_from=date(2027, 1, 1))

    response = client.get(reverse("admin:projects_wagefloor_announced"))

    assert response.status_code == 200
    assert alice_on_project.project.name in response.content.decode()
    assert len(response.context["rows"][0][1]) == 1


def test_a_contractor_cannot_reach_the_floors_admin(client, alice):
    client.force_login(alice)
    response = client.get(reverse(FLOORS))
    assert response.status_code == 302


def test_seed_demo_loads_the_shipped_floors_once(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    count = WageFloor.objects.count()
    out = io.StringIO()

    call_command("seed_demo", stdout=out)

    assert count > 60
    assert WageFloor.objects.count() == count
    assert "wage_floors.csv: 0 added" in out.getvalue()
