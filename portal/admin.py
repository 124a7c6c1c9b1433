from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from portal.admin_kit import ReadOnlyAdminMixin
from portal.models import OutboundEmail


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
    )
    readonly_fields = fields

    @admin.display(description=_("last error"))
    def error(self, obj: OutboundEmail) -> str:
        return Truncator(obj.last_error).chars(80)
