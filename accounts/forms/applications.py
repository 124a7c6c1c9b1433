"""The application form and its languages.

Forms check the shape of the input; the services own the business rules and
validate again, so a form here never decides anything on its own.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.choices import language_choices, time_zone_choices
from accounts.forms.base import (
    CHOOSE,
    LanguageSelect,
    PortalForm,
    _with_blank,
    site_language_choices,
)
from accounts.models import (
    ContractorProfile,
    ExpertiseArea,
    LanguageLevel,
)
from accounts.services import ApplicantDetails
from accounts.uploads import DOCX, PDF, inspect_document
from portal.money import currency_choices
from portal.places import subdivision_choices, subdivision_validate

MAX_LANGUAGES = 8
RESUME_ACCEPT = f".pdf,.docx,{PDF},{DOCX}"


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
    subdivision = forms.ChoiceField(
        label=_("Province or region"),
        required=False,
        help_text=_(
            "Only if your country is listed here: its minimum wage differs by province or "
            "region, and your pay is checked against yours."
        ),
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
        # The applicant's own country's currency first, once it is known.
        country = (self.data.get("country") if self.is_bound else None) or self.initial.get(
            "country", ""
        )
        self.fields["payout_currency"].choices = _with_blank(
            currency_choices(countries=[country] if country else []), CHOOSE
        )
        self.fields["subdivision"].choices = [("", _("None (not listed)")), *subdivision_choices()]

    def clean(self) -> dict:
        cleaned = super().clean()
        if "country" in cleaned and "subdivision" in cleaned:
            try:
                cleaned["subdivision"] = subdivision_validate(
                    country=str(cleaned["country"]), subdivision=cleaned["subdivision"]
                )
            except ValidationError as exc:
                self.add_error("subdivision", exc)
        return cleaned

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
        initial["subdivision"] = profile.subdivision
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
