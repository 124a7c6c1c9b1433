from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from portal.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
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
    )
    readonly_fields = fields

    @admin.display(description=_("last error"))
    def error(self, obj: OutboundEmail) -> str:
        return Truncator(obj.last_error).chars(80)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
