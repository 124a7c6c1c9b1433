"""Onboarding records and status history, read-only, and the expertise list."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    ApplicationStatusChange,
    ContractorStatusChange,
    ExpertiseArea,
    PayoutDetails,
    TaxForm,
)
from portal.admin_kit import ReadOnlyAdminMixin


@admin.register(ExpertiseArea)
class ExpertiseAreaAdmin(admin.ModelAdmin):
    list_display = ("name", "description")
    search_fields = ("name",)


@admin.register(TaxForm)
class TaxFormAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("profile", "form_type", "masked_tax_id", "has_document", "certified_at")
    list_select_related = ("profile__user",)
    list_filter = ("form_type",)
    search_fields = ("profile__legal_name", "profile__user__email", "name_on_form")
    # The clear tax id and the stored file path are never rendered.
    fields = (
        "profile",
        "form_type",
        "name_on_form",
        "masked_tax_id",
        "address",
        "country_of_citizenship",
        "date_of_birth",
        "document_link",
        "certified_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description=_("taxpayer identification number"))
    def masked_tax_id(self, obj: TaxForm) -> str:
        return obj.masked_tax_id

    @admin.display(description=_("signed document"), boolean=True)
    def has_document(self, obj: TaxForm) -> bool:
        return bool(obj.document)

    @admin.display(description=_("signed document"))
    def document_link(self, obj: TaxForm) -> str:
        if not obj.document:
            return gettext("None uploaded")
        url = reverse("accounts:tax_document") + f"?profile={obj.profile_id}"
        return format_html('<a href="{}">{}</a>', url, gettext("Download the signed tax form"))


@admin.register(PayoutDetails)
class PayoutDetailsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("profile", "method", "account_holder", "masked_account", "updated_at")
    list_select_related = ("profile__user",)
    list_filter = ("method",)
    search_fields = ("profile__legal_name", "profile__user__email", "account_holder")
    fields = ("profile", "method", "account_holder", "masked_account", "updated_at")
    readonly_fields = fields

    @admin.display(description=_("account"))
    def masked_account(self, obj: PayoutDetails) -> str:
        return obj.masked_account


class StatusChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_filter = ("to_status", "at")
    date_hierarchy = "at"


@admin.register(ContractorStatusChange)
class ContractorStatusChangeAdmin(StatusChangeAdmin):
    list_display = ("at", "profile", "from_status", "to_status", "by", "reason")
    list_select_related = ("profile__user", "by")
    search_fields = ("profile__legal_name", "profile__user__email")


@admin.register(ApplicationStatusChange)
class ApplicationStatusChangeAdmin(StatusChangeAdmin):
    list_display = ("at", "application", "applicant", "from_status", "to_status", "by", "reason")
    list_select_related = ("application__profile", "by")
    search_fields = ("application__profile__legal_name", "application__profile__user__email")

    @admin.display(description=_("applicant"), ordering="application__profile__legal_name")
    def applicant(self, obj: ApplicationStatusChange) -> str:
        return obj.application.profile.legal_name
