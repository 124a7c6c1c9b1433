"""Users and their API tokens."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Field, QuerySet
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import selectors, services
from accounts.admin.forms import EmailUserChangeForm, EmailUserCreationForm
from accounts.choices import time_zone_choices
from accounts.forms import LanguageSelect
from accounts.models import ApiToken, User
from portal.admin_kit import ReadOnlyAdminMixin, run_each


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "display_name", "password")}),
        (_("Preferences"), {"fields": ("language", "time_zone")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "display_name", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "display_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")

    def formfield_for_dbfield(self, db_field: Field, request: HttpRequest, **kwargs):
        # Menus of the site's languages and of time zones instead of free text.
        if db_field.name == "language":
            return forms.ChoiceField(
                label=capfirst(db_field.verbose_name),
                choices=[("", _("Not chosen (the browser's)")), *settings.LANGUAGES],
                widget=LanguageSelect,
                required=False,
            )
        if db_field.name == "time_zone":
            return forms.ChoiceField(
                label=capfirst(db_field.verbose_name), choices=time_zone_choices
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        unnamed = selectors.managers_without_display_name()
        if unnamed:
            messages.warning(
                request,
                _(
                    "Contractors read “A member of the vendor team” where these managers decide "
                    "or answer; give them a display name: %(emails)s"
                )
                % {"emails": ", ".join(unnamed)},
            )
        return super().changelist_view(request, extra_context)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix", "user__email")
    # key_hash is left out: even a hash of a key is nobody's business here.
    fields = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke",)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.change_apitoken")

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        run_each(
            self,
            request,
            queryset,
            call=lambda token: services.api_token_revoke(token=token, by=request.user),
            describe=str,
            done=lambda count: ngettext(
                "Revoked %(count)d token: %(names)s.",
                "Revoked %(count)d tokens: %(names)s.",
                count,
            ),
        )
