from django import forms
from django.utils.translation import gettext_lazy as _

from portal.support.about import about_choices_for_user
from portal.support.attachments import MAX_FILES
from portal.support.models import Category


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


def _attachments_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_(
            "Up to %(count)d PDF, PNG or JPEG files, 5 MB each. "
            "Only you and the support team can open them."
        )
        % {"count": MAX_FILES},
    )


class AskForm(forms.Form):
    category = forms.ChoiceField(label=_("What is it about?"), choices=Category.choices)
    about = forms.ChoiceField(
        label=_("Which one?"),
        required=False,
        help_text=_("Optional: the payout, week of hours, project or case your question is about."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Your question"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["about"].choices = [
            ("", _("Nothing in particular")),
            *about_choices_for_user(user),
        ]
        self.fields["attachments"] = _attachments_field()

    def about_reference(self) -> tuple[str, int | None]:
        value = self.cleaned_data.get("about") or ""
        if not value:
            return "", None
        kind, _sep, pk = value.partition(":")
        return kind, int(pk)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()


class ReopenForm(forms.Form):
    body = forms.CharField(
        label=_("What is still wrong? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=10000,
    )


class RateForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How good was the answer?"),
        coerce=int,
        choices=[
            (5, _("5 — very good")),
            (4, _("4 — good")),
            (3, _("3 — fair")),
            (2, _("2 — poor")),
            (1, _("1 — very poor")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
