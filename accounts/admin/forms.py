"""The admin's user forms, for users who sign in with an email address."""

from django import forms
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext as _

from accounts.models import User


class EmailUserCreationForm(AdminUserCreationForm):
    """The admin's add-user form for a user who signs in with an email address."""

    class Meta:
        model = User
        fields = ("email",)
        field_classes: dict = {}

    def clean_email(self) -> str:
        # The manager stores addresses in lower case; do the same so the
        # uniqueness check matches what login will look up.
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A user with this email address already exists."))
        return email


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict = {}
