"""A person's own settings: API tokens and preferences."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import time_zone_choices
from accounts.forms.base import LanguageSelect, PortalForm, site_language_choices


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

    display_name = forms.CharField(
        label=_("Your name as contractors see it"),
        max_length=100,
        required=False,
        help_text=_(
            "Shown on your decisions and answers. Empty: contractors read “A member of the "
            "vendor team”; your email address is never shown."
        ),
    )

    def __init__(
        self, *args, with_time_zone: bool = True, with_display_name: bool = False, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        if not with_time_zone:
            # A contractor's times follow the time zone of their application.
            del self.fields["time_zone"]
        if not with_display_name:
            # Only staff are named to contractors.
            del self.fields["display_name"]
