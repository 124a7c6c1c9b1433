"""The payout and tax steps refuse implausible input next to the field and keep what was typed."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services
from accounts.models import ContractorProfile, PayoutDetails, TaxForm
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def frida(db, manager):
    """A contractor in onboarding who lives in France, where banks use IBANs."""
    user, application = factories.applicant_create(
        "frida@example.com", legal_name="Frida Example", country="FR", time_zone="Europe/Paris"
    )
    services.application_approve(application=application, by=manager)
    return user


def test_payout_details_service_refuses_what_is_not_an_account(frida):
    profile = ContractorProfile.objects.get(user=frida)
    for method, identifier in [("bank_transfer", "not-an-iban"), ("wise", "y" * 100)]:
        with pytest.raises(ValidationError) as error:
            services.payout_details_save(
                profile=profile,
                method=method,
                account_holder="Frida",
                account_identifier=identifier,
            )
        assert list(error.value.message_dict) == ["account_identifier"]
    assert not PayoutDetails.objects.exists()


def test_payout_details_page_says_what_is_wrong_and_keeps_what_was_typed(client, frida):
    client.force_login(frida)
    response = client.post(
        reverse("accounts:payout_details"),
        {
            "method": "bank_transfer",
            "account_holder": "Frida E.",
            "account_identifier": "FR76 3000",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["account_identifier"] == [
        "An IBAN from FR has 27 characters; this one has 8."
    ]
    html = response.content.decode()
    assert 'value="FR76 3000"' in html
    assert 'value="Frida E."' in html
    assert '<option value="bank_transfer" selected>' in html
    assert not PayoutDetails.objects.exists()


def test_tax_form_page_refuses_a_six_year_old_filer_and_keeps_the_rest(client, frida):
    client.force_login(frida)
    response = client.post(
        reverse("accounts:tax_form"),
        {
            "name_on_form": "Frida Example",
            "country_of_citizenship": "FR",
            "address": "1 rue de Rivoli, Paris",
            "tax_id": "1234567890123",
            "date_of_birth": "2020-05-01",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date_of_birth"] == [
        "The filer must be at least 16 years old: check the year."
    ]
    html = response.content.decode()
    assert "1 rue de Rivoli, Paris" in html
    assert 'value="2020-05-01"' in html
    assert not TaxForm.objects.exists()
