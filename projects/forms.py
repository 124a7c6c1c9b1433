"""Forms for the projects admin (details, and the reasons its actions ask for)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import currency_choices, language_choices
from accounts.models import ContractorProfile, LanguageLevel
from accounts.selectors import staff_with_permission
from portal.dates import format_minutes, time_zone_label
from portal.money import decimal_to_minor, minor_to_decimal
from projects.models import MINUTES_PER_WEEK, PauseReason, Project
from projects.services import ProjectDetails
from projects.services.projects import MANAGES_PROJECTS
from projects.timesheet import HOURS_HELP, parse_hours


class HoursField(forms.CharField):
    """Hours typed as people write them (``20``, ``7:30``, ``37.5``, ``450m``), kept as minutes."""

    def __init__(self, *, max_minutes: int = MINUTES_PER_WEEK, **kwargs) -> None:
        kwargs.setdefault("help_text", HOURS_HELP)
        super().__init__(**kwargs)
        self.max_minutes = max_minutes

    def prepare_value(self, value):
        return format_minutes(value) if isinstance(value, int) else value

    def to_python(self, value) -> int | None:
        minutes = parse_hours(super().to_python(value))
        if minutes is not None and not 1 <= minutes <= self.max_minutes:
            raise ValidationError(
                gettext("Give between 0:01 and %(most)s."),
                code="out_of_range",
                params={"most": format_minutes(self.max_minutes)},
            )
        return minutes


class RateFields(forms.Form):
    """An hourly rate typed in major units (``25.00``) with its currency."""

    rate = forms.DecimalField(
        label=_("Hourly rate"), min_value=Decimal("0.01"), max_digits=12, decimal_places=3
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices)

    def clean(self) -> dict:
        cleaned = super().clean()
        if "rate" in cleaned and "currency" in cleaned:
            try:
                cleaned["rate_minor"] = decimal_to_minor(cleaned["rate"], cleaned["currency"])
            except ValueError as exc:
                self.add_error("rate", str(exc))
        return cleaned


class ProjectForm(forms.ModelForm):
    guidelines_url = forms.URLField(
        label=_("Guidelines link"), required=False, assume_scheme="https"
    )
    languages = forms.MultipleChoiceField(
        label=_("Required languages"),
        choices=language_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    default_rate = forms.DecimalField(
        label=_("Default hourly rate"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=3,
        help_text=_("In the currency below, e.g. 25.00. New assignments start at this rate."),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices)
    weekly_cap = HoursField(label=_("Weekly cap per contractor"))
    manager = forms.ModelChoiceField(
        queryset=staff_with_permission(MANAGES_PROJECTS).order_by("email"),
        label=_("Manager"),
        help_text=_("Contractors on the project see this person and can contact them."),
    )

    class Meta:
        model = Project
        fields = [
            "name",
            "description",
            "guidelines",
            "guidelines_url",
            "languages",
            "expertise",
            "currency",
            "expected_hours_per_week",
            "start_on",
            "end_on",
            "manager",
        ]
        widgets = {"expertise": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["default_rate"] = minor_to_decimal(
                self.instance.default_rate_minor, self.instance.currency
            )
            self.initial["weekly_cap"] = self.instance.weekly_cap_minutes

    def clean(self) -> dict:
        cleaned = super().clean()
        if "default_rate" in cleaned and "currency" in cleaned:
            try:
                cleaned["default_rate_minor"] = decimal_to_minor(
                    cleaned["default_rate"], cleaned["currency"]
                )
            except ValueError as exc:
                self.add_error("default_rate", str(exc))
        return cleaned

    def details(self) -> ProjectDetails:
        data = self.cleaned_data
        return ProjectDetails(
            name=data["name"],
            description=data["description"],
            guidelines=data["guidelines"],
            guidelines_url=data["guidelines_url"],
            languages=list(data["languages"]),
            expertise=list(data["expertise"]),
            default_rate_minor=data["default_rate_minor"],
            currency=data["currency"],
            expected_hours_per_week=data["expected_hours_per_week"],
            weekly_cap_minutes=data["weekly_cap"],
            start_on=data["start_on"],
            end_on=data["end_on"],
            manager=data["manager"],
        )


class AssignmentForm(forms.Form):
    weekly_cap = HoursField(label=_("Weekly cap override"), required=False)
    end_on = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


# --- Reasons and details the admin actions ask for ---------------------------------------


class PauseTiming(models.TextChoices):
    NOW = "now", _("Now")
    LATER = "later", _("At a set time (a notice period)")


class PauseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=PauseReason.choices)
    message = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Contractors on the project read this: say what happens and what to do."),
    )
    expected_resume_on = forms.DateField(
        label=_("Expected resume date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional; contractors see it on the project's page and in the notice."),
    )
    takes_effect = forms.ChoiceField(
        label=_("Takes effect"),
        choices=PauseTiming.choices,
        initial=PauseTiming.NOW,
        widget=forms.RadioSelect,
        help_text=_("A set time gives contractors notice: they are told now, and again then."),
    )
    effective_at = forms.DateTimeField(
        label=_("Pause at"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Only for a pause at a set time."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The time typed is read in the manager's own time zone (the active one).
        self.fields["effective_at"].label = gettext("Pause at (%(time_zone)s)") % {
            "time_zone": time_zone_label()
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        later = cleaned.get("takes_effect") == PauseTiming.LATER
        if later and cleaned.get("effective_at") is None and "effective_at" not in self.errors:
            self.add_error("effective_at", gettext("Give the time the pause starts."))
        if not later:
            cleaned["effective_at"] = None
        return cleaned


class ResumeForm(forms.Form):
    message = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Message"),
        help_text=_("Contractors read this: what changed, and anything to know as work restarts."),
    )


class CancelPauseForm(forms.Form):
    message = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Message"),
        help_text=_("Contractors who were told of the pause read this."),
    )


class CloseForm(forms.Form):
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Message"),
        help_text=_("Why the project is closing; contractors read this."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Reason"),
        help_text=_("Shown to the contractor, who can correct the entries and resubmit."),
    )


class RemoveForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Reason"),
        help_text=_("Shown to the contractor on their projects page."),
    )


class EndForm(forms.Form):
    end_on = forms.DateField(
        label=_("Last working day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for today in the contractor's time zone."),
    )


class RateForm(RateFields):
    effective_on = forms.DateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Hours from this day on are paid at the new rate; earlier hours keep theirs."),
    )


class AssignContractorsForm(RateFields):
    contractors = forms.ModelMultipleChoiceField(
        label=_("Contractors"),
        queryset=ContractorProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    start_on = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    weekly_cap = HoursField(label=_("Weekly cap override"), required=False)

    def __init__(self, *args, project: Project, candidates, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contractors"].queryset = candidates
        self.fields["contractors"].label_from_instance = _contractor_label
        self.fields["start_on"].initial = max(project.start_on, timezone.localdate())
        self.fields["rate"].initial = minor_to_decimal(project.default_rate_minor, project.currency)
        self.fields["currency"].initial = project.currency


def _contractor_label(profile: ContractorProfile) -> str:
    languages = ", ".join(
        f"{lang.language} {_level(lang.level, lang.get_level_display())}"
        for lang in profile.languages.all()
    )
    expertise = ", ".join(area.name for area in profile.expertise.all())
    details = " · ".join(part for part in (languages, expertise, profile.time_zone) if part)
    return f"{profile.legal_name} <{profile.user.email}> — {details}"


def _level(level: str, label: str) -> str:
    """CEFR levels as their code (``C1``), which reads the same in every language."""
    return str(label) if level == LanguageLevel.NATIVE else level
