"""Projects: details, their assignments and status history, and the status actions."""

from functools import partial

from django.contrib import admin, messages
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponseBase
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import ContractorProfile, User
from portal.admin_kit import (
    ReadOnlyInline,
    form_action,
    money,
    names_list,
    run_each,
    run_in_background,
)
from portal.dates import format_day, format_minutes, format_moment
from projects import forms, selectors, services
from projects.admin.delivery import DeliveryColumns
from projects.admin.invitations import InvitationInline, InviteActionMixin
from projects.jobs import pause_one, resume_one
from projects.models import (
    Assignment,
    AssignmentRate,
    PauseReason,
    Project,
    ProjectStatus,
    ProjectStatusChange,
    ScheduledPause,
    ScheduledPauseStatus,
)
from projects.time_rules import rate_on

# What a pause needs, as the pause form gives it.
PAUSE_FIELDS = (
    "reason",
    "message",
    "expected_resume_on",
    "effective_at",
    "short_notice_confirmed",
)


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ["contractor_link", "status", "start_on", "end_on", "cap", "current_rate"]
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assignment]:
        return (
            super()
            .get_queryset(request)
            .select_related("contractor__user", "project")
            .prefetch_related(Prefetch("rates", queryset=AssignmentRate.objects.order_by("pk")))
        )

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


class ProjectStatusChangeInline(DeliveryColumns, ReadOnlyInline):
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
    verbose_name = _("status change")
    verbose_name_plural = _("status history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProjectStatusChange]:
        return self.with_delivery(super().get_queryset(request).select_related("by"))


class ScheduledPauseInline(DeliveryColumns, ReadOnlyInline):
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
    verbose_name = _("pause announced ahead of time")
    verbose_name_plural = _("pauses announced ahead of time")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ScheduledPause]:
        return self.with_delivery(super().get_queryset(request).select_related("by"))


class PauseScheduledFilter(admin.SimpleListFilter):
    """Projects with a pause announced and not yet in effect (the index's to-do links here)."""

    title = _("pause scheduled")
    parameter_name = "pause_scheduled"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("yes", gettext("Pause scheduled")), ("no", gettext("No pause scheduled"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Project]) -> QuerySet[Project]:
        pending = Q(scheduled_pauses__status=ScheduledPauseStatus.PENDING)
        if self.value() == "yes":
            return queryset.filter(pending)
        if self.value() == "no":
            return queryset.exclude(pending)
        return queryset


def _pending_pause(field: str) -> Subquery:
    return Subquery(
        ScheduledPause.objects.filter(
            project=OuterRef("pk"), status=ScheduledPauseStatus.PENDING
        ).values(field)[:1]
    )


@admin.register(Project)
class ProjectAdmin(InviteActionMixin, admin.ModelAdmin):
    form = forms.ProjectForm
    list_display = [
        "name",
        "status",
        "upcoming_pause",
        "manager",
        "rate",
        "cap",
        "start_on",
        "end_on",
        "assigned",
    ]
    list_filter = [
        "status",
        "purpose",
        PauseScheduledFilter,
        ("manager", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["manager"]
    search_fields = ["name", "description"]
    date_hierarchy = "start_on"
    readonly_fields = ["status", "pause_summary", "activated_at", "closed_at"]
    inlines = [
        AssignmentInline,
        InvitationInline,
        ScheduledPauseInline,
        ProjectStatusChangeInline,
    ]
    actions = [
        "activate",
        "pause",
        "cancel_pause",
        "resume",
        "close",
        "assign_contractors",
        "invite_contractors",
        "enrol_contractors",
    ]
    fieldsets = [
        (None, {"fields": ["name", "description", "guidelines", "guidelines_url", "manager"]}),
        (_("Who fits"), {"fields": ["languages", "expertise"]}),
        (
            _("Pay and hours"),
            {
                "fields": [
                    "purpose",
                    "default_rate",
                    "currency",
                    "expected_hours_per_week",
                    "weekly_cap",
                    "time_limit",
                ]
            },
        ),
        (
            _("What contractors read before they join"),
            {"fields": ["content_warning", "quality_review"]},
        ),
        (_("Dates"), {"fields": ["start_on", "end_on"]}),
        (_("Status"), {"fields": ["status", "pause_summary", "activated_at", "closed_at"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        # At most one pause is pending per project (a unique constraint), so the
        # subqueries pick that one.
        return (
            super()
            .get_queryset(request)
            .annotate(
                assignment_count=Count("assignments"),
                pause_at=_pending_pause("effective_at"),
                pause_reason_code=_pending_pause("reason"),
            )
        )

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
        if obj.time_limit_minutes is not None:
            return gettext("%(limit)s in all") % {"limit": format_minutes(obj.time_limit_minutes)}
        return format_minutes(obj.weekly_cap_minutes)

    @admin.display(description=_("assignments"), ordering="assignment_count")
    def assigned(self, obj: Project) -> int:
        return obj.assignment_count

    @admin.display(description=_("upcoming pause"), ordering="pause_at")
    def upcoming_pause(self, obj: Project) -> str:
        if obj.pause_at is None:
            return "—"
        return gettext("%(when)s (%(reason)s)") % {
            "when": format_moment(obj.pause_at),
            "reason": PauseReason(obj.pause_reason_code).label,
        }

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
        def activate_one(project: Project) -> str:
            services.project_activate(project=project, by=request.user)
            return gettext("«%(project)s» is active.") % {"project": project}

        run_each(self, request, queryset, call=activate_one)

    @admin.action(description=_("Pause the selected projects…"), permissions=["change_status"])
    def pause(self, request: HttpRequest, queryset: QuerySet[Project]) -> HttpResponseBase | None:
        # One project is paused at once; several are a background job, one project (and one
        # transaction) at a time, with its progress on the job's page.
        background: list[HttpResponseBase | None] = []

        def pause_each(form: forms.PauseForm) -> None:
            data = form.cleaned_data
            if len(queryset) > 1:
                start = partial(
                    services.projects_pause_start,
                    projects=queryset,
                    by=request.user,
                    **{key: data[key] for key in PAUSE_FIELDS},
                )
                background.append(run_in_background(self, request, starts=[start]))
                return
            run_each(self, request, queryset, call=partial(pause_one, by=request.user, data=data))

        page = form_action(
            self,
            request,
            queryset,
            form=forms.PauseForm,
            title=gettext("Pause projects"),
            apply=pause_each,
        )
        return page if page is not None or not background else background[0]

    @admin.action(
        description=_("Call off the scheduled pause of the selected projects…"),
        permissions=["change_status"],
    )
    def cancel_pause(
        self, request: HttpRequest, queryset: QuerySet[Project]
    ) -> TemplateResponse | None:
        def cancel_each(form: forms.CancelPauseForm) -> None:
            def cancel_one(project: Project) -> str:
                pause = services.project_pause_cancel(
                    project=project, by=request.user, message=form.cleaned_data["message"]
                )
                count = pause.told
                return ngettext(
                    "«%(project)s» will not pause; %(count)d contractor told.",
                    "«%(project)s» will not pause; %(count)d contractors told.",
                    count,
                ) % {"project": project, "count": count}

            run_each(self, request, queryset, call=cancel_one)

        return form_action(
            self,
            request,
            queryset,
            form=forms.CancelPauseForm,
            title=gettext("Call off scheduled pauses"),
            apply=cancel_each,
        )

    @admin.action(
        description=_("Resume the selected paused projects…"), permissions=["change_status"]
    )
    def resume(self, request: HttpRequest, queryset: QuerySet[Project]) -> HttpResponseBase | None:
        background: list[HttpResponseBase | None] = []

        def resume_each(form: forms.ResumeForm) -> None:
            message = form.cleaned_data["message"]
            if len(queryset) > 1:
                start = partial(
                    services.projects_resume_start,
                    projects=queryset,
                    by=request.user,
                    message=message,
                )
                background.append(run_in_background(self, request, starts=[start]))
                return
            run_each(
                self, request, queryset, call=partial(resume_one, by=request.user, message=message)
            )

        page = form_action(
            self,
            request,
            queryset,
            form=forms.ResumeForm,
            title=gettext("Resume projects"),
            apply=resume_each,
        )
        return page if page is not None or not background else background[0]

    @admin.action(description=_("Close the selected projects…"), permissions=["change_status"])
    def close(self, request: HttpRequest, queryset: QuerySet[Project]) -> TemplateResponse | None:
        def close_each(form: forms.CloseForm) -> None:
            def close_one(project: Project) -> str:
                data = form.cleaned_data
                details = {
                    "project": project,
                    "by": request.user,
                    "message": data["message"],
                    "short_notice_confirmed": data["short_notice_confirmed"],
                }
                if data["effective_at"] is not None:
                    scheduled = services.project_close_schedule(
                        effective_at=data["effective_at"], **details
                    )
                    return ngettext(
                        "«%(project)s» closes at %(when)s; %(count)d contractor told now.",
                        "«%(project)s» closes at %(when)s; %(count)d contractors told now.",
                        scheduled.told,
                    ) % {
                        "project": project,
                        "when": format_moment(scheduled.effective_at),
                        "count": scheduled.told,
                    }
                change = services.project_close(**details)
                count = change.told
                return ngettext(
                    "«%(project)s» is closed; %(count)d contractor told.",
                    "«%(project)s» is closed; %(count)d contractors told.",
                    count,
                ) % {"project": project, "count": count}

            run_each(self, request, queryset, call=close_one)

        return form_action(
            self,
            request,
            queryset,
            form=forms.CloseForm,
            title=gettext("Close projects"),
            apply=close_each,
        )

    @admin.action(
        description=_("Assign contractors to the selected project…"), permissions=["assign"]
    )
    def assign_contractors(
        self, request: HttpRequest, queryset: QuerySet[Project]
    ) -> TemplateResponse | None:
        if queryset.count() != 1:
            self.message_user(
                request, gettext("Select exactly one project to assign to."), messages.ERROR
            )
            return None
        project = queryset.get()
        if project.is_paid_activity:
            self.message_user(
                request,
                gettext(
                    "«%(project)s» is a paid assessment or training; enrol contractors in it "
                    "instead."
                )
                % {"project": project},
                messages.ERROR,
            )
            return None
        candidates = selectors.contractors_matching(project)
        if not candidates.exists():
            self.message_user(request, _no_candidates(project), messages.WARNING)
            return None

        def assign_each(form: forms.AssignContractorsForm) -> None:
            data = form.cleaned_data
            assign = partial(_assign, project=project, by=request.user, data=data)
            run_each(self, request, data["contractors"], call=assign, keep_form=True)

        return form_action(
            self,
            request,
            queryset,
            form=partial(
                forms.AssignContractorsForm,
                project=project,
                candidates=candidates,
            ),
            title=gettext("Assign contractors to «%(project)s»") % {"project": project},
            apply=assign_each,
        )

    @admin.action(
        description=_("Enrol contractors in the selected assessment or training…"),
        permissions=["assign"],
    )
    def enrol_contractors(
        self, request: HttpRequest, queryset: QuerySet[Project]
    ) -> TemplateResponse | None:
        if queryset.count() != 1:
            self.message_user(
                request, gettext("Select exactly one assessment or training."), messages.ERROR
            )
            return None
        project = queryset.get()
        if not project.is_paid_activity:
            self.message_user(
                request,
                gettext("«%(project)s» is project work; assign contractors to it instead.")
                % {"project": project},
                messages.ERROR,
            )
            return None
        candidates = selectors.contractors_enrollable(project)
        if not candidates.exists():
            self.message_user(
                request,
                gettext("Every approved contractor is already enrolled in «%(project)s».")
                % {"project": project},
                messages.WARNING,
            )
            return None

        def enrol_each(form: forms.EnrolForm) -> None:
            enrol = partial(
                _enrol, project=project, by=request.user, rate_minor=form.cleaned_data["rate_minor"]
            )
            run_each(self, request, form.cleaned_data["contractors"], call=enrol, keep_form=True)

        return form_action(
            self,
            request,
            queryset,
            form=partial(forms.EnrolForm, project=project, candidates=candidates),
            title=gettext("Enrol contractors in «%(project)s»") % {"project": project},
            apply=enrol_each,
        )


def _enrol(
    profile: ContractorProfile, *, project: Project, by: User, rate_minor: int | None
) -> str:
    enrolment = services.paid_activity_enrol(
        project=project, contractor=profile, by=by, rate_minor=rate_minor
    )
    values = {
        "contractor": profile.legal_name,
        "project": project,
        "rate": money(enrolment.rate.rate_minor, enrolment.rate.currency),
    }
    if enrolment.raised_from_minor is not None:
        return (
            gettext(
                "Enrolled %(contractor)s in «%(project)s» at %(rate)s an hour, raised to their "
                "wage floor."
            )
            % values
        )
    return gettext("Enrolled %(contractor)s in «%(project)s» at %(rate)s an hour.") % values


def _no_candidates(project: Project) -> str:
    """Why nobody can be assigned: the first of the matching tests that leaves no one."""
    funnel = selectors.contractors_matching_funnel(project)
    values = {"project": project, "count": funnel.not_assigned}
    if funnel.active == 0:
        return (
            gettext(
                "Nobody can be assigned to «%(project)s» yet: there are no active contractors. "
                "Contractors become active once their application is approved and their "
                "onboarding is complete."
            )
            % values
        )
    if funnel.not_assigned == 0:
        return gettext("Every active contractor is already assigned to «%(project)s».") % values
    if funnel.speaking == 0:
        values["languages"] = names_list(project.language_names)
        return (
            ngettext(
                "Nobody can be assigned to «%(project)s»: the %(count)d active contractor not on "
                "it does not speak every language it requires (%(languages)s).",
                "Nobody can be assigned to «%(project)s»: none of the %(count)d active contractors "
                "not on it speaks every language it requires (%(languages)s).",
                funnel.not_assigned,
            )
            % values
        )
    values["count"] = funnel.speaking
    values["areas"] = names_list(area.name for area in project.expertise.all())
    return (
        ngettext(
            "Nobody can be assigned to «%(project)s»: the %(count)d active contractor who speaks "
            "its languages does not cover every expertise area it requires (%(areas)s).",
            "Nobody can be assigned to «%(project)s»: none of the %(count)d active contractors who "
            "speak its languages covers every expertise area it requires (%(areas)s).",
            funnel.speaking,
        )
        % values
    )


def _assign(profile: ContractorProfile, *, project: Project, by: User, data: dict) -> str:
    services.assignment_create(
        project=project,
        contractor=profile,
        by=by,
        start_on=data["start_on"],
        weekly_cap_minutes=data["weekly_cap"],
        rate_minor=data["rate_minor"],
        currency=data["currency"],
    )
    return gettext("Assigned %(contractor)s to «%(project)s».") % {
        "contractor": profile.legal_name,
        "project": project,
    }
