"""Time entries: filters and totals for the review, approve and reject actions."""

from datetime import timedelta

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import ContractorProfile
from portal.admin_kit import ReadOnlyAdminMixin, ReadOnlyInline, form_action, money, run_once
from portal.dates import day_label, format_minutes
from projects import forms, selectors, services
from projects.models import (
    TimeEntry,
    TimeEntryStatusChange,
)
from projects.timesheet import parse_week, week_start


class WeekFilter(admin.SimpleListFilter):
    title = _("week")
    parameter_name = "week"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        monday = week_start(timezone.localdate())
        weeks = [monday - timedelta(weeks=offset) for offset in range(8)]
        return [
            (week.isoformat(), gettext("Week of %(day)s") % {"day": day_label(week)})
            for week in weeks
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[TimeEntry]) -> QuerySet[TimeEntry]:
        if not self.value():
            return queryset
        monday = parse_week(self.value(), today=timezone.localdate())
        return queryset.filter(work_on__range=(monday, monday + timedelta(days=6)))


class TimeEntryStatusChangeInline(ReadOnlyInline):
    model = TimeEntryStatusChange
    fields = ["at", "from_status", "to_status", "reason", "by"]
    readonly_fields = fields
    verbose_name_plural = _("history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[TimeEntryStatusChange]:
        return super().get_queryset(request).select_related("by")


class ContractorFilter(admin.RelatedOnlyFieldListFilter):
    """The contractors with entries, named in one query (their names include the email)."""

    def field_choices(self, field, request, model_admin) -> list[tuple[int, str]]:
        ids = model_admin.get_queryset(request).values("assignment__contractor")
        profiles = ContractorProfile.objects.filter(pk__in=ids).select_related("user")
        return [(profile.pk, str(profile)) for profile in profiles.order_by("legal_name")]


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "work_on",
        "contractor",
        "project",
        "kind",
        "duration",
        "status",
        "rate",
        "amount",
        "note",
    ]
    list_filter = [
        "status",
        WeekFilter,
        ("assignment__project", admin.RelatedOnlyFieldListFilter),
        ("assignment__contractor", ContractorFilter),
        "kind",
    ]
    list_select_related = ["assignment__project", "assignment__contractor__user"]
    search_fields = [
        "assignment__contractor__legal_name",
        "assignment__contractor__user__email",
        "assignment__project__name",
        "note",
    ]
    date_hierarchy = "work_on"
    list_per_page = 100
    fields = [
        "assignment",
        "work_on",
        "kind",
        "duration",
        "note",
        "status",
        "rate",
        "amount",
        "submitted_at",
        "reviewed_at",
        "reviewed_by",
        "rejection_reason",
    ]
    readonly_fields = fields
    inlines = [TimeEntryStatusChangeInline]
    actions = ["approve", "reject"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[TimeEntry]:
        return selectors.time_entry_list_for_reviewer()

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("projects.review_timeentry")

    def changelist_view(self, request: HttpRequest, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            context["totals"] = selectors.time_entry_totals(context["cl"].queryset)
        return response

    @admin.display(description=_("contractor"), ordering="assignment__contractor__legal_name")
    def contractor(self, obj: TimeEntry) -> str:
        return obj.assignment.contractor.legal_name

    @admin.display(description=_("project"), ordering="assignment__project__name")
    def project(self, obj: TimeEntry) -> str:
        return obj.assignment.project.name

    @admin.display(description=_("hours"), ordering="minutes")
    def duration(self, obj: TimeEntry) -> str:
        return format_minutes(obj.minutes)

    @admin.display(description=_("rate"))
    def rate(self, obj: TimeEntry) -> str:
        return money(obj.rate_minor, obj.currency)

    @admin.display(description=_("amount"))
    def amount(self, obj: TimeEntry) -> str:
        return money(obj.amount_minor, obj.currency)

    @admin.action(description=_("Approve the selected submitted entries"), permissions=["review"])
    def approve(self, request: HttpRequest, queryset: QuerySet[TimeEntry]) -> None:
        def approve_all() -> str:
            entries = services.time_entries_approve(
                entry_ids=list(queryset.values_list("pk", flat=True)), by=request.user
            )
            return _approved(len(entries))

        run_once(self, request, call=approve_all)

    @admin.action(description=_("Reject the selected submitted entries…"), permissions=["review"])
    def reject(
        self, request: HttpRequest, queryset: QuerySet[TimeEntry]
    ) -> TemplateResponse | None:
        def reject_all(form: forms.ReasonForm) -> None:
            def reject_entries() -> str:
                entries = services.time_entries_reject(
                    entry_ids=list(queryset.values_list("pk", flat=True)),
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
                return _rejected(len(entries))

            run_once(self, request, call=reject_entries)

        return form_action(
            self,
            request,
            queryset,
            form=forms.ReasonForm,
            title=gettext("Reject time entries"),
            describe=_entry_description,
            apply=reject_all,
        )


def _approved(count: int) -> str:
    return ngettext("Approved %(count)d entry.", "Approved %(count)d entries.", count) % {
        "count": count
    }


def _rejected(count: int) -> str:
    return ngettext("Rejected %(count)d entry.", "Rejected %(count)d entries.", count) % {
        "count": count
    }


def _entry_description(entry: TimeEntry) -> str:
    return (
        f"{day_label(entry.work_on)} · {entry.assignment.contractor.legal_name} · "
        f"{entry.assignment.project.name} · {entry.get_kind_display()} · "
        f"{format_minutes(entry.minutes)}"
    )
