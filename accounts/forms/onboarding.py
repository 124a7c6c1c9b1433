"""The onboarding checklist's forms: the agreement, the tax form and payout details."""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.forms.base import CHOOSE, PortalForm, _with_blank
from accounts.models import (
    AgreementVersion,
    ContractorProfile,
    PayoutMethod,
    TaxForm,
)
from accounts.payout_accounts import payout_account_clean
from accounts.uploads import PDF, inspect_document


class AgreementForm(PortalForm):
    agreement = forms.ModelChoiceField(
        queryset=AgreementVersion.objects.filter(published_at__isnull=False),
        widget=forms.HiddenInput,
    )
    accept = forms.BooleanField(
        label=_("I have read the agreement above and accept it."),
        error_messages={"required": _("Tick the box to accept the agreement.")},
    )


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


# Younger than a plausible working age (the ILO's general minimum is 15 or
# 16) or older than anyone alive: a date outside is almost surely a typo in
# the year.
MIN_WORKING_AGE = 16
MAX_AGE = 120


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none.
        return day.replace(year=day.year - years, day=28)


class TaxFormBase(PortalForm):
    """Fields shared by W-9 and W-8BEN; the service decides which are required."""

    # Every field is needed unless a signed copy is uploaded, so "optional"
    # on each label would mislead; the page explains the choice instead.
    mark_optional = False

    document = forms.FileField(
        label=_("Or upload the signed form (PDF)"),
        required=False,
        help_text=_("Instead of typing the fields, upload the signed form as a PDF, at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": f".pdf,{PDF}"}),
    )

    def __init__(self, *args, tax_id_on_file: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tax_id_on_file = tax_id_on_file
        if tax_id_on_file:
            field = self.fields["tax_id"]
            field.help_text = gettext("%(help)s Leave empty to keep the number on file.") % {
                "help": field.help_text
            }

    def clean_document(self) -> UploadedFile | None:
        document = self.cleaned_data.get("document")
        if document:
            inspect_document(document, allow_docx=False)
        return document

    def service_fields(self) -> dict:
        fields = {name: value for name, value in self.cleaned_data.items() if name != "document"}
        # The number on file is never sent back to the browser, so an empty
        # box means "keep it", not "erase it".
        fields["tax_id"] = fields.get("tax_id") or self.tax_id_on_file
        return fields

    @staticmethod
    def initial_from(profile: ContractorProfile, on_file: TaxForm | None) -> dict:
        if on_file is None:
            return {
                "name_on_form": profile.legal_name,
                "country_of_citizenship": str(profile.country),
            }
        return {
            "name_on_form": on_file.name_on_form,
            "address": on_file.address,
            "country_of_citizenship": str(on_file.country_of_citizenship),
            "date_of_birth": on_file.date_of_birth,
        }


class W9Form(TaxFormBase):
    name_on_form = forms.CharField(
        label=_("Name (as shown on your income tax return)"), max_length=200, required=False
    )
    tax_id = forms.CharField(
        label=_("Taxpayer identification number (SSN or EIN)"),
        max_length=40,
        required=False,
        help_text=_("Nine digits. Shown only masked once filed."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    address = forms.CharField(
        label=_("Address (number, street, city, state, ZIP code)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    field_order = ["name_on_form", "tax_id", "address", "document"]

    def clean_tax_id(self) -> str:
        value = self.cleaned_data.get("tax_id", "").strip()
        if value and len(_digits(value)) != 9:
            raise ValidationError(_("An SSN or EIN has nine digits."))
        return _digits(value)


class W8BENForm(TaxFormBase):
    name_on_form = forms.CharField(
        label=_("Name of individual who is the beneficial owner"), max_length=200, required=False
    )
    country_of_citizenship = CountryField(blank=True, blank_label=_("Choose a country")).formfield(
        label=_("Country of citizenship")
    )
    address = forms.CharField(
        label=_("Permanent residence address"),
        required=False,
        help_text=_("Street, apt. or suite no., city, postal code and country. Not a P.O. box."),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    tax_id = forms.CharField(
        label=_("Foreign tax identifying number"),
        max_length=40,
        required=False,
        help_text=_("The tax number of your country of residence. Shown only masked once filed."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        help_text=_("Year, month and day (YYYY-MM-DD)."),
    )
    field_order = [
        "name_on_form",
        "country_of_citizenship",
        "address",
        "tax_id",
        "date_of_birth",
        "document",
    ]

    def clean_date_of_birth(self) -> date | None:
        born = self.cleaned_data.get("date_of_birth")
        if born is None:
            return born
        # The filer's own calendar day: the active zone is theirs.
        today = timezone.localdate()
        if born >= today:
            raise ValidationError(_("A date of birth can't be today or later: check the year."))
        if born > _years_before(today, MIN_WORKING_AGE):
            raise ValidationError(
                _("The filer must be at least %(age)d years old: check the year."),
                params={"age": MIN_WORKING_AGE},
            )
        if born < _years_before(today, MAX_AGE):
            raise ValidationError(
                _("That makes the filer older than %(age)d: check the year."),
                params={"age": MAX_AGE},
            )
        return born

    def clean_tax_id(self) -> str:
        return " ".join(self.cleaned_data.get("tax_id", "").split())


class PayoutDetailsForm(PortalForm):
    method = forms.ChoiceField(
        label=_("Payout method"), choices=_with_blank(PayoutMethod.choices, CHOOSE)
    )
    account_holder = forms.CharField(
        label=_("Account holder"),
        max_length=200,
        help_text=_("The name on the account."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    account_identifier = forms.CharField(
        label=_("Account"),
        max_length=100,
        help_text=_(
            "Bank transfer: your IBAN, or the account number where banks use no IBANs. "
            "PayPal: its email address. Wise and Payoneer: the account's email address or "
            "account number."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, country: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country = country

    def clean(self) -> dict:
        data = super().clean()
        method = data.get("method")
        identifier = data.get("account_identifier", "")
        if not method or not identifier:
            return data
        try:
            data["account_identifier"] = payout_account_clean(
                method=method, identifier=identifier, country=self.country
            )
        except ValidationError as exc:
            self.add_error("account_identifier", exc)
        return data


# --- API tokens ------------------------------------------------------------------------
