"""Pay periods: close a week, generate its payouts (a background job per period).

Periods are not added by hand: the schedule opens each week's, and opening
this list creates any the schedule has not yet (``make run`` has no beat).
"""

from functools import partial

from django.conf import settings
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from payments import services
from portal.admin_kit import ReadOnlyInline, run_each, run_in_background
from projects.models import PayPeriod, PayPeriodStatusChange


class PayPeriodStatusChangeInline(ReadOnlyInline):
    model = PayPeriodStatusChange
    fields = ("at", "from_status", "to_status", "by")
    readonly_fields = fields
    verbose_name_plural = _("status history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[PayPeriodStatusChange]:
        return super().get_queryset(request).select_related("by")


@admin.register(PayPeriod)
class PayPeriodAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "closed_at", "closed_by", "payouts_link")
    list_filter = ("status",)
    list_select_related = ("closed_by",)
    date_hierarchy = "start_on"
    ordering = ("-start_on",)
    actions = ("close", "generate")
    inlines = (PayPeriodStatusChangeInline,)
    fields = ("start_on", "end_on", "status", "closed_at", "closed_by", "payouts_link")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[PayPeriod]:
        return super().get_queryset(request).annotate(payout_count=Count("payouts"))

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        services.pay_periods_ensure()
        extra_context = {
            **(extra_context or {}),
            "close_after_days": settings.PAY_PERIOD_CLOSE_AFTER_DAYS,
            "pay_run_step": "period",
        }
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PayPeriod | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PayPeriod | None = None) -> bool:
        return False

    def has_close_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("projects.close_payperiod")

    def has_generate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("projects.generate_payouts")

    @admin.display(description=_("payouts"))
    def payouts_link(self, obj: PayPeriod) -> str:
        count = getattr(obj, "payout_count", None)
        if count is None:
            count = obj.payouts.count()
        url = reverse("admin:payments_payout_changelist") + f"?period__id__exact={obj.pk}"
        text = ngettext("%(count)d payout", "%(count)d payouts", count) % {"count": count}
        return format_html('<a href="{}">{}</a>', url, text)

    @admin.action(
        description=_("Close the selected pay periods (locks their hours)"), permissions=["close"]
    )
    def close(self, request: HttpRequest, queryset: QuerySet[PayPeriod]) -> None:
        run_each(
            self,
            request,
            queryset.order_by("start_on"),
            call=lambda period: services.pay_period_close(period=period, by=request.user),
            done=lambda n: ngettext(
                "Closed %(count)d: %(names)s.", "Closed %(count)d: %(names)s.", n
            ),
        )

    @admin.action(
        description=_("Generate payouts for the selected closed periods"),
        permissions=["generate"],
    )
    def generate(
        self, request: HttpRequest, queryset: QuerySet[PayPeriod]
    ) -> HttpResponseRedirect | None:
        # Each period is its own background job (a million entries take a while); an open
        # period is refused at once, in the service's words (they name the period).
        return run_in_background(
            self,
            request,
            starts=[
                partial(services.payouts_generate_start, period=period, by=request.user)
                for period in queryset.order_by("start_on")
            ],
        )
