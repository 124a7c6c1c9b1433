"""allauth's sign-in and password forms, labelled in the site's words and sentence case.

allauth writes its labels in title case ("Remember Me", "New Password"); the
rest of the site does not. Only labels (and the placeholders allauth copies
from them) change; the forms' fields and checks stay allauth's.
"""

from allauth.account import forms as allauth_forms
from django import forms
from django.utils.translation import gettext_lazy as _


def _relabel(form: forms.Form, labels: dict[str, str]) -> None:
    for name, label in labels.items():
        field = form.fields.get(name)
        if field is None:
            continue
        field.label = label
        if "placeholder" in field.widget.attrs:
            field.widget.attrs["placeholder"] = label


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"remember": _("Remember me")})


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _relabel(
            self,
            {
                "oldpassword": _("Current password"),
                "password1": _("New password"),
                "password2": _("New password (again)"),
            },
        )


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"password1": _("New password"), "password2": _("New password (again)")})
