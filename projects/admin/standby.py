"""Standby pay owed for short notice: computed by the status services, read-only here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin_kit import ReadOnlyAdminMixin, money
from projects.models import StandbyPay


@admin.register(StandbyPay)
class StandbyPayAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["assignment", "kind", "days_missing", "amount", "status", "created_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["assignment__contractor", "assignment__project"]
    search_fields = ["assignment__contractor__legal_name", "assignment__project__name"]
    date_hierarchy = "created_at"
    fields = [
        "assignment",
        "kind",
        "change",
        "scheduled",
        "days_missing",
        "weekly_minutes",
        "rate_minor",
        "currency",
        "amount_minor",
        "status",
        "created_at",
        "cancelled_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("amount"), ordering="amount_minor")
    def amount(self, obj: StandbyPay) -> str:
        return money(obj.amount_minor, obj.currency)
