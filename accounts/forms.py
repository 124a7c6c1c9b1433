"""Forms for applying and onboarding.

Forms check the shape of the input; the services own the business rules and
validate again, so a form here never decides anything on its own.
"""

import re
from datetime import date

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator
from django.forms.utils import pretty_name
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.choices import currency_choices, language_choices, time_zone_choices
from accounts.models import (
    AgreementVersion,
    ContractorProfile,
    ExpertiseArea,
    LanguageLevel,
    PayoutMethod,
    TaxForm,
)
from accounts.services import ApplicantDetails
from accounts.uploads import DOCX, PDF, inspect_document

MAX_LANGUAGES = 8
RESUME_ACCEPT = f".pdf,.docx,{PDF},{DOCX}"


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to a field when it names one."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _with_blank(choices, label: str) -> list[tuple[str, str]]:
    return [("", label), *choices]


CHOOSE = _("Choose…")


def site_language_choices() -> list[tuple[str, str]]:
    """The site's languages, each named in itself, as settings.LANGUAGES gives them."""
    return list(settings.LANGUAGES)


class LanguageSelect(forms.Select):
    """A select of site languages; each option says which language its name is in."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value:
            option["attrs"]["lang"] = value
        return option


class PortalForm(forms.Form):
    """Marks optional fields in their label, so nobody has to guess from an asterisk."""

    mark_optional = True
    # Optional fields that still always send a value (a select without a blank
    # choice): calling them optional would only puzzle people.
    never_marked_optional: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if self.mark_optional:
            for name, field in self.fields.items():
                if field.required or isinstance(field, forms.BooleanField):
                    continue
                if name in self.never_marked_optional:
                    continue
                field.label = gettext("%(label)s (optional)") % {
                    "label": field.label or pretty_name(name)
                }


# --- Applying ----------------------------------------------------------------------


class LanguageForm(PortalForm):
    language = forms.ChoiceField(
        label=_("Language"), choices=lambda: _with_blank(language_choices(), CHOOSE)
    )
    level = forms.ChoiceField(label=_("Level"), choices=_with_blank(LanguageLevel.choices, CHOOSE))


class BaseLanguageFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        codes = [code for code, _level in self.languages()]
        if not codes:
            raise ValidationError(_("List at least one language you work in."))
        if len(codes) != len(set(codes)):
            raise ValidationError(_("Each language can be listed once."))

    def languages(self) -> list[tuple[str, str]]:
        return [
            (form.cleaned_data["language"], form.cleaned_data["level"])
            for form in self.forms
            if form.cleaned_data.get("language")
        ]


LanguageFormSet = forms.formset_factory(
    LanguageForm, formset=BaseLanguageFormSet, extra=2, min_num=1, max_num=MAX_LANGUAGES
)


def language_formset(data=None, *, profile: ContractorProfile | None = None) -> BaseLanguageFormSet:
    initial = None
    if profile is not None and data is None:
        initial = [
            {"language": row.language, "level": row.level} for row in profile.languages.all()
        ]
    return LanguageFormSet(data, prefix="languages", initial=initial)


_PROFILE_FIELDS = ("legal_name", "display_name", "time_zone", "hours_per_week", "payout_currency")


class ApplicationForm(PortalForm):
    never_marked_optional = ("site_language",)

    legal_name = forms.CharField(
        label=_("Legal name"),
        max_length=200,
        help_text=_("As on your ID and tax documents."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=100,
        help_text=_("What managers see day to day."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    country = CountryField(blank_label=_("Choose a country")).formfield(
        label=_("Country"), help_text=_("Where you live and pay tax.")
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=lambda: _with_blank(time_zone_choices(), CHOOSE),
        help_text=_("Your hours are counted, and times are shown to you, in this zone."),
    )
    site_language = forms.ChoiceField(
        label=_("Language of this site"),
        choices=site_language_choices,
        widget=LanguageSelect,
        required=False,
        help_text=_("The language of these pages and of the emails we send you."),
    )
    expertise = forms.ModelMultipleChoiceField(
        label=_("Expertise areas"),
        queryset=ExpertiseArea.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick every area you can do expert work in."),
    )
    hours_per_week = forms.IntegerField(
        label=_("Hours available a week"),
        min_value=1,
        max_value=80,
        help_text=_("Between 1 and 80."),
    )
    payout_currency = forms.ChoiceField(
        label=_("Payout currency"),
        choices=lambda: _with_blank(currency_choices(), CHOOSE),
        help_text=_("The currency you want to be paid in."),
    )
    motivation = forms.CharField(
        label=_("Why do you want to do this work?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A few sentences; at most 2,000 characters."),
    )
    resume = forms.FileField(
        label=_("Résumé"),
        help_text=_("PDF or Word (.docx), at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": RESUME_ACCEPT}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The language this page is in: the account's, once it has one.
        self.fields["site_language"].initial = translation.get_language()

    def clean_resume(self) -> UploadedFile | None:
        resume = self.cleaned_data.get("resume")
        if resume:
            inspect_document(resume)
        return resume

    def applicant_details(self, languages: list[tuple[str, str]]) -> ApplicantDetails:
        return ApplicantDetails.from_answers(self.cleaned_data, languages=languages)

    @staticmethod
    def initial_from(profile: ContractorProfile | None, motivation: str = "") -> dict:
        if profile is None:
            return {}
        initial = {name: getattr(profile, name) for name in _PROFILE_FIELDS}
        initial["country"] = str(profile.country)
        initial["expertise"] = list(profile.expertise.all())
        initial["motivation"] = motivation
        return initial


class ApplicationEditForm(ApplicationForm):
    """The application form while editing: the résumé on file stays unless replaced."""

    def __init__(self, *args, resume_name: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["resume"]
        field.required = False
        field.label = gettext("Replace your résumé (optional)")
        field.help_text = gettext(
            "Leave empty to keep %(name)s. PDF or Word (.docx), at most 5 MB."
        ) % {"name": resume_name}


# --- Onboarding ----------------------------------------------------------------------


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
        if born and not date(1900, 1, 1) <= born < date.today():
            raise ValidationError(_("Enter your real date of birth."))
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
        help_text=_("IBAN or account number for a bank transfer; the account's email otherwise."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        method = data.get("method")
        identifier = "".join(data.get("account_identifier", "").split())
        if not method or not identifier:
            return data
        if method == PayoutMethod.PAYPAL:
            try:
                EmailValidator()(identifier)
            except ValidationError:
                self.add_error("account_identifier", _("PayPal pays to an email address."))
        elif len(identifier) < 5:
            self.add_error("account_identifier", _("This is too short to be an account."))
        return data


# --- API tokens ------------------------------------------------------------------------


class ApiTokenForm(PortalForm):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Say where it is used, e.g. “labelling tool on my laptop”."),
    )


# --- Preferences ---------------------------------------------------------------------


class PreferencesForm(PortalForm):
    language = forms.ChoiceField(
        label=_("Language of this site"),
        choices=site_language_choices,
        widget=LanguageSelect,
        help_text=_("The language of these pages and of the emails we send you."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Dates and times on these pages and in emails are shown in this zone."),
    )

    def __init__(self, *args, with_time_zone: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not with_time_zone:
            # A contractor's times follow the time zone of their application.
            del self.fields["time_zone"]
