"""Projects: details, their assignments and status history, and the status actions."""

from django.contrib import admin, messages
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.dates import format_day, format_minutes, format_moment
from portal.models import Notification
from projects import forms, selectors, services
from projects.admin.actions import action_form, apply_each, money
from projects.admin.delivery import DeliveryColumns
from projects.models import (
    Assignment,
    AssignmentRate,
    Project,
    ProjectStatus,
    ProjectStatusChange,
    ScheduledPause,
)
from projects.time_rules import rate_on


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fields = ["contractor_link", "status", "start_on", "end_on", "cap", "current_rate"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assignment]:
        return (
            super()
            .get_queryset(request)
            .select_related("contractor__user", "project")
            .prefetch_related(Prefetch("rates", queryset=AssignmentRate.objects.order_by("pk")))
        )

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("contractor"))
    def contractor_link(self, obj: Assignment) -> str:
        return f"{obj.contractor.legal_name} <{obj.contractor.user.email}>"

    @admin.display(description=_("weekly cap"))
    def cap(self, obj: Assignment) -> str:
        return format_minutes(obj.cap_minutes)

    @admin.display(description=_("current rate"))
    def current_rate(self, obj: Assignment) -> str:
        rate = rate_on(obj.rates.all(), timezone.localdate())
        return money(rate.rate_minor, rate.currency) if rate else "—"


class ProjectStatusChangeInline(DeliveryColumns, admin.TabularInline):
    model = ProjectStatusChange
    fields = [
        "effective_at",
        "from_status",
        "to_status",
        "reason",
        "message",
        "expected_resume_on",
        "by",
        *DeliveryColumns.delivery_fields,
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("status change")
    verbose_name_plural = _("status history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProjectStatusChange]:
        return self.with_delivery(super().get_queryset(request).select_related("by"))

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ScheduledPauseInline(DeliveryColumns, admin.TabularInline):
    model = ScheduledPause
    fk_name = "project"
    fields = [
        "effective_at",
        "status",
        "reason",
        "message",
        "expected_resume_on",
        "by",
        "created_at",
        "cancel_message",
        *DeliveryColumns.delivery_fields,
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("pause announced ahead of time")
    verbose_name_plural = _("pauses announced ahead of time")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ScheduledPause]:
        return self.with_delivery(super().get_queryset(request).select_related("by"))

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    form = forms.ProjectForm
    list_display = ["name", "status", "manager", "rate", "cap", "start_on", "end_on", "assigned"]
    list_filter = ["status", ("manager", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["manager"]
    search_fields = ["name", "description"]
    date_hierarchy = "start_on"
    readonly_fields = ["status", "pause_summary", "activated_at", "closed_at"]
    inlines = [AssignmentInline, ScheduledPauseInline, ProjectStatusChangeInline]
    actions = ["activate", "pause", "cancel_pause", "resume", "close", "assign_contractors"]
    fieldsets = [
        (None, {"fields": ["name", "description", "guidelines", "guidelines_url", "manager"]}),
        (_("Who fits"), {"fields": ["languages", "expertise"]}),
        (
            _("Pay and hours"),
            {"fields": ["default_rate", "currency", "expected_hours_per_week", "weekly_cap"]},
        ),
        (_("Dates"), {"fields": ["start_on", "end_on"]}),
        (_("Status"), {"fields": ["status", "pause_summary", "activated_at", "closed_at"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        return super().get_queryset(request).annotate(assignment_count=Count("assignments"))

    def has_change_permission(self, request: HttpRequest, obj: Project | None = None) -> bool:
        if obj is not None and obj.status == ProjectStatus.CLOSED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_status_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("projects.change_project_status")

    def has_assign_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("projects.add_assignment")

    @admin.display(description=_("default rate"))
    def rate(self, obj: Project) -> str:
        return money(obj.default_rate_minor, obj.currency)

    @admin.display(description=_("weekly cap"))
    def cap(self, obj: Project) -> str:
        return format_minutes(obj.weekly_cap_minutes)

    @admin.display(description=_("assignments"), ordering="assignment_count")
    def assigned(self, obj: Project) -> int:
        return obj.assignment_count

    @admin.display(description=_("pause"))
    def pause_summary(self, obj: Project) -> str:
        if obj.status != ProjectStatus.PAUSED:
            return "—"
        values = {
            "reason": obj.get_pause_reason_display(),
            "since": format_moment(obj.paused_at),
            "message": obj.pause_message,
        }
        if obj.expected_resume_on:
            values["back"] = format_day(obj.expected_resume_on)
            return gettext("%(reason)s since %(since)s, expected back %(back)s: %(message)s") % (
                values
            )
        return gettext("%(reason)s since %(since)s: %(message)s") % values

    def save_model(self, request: HttpRequest, obj: Project, form, change: bool) -> None:
        if change:
            services.project_update(project=obj, details=form.details(), by=request.user)
        else:
            created = services.project_create(details=form.details(), by=request.user)
            obj.pk = created.pk
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        # The service set the expertise already; the inlines are read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(
        description=_("Activate the selected draft projects"), permissions=["change_status"]
    )
    def activate(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        def apply(project: Project) -> str:
            services.project_activate(project=project, by=request.user)
            return gettext("«%(project)s» is active.") % {"project": project}

        apply_each(self, request, queryset, apply)

    @admin.action(description=_("Pause the selected projects…"), permissions=["change_status"])
    def pause(self, request: HttpRequest, queryset: QuerySet[Project]):
        data, page = action_form(
            self, request, queryset, form=forms.PauseForm, title=gettext("Pause projects")
        )
        if data is None:
            return page
        details = {
            "by": request.user,
            "reason": data["reason"],
            "message": data["message"],
            "expected_resume_on": data["expected_resume_on"],
        }

        def apply(project: Project) -> str:
            if data["effective_at"] is None:
                change = services.project_pause(project=project, **details)
                count = _told(change.topic)
                return ngettext(
                    "«%(project)s» is paused; %(count)d contractor told.",
                    "«%(project)s» is paused; %(count)d contractors told.",
                    count,
                ) % {"project": project, "count": count}
            pause = services.project_pause_schedule(
                project=project, effective_at=data["effective_at"], **details
            )
            count = _told(pause.topic)
            return ngettext(
                "«%(project)s» pauses at %(when)s; %(count)d contractor told now.",
                "«%(project)s» pauses at %(when)s; %(count)d contractors told now.",
                count,
            ) % {"project": project, "when": format_moment(pause.effective_at), "count": count}

        return apply_each(self, request, queryset, apply)

    @admin.action(
        description=_("Call off the scheduled pause of the selected projects…"),
        permissions=["change_status"],
    )
    def cancel_pause(self, request: HttpRequest, queryset: QuerySet[Project]):
        data, page = action_form(
            self,
            request,
            queryset,
            form=forms.CancelPauseForm,
            title=gettext("Call off scheduled pauses"),
        )
        if data is None:
            return page

        def apply(project: Project) -> str:
            pause = services.project_pause_cancel(
                project=project, by=request.user, message=data["message"]
            )
            count = _told(pause.cancel_topic)
            return ngettext(
                "«%(project)s» will not pause; %(count)d contractor told.",
                "«%(project)s» will not pause; %(count)d contractors told.",
                count,
            ) % {"project": project, "count": count}

        return apply_each(self, request, queryset, apply)

    @admin.action(
        description=_("Resume the selected paused projects…"), permissions=["change_status"]
    )
    def resume(self, request: HttpRequest, queryset: QuerySet[Project]):
        data, page = action_form(
            self, request, queryset, form=forms.ResumeForm, title=gettext("Resume projects")
        )
        if data is None:
            return page

        def apply(project: Project) -> str:
            change = services.project_resume(
                project=project, by=request.user, message=data["message"]
            )
            count = _told(change.topic)
            return ngettext(
                "«%(project)s» is active again; %(count)d contractor told.",
                "«%(project)s» is active again; %(count)d contractors told.",
                count,
            ) % {"project": project, "count": count}

        return apply_each(self, request, queryset, apply)

    @admin.action(description=_("Close the selected projects…"), permissions=["change_status"])
    def close(self, request: HttpRequest, queryset: QuerySet[Project]):
        data, page = action_form(
            self, request, queryset, form=forms.CloseForm, title=gettext("Close projects")
        )
        if data is None:
            return page

        def apply(project: Project) -> str:
            change = services.project_close(
                project=project, by=request.user, message=data["message"]
            )
            count = _told(change.topic)
            return ngettext(
                "«%(project)s» is closed; %(count)d contractor told.",
                "«%(project)s» is closed; %(count)d contractors told.",
                count,
            ) % {"project": project, "count": count}

        return apply_each(self, request, queryset, apply)

    @admin.action(
        description=_("Assign contractors to the selected project…"), permissions=["assign"]
    )
    def assign_contractors(self, request: HttpRequest, queryset: QuerySet[Project]):
        if queryset.count() != 1:
            self.message_user(
                request, gettext("Select exactly one project to assign to."), messages.ERROR
            )
            return None
        project = queryset.get()
        candidates = selectors.contractors_matching(project)

        data, page = action_form(
            self,
            request,
            queryset,
            form=lambda *args: forms.AssignContractorsForm(
                *args, project=project, candidates=candidates
            ),
            title=gettext("Assign contractors to «%(project)s»") % {"project": project},
        )
        if data is None:
            return page

        def apply(profile) -> str:
            services.assignment_create(
                project=project,
                contractor=profile,
                by=request.user,
                start_on=data["start_on"],
                weekly_cap_minutes=data["weekly_cap"],
                rate_minor=data["rate_minor"],
                currency=data["currency"],
            )
            return gettext("Assigned %(contractor)s to «%(project)s».") % {
                "contractor": profile.legal_name,
                "project": project,
            }

        return apply_each(self, request, data["contractors"], apply)


def _told(topic: str) -> int:
    """How many people the notices of ``topic`` went to."""
    return Notification.objects.filter(topic=topic).values("recipient").distinct().count()
