"""Payouts: filter, total, and move them along (approve, pay, fail, retry, cancel, adjust)."""

from functools import partial

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter

from accounts.models import PayoutDetails, PayoutMethod
from payments import selectors, services
from payments.forms import AdjustmentForm, PaidForm, PaymentReportForm
from payments.models import Adjustment, Payout, PayoutLine, PayoutStatusChange
from payments.views import EXPORT_PERMISSION
from portal.admin_kit import (
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    ReasonForm,
    form_action,
    money,
    names_list,
    run_each,
)
from portal.admin_lists import EstimatedCountPaginator
from portal.dates import format_minutes
from projects.models import PayPeriod


def _destination_words(method: str, holder: str, masked: str) -> str:
    label = PayoutMethod(method).label if method in PayoutMethod.values else method
    return gettext("%(method)s, %(holder)s, account %(account)s") % {
        "method": label,
        "holder": holder,
        "account": masked,
    }


class PayoutLineInline(ReadOnlyInline):
    model = PayoutLine
    fields = ("work_on", "project", "kind", "hours", "rate", "amount", "time_entry")
    readonly_fields = fields
    verbose_name_plural = _("lines (one per approved time entry)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[PayoutLine]:
        return super().get_queryset(request).select_related("project", "payout", "time_entry")

    @admin.display(description=_("hours"))
    def hours(self, obj: PayoutLine) -> str:
        return format_minutes(obj.minutes)

    @admin.display(description=_("rate"))
    def rate(self, obj: PayoutLine) -> str:
        return gettext("%(amount)s/h") % {"amount": money(obj.rate_minor, obj.payout.currency)}

    @admin.display(description=_("amount"))
    def amount(self, obj: PayoutLine) -> str:
        return money(obj.amount_minor, obj.payout.currency)


class AdjustmentInline(ReadOnlyInline):
    model = Adjustment
    # The payout it is on, not the late payout a compensation pays for.
    fk_name = "payout"
    fields = ("created_at", "kind", "amount", "reason", "created_by")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Adjustment]:
        return super().get_queryset(request).select_related("payout", "created_by")

    @admin.display(description=_("amount"))
    def amount(self, obj: Adjustment) -> str:
        return money(obj.amount_minor, obj.payout.currency)


class PayoutStatusChangeInline(ReadOnlyInline):
    model = PayoutStatusChange
    fields = ("at", "from_status", "to_status", "reason", "reference", "by")
    readonly_fields = fields
    verbose_name_plural = _("status history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[PayoutStatusChange]:
        return super().get_queryset(request).select_related("by")


def describe(payout: Payout) -> str:
    return (
        f"{payout} · {payout.contractor.legal_name} · {payout.period} · "
        f"{money(payout.net_minor, payout.currency)} · {payout.get_status_display()}"
    )


# How many of the latest pay periods the payout list's filter offers.
RECENT_PERIODS = 12


class RecentPeriodFilter(admin.SimpleListFilter):
    """The latest pay periods, and the one chosen (the period's own page links to any):
    years of weekly periods would each be a link, every one named on every page."""

    title = _("pay period")
    parameter_name = "period__id__exact"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        periods = list(PayPeriod.objects.order_by("-start_on")[:RECENT_PERIODS])
        chosen = self.value()
        if chosen and chosen.isdigit() and all(str(p.pk) != chosen for p in periods):
            periods += list(PayPeriod.objects.filter(pk=chosen))
        return [(str(period.pk), str(period)) for period in periods]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Payout]) -> QuerySet[Payout]:
        if not self.value():
            return queryset
        if not self.value().isdigit():
            raise IncorrectLookupParameters(gettext("No such pay period."))
        return queryset.filter(period_id=self.value())


class DueFilter(admin.SimpleListFilter):
    """Unpaid payouts past their due date, and those due in the next few days."""

    title = _("due date")
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [
            ("overdue", gettext("Overdue")),
            ("soon", gettext("Due in the next %(days)s days") % {"days": selectors.DUE_SOON_DAYS}),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Payout]) -> QuerySet[Payout]:
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(selectors.payouts_overdue_q(today=today))
        if self.value() == "soon":
            return queryset.filter(selectors.payouts_due_soon_q(today=today))
        return queryset


class AfterCostsFilter(admin.SimpleListFilter):
    """Payouts whose pay per hour after fees and exchange was below the floor when paid."""

    title = _("pay after costs")
    parameter_name = "after_costs"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("below", gettext("Below the floor"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Payout]) -> QuerySet[Payout]:
        if self.value() == "below":
            return queryset.filter(effective_hourly_minor__lt=F("floor_hourly_minor"))
        return queryset


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "contractor_name",
        "period",
        "currency",
        "status",
        "hours",
        "gross",
        "adjustments",
        "net",
        "reference",
        "paid_on",
        "after_costs",
    )
    list_filter = (
        "status",
        DueFilter,
        AfterCostsFilter,
        RecentPeriodFilter,
        "currency",
        ("contractor__country", CountryFilter),
    )
    list_select_related = ("contractor__user", "period")
    search_fields = ("=id", "contractor__legal_name", "contractor__user__email", "reference")
    list_per_page = 100
    # Ten thousand a week: no second COUNT(*), and an estimated one unfiltered.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    fields = (
        "contractor",
        "period",
        "currency",
        "status",
        "hours",
        "gross",
        "adjustments",
        "net",
        "pays_to",
        "details_now",
        "reference",
        "paid_on",
        "fee",
        "received",
        "after_costs",
        "failure_reason",
        "approved_at",
        "approved_by",
        "paid_at",
        "created_at",
    )
    # The whole account frozen at approval: only for those who pay (``get_fields``).
    readonly_fields = (*fields, "pays_to_account")
    inlines = (PayoutLineInline, AdjustmentInline, PayoutStatusChangeInline)
    actions = ("approve", "mark_paid", "mark_failed", "retry", "cancel", "adjust")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payout]:
        return selectors.payout_list_for_staff().order_by("-period__start_on", "pk")

    def get_fields(self, request: HttpRequest, obj: Payout | None = None) -> list[str]:
        fields = list(super().get_fields(request, obj))
        if obj is not None and obj.approved_to_identifier and self.has_pay_permission(request):
            fields.insert(fields.index("pays_to") + 1, "pays_to_account")
        elif "pays_to_account" in fields:
            fields.remove("pays_to_account")
        return fields

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payments.approve_payout")

    def has_pay_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payments.pay_payout")

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payments.cancel_payout")

    def has_adjust_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payments.adjust_payout")

    def get_urls(self) -> list:
        upload = path(
            "payments-report/",
            self.admin_site.admin_view(self.payments_report_view),
            name="payments_payout_payments_report",
        )
        return [upload, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra_context = {
            **(extra_context or {}),
            "can_pay": self.has_pay_permission(request),
            "can_export": request.user.has_perm(EXPORT_PERMISSION),
            "close_after_days": settings.PAY_PERIOD_CLOSE_AFTER_DAYS,
            "pay_run_step": "payout",
        }
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            context["totals"] = selectors.payout_totals(context["cl"].queryset)
        return response

    # --- Columns ------------------------------------------------------------------------

    @admin.display(description=_("contractor"), ordering="contractor__legal_name")
    def contractor_name(self, obj: Payout) -> str:
        return obj.contractor.legal_name

    @admin.display(description=_("hours"), ordering="minutes")
    def hours(self, obj: Payout) -> str:
        return format_minutes(obj.minutes)

    @admin.display(description=_("gross"), ordering="gross_minor")
    def gross(self, obj: Payout) -> str:
        return money(obj.gross_minor, obj.currency)

    @admin.display(description=_("adjustments"), ordering="adjustments_minor")
    def adjustments(self, obj: Payout) -> str:
        return money(obj.adjustments_minor, obj.currency)

    @admin.display(description=_("net"), ordering="net_minor")
    def net(self, obj: Payout) -> str:
        return money(obj.net_minor, obj.currency)

    @admin.display(description=_("fee"))
    def fee(self, obj: Payout) -> str:
        if obj.fee_minor is None:
            return "—"
        return gettext("%(fee)s (%(policy)s)") % {
            "fee": money(obj.fee_minor, obj.currency),
            "policy": obj.get_fee_policy_display(),
        }

    @admin.display(description=_("received"))
    def received(self, obj: Payout) -> str:
        if obj.received_minor is None:
            return "—"
        amount = money(obj.received_minor, obj.received_currency)
        if obj.exchange_rate is None:
            return amount
        return gettext("%(amount)s at %(rate)s") % {
            "amount": amount,
            "rate": f"{obj.exchange_rate.normalize():f}",
        }

    @admin.display(description=_("pay after costs"), ordering="effective_hourly_minor")
    def after_costs(self, obj: Payout) -> str:
        if obj.effective_hourly_minor is None:
            return "—"
        currency = obj.take_home_currency
        values = {"hourly": money(obj.effective_hourly_minor, currency)}
        if obj.floor_hourly_minor is None:
            return gettext("%(hourly)s/h") % values
        values["floor"] = money(obj.floor_hourly_minor, currency)
        if obj.below_floor_after_costs:
            return format_html(
                '<strong class="badge badge--failed">{}</strong>',
                gettext("%(hourly)s/h, below the floor of %(floor)s/h") % values,
            )
        return gettext("%(hourly)s/h (floor %(floor)s/h)") % values

    @admin.display(description=_("pays to (frozen at approval)"))
    def pays_to(self, obj: Payout) -> str:
        if not obj.approved_to_method:
            return gettext("Not frozen yet: approving the payout records where it goes.")
        return _destination_words(
            obj.approved_to_method, obj.approved_to_holder, obj.approved_to_account
        )

    @admin.display(description=_("account to pay (frozen at approval)"))
    def pays_to_account(self, obj: Payout) -> str:
        return obj.approved_to_identifier

    @admin.display(description=_("contractor's payout details now"))
    def details_now(self, obj: Payout) -> str:
        details = PayoutDetails.objects.filter(profile_id=obj.contractor_id).first()
        if details is None:
            return gettext("None on file.")
        now = _destination_words(details.method, details.account_holder, details.account_masked)
        frozen = (obj.approved_to_method, obj.approved_to_holder, obj.approved_to_account)
        if obj.approved_to_method and frozen != (
            details.method,
            details.account_holder,
            details.account_masked,
        ):
            return gettext(
                "%(details)s — changed since approval; this payout still goes where it was frozen."
            ) % {"details": now}
        return now

    # --- Actions ------------------------------------------------------------------------

    @admin.action(description=_("Approve the selected draft payouts"), permissions=["approve"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Payout]) -> None:
        run_each(
            self,
            request,
            queryset,
            call=lambda payout: services.payout_approve(payout=payout, by=request.user),
            done=lambda n: ngettext(
                "Approved %(count)d: %(names)s.", "Approved %(count)d: %(names)s.", n
            ),
        )

    @admin.action(description=_("Mark the selected payouts paid…"), permissions=["pay"])
    def mark_paid(
        self, request: HttpRequest, queryset: QuerySet[Payout]
    ) -> TemplateResponse | None:
        payouts = list(queryset)

        def pay(form: PaidForm) -> None:
            paid, refused = services.payouts_mark_paid_many(
                payments=form.payments(), by=request.user
            )
            self._report_payments(request, paid, refused)

        return form_action(
            self,
            request,
            payouts,
            form=partial(PaidForm, payouts=payouts),
            title=gettext("Mark payouts paid"),
            describe=describe,
            apply=pay,
        )

    @admin.action(description=_("Mark the selected payouts failed…"), permissions=["pay"])
    def mark_failed(
        self, request: HttpRequest, queryset: QuerySet[Payout]
    ) -> TemplateResponse | None:
        def fail_each(form: ReasonForm) -> None:
            run_each(
                self,
                request,
                queryset,
                call=lambda payout: services.payout_mark_failed(
                    payout=payout, by=request.user, reason=form.cleaned_data["reason"]
                ),
                done=lambda n: ngettext(
                    "Marked failed %(count)d: %(names)s.", "Marked failed %(count)d: %(names)s.", n
                ),
            )

        return form_action(
            self,
            request,
            queryset,
            form=partial(
                ReasonForm,
                label=gettext("Why the payment failed"),
                help_text=gettext(
                    "The contractor reads this, with a prompt to check their payout details."
                ),
            ),
            title=gettext("Mark payouts failed"),
            describe=describe,
            apply=fail_each,
        )

    @admin.action(description=_("Retry the selected failed payouts"), permissions=["pay"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Payout]) -> None:
        run_each(
            self,
            request,
            queryset,
            call=lambda payout: services.payout_retry(payout=payout, by=request.user),
            done=lambda n: ngettext(
                "Back in the queue to pay %(count)d: %(names)s.",
                "Back in the queue to pay %(count)d: %(names)s.",
                n,
            ),
        )

    @admin.action(description=_("Cancel the selected draft payouts…"), permissions=["cancel"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Payout]) -> TemplateResponse | None:
        def cancel_each(form: ReasonForm) -> None:
            run_each(
                self,
                request,
                queryset,
                call=lambda payout: services.payout_cancel(
                    payout=payout, by=request.user, reason=form.cleaned_data["reason"]
                ),
                done=lambda n: ngettext(
                    "Cancelled %(count)d (their hours are payable again): %(names)s.",
                    "Cancelled %(count)d (their hours are payable again): %(names)s.",
                    n,
                ),
            )

        return form_action(
            self,
            request,
            queryset,
            form=partial(
                ReasonForm,
                label=gettext("Why cancel"),
                help_text=gettext(
                    "Recorded in the payout's history. Generating the period again "
                    "puts the hours in a new payout; adjustments are not carried over."
                ),
            ),
            title=gettext("Cancel payouts"),
            describe=describe,
            apply=cancel_each,
        )

    @admin.action(description=_("Add a bonus, correction or deduction…"), permissions=["adjust"])
    def adjust(self, request: HttpRequest, queryset: QuerySet[Payout]) -> TemplateResponse | None:
        payouts = list(queryset[:2])
        if len(payouts) != 1:
            self.message_user(
                request, gettext("Select exactly one payout to adjust."), messages.ERROR
            )
            return None
        payout = payouts[0]

        def adjust_one(form: AdjustmentForm) -> None:
            adjustment = services.payout_adjust(
                payout=payout, by=request.user, details=form.details()
            )
            # The payout the service saved, not the one selected: its total includes the
            # adjustment just made.
            adjusted = adjustment.payout
            message = gettext("Added %(adjustment)s to %(payout)s; it now comes to %(net)s.") % {
                "adjustment": adjustment,
                "payout": adjusted,
                "net": money(adjusted.net_minor, adjusted.currency),
            }
            self.message_user(request, message, messages.SUCCESS)

        return form_action(
            self,
            request,
            payouts,
            form=partial(AdjustmentForm, currency=payout.currency),
            title=gettext("Adjust a payout"),
            describe=describe,
            apply=adjust_one,
        )

    # --- A provider's report of many payments ----------------------------------------------

    def payments_report_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_pay_permission(request):
            raise PermissionDenied
        form = PaymentReportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                paid, refused = services.payouts_mark_paid_many(
                    payments=form.cleaned_data["report"], by=request.user
                )
            except ValidationError as exc:
                form.add_error("report", exc)
            else:
                self._report_payments(request, paid, refused)
                return HttpResponseRedirect(reverse("admin:payments_payout_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Mark payouts paid from a payments report"),
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/payments/payout/payments_report.html", context)

    def _report_payments(self, request: HttpRequest, paid: list, refused: dict) -> None:
        if paid:
            listed = names_list(str(payout) for payout in paid)
            message = ngettext(
                "Marked paid %(count)d: %(payouts)s.",
                "Marked paid %(count)d: %(payouts)s.",
                len(paid),
            ) % {"count": len(paid), "payouts": listed}
            self.message_user(request, message, messages.SUCCESS)
        for payout_id, problems in refused.items():
            message = gettext("Payout #%(pk)s: %(problems)s") % {
                "pk": payout_id,
                "problems": " ".join(problems),
            }
            self.message_user(request, message, messages.ERROR)
