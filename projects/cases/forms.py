from django import forms
from django.utils.translation import gettext_lazy as _

_FILE_HELP = _("A PDF, PNG or JPEG; it is checked by its content, whatever its name says.")
_ACCEPT = {"accept": "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"}


class ResponseForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Say what happened in your own words; the person deciding must address it."),
    )
    files = forms.FileField(
        label=_("A file (optional)"),
        required=False,
        help_text=_FILE_HELP,
        widget=forms.ClearableFileInput(attrs=_ACCEPT),
    )
    representative_name = forms.CharField(
        label=_("Representative (optional)"), max_length=200, required=False
    )
    representative_email = forms.EmailField(
        label=_("Representative's email"),
        required=False,
        help_text=_(
            "They get a copy of every message about this case, with a link to read it (not to "
            "answer); changing or removing them ends their access."
        ),
    )


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why the decision should change"), widget=forms.Textarea(attrs={"rows": 6})
    )
    files = forms.FileField(
        label=_("A file (optional)"),
        required=False,
        help_text=_FILE_HELP,
        widget=forms.ClearableFileInput(attrs=_ACCEPT),
    )
