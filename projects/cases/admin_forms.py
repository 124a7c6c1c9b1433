"""The intermediate forms of the managers' case steps."""

from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import ConductRule, ContractorProfile, Sanction
from projects.models import (
    AppealOutcome,
    Assignment,
    EvidenceKind,
)

_TEXT = forms.Textarea(attrs={"rows": 5, "cols": 60})
_DATE = forms.DateInput(attrs={"type": "date"})
_MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"})


class CaseOpenForm(forms.Form):
    contractor = forms.ModelChoiceField(
        queryset=ContractorProfile.objects.order_by("legal_name"), label=_("Contractor")
    )
    assignment = forms.ModelChoiceField(
        queryset=Assignment.objects.select_related("project", "contractor"),
        required=False,
        label=_("Assignment"),
        help_text=_("Leave empty when the case is about the whole account."),
    )
    rule = forms.ModelChoiceField(
        queryset=ConductRule.objects.filter(book__published_at__isnull=False).select_related(
            "book"
        ),
        label=_("Rule"),
        help_text=_("Every case cites a published rule."),
    )
    evidence_summary = forms.CharField(
        widget=_TEXT, label=_("Evidence summary"), help_text=_("The contractor reads this.")
    )


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(choices=EvidenceKind.choices, label=_("Kind"))
    text = forms.CharField(widget=_TEXT, required=False, label=_("Text"))
    file = forms.FileField(required=False, label=_("File"))
    url = forms.URLField(required=False, label=_("Link"), assume_scheme="https")
    withheld_reason = forms.CharField(
        widget=_TEXT,
        required=False,
        label=_("Withhold from the contractor because"),
        help_text=_("Leave empty to show the item. Say why, e.g. another person's privacy."),
    )


class WarnForm(forms.Form):
    what_to_change = forms.CharField(widget=_TEXT, label=_("What to change"))
    change_by = forms.DateField(widget=_DATE, label=_("By when"))


class NoticeForm(forms.Form):
    proposed_outcome = forms.ChoiceField(choices=Sanction.choices, label=_("Proposed outcome"))
    response_days = forms.IntegerField(min_value=1, label=_("Days to answer"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["response_days"].initial = settings.CASE_RESPONSE_DAYS


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(choices=Sanction.choices, label=_("Outcome"))
    reasons = forms.CharField(
        widget=_TEXT,
        label=_("Reasons"),
        help_text=_("Address the contractor's response; they read this with your name."),
    )
    effective_at = forms.DateTimeField(
        widget=_MOMENT,
        required=False,
        label=_("Takes effect"),
    )
    suspended_until = forms.DateField(
        widget=_DATE, required=False, label=_("Suspended until (suspension only)")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_at"].help_text = _(
            "Empty: now. Offboarding: at least %(days)d days ahead unless the rule is egregious."
        ) % {"days": settings.CASE_OFFBOARDING_NOTICE_DAYS}

    def effective(self) -> datetime | None:
        value: datetime | None = self.cleaned_data["effective_at"]
        return value


class AppealDecideForm(forms.Form):
    outcome = forms.ChoiceField(choices=AppealOutcome.choices, label=_("Outcome"))
    reasons = forms.CharField(widget=_TEXT, label=_("Reasons"))
    back_pay_minor = forms.IntegerField(
        min_value=0,
        required=False,
        label=_("Back pay (minor units)"),
        help_text=_(
            "Empty: the computed default, the average approved weekly earnings over the 8 weeks "
            "before the sanction × the time out."
        ),
    )
    back_pay_reason = forms.CharField(
        widget=_TEXT, required=False, label=_("Why the back pay differs from the default")
    )


class InterimForm(forms.Form):
    reason = forms.CharField(widget=_TEXT, label=_("Reason"))
    business_days = forms.IntegerField(min_value=1, label=_("Business days"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        most = settings.CASE_INTERIM_MAX_BUSINESS_DAYS
        field = self.fields["business_days"]
        field.initial, field.max_value = most, most
        field.validators.append(MaxValueValidator(most))
        field.widget.attrs["max"] = most


class ExportForm(forms.Form):
    start = forms.DateField(widget=_DATE, label=_("Opened from"))
    end = forms.DateField(widget=_DATE, label=_("Opened up to"))
    file_format = forms.ChoiceField(choices=[("csv", "CSV"), ("json", "JSON")], label=_("Format"))
