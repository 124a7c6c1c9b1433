"""The email preferences form: a box per kind whose emails a person may turn off."""

from django import forms
from django.utils.translation import gettext as _

from portal.notifications.selectors import EmailChoice


class EmailPreferencesForm(forms.Form):
    def __init__(self, *args, choices: list[EmailChoice], **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)
        self.choices = choices
        for choice in choices:
            if choice.optional:
                self.fields[choice.kind] = forms.BooleanField(
                    label=_("Email me: %(kind)s") % {"kind": choice.label},
                    required=False,
                    initial=choice.send_email,
                )

    def send_email(self) -> dict[str, bool]:
        return {kind: bool(self.cleaned_data[kind]) for kind in self.fields}

    def rows(self) -> list[tuple[EmailChoice, forms.BoundField | None]]:
        """Every kind in order, with its box, or ``None`` for the always-sent ones."""
        return [(c, self[c.kind] if c.optional else None) for c in self.choices]
