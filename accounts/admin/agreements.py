"""Contractor agreements: drafting, publishing, and who accepted which version."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Count, Field, Model, QuerySet
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.forms import LanguageSelect
from accounts.models import AGREEMENT_FALLBACK_LANGUAGE, AgreementAcceptance, AgreementVersion
from portal.admin_kit import ReadOnlyAdminMixin, run_each


@admin.register(AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):
    list_display = (
        "version",
        "language",
        "title",
        "published_at",
        "acceptance_count",
        "created_at",
    )
    list_filter = ("language",)
    search_fields = ("version", "title")
    fields = ("version", "language", "title", "body", "published_at", "created_at")
    readonly_fields = ("published_at", "created_at")
    actions = ("publish",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AgreementVersion]:
        return super().get_queryset(request).annotate(acceptance_count=Count("acceptances"))

    def formfield_for_dbfield(self, db_field: Field, request: HttpRequest, **kwargs):
        if db_field.name == "language":
            # The site's languages, as a menu; left out of a form, the text is English.
            return forms.ChoiceField(
                label=capfirst(db_field.verbose_name),
                help_text=db_field.help_text,
                choices=settings.LANGUAGES,
                widget=LanguageSelect,
                initial=AGREEMENT_FALLBACK_LANGUAGE,
                required=False,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.action(description=_("Publish the selected versions now"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[AgreementVersion]) -> None:
        run_each(
            self,
            request,
            queryset,
            call=lambda agreement: services.agreement_publish(agreement=agreement, by=request.user),
            describe=str,
            done=lambda count: ngettext(
                "Published %(count)d version: %(names)s.",
                "Published %(count)d versions: %(names)s.",
                count,
            ),
        )

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # The text people agree to must stay the text they agreed to: once a
        # version is published (or accepted) it is never edited, only replaced.
        if obj is not None and (obj.published_at is not None or obj.acceptances.exists()):
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("acceptances"), ordering="acceptance_count")
    def acceptance_count(self, obj: AgreementVersion) -> int:
        return obj.acceptance_count


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("profile", "agreement", "language", "accepted_at", "ip_address")
    list_select_related = ("profile__user", "agreement")
    list_filter = ("agreement", "language")
    search_fields = ("profile__legal_name", "profile__user__email")
    date_hierarchy = "accepted_at"
