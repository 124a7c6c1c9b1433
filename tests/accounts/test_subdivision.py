"""The contractor's province or region: asked where the country's wage floors differ by it."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.forms import ApplicationForm
from accounts.models import ContractorProfile
from projects.models import WageFloor
from projects.services.floors import wage_floor_add
from tests import factories
from tests.accounts.test_api import APPLICATION, ME, application_form, token_client
from tests.accounts.test_forms import application_data, resume_files
from tests.accounts.test_views import application_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def provinces(db):
    for code, name, amount in [("ID-JK", "DKI Jakarta", 3_119_516), ("ID-BA", "Bali", 1_732_000)]:
        wage_floor_add(
            by=None,
            floor=WageFloor(
                country="ID",
                subdivision=code,
                subdivision_name=name,
                basis="statutory",
                amount_minor=amount,
                currency="IDR",
                unit="hour",
                valid_from=date(2025, 1, 1),
                source_name="Governor's decree",
                source_url="https://example.org/ump",
                licence="public domain — official figure",
                retrieved_on=date(2026, 11, 26),
            ),
        )


def _indonesian(**overrides) -> dict:
    return application_data(
        country="ID", time_zone="Asia/Jakarta", payout_currency="IDR", **overrides
    )


def test_the_form_offers_the_provinces_named_as_in_the_floors(provinces):
    form = ApplicationForm()

    groups = dict(form.fields["subdivision"].choices[1:])
    assert groups["Indonesia"] == [("ID-BA", "Bali"), ("ID-JK", "DKI Jakarta")]


def test_a_country_with_provinces_needs_one(provinces):
    form = ApplicationForm(_indonesian(), resume_files())

    assert form.errors["subdivision"] == ["Choose the province or region where you live."]


def test_a_province_of_another_country_is_refused(provinces):
    form = ApplicationForm(_indonesian(subdivision="VN-MW1"), resume_files())

    assert "subdivision" in form.errors


def test_a_country_without_provinces_takes_none(provinces):
    form = ApplicationForm(application_data(subdivision="ID-JK"), resume_files())

    assert "subdivision" in form.errors
    assert "subdivision" not in ApplicationForm(application_data(), resume_files()).errors


def test_the_service_checks_it_too_for_the_api(provinces):
    details = factories.applicant_details(
        country="ID", time_zone="Asia/Jakarta", payout_currency="IDR", subdivision="XX-1"
    )

    with pytest.raises(ValidationError) as raised:
        details.clean()
    assert "subdivision" in raised.value.message_dict


def test_applying_stores_the_province_on_the_profile(provinces, client):
    user = factories.user_create("siti@example.com")
    client.force_login(user)
    post = application_post(
        ("id", "native"),
        country="ID",
        time_zone="Asia/Jakarta",
        payout_currency="IDR",
        subdivision="ID-JK",
    )

    response = client.post(reverse("accounts:apply"), post)

    assert response.status_code == 302
    assert ContractorProfile.objects.get(user=user).subdivision == "ID-JK"


def test_the_field_is_shown_only_once_some_country_has_provinces(client):
    client.force_login(factories.user_create("carol@example.com"))
    assert 'name="subdivision"' not in client.get(reverse("accounts:apply")).content.decode()

    wage_floor_add(
        by=None,
        floor=WageFloor(
            country="VN",
            subdivision="VN-MW1",
            subdivision_name="Region I",
            basis="statutory",
            amount_minor=4_960_000,
            currency="VND",
            unit="month",
            hours_per_unit=208,
            valid_from=date(2024, 7, 1),
            source_name="Decree 74/2024/ND-CP",
            source_url="https://example.org/decree",
            licence="public domain — official figure",
            retrieved_on=date(2026, 11, 26),
        ),
    )
    page = client.get(reverse("accounts:apply")).content.decode()
    assert 'name="subdivision"' in page
    assert "Region I" in page


def test_the_api_asks_the_same_and_shows_it_back(provinces):
    user = factories.user_create("dana@example.com")
    client = token_client(user)
    indonesian = {"country": "ID", "time_zone": "Asia/Jakarta", "payout_currency": "IDR"}

    refused = client.post(APPLICATION, application_form(**indonesian), format="multipart")
    assert refused.status_code == 400
    assert "subdivision" in str(refused.json())

    applied = client.post(
        APPLICATION, application_form(**indonesian, subdivision="ID-BA"), format="multipart"
    )
    assert applied.status_code == 201
    assert client.get(ME).json()["contractor"]["subdivision"] == "ID-BA"
