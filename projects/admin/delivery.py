"""How a project's notices went out: per status change, who was told and what the emails did."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from portal.admin_kit import ReadOnlyAdminMixin
from portal.models import EmailStatus
from portal.notifications.selectors import with_delivery_counts
from projects.models import ProjectStatusChange


def _outbox_link(topic: str, status: str, count: int) -> str:
    if not count:
        return "0"
    query = urlencode({"topic": topic, "status__exact": status})
    url = f"{reverse('admin:portal_outboundemail_changelist')}?{query}"
    return format_html('<a href="{}">{}</a>', url, count)


class DeliveryColumns:
    """Columns for an admin of a model with a ``TOPIC_PREFIX``: the counts of its notices.

    The counts come from annotations (``with_delivery``), so a list of any
    length costs one query.
    """

    delivery_fields = ("notified", "emails_sent", "emails_failed", "emails_waiting")

    def with_delivery(self, queryset: QuerySet) -> QuerySet:
        return with_delivery_counts(queryset, topic_prefix=self.model.TOPIC_PREFIX)

    @admin.display(description=_("contractors notified"), ordering="notified")
    def notified(self, obj) -> int:
        return obj.notified

    @admin.display(description=_("emails sent"), ordering="emails_sent")
    def emails_sent(self, obj) -> str:
        return _outbox_link(obj.topic, EmailStatus.SENT, obj.emails_sent)

    @admin.display(description=_("emails failed"), ordering="emails_failed")
    def emails_failed(self, obj) -> str:
        return _outbox_link(obj.topic, EmailStatus.FAILED, obj.emails_failed)

    @admin.display(description=_("emails waiting"), ordering="emails_waiting")
    def emails_waiting(self, obj) -> str:
        return _outbox_link(obj.topic, EmailStatus.QUEUED, obj.emails_waiting)


@admin.register(ProjectStatusChange)
class ProjectStatusChangeAdmin(DeliveryColumns, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every status change of every project, with how its notices went out."""

    list_display = [
        "effective_at",
        "project",
        "from_status",
        "to_status",
        "reason",
        "by",
        *DeliveryColumns.delivery_fields,
    ]
    list_filter = ["to_status", "reason"]
    list_select_related = ["project", "by"]
    search_fields = ["project__name", "message"]
    date_hierarchy = "effective_at"
    fields = [
        "project",
        "from_status",
        "to_status",
        "reason",
        "message",
        "expected_resume_on",
        "effective_at",
        "by",
        "notified_at",
        *DeliveryColumns.delivery_fields,
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProjectStatusChange]:
        return self.with_delivery(super().get_queryset(request))
