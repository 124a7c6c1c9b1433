"""Assignments: the rate history, cap, end and removal, all through actions."""

from django.contrib import admin
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.admin_kit import ReadOnlyInline, form_action, money, run_each
from portal.dates import day_label, format_minutes
from projects import forms, services
from projects.models import (
    Assignment,
    AssignmentRate,
    AssignmentStatusChange,
)
from projects.time_rules import rate_on


class AssignmentRateInline(ReadOnlyInline):
    model = AssignmentRate
    fields = ["effective_on", "rate", "set_by", "created_at"]
    readonly_fields = fields
    verbose_name_plural = _("rate history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[AssignmentRate]:
        return super().get_queryset(request).select_related("set_by")

    @admin.display(description=_("hourly rate"))
    def rate(self, obj: AssignmentRate) -> str:
        return money(obj.rate_minor, obj.currency)


class AssignmentStatusChangeInline(ReadOnlyInline):
    model = AssignmentStatusChange
    fields = ["at", "from_status", "to_status", "reason", "by"]
    readonly_fields = fields
    verbose_name_plural = _("status history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[AssignmentStatusChange]:
        return super().get_queryset(request).select_related("by")


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = [
        "contractor_name",
        "project",
        "status",
        "start_on",
        "end_on",
        "cap",
        "current_rate",
    ]
    list_filter = ["status", ("project", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["contractor__user", "project"]
    search_fields = ["contractor__legal_name", "contractor__user__email", "project__name"]
    fields = [
        "contractor",
        "project",
        "status",
        "start_on",
        "end_on",
        "weekly_cap_minutes",
        "removal_reason",
        "assigned_by",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [AssignmentRateInline, AssignmentStatusChangeInline]
    actions = ["change_cap", "set_rate", "end", "remove", "reinstate"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assignment]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("rates", queryset=AssignmentRate.objects.order_by("pk")))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Assignment | None = None) -> bool:
        # Changes go through the actions; the page of one assignment only shows it.
        return obj is None and super().has_change_permission(request)

    def has_rate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("projects.add_assignmentrate")

    @admin.display(description=_("contractor"), ordering="contractor__legal_name")
    def contractor_name(self, obj: Assignment) -> str:
        return f"{obj.contractor.legal_name} <{obj.contractor.user.email}>"

    @admin.display(description=_("weekly cap"))
    def cap(self, obj: Assignment) -> str:
        if obj.weekly_cap_minutes is None:
            return format_minutes(obj.cap_minutes)
        # The assignment's own cap, not the project's.
        return gettext("%(cap)s (own)") % {"cap": format_minutes(obj.cap_minutes)}

    @admin.display(description=_("current rate"))
    def current_rate(self, obj: Assignment) -> str:
        rate = rate_on(obj.rates.all(), timezone.localdate())
        return money(rate.rate_minor, rate.currency) if rate else "—"

    @admin.action(description=_("Change the weekly cap or end date…"), permissions=["change"])
    def change_cap(
        self, request: HttpRequest, queryset: QuerySet[Assignment]
    ) -> TemplateResponse | None:
        def update_each(form: forms.AssignmentForm) -> None:
            def update_one(assignment: Assignment) -> str:
                services.assignment_update(
                    assignment=assignment,
                    by=request.user,
                    weekly_cap_minutes=form.cleaned_data["weekly_cap"],
                    end_on=form.cleaned_data["end_on"],
                )
                return gettext("Updated %(assignment)s.") % {"assignment": assignment}

            run_each(self, request, queryset, call=update_one)

        return form_action(
            self,
            request,
            queryset,
            form=forms.AssignmentForm,
            title=gettext("Change cap and end date"),
            apply=update_each,
        )

    @admin.action(description=_("Set a new rate…"), permissions=["rate"])
    def set_rate(
        self, request: HttpRequest, queryset: QuerySet[Assignment]
    ) -> TemplateResponse | None:
        def set_each(form: forms.RateForm) -> None:
            data = form.cleaned_data

            def set_one(assignment: Assignment) -> str:
                services.assignment_rate_set(
                    assignment=assignment,
                    by=request.user,
                    rate_minor=data["rate_minor"],
                    currency=data["currency"],
                    effective_on=data["effective_on"],
                )
                return gettext("%(assignment)s: %(rate)s an hour from %(day)s.") % {
                    "assignment": assignment,
                    "rate": money(data["rate_minor"], data["currency"]),
                    "day": day_label(data["effective_on"]),
                }

            run_each(self, request, queryset, call=set_one)

        return form_action(
            self,
            request,
            queryset,
            form=forms.RateForm,
            title=gettext("Set a new rate"),
            apply=set_each,
        )

    @admin.action(description=_("End the selected assignments…"), permissions=["change"])
    def end(self, request: HttpRequest, queryset: QuerySet[Assignment]) -> TemplateResponse | None:
        def end_each(form: forms.EndForm) -> None:
            def end_one(assignment: Assignment) -> str:
                services.assignment_end(
                    assignment=assignment, by=request.user, end_on=form.cleaned_data["end_on"]
                )
                return gettext("Ended %(assignment)s.") % {"assignment": assignment}

            run_each(self, request, queryset, call=end_one)

        return form_action(
            self,
            request,
            queryset,
            form=forms.EndForm,
            title=gettext("End assignments"),
            apply=end_each,
        )

    @admin.action(
        description=_("Remove the selected contractors from their project…"),
        permissions=["change"],
    )
    def remove(
        self, request: HttpRequest, queryset: QuerySet[Assignment]
    ) -> TemplateResponse | None:
        def remove_each(form: forms.RemoveForm) -> None:
            def remove_one(assignment: Assignment) -> str:
                services.assignment_remove(
                    assignment=assignment, by=request.user, reason=form.cleaned_data["reason"]
                )
                return gettext("Removed %(assignment)s.") % {"assignment": assignment}

            run_each(self, request, queryset, call=remove_one)

        return form_action(
            self,
            request,
            queryset,
            form=forms.RemoveForm,
            title=gettext("Remove from project"),
            apply=remove_each,
        )

    @admin.action(description=_("Reinstate the selected assignments"), permissions=["change"])
    def reinstate(self, request: HttpRequest, queryset: QuerySet[Assignment]) -> None:
        def reinstate_one(assignment: Assignment) -> str:
            services.assignment_reinstate(assignment=assignment, by=request.user)
            return gettext("Reinstated %(assignment)s.") % {"assignment": assignment}

        run_each(self, request, queryset, call=reinstate_one)
