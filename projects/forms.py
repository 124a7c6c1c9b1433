"""Forms for the projects admin (details, and the reasons its actions ask for)."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import language_choices
from accounts.models import ContractorProfile, LanguageLevel
from accounts.selectors import staff_with_permission
from portal.admin_kit import names_list
from portal.dates import format_minutes, time_zone_label
from portal.money import currency_choices, decimal_to_minor, format_money, minor_to_decimal
from projects.floor_rules import contractor_floor, refuse_below_vendor_floor
from projects.models import (
    MINUTES_PER_WEEK,
    Assignment,
    AssignmentRate,
    ContentWarning,
    PauseReason,
    Project,
    ProjectPurpose,
    RemovalGround,
)
from projects.selectors.floors import FloorBook
from projects.services import ProjectDetails
from projects.services.assignments import currency_paid_in
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


def _currencies(countries: Iterable[str] = ()) -> list:
    """Currencies in use, likely ones first, after a blank: none is picked for the manager."""
    return [("", gettext("Choose a currency")), *currency_choices(countries=countries)]


class RateFields(forms.Form):
    """An hourly rate typed in major units (``25.00``) with its currency."""

    rate = forms.DecimalField(
        label=_("Hourly rate"), min_value=Decimal("0.01"), max_digits=12, decimal_places=3
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=_currencies)

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
    currency = forms.ChoiceField(label=_("Currency"), choices=_currencies)
    # Required for project work only (``_clean_limits``).
    weekly_cap = HoursField(label=_("Weekly cap per contractor"), required=False)
    time_limit = HoursField(
        label=_("Time limit per contractor"),
        required=False,
        help_text=_(
            "Paid assessments and training only: the most time one contractor can log on it."
        ),
    )
    # A form posted without it (a script, an older page) means no warning, not an error.
    content_warning = forms.TypedChoiceField(
        label=_("Content warning"),
        choices=ContentWarning.choices,
        required=False,
        empty_value=ContentWarning.NONE,
        help_text=Project._meta.get_field("content_warning").help_text,
    )
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
            "purpose",
            "currency",
            "expected_hours_per_week",
            "start_on",
            "end_on",
            "manager",
            "content_warning",
            "quality_review",
        ]
        widgets = {"expertise": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["default_rate"] = minor_to_decimal(
                self.instance.default_rate_minor, self.instance.currency
            )
            self.initial["weekly_cap"] = self.instance.weekly_cap_minutes
            self.initial["time_limit"] = self.instance.time_limit_minutes
        # Project work unless said otherwise, as for projects made before purposes existed.
        if "purpose" in self.fields:  # a closed project's read-only page has no fields
            self.fields["purpose"].required = False

    def clean(self) -> dict:
        cleaned = super().clean()
        self._clean_limits(cleaned)
        if "default_rate" in cleaned and "currency" in cleaned:
            try:
                cleaned["default_rate_minor"] = decimal_to_minor(
                    cleaned["default_rate"], cleaned["currency"]
                )
            except ValueError as exc:
                self.add_error("default_rate", str(exc))
        self._check_vendor_floor(cleaned)
        return cleaned

    def _clean_limits(self, cleaned: dict) -> None:
        """Work has a weekly cap; an assessment or training has a time limit instead."""
        if "purpose" in self.errors:
            return
        purpose = cleaned["purpose"] = cleaned.get("purpose") or self.instance.purpose
        if purpose == ProjectPurpose.WORK:
            cleaned["time_limit"] = None
            if not cleaned.get("weekly_cap") and "weekly_cap" not in self.errors:
                self.add_error("weekly_cap", gettext("Give the most hours a week one can log."))
            return
        if not cleaned.get("time_limit") and "time_limit" not in self.errors:
            self.add_error(
                "time_limit", gettext("Give the most time one contractor can log on it.")
            )
        # Not read for an assessment or training, but a row always has one.
        cleaned["weekly_cap"] = cleaned.get("weekly_cap") or MINUTES_PER_WEEK

    def _check_vendor_floor(self, cleaned: dict) -> None:
        """The service's floor check, shown next to the rate rather than as a failed save."""
        if "default_rate_minor" not in cleaned or "start_on" not in cleaned:
            return
        rate = (cleaned["default_rate_minor"], cleaned["currency"])
        if self.instance.pk and rate == (
            self.instance.default_rate_minor,
            self.instance.currency,
        ):
            return
        try:
            refuse_below_vendor_floor(
                rate_minor=rate[0],
                currency=rate[1],
                on=max(cleaned["start_on"], timezone.localdate()),
            )
        except ValidationError as exc:
            self.add_error("default_rate", exc.messages)

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
            content_warning=data["content_warning"],
            quality_review=data["quality_review"],
            purpose=data["purpose"],
            time_limit_minutes=data["time_limit"],
        )


class AssignmentForm(forms.Form):
    weekly_cap = HoursField(label=_("Weekly cap override"), required=False)
    end_on = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ForecastForm(forms.Form):
    expected_weekly = HoursField(
        label=_("Expected hours a week, next four weeks"),
        required=False,
        help_text=_(
            "Contractors see this on My projects. Leave empty to use the project's expected "
            "hours. Standby pay for short notice reads it too."
        ),
    )


# --- Reasons and details the admin actions ask for ---------------------------------------


class PauseTiming(models.TextChoices):
    NOW = "now", _("Now")
    LATER = "later", _("At a set time (a notice period)")


class PauseForm(forms.Form):
    # No reason is preselected: every contractor reads the one chosen, so a
    # manager who skips the field is asked for it instead of telling them a
    # reason nobody picked.
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", _("Choose the reason contractors will read")), *PauseReason.choices],
        error_messages={"required": _("Choose the reason for the pause.")},
    )
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
        help_text=_("Only for a pause at a set time; leave it empty to pause now."),
    )
    short_notice_confirmed = forms.BooleanField(
        label=_("Pause with less than the minimum notice, and owe standby pay"),
        required=False,
        help_text=_(
            "Needed to pause now or with less notice than the minimum: every active "
            "contractor on the project is then paid standby for the days missing."
        ),
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
        typed = bool(self.data.get(self.add_prefix("effective_at"), "").strip())
        if later and cleaned.get("effective_at") is None and "effective_at" not in self.errors:
            self.add_error("effective_at", gettext("Give the time the pause starts."))
        elif (
            cleaned.get("takes_effect") == PauseTiming.NOW
            and typed
            and "effective_at" not in self.errors
        ):
            # A time typed beside "Now" is a contradiction: pausing at once would
            # silently drop the notice period the manager may have meant to give.
            self.add_error(
                "effective_at",
                gettext(
                    "You chose to pause now, so this time would be ignored. Choose "
                    "“at a set time” to pause then, or clear the time to pause now."
                ),
            )
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
    effective_at = forms.DateTimeField(
        label=_("Close at"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave it empty to close now; a set time gives contractors notice."),
    )
    short_notice_confirmed = forms.BooleanField(
        label=_("Close with less than the minimum notice, and owe standby pay"),
        required=False,
        help_text=_(
            "Needed to close now or with less notice than the minimum: every active "
            "contractor on the project is then paid standby for the days missing."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The time typed is read in the manager's own time zone (the active one).
        self.fields["effective_at"].label = gettext("Close at (%(time_zone)s)") % {
            "time_zone": time_zone_label()
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Reason"),
        help_text=_("Shown to the contractor, who can correct the entries and resubmit."),
    )


_CHANGED_SINCE = _(
    "The week changed since the page was opened (entries were reviewed or withdrawn); "
    "look at it again. Nothing was changed."
)


class WeekApproveForm(forms.Form):
    """The submitted entries the manager saw on the week's page, approved together."""

    entries = forms.TypedMultipleChoiceField(coerce=int, widget=forms.MultipleHiddenInput)

    def __init__(self, *args, entries: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entries"].choices = [(entry.pk, str(entry)) for entry in entries]
        self.fields["entries"].initial = [entry.pk for entry in entries]
        self.fields["entries"].error_messages.update(
            required=gettext("Nothing in this week is waiting for review."),
            invalid_choice=_CHANGED_SINCE,
        )


class WeekRejectForm(forms.Form):
    """Some or all of a week's submitted entries, sent back with one reason."""

    entries = forms.TypedMultipleChoiceField(
        label=_("Entries to send back"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick the entries that are fine; approve them afterwards."),
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Reason"),
        help_text=_("Shown to the contractor, who can correct the entries and resubmit."),
    )

    def __init__(self, *args, entries: list, label, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entries"].choices = [(entry.pk, label(entry)) for entry in entries]
        self.fields["entries"].initial = [entry.pk for entry in entries]
        self.fields["entries"].error_messages.update(
            required=gettext("Tick at least one entry to send back."),
            invalid_choice=_CHANGED_SINCE,
        )


class RemoveForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("Why"),
        choices=RemovalGround.choices,
        help_text=_(
            "Only reasons that are not about the person. To remove someone for something they "
            "did, open a case: removal for cause follows only a case decision."
        ),
    )
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


def _different_currency_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=_("Pay in a different currency"),
        required=False,
        help_text=_(
            "Tick only to change the currency the contractor is paid in; they are told of it."
        ),
    )


def _currency_change_error(paid_in: Iterable[str], currency: str) -> str:
    return gettext(
        "Paid in %(current)s until now. To pay in %(new)s instead, tick "
        "“Pay in a different currency”."
    ) % {"current": names_list(sorted(paid_in)), "new": currency}


class RateForm(RateFields):
    """A new rate for the selected assignments, in the currency they are paid in unless told."""

    effective_on = forms.DateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Hours from this day on are paid at the new rate; earlier hours keep theirs. "
            "A raise may start on an earlier day; a lower rate needs notice."
        ),
    )
    different_currency = _different_currency_field()
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed for a lower rate; shown to the contractor with the new rate."),
    )

    def __init__(self, *args, assignments: Iterable[Assignment] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.assignments = list(assignments)
        countries = [str(assignment.contractor.country) for assignment in self.assignments]
        self.fields["currency"].choices = _currencies(countries)
        # The currency of each one's latest rate: the one its hours are paid in.
        paid_in = {currency_paid_in(assignment, date.max) for assignment in self.assignments}
        if len(paid_in) == 1:
            self.fields["currency"].initial = paid_in.pop()

    def clean(self) -> dict:
        cleaned = super().clean()
        currency, day = cleaned.get("currency"), cleaned.get("effective_on")
        if currency and day and not cleaned.get("different_currency"):
            paid_in = {currency_paid_in(assignment, day) for assignment in self.assignments}
            if paid_in - {currency}:
                self.add_error("currency", _currency_change_error(paid_in, currency))
        return cleaned


class CorrectRateForm(forms.Form):
    """A mistaken rate of one assignment put right, with the reason the contractor reads."""

    rate = forms.ModelChoiceField(
        label=_("Rate to correct"),
        queryset=AssignmentRate.objects.none(),
        empty_label=None,
        help_text=_("Only a rate that has not priced approved hours can be corrected."),
    )
    new_rate = forms.DecimalField(
        label=_("Correct hourly rate"), min_value=Decimal("0.01"), max_digits=12, decimal_places=3
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=_currencies)
    different_currency = _different_currency_field()
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to the contractor with the corrected rate."),
    )

    def __init__(self, *args, assignment: Assignment, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        rates = assignment.rates.order_by("-effective_on")
        self.fields["rate"].queryset = rates
        self.fields["currency"].choices = _currencies([str(assignment.contractor.country)])
        latest = rates.first()
        if latest is not None:
            self.fields["rate"].initial = latest.pk
            self.fields["new_rate"].initial = minor_to_decimal(latest.rate_minor, latest.currency)
            self.fields["currency"].initial = latest.currency

    def clean(self) -> dict:
        cleaned = super().clean()
        rate, currency = cleaned.get("rate"), cleaned.get("currency")
        if rate is None or not currency:
            return cleaned
        if "new_rate" in cleaned:
            try:
                cleaned["rate_minor"] = decimal_to_minor(cleaned["new_rate"], currency)
            except ValueError as exc:
                self.add_error("new_rate", str(exc))
        paid_in = currency_paid_in(self.assignment, rate.effective_on, excluding=rate)
        changed = currency not in (rate.currency, paid_in)
        if changed and not cleaned.get("different_currency"):
            self.add_error("currency", _currency_change_error({paid_in}, currency))
        return cleaned


class FloorExceptionForm(forms.Form):
    """Leave to pay below the floor: why (the contractor reads it) and until when."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        max_length=2000,
        help_text=_("The contractor reads this on their assignment page."),
    )
    ends_on = forms.DateField(
        label=_("Until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day a new rate may start below the floor."),
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
        self.fields["start_on"].initial = max(project.start_on, timezone.localdate())
        self.fields["rate"].initial = minor_to_decimal(project.default_rate_minor, project.currency)
        self.fields["currency"].initial = project.currency
        proposed = self._proposed(project)
        book = FloorBook.load()

        def label(profile: ContractorProfile) -> str:
            return f"{_contractor_label(profile)} — {_floor_label(profile, proposed, book)}"

        self.fields["contractors"].label_from_instance = label

    def _proposed(self, project: Project) -> tuple[int, str, date]:
        """The rate, currency and start typed so far (the project's default before that)."""
        proposed = (
            project.default_rate_minor,
            project.currency,
            self.fields["start_on"].initial,
        )
        if not self.is_bound:
            return proposed
        try:
            currency = self.fields["currency"].clean(self.data.get("currency"))
            rate_minor = decimal_to_minor(
                self.fields["rate"].clean(self.data.get("rate")), currency
            )
            start_on = self.fields["start_on"].clean(self.data.get("start_on"))
        except (ValidationError, ValueError):
            return proposed
        return rate_minor, currency, start_on


def _floor_label(
    profile: ContractorProfile, proposed: tuple[int, str, date], book: FloorBook
) -> str:
    """The contractor's floor on the start day and whether the proposed rate clears it."""
    rate_minor, currency, start_on = proposed
    try:
        in_force = contractor_floor(profile, on=start_on, currency=currency, book=book)
    except ValidationError as exc:
        return exc.messages[0]
    if in_force is None:
        return gettext("no wage floor recorded for their place")
    values = {
        "floor": format_money(in_force.hourly_minor, currency),
        "basis": in_force.floor.get_basis_display(),
        "gap": format_money(in_force.hourly_minor - rate_minor, currency),
    }
    if rate_minor >= in_force.hourly_minor:
        return gettext("floor %(floor)s an hour (%(basis)s): the rate clears it") % values
    return gettext("floor %(floor)s an hour (%(basis)s): BELOW by %(gap)s") % values


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


class EnrolForm(forms.Form):
    """Enrol approved contractors in a paid assessment or training."""

    contractors = forms.ModelMultipleChoiceField(
        label=_("Contractors"),
        queryset=ContractorProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    rate = forms.DecimalField(
        label=_("Hourly rate"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=3,
        required=False,
        help_text=_(
            "In the project's currency; empty for its default rate. A rate below a "
            "contractor's floor is raised to the floor."
        ),
    )

    def __init__(self, *args, project: Project, candidates, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["contractors"].queryset = candidates
        self.fields["rate"].initial = minor_to_decimal(project.default_rate_minor, project.currency)
        self.fields["contractors"].label_from_instance = _contractor_label

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["rate_minor"] = None
        if cleaned.get("rate") is not None:
            try:
                cleaned["rate_minor"] = decimal_to_minor(cleaned["rate"], self.project.currency)
            except ValueError as exc:
                self.add_error("rate", str(exc))
        return cleaned


class InviteContractorsForm(RateFields):
    """Whom to invite to a project and at what rate; each contractor's floor shown beside them."""

    contractors = forms.ModelMultipleChoiceField(
        label=_("Contractors"),
        queryset=ContractorProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "They read the project's page, with its content warning, and accept or decline. "
            "Declining is never held against anyone."
        ),
    )

    def __init__(self, *args, project: Project, candidates, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contractors"].queryset = candidates
        self.fields["rate"].initial = minor_to_decimal(project.default_rate_minor, project.currency)
        self.fields["currency"].initial = project.currency
        proposed = (
            project.default_rate_minor,
            project.currency,
            max(project.start_on, timezone.localdate()),
        )
        book = FloorBook.load()

        def label(profile: ContractorProfile) -> str:
            return f"{_contractor_label(profile)} — {_floor_label(profile, proposed, book)}"

        self.fields["contractors"].label_from_instance = label
        self.project = project

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"]
        if self.project.is_paid_activity and currency and currency != self.project.currency:
            raise ValidationError(
                _("«%(project)s» pays in %(currency)s only; leave the currency as it is."),
                params={"project": self.project.name, "currency": self.project.currency},
            )
        return currency


class InvitationAnswerForm(forms.Form):
    """The contractor's answer to an invitation: reading the warning is a box they tick."""

    warning_read = forms.BooleanField(label=_("I have read the content warning"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        # The box comes before its label, which reads as a sentence.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
