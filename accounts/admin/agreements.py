"""Contractor agreements: drafting, publishing, and who accepted which version."""

from django.contrib import admin
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest

from accounts import services
from accounts.admin.actions import run_each
from accounts.admin.readonly import ReadOnlyAdminMixin
from accounts.models import AgreementAcceptance, AgreementVersion


@admin.register(AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "title", "published_at", "acceptance_count", "created_at")
    search_fields = ("version", "title")
    fields = ("version", "title", "body", "published_at", "created_at")
    readonly_fields = ("published_at", "created_at")
    actions = ("publish",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AgreementVersion]:
        return super().get_queryset(request).annotate(acceptance_count=Count("acceptances"))

    @admin.action(description="Publish the selected version now", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[AgreementVersion]) -> None:
        run_each(
            self,
            request,
            queryset,
            call=lambda agreement: services.agreement_publish(agreement=agreement, by=request.user),
            describe=str,
            done="Published",
        )

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # The text people agree to must stay the text they agreed to: once a
        # version is published (or accepted) it is never edited, only replaced.
        if obj is not None and (obj.published_at is not None or obj.acceptances.exists()):
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="acceptances", ordering="acceptance_count")
    def acceptance_count(self, obj: AgreementVersion) -> int:
        return obj.acceptance_count


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("profile", "agreement", "accepted_at", "ip_address")
    list_select_related = ("profile__user", "agreement")
    list_filter = ("agreement",)
    search_fields = ("profile__legal_name", "profile__user__email")
    date_hierarchy = "accepted_at"
