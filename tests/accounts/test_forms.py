"""The forms check the shape of input; the rules stay in the services."""

from datetime import timedelta

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.forms import (
    AgreementForm,
    ApplicationEditForm,
    ApplicationForm,
    PayoutDetailsForm,
    W8BENForm,
    W9Form,
    add_service_errors,
    language_formset,
)
from accounts.models import ExpertiseArea
from tests import factories

pytestmark = pytest.mark.django_db


def application_data(**overrides) -> dict:
    data = {
        "legal_name": "Carol Example",
        "display_name": "Carol",
        "country": "FR",
        "time_zone": "Europe/Paris",
        "hours_per_week": "10",
        "payout_currency": "EUR",
        "motivation": "I like careful work.",
    }
    data.update(overrides)
    return data


def languages_data(*rows: tuple[str, str], total: int = 3) -> dict:
    data = {
        "languages-TOTAL_FORMS": str(total),
        "languages-INITIAL_FORMS": "0",
        "languages-MIN_NUM_FORMS": "1",
        "languages-MAX_NUM_FORMS": "8",
    }
    for index in range(total):
        language, level = rows[index] if index < len(rows) else ("", "")
        data[f"languages-{index}-language"] = language
        data[f"languages-{index}-level"] = level
    return data


def resume_files() -> dict:
    return {"resume": factories.resume_upload()}


def test_application_form_builds_applicant_details_from_clean_input():
    area = ExpertiseArea.objects.create(name="Medicine")
    form = ApplicationForm(application_data(expertise=[str(area.pk)]), resume_files())
    languages = language_formset(languages_data(("fr", "native"), ("en", "B2")))
    assert form.is_valid(), form.errors
    assert languages.is_valid(), languages.errors

    details = form.applicant_details(languages.languages())

    assert details.country == "FR"
    assert details.hours_per_week == 10
    assert details.languages == [("fr", "native"), ("en", "B2")]
    assert details.expertise == [area]


@pytest.mark.parametrize("hours", ["0", "81", "ten"])
def test_hours_a_week_must_be_a_whole_number_from_1_to_80(hours):
    form = ApplicationForm(application_data(hours_per_week=hours), resume_files())
    assert "hours_per_week" in form.errors


@pytest.mark.parametrize(
    ("field", "value"),
    [("time_zone", "Mars/Olympus"), ("payout_currency", "XYZ"), ("country", "ZZ")],
)
def test_unknown_reference_codes_are_refused(field, value):
    form = ApplicationForm(application_data(**{field: value}), resume_files())
    assert field in form.errors


@pytest.mark.parametrize("code", ["XAU", "XTS", "XXX", "DEM", "AFA", "ADP"])
def test_application_refuses_a_currency_not_in_use(code):
    form = ApplicationForm(application_data(payout_currency=code), resume_files())
    assert "payout_currency" in form.errors
    offered = [
        value
        for group in form.fields["payout_currency"].choices
        for value, _label in (group[1] if isinstance(group[1], list) else [group])
    ]
    assert code not in offered
    assert "EUR" in offered


def test_application_offers_the_applicants_own_currency_first(settings):
    settings.VENDOR_COUNTRIES = ["US"]
    form = ApplicationForm(initial={"country": "PH"})
    blank, (_suggested, first), (_others, rest) = form.fields["payout_currency"].choices
    assert blank[0] == ""
    assert [code for code, _label in first] == ["PHP", "USD"]
    bound = ApplicationForm(application_data(country="ID"), resume_files())
    assert bound.fields["payout_currency"].choices[1][1][0][0] == "IDR"


def test_application_needs_a_resume_but_an_edit_keeps_the_one_on_file():
    assert "resume" in ApplicationForm(application_data(), {}).errors
    edit = ApplicationEditForm(application_data(), {}, resume_name="cv.pdf")
    assert edit.is_valid(), edit.errors
    assert "cv.pdf" in edit.fields["resume"].help_text


def test_optional_fields_say_so_in_their_label():
    form = ApplicationForm()
    assert form.fields["expertise"].label == "Expertise areas (optional)"
    assert form["legal_name"].label == "Legal name"


def test_languages_need_at_least_one_row_filled():
    languages = language_formset(languages_data())
    assert not languages.is_valid()
    assert languages.forms[0].errors["language"] == ["This field is required."]


def test_each_language_can_be_listed_once():
    languages = language_formset(languages_data(("fr", "native"), ("fr", "C1")))
    assert not languages.is_valid()
    assert languages.non_form_errors() == ["Each language can be listed once."]


def test_a_language_row_needs_its_level():
    languages = language_formset(languages_data(("fr", "native"), ("en", "")))
    assert not languages.is_valid()
    assert languages.forms[1].errors["level"] == ["This field is required."]


def test_empty_extra_language_rows_are_ignored():
    languages = language_formset(languages_data(("pt", "A2"), total=5))
    assert languages.is_valid()
    assert languages.languages() == [("pt", "A2")]


def test_w9_tin_must_have_nine_digits_and_is_stored_as_digits():
    bad = W9Form({"tax_id": "12-34"})
    assert bad.errors["tax_id"] == ["An SSN or EIN has nine digits."]
    good = W9Form({"tax_id": "123-45-6789", "name_on_form": "Dora", "address": "1 Main St"})
    assert good.is_valid(), good.errors
    assert good.service_fields()["tax_id"] == "123456789"


def test_empty_tin_keeps_the_number_on_file():
    form = W8BENForm({"name_on_form": "Alice", "tax_id": ""}, tax_id_on_file="DE123")
    assert form.is_valid(), form.errors
    assert form.service_fields()["tax_id"] == "DE123"
    assert "Leave empty to keep" in form.fields["tax_id"].help_text


def test_tin_on_file_is_never_rendered_into_the_form():
    assert "DE123456789" not in str(W8BENForm(tax_id_on_file="DE123456789"))


def _years_ago(years: int, days: int = 0) -> str:
    today = timezone.localdate()
    return (today.replace(year=today.year - years) + timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (_years_ago(0), "A date of birth can't be today or later: check the year."),
        (
            _years_ago(0, days=1),
            "A date of birth can't be today or later: check the year.",
        ),
        (_years_ago(6), "The filer must be at least 16 years old: check the year."),
        (_years_ago(16, days=1), "The filer must be at least 16 years old: check the year."),
        (_years_ago(121), "That makes the filer older than 120: check the year."),
        ("1850-01-01", "That makes the filer older than 120: check the year."),
    ],
)
def test_w8ben_date_of_birth_must_make_a_plausible_working_age(born, message):
    form = W8BENForm({"date_of_birth": born})
    assert form.errors["date_of_birth"] == [message]


@pytest.mark.parametrize("born", [_years_ago(16), _years_ago(30), _years_ago(119)])
def test_w8ben_takes_a_plausible_date_of_birth(born):
    form = W8BENForm({"date_of_birth": born})
    assert "date_of_birth" not in form.errors


def test_paypal_payouts_need_an_email_address():
    form = PayoutDetailsForm(
        {"method": "paypal", "account_holder": "Alice", "account_identifier": "12345678"}
    )
    assert form.errors["account_identifier"] == ["PayPal pays to an email address."]


def _payout(method: str, identifier: str, country: str = "") -> PayoutDetailsForm:
    return PayoutDetailsForm(
        {"method": method, "account_holder": "Alice", "account_identifier": identifier},
        country=country,
    )


@pytest.mark.parametrize(
    ("identifier", "country", "message"),
    [
        (
            "12",
            "US",
            "Enter an IBAN, or the account number as your bank gives it: 6 to 20 digits.",
        ),
        (
            "not-an-iban",
            "US",
            "Enter an IBAN, or the account number as your bank gives it: 6 to 20 digits.",
        ),
        (
            "not-an-iban",
            "DE",
            "Banks in your country use IBANs: enter yours. It has 22 characters and starts "
            "with DE.",
        ),
        (
            "1234567890",
            "FR",
            "Banks in your country use IBANs: enter yours. It has 27 characters and starts "
            "with FR.",
        ),
        (
            "DE89 3704 0044 0532 0130 01",
            "DE",
            "The check digits of this IBAN do not match: look for a typo.",
        ),
        ("DE89 3704 0044 0532 0130", "DE", "An IBAN from DE has 22 characters; this one has 20."),
        ("QQ12 3456 7890", "", "QQ is not the country code of an IBAN."),
        ("0000000000", "ID", "This is not a real account number."),
    ],
)
def test_bank_transfer_needs_a_valid_iban_or_account_number(identifier, country, message):
    assert _payout("bank_transfer", identifier, country).errors["account_identifier"] == [message]


@pytest.mark.parametrize(
    ("identifier", "country", "stored"),
    [
        ("de89 3704 0044 0532 0130 00", "DE", "DE89370400440532013000"),
        ("GB82 WEST 1234 5698 7654 32", "", "GB82WEST12345698765432"),
        ("123-456-7890", "US", "1234567890"),
        ("1234 5678 9012", "ID", "123456789012"),
    ],
)
def test_bank_transfer_takes_a_valid_account_in_its_stored_form(identifier, country, stored):
    form = _payout("bank_transfer", identifier, country)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["account_identifier"] == stored


@pytest.mark.parametrize("method", ["wise", "payoneer"])
@pytest.mark.parametrize("identifier", ["y" * 100, "not-an-email", "@@@", "abc def"])
def test_wallets_need_an_email_or_an_account_number(method, identifier):
    provider = {"wise": "Wise", "payoneer": "Payoneer"}[method]
    assert _payout(method, identifier).errors["account_identifier"] == [
        f"Enter the email address of your {provider} account, or its account number or IBAN."
    ]


@pytest.mark.parametrize(
    ("method", "identifier"),
    [
        ("wise", "alice@example.com"),
        ("wise", "DE89370400440532013000"),
        ("payoneer", "alice@example.com"),
        ("payoneer", "12345678"),
    ],
)
def test_wallets_take_an_email_or_an_account_number(method, identifier):
    form = _payout(method, identifier)
    assert form.is_valid(), form.errors


def test_agreement_form_needs_the_box_ticked():
    agreement = factories.agreement_publish()
    form = AgreementForm({"agreement": agreement.pk})
    assert form.errors["accept"] == ["Tick the box to accept the agreement."]


def test_service_errors_land_on_the_named_field_or_on_the_form():
    class NameForm(forms.Form):
        name = forms.CharField()

    form = NameForm({"name": "x"})
    form.is_valid()
    add_service_errors(form, ValidationError({"name": ["Taken."], "languages": ["Duplicate."]}))
    add_service_errors(form, ValidationError("Closed."))

    assert form.errors["name"] == ["Taken."]
    assert form.non_field_errors() == ["Duplicate.", "Closed."]
