from django.contrib import admin
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from portal.admin_kit import ReadOnlyAdminMixin
from portal.models import ExchangeRate, OutboundEmail
from portal.money import exchange_rate_add


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The outbox, for answering "was I told?"; delivery is the workers' job alone."""

    list_display = (
        "to",
        "subject",
        "topic",
        "status",
        "attempts",
        "error",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "created_at")
    search_fields = ("to", "subject", "=topic")
    date_hierarchy = "created_at"
    fields = (
        "to",
        "topic",
        "subject",
        "body",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "claimed_until",
        "claimed_by",
    )
    readonly_fields = fields

    @admin.display(description=_("last error"))
    def error(self, obj: OutboundEmail) -> str:
        return Truncator(obj.last_error).chars(80)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Rates managers record for conversions (wage floors, take-home); added, never edited."""

    list_display = ("from_currency", "to_currency", "rate", "on", "source", "created_by")
    list_filter = ("from_currency", "to_currency", "on")
    search_fields = ("=from_currency", "=to_currency", "source")
    list_select_related = ("created_by",)
    date_hierarchy = "on"
    fields = ("from_currency", "to_currency", "rate", "on", "source")

    def has_change_permission(self, request: HttpRequest, obj: ExchangeRate | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ExchangeRate | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ExchangeRate, form, change: bool) -> None:
        exchange_rate_add(by=request.user, rate=obj)
