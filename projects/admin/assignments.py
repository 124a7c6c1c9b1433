"""Assignments: the rate history, cap, end and removal, all through actions."""

from functools import partial

from django.contrib import admin, messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.admin_kit import ReadOnlyInline, form_action, money, run_each
from portal.admin_lists import EstimatedCountPaginator
from portal.dates import day_label, format_minutes, format_moment
from projects import forms, services
from projects.models import (
    Assignment,
    AssignmentRate,
    AssignmentRateCorrection,
    AssignmentStatusChange,
    FloorException,
)
from projects.services.floors import GRANTS_FLOOR_EXCEPTIONS, floor_exception_grant
from projects.time_rules import rate_on


class AssignmentRateInline(ReadOnlyInline):
    model = AssignmentRate
    fields = ["effective_on", "rate", "set_by", "created_at", "corrections"]
    readonly_fields = fields
    verbose_name_plural = _("rate history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[AssignmentRate]:
        corrections = AssignmentRateCorrection.objects.select_related("by").order_by("at", "pk")
        return (
            super()
            .get_queryset(request)
            .select_related("set_by")
            .prefetch_related(Prefetch("corrections", queryset=corrections))
        )

    @admin.display(description=_("hourly rate"))
    def rate(self, obj: AssignmentRate) -> str:
        return money(obj.rate_minor, obj.currency)

    @admin.display(description=_("corrections"))
    def corrections(self, obj: AssignmentRate) -> str:
        return (
            "\n".join(
                gettext("%(when)s, %(by)s: was %(old)s. %(reason)s")
                % {
                    "when": format_moment(correction.at),
                    "by": correction.by,
                    "old": money(correction.from_rate_minor, correction.from_currency),
                    "reason": correction.reason,
                }
                for correction in obj.corrections.all()
            )
            or "—"
        )


class FloorExceptionInline(ReadOnlyInline):
    model = FloorException
    fields = ["starts_on", "ends_on", "reason", "granted_by", "granted_at"]
    readonly_fields = fields
    verbose_name_plural = _("exceptions to the wage floor")

    def get_queryset(self, request: HttpRequest) -> QuerySet[FloorException]:
        return super().get_queryset(request).select_related("granted_by")


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
    # Tens of thousands of rows: no second COUNT(*), and an estimated one unfiltered.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    fields = [
        "contractor",
        "project",
        "status",
        "start_on",
        "end_on",
        "weekly_cap_minutes",
        "expected_weekly_minutes",
        "expected_set_at",
        "removal_reason",
        "assigned_by",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [AssignmentRateInline, FloorExceptionInline, AssignmentStatusChangeInline]
    actions = [
        "change_cap",
        "set_forecast",
        "set_rate",
        "correct_rate",
        "grant_floor_exception",
        "end",
        "remove",
        "reinstate",
    ]

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

    def has_grant_floor_exception_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(GRANTS_FLOOR_EXCEPTIONS)

    @admin.action(
        description=_("Allow a rate below the wage floor…"),
        permissions=["grant_floor_exception"],
    )
    def grant_floor_exception(
        self, request: HttpRequest, queryset: QuerySet[Assignment]
    ) -> TemplateResponse | None:
        assignments = list(queryset)

        def grant_each(form: forms.FloorExceptionForm) -> None:
            data = form.cleaned_data

            def grant_one(assignment: Assignment) -> str:
                floor_exception_grant(
                    assignment=assignment,
                    by=request.user,
                    reason=data["reason"],
                    ends_on=data["ends_on"],
                )
                return gettext("%(assignment)s may be paid below the floor until %(day)s.") % {
                    "assignment": assignment,
                    "day": day_label(data["ends_on"]),
                }

            if len(assignments) == 1:
                self.message_user(request, grant_one(assignments[0]), messages.SUCCESS)
            else:
                run_each(self, request, assignments, call=grant_one)

        return form_action(
            self,
            request,
            assignments,
            form=forms.FloorExceptionForm,
            title=gettext("Allow a rate below the wage floor"),
            apply=grant_each,
        )

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

    @admin.action(description=_("Update the expected hours…"), permissions=["change"])
    def set_forecast(
        self, request: HttpRequest, queryset: QuerySet[Assignment]
    ) -> TemplateResponse | None:
        def forecast_each(form: forms.ForecastForm) -> None:
            def forecast_one(assignment: Assignment) -> str:
                services.assignment_forecast_set(
                    assignment=assignment,
                    by=request.user,
                    expected_weekly_minutes=form.cleaned_data["expected_weekly"],
                )
                return gettext("Updated the expected hours of %(assignment)s.") % {
                    "assignment": assignment
                }

            run_each(self, request, queryset, call=forecast_one)

        return form_action(
            self,
            request,
            queryset,
            form=forms.ForecastForm,
            title=gettext("Update the expected hours for the next four weeks"),
            apply=forecast_each,
        )

    @admin.action(description=_("Set a new rate…"), permissions=["rate"])
    def set_rate(
        self, request: HttpRequest, queryset: QuerySet[Assignment]
    ) -> TemplateResponse | None:
        assignments = list(queryset)

        def set_each(form: forms.RateForm) -> None:
            data = form.cleaned_data

            def set_one(assignment: Assignment) -> str:
                services.assignment_rate_set(
                    assignment=assignment,
                    by=request.user,
                    rate_minor=data["rate_minor"],
                    currency=data["currency"],
                    effective_on=data["effective_on"],
                    reason=data["reason"],
                    currency_change_confirmed=data["different_currency"],
                )
                return gettext("%(assignment)s: %(rate)s an hour from %(day)s.") % {
                    "assignment": assignment,
                    "rate": money(data["rate_minor"], data["currency"]),
                    "day": day_label(data["effective_on"]),
                }

            if len(assignments) == 1:
                # One assignment: a refusal goes on the form, next to the field at fault.
                self.message_user(request, set_one(assignments[0]), messages.SUCCESS)
            else:
                run_each(self, request, assignments, call=set_one)

        return form_action(
            self,
            request,
            assignments,
            form=partial(forms.RateForm, assignments=assignments),
            title=gettext("Set a new rate"),
            apply=set_each,
        )

    @admin.action(description=_("Correct a rate…"), permissions=["rate"])
    def correct_rate(
        self, request: HttpRequest, queryset: QuerySet[Assignment]
    ) -> TemplateResponse | None:
        assignments = list(queryset)
        if len(assignments) != 1:
            self.message_user(
                request, gettext("Select one assignment to correct its rate."), messages.ERROR
            )
            return None
        assignment = assignments[0]

        def correct(form: forms.CorrectRateForm) -> None:
            data = form.cleaned_data
            correction = services.assignment_rate_correct(
                rate=data["rate"],
                by=request.user,
                rate_minor=data["rate_minor"],
                currency=data["currency"],
                reason=data["reason"],
                currency_change_confirmed=data["different_currency"],
            )
            message = gettext("%(assignment)s: the rate from %(day)s is now %(rate)s an hour.")
            values = {
                "assignment": assignment,
                "day": day_label(correction.rate.effective_on),
                "rate": money(correction.to_rate_minor, correction.to_currency),
            }
            self.message_user(request, message % values, messages.SUCCESS)

        return form_action(
            self,
            request,
            assignments,
            form=partial(forms.CorrectRateForm, assignment=assignment),
            title=gettext("Correct a rate"),
            apply=correct,
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
        description=_("Remove from the project, for a reason not about the person…"),
        permissions=["change"],
    )
    def remove(
        self, request: HttpRequest, queryset: QuerySet[Assignment]
    ) -> TemplateResponse | None:
        def remove_each(form: forms.RemoveForm) -> None:
            def remove_one(assignment: Assignment) -> str:
                services.assignment_remove(
                    assignment=assignment,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    ground=form.cleaned_data["ground"],
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
