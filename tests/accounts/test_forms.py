"""The forms check the shape of input; the rules stay in the services."""

from datetime import date, timedelta

import pytest
from django import forms
from django.core.exceptions import ValidationError

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


def test_w8ben_date_of_birth_must_be_in_the_past():
    tomorrow = date.today() + timedelta(days=1)
    form = W8BENForm({"date_of_birth": tomorrow.isoformat()})
    assert form.errors["date_of_birth"] == ["Enter your real date of birth."]


def test_paypal_payouts_need_an_email_address():
    form = PayoutDetailsForm(
        {"method": "paypal", "account_holder": "Alice", "account_identifier": "12345678"}
    )
    assert form.errors["account_identifier"] == ["PayPal pays to an email address."]


def test_bank_transfer_account_must_look_like_an_account():
    form = PayoutDetailsForm(
        {"method": "bank_transfer", "account_holder": "Alice", "account_identifier": "12"}
    )
    assert form.errors["account_identifier"] == ["This is too short to be an account."]


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
