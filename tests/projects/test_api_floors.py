"""The wage floors and exchange rates API: a contractor reads only the floor that binds them;
staff with the permissions list and add floors and rates, never edit them."""

from datetime import date

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import ContractorProfile
from portal.models import ExchangeRate
from portal.money import exchange_rate_add
from projects.models import FloorBasis, WageFloor
from projects.services.floors import wage_floor_add
from tests import factories

pytestmark = pytest.mark.django_db

FLOORS = "/api/v1/wage-floors"
RATES = "/api/v1/exchange-rates"
SOURCE = {
    "source_name": "Mindestlohnkommission",
    "source_url": "https://example.org/mindestlohn",
    "licence": "public domain — official figure",
    "retrieved_on": "2026-01-05",
}
NEW_FLOOR = {
    "country": "DE",
    "basis": "statutory",
    "amount_minor": 2600,
    "currency": "EUR",
    "unit": "hour",
    "valid_from": "2027-01-01",
    **SOURCE,
}


def _floor(**fields) -> WageFloor:
    values = {
        "country": "DE",
        "basis": FloorBasis.STATUTORY,
        "amount_minor": 1282,
        "currency": "EUR",
        "valid_from": date(2026, 1, 1),
        **SOURCE,
        "retrieved_on": date(2026, 1, 5),
    }
    values.update(fields)
    return wage_floor_add(by=None, floor=WageFloor(**values))


def _api(user) -> APIClient:
    _token, key = account_services.api_token_create(user=user, name="script")
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def floors():
    """Germany's floor now and before, its announced next one, and Indonesia's."""
    return {
        "old": _floor(amount_minor=1241, valid_from=date(2025, 1, 1)),
        "now": _floor(),
        "next": _floor(amount_minor=1390, valid_from=date(2099, 1, 1)),
        "id": _floor(
            country="ID",
            amount_minor=290_000_000,
            currency="IDR",
            unit="month",
            hours_per_unit="173",
        ),
    }


@pytest.fixture
def bare_staff(db):
    """Staff with two-factor authentication on and no group: no permissions at all."""
    user = factories.user_create("staff@example.com", is_staff=True)
    TOTP.activate(user, generate_totp_secret())
    return user


def test_a_contractor_sees_only_the_floor_in_force_for_them(alice, floors):
    response = _api(alice).get(FLOORS, {"country": "ID"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert row["id"] == floors["now"].pk
    assert (row["amount_minor"], row["currency"], row["unit"], row["basis"]) == (
        1282,
        "EUR",
        "hour",
        "statutory",
    )
    assert (row["country"], row["valid_from"], row["source_name"]) == (
        "DE",
        "2026-01-01",
        "Mindestlohnkommission",
    )
    assert (row["in_force_hourly_minor"], row["in_force_currency"]) == (1282, "EUR")


def test_a_contractor_without_a_floor_gets_an_empty_list(bob):
    assert _api(bob).get(FLOORS).json()["results"] == []


@pytest.mark.parametrize("who", ["applicant", "newcomer", "bare_staff"])
def test_applicants_others_and_staff_without_the_permission_are_refused(
    request, who, floors, manager
):
    if who == "newcomer":
        user = factories.user_create("new@example.com")
    else:
        user = request.getfixturevalue(who)
    client = _api(user)

    assert client.get(FLOORS).status_code == 403
    assert client.post(FLOORS, NEW_FLOOR, format="json").status_code == 403
    assert client.get(RATES).status_code == 403
    assert client.post(RATES, {}, format="json").status_code == 403


def test_a_contractor_cannot_add_floors_or_read_rates(alice, floors):
    client = _api(alice)

    assert client.post(FLOORS, NEW_FLOOR, format="json").status_code == 403
    assert client.get(RATES).status_code == 403
    assert WageFloor.objects.count() == 4


def test_an_accountant_reads_floors_but_cannot_add_them(accountant, floors):
    client = _api(accountant)

    assert client.get(FLOORS).json()["count"] == 4
    assert client.post(FLOORS, NEW_FLOOR, format="json").status_code == 403


def test_staff_list_every_floor_a_page_at_a_time_filtered_by_country(manager, floors):
    client = _api(manager)

    everything = client.get(FLOORS).json()
    german = client.get(FLOORS, {"country": "de"}).json()

    assert everything["count"] == 4
    assert [row["id"] for row in german["results"]] == [
        floors["next"].pk,
        floors["now"].pk,
        floors["old"].pk,
    ]
    assert german["results"][0]["in_force_hourly_minor"] is None
    assert client.get(FLOORS, {"page": 9}).status_code == 404


def test_a_manager_adds_a_floor_through_the_service(manager, floors):
    response = _api(manager).post(FLOORS, NEW_FLOOR, format="json")

    assert response.status_code == 201
    added = WageFloor.objects.get(pk=response.json()["id"])
    assert (added.amount_minor, added.valid_from, added.created_by) == (
        2600,
        date(2027, 1, 1),
        manager,
    )


@pytest.mark.parametrize("missing", ["source_name", "source_url", "licence", "retrieved_on"])
def test_a_floor_without_its_source_is_refused_naming_the_field(manager, missing):
    body = {key: value for key, value in NEW_FLOOR.items() if key != missing}

    response = _api(manager).post(FLOORS, body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [missing]
    assert not WageFloor.objects.exists()


def test_a_blank_source_is_refused_too(manager):
    response = _api(manager).post(FLOORS, {**NEW_FLOOR, "source_name": " "}, format="json")

    assert response.status_code == 400
    assert "source_name" in response.json()


def test_floors_are_never_edited_only_added(manager, floors):
    client = _api(manager)
    same_day = {**NEW_FLOOR, "valid_from": "2026-01-01", "amount_minor": 9999}
    url = f"{FLOORS}/{floors['now'].pk}"

    refused = client.post(FLOORS, same_day, format="json")

    assert refused.status_code == 400
    assert "non_field_errors" in refused.json()
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(FLOORS, same_day, format="json").status_code == 405
        assert getattr(client, method)(url, same_day, format="json").status_code == 404
    floors["now"].refresh_from_db()
    assert floors["now"].amount_minor == 1282


def test_a_vendor_floor_alone_may_have_no_country(manager):
    response = _api(manager).post(FLOORS, {**NEW_FLOOR, "country": ""}, format="json")

    assert response.status_code == 400
    assert not WageFloor.objects.exists()


# --- Exchange rates -----------------------------------------------------------------------


def test_a_manager_lists_and_adds_exchange_rates(manager):
    client = _api(manager)
    body = {
        "from_currency": "eur",
        "to_currency": "idr",
        "rate": "17250.5",
        "on": "2026-11-02",
        "source": "Bank Indonesia JISDOR",
    }

    created = client.post(RATES, body, format="json")
    listed = client.get(RATES, {"from_currency": "EUR"}).json()

    assert created.status_code == 201
    rate = ExchangeRate.objects.get()
    assert (rate.from_currency, rate.to_currency, rate.created_by) == ("EUR", "IDR", manager)
    assert [row["id"] for row in listed["results"]] == [rate.pk]
    assert listed["results"][0]["rate"] == "17250.5000000000"
    assert client.get(RATES, {"to_currency": "USD"}).json()["count"] == 0


def test_exchange_rates_are_checked_and_never_edited(manager):
    client = _api(manager)
    body = {
        "from_currency": "EUR",
        "to_currency": "EUR",
        "rate": "1",
        "on": "2026-11-02",
        "source": "ECB",
    }

    same = client.post(RATES, body, format="json")
    zero = client.post(RATES, {**body, "to_currency": "USD", "rate": "0"}, format="json")
    first = client.post(RATES, {**body, "to_currency": "USD", "rate": "1.05"}, format="json")
    again = client.post(RATES, {**body, "to_currency": "USD", "rate": "1.10"}, format="json")
    no_source = client.post(RATES, {**body, "to_currency": "USD", "source": ""}, format="json")

    assert (same.status_code, zero.status_code, first.status_code) == (400, 400, 201)
    assert "rate" in zero.json()
    assert again.status_code == 400
    assert list(no_source.json()) == ["source"]
    assert client.delete(RATES).status_code == 405
    assert [str(rate.rate) for rate in ExchangeRate.objects.all()] == ["1.0500000000"]


def test_a_contractor_whose_floor_needs_a_rate_gets_it_converted(manager, floors):
    user, application = factories.applicant_create(
        "dewi@example.com", country="ID", time_zone="Asia/Jakarta", payout_currency="USD"
    )
    account_services.application_approve(application=application, by=manager)
    exchange_rate_add(
        by=manager,
        rate=ExchangeRate(
            from_currency="IDR",
            to_currency="USD",
            rate="0.0000625",
            on=date(2026, 1, 1),
            source="Bank Indonesia",
        ),
    )
    assert ContractorProfile.objects.get(user=user).status == "onboarding"

    (row,) = _api(user).get(FLOORS).json()["results"]

    assert row["id"] == floors["id"].pk
    assert (row["amount_minor"], row["currency"], row["unit"]) == (290_000_000, "IDR", "month")
    # 2,900,000.00 IDR a month over 173 hours: 16,763.01 an hour (rounded up), which at
    # 0.0000625 is 1.0477 USD, rounded up to 1.05.
    assert (row["hourly_minor"], row["in_force_hourly_minor"], row["in_force_currency"]) == (
        1_676_301,
        105,
        "USD",
    )


def test_the_floor_lists_cost_the_same_queries_at_one_row_and_at_fifty(
    manager, alice, django_assert_max_num_queries
):
    staff, contractor = _api(manager), _api(alice)
    _floor()
    with django_assert_max_num_queries(10) as one:
        assert staff.get(FLOORS).json()["count"] == 1
    with django_assert_max_num_queries(10) as mine:
        assert contractor.get(FLOORS).json()["count"] == 1
    for year in range(1980, 2029):
        _floor(valid_from=date(year, 1, 2))
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert staff.get(FLOORS).json()["count"] == 50
    with django_assert_max_num_queries(len(mine.captured_queries)):
        assert contractor.get(FLOORS).json()["count"] == 1
