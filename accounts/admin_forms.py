"""Forms the admin shows: the reason asked before a decision, and the user forms."""

from collections.abc import Callable, Iterable

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from accounts.models import User

REASON_TEMPLATE = "admin/reason_action.html"


class ReasonForm(forms.Form):
    """The one reason a decision needs; the person it concerns reads it as written."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 5, "cols": 60}), max_length=2000)

    def __init__(self, *args, label: str, help_text: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].help_text = help_text


def reason_action(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    title: str,
    label: str,
    help_text: str,
    describe: Callable[[Model], str],
    apply: Callable[[str], None],
) -> TemplateResponse | None:
    """Ask for a reason, then hand it to ``apply``; ``None`` returns to the changelist.

    The first POST comes from the changelist's action menu and shows the form;
    the form posts back to the changelist with ``apply`` set.
    """
    data = request.POST if "apply" in request.POST else None
    form = ReasonForm(data, label=label, help_text=help_text)
    if form.is_valid():
        apply(form.cleaned_data["reason"])
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "form": form,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "selected": _describe_all(queryset, describe),
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, REASON_TEMPLATE, context)


def _describe_all(queryset: Iterable[Model], describe: Callable[[Model], str]) -> list:
    return [(obj.pk, describe(obj)) for obj in queryset]


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
            raise forms.ValidationError("A user with this email address already exists.")
        return email


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict = {}
