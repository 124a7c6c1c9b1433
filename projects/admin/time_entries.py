"""Time entries: filters and totals for the review, approve and reject actions.

Hours are reviewed a contractor-week at a time on the week's own page (its
grid, totals and notes, with "Approve week" and "Reject with a reason");
the list's actions still approve or reject single entries.
"""

from datetime import date, timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.admin_kit import (
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    add_errors,
    form_action,
    money,
    run_once,
)
from portal.admin_lists import (
    AutocompleteFilter,
    EstimatedCountPaginator,
    autocomplete_filter_media,
)
from portal.dates import day_label, format_minutes
from projects import forms, selectors, services
from projects.models import (
    Assignment,
    TimeEntry,
    TimeEntryStatusChange,
)
from projects.timesheet import parse_week, week_start

WEEK_TEMPLATE = "admin/projects/timeentry/week.html"
# How many contractor-weeks the list's weekly totals show (newest first).
WEEK_TOTALS_SHOWN = 20
# How many weeks back the week filter offers, and an unfiltered list's weekly totals reach.
RECENT_WEEKS = 8
# Up to how many assignments a search hands to the database as a list of ids.
SEARCH_LISTED = 500


class WeekFilter(admin.SimpleListFilter):
    title = _("week")
    parameter_name = "week"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        monday = week_start(timezone.localdate())
        weeks = [monday - timedelta(weeks=offset) for offset in range(RECENT_WEEKS)]
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
        "week_link",
    ]
    list_filter = [
        "status",
        WeekFilter,
        # Every project (a short list), not "those with entries": that scans the entries.
        "assignment__project",
        # Typed, not listed: there are thousands of contractors.
        ("assignment__contractor", AutocompleteFilter),
        "kind",
    ]
    list_select_related = ["assignment__project", "assignment__contractor__user"]
    # Searched through the assignments (see get_search_results); notes are not searched,
    # as that reads every entry's note.
    search_fields = [
        "assignment__contractor__legal_name",
        "assignment__contractor__user__email",
        "assignment__project__name",
    ]
    # No date hierarchy: its list of years reads every entry's day. The week filter
    # and the week pages take a manager to a time.
    list_per_page = 100
    # A million rows: no second COUNT(*) of the whole table, and an estimated one unfiltered.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
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

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        """Find the assignments (contractor's name or email, project) with their own admin's
        search, then their entries by the (assignment, day) index: matching names across a
        join to a million entries would read them all."""
        if not search_term.strip():
            return queryset, False
        assignments = self.admin_site.get_model_admin(Assignment)
        matching, _duplicates = assignments.get_search_results(
            request, Assignment.objects.all(), search_term
        )
        # A few assignments are named to the planner, which then reads their entries by
        # index; against a subquery it walks the whole list in order, filtering.
        ids = list(matching.values_list("pk", flat=True)[: SEARCH_LISTED + 1])
        if len(ids) <= SEARCH_LISTED:
            return queryset.filter(assignment__in=ids), False
        return queryset.filter(assignment__in=matching.values("pk")), False

    @property
    def media(self):
        contractor = Assignment._meta.get_field("contractor")
        return super().media + autocomplete_filter_media(self, contractor)

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("projects.review_timeentry")

    def changelist_view(self, request: HttpRequest, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            changelist = context["cl"]
            filtered = changelist.queryset
            if changelist.has_active_filters or changelist.query:
                context["totals"] = selectors.time_entry_totals(filtered)
            else:
                # Totals of every entry there is cost a scan of the table and say little;
                # the weekly totals show the recent weeks of whoever awaits review.
                since = week_start(timezone.localdate()) - timedelta(weeks=RECENT_WEEKS)
                filtered = selectors.review_week_entries_waiting(filtered, since=since)
            context["week_totals"] = [
                (total, _week_url(total.contractor_id, total.week))
                for total in selectors.review_week_totals(filtered, limit=WEEK_TOTALS_SHOWN)
            ]
        return response

    def get_urls(self):
        week = path(
            "week/<int:contractor_id>/<str:week>/",
            self.admin_site.admin_view(self.week_view),
            name="projects_timeentry_week",
        )
        return [week, *super().get_urls()]

    def week_view(self, request: HttpRequest, contractor_id: int, week: str) -> HttpResponse:
        """One contractor's week: the grid, totals and notes; approve it or send entries back."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            monday = week_start(date.fromisoformat(week))
        except ValueError:
            raise Http404(gettext("No such week.")) from None
        review = selectors.review_week_for_reviewer(contractor_id=contractor_id, week=monday)
        here = _week_url(contractor_id, review.week)
        approve = forms.WeekApproveForm(entries=review.submitted)
        reject = forms.WeekRejectForm(entries=review.submitted, label=_cell_description)
        if request.method == "POST":
            if not self.has_review_permission(request):
                raise PermissionDenied
            if "approve" in request.POST:
                approve = forms.WeekApproveForm(request.POST, entries=review.submitted)
                if self._approve_week(request, approve):
                    return HttpResponseRedirect(here)
            elif "reject" in request.POST:
                reject = forms.WeekRejectForm(
                    request.POST, entries=review.submitted, label=_cell_description
                )
                if self._reject_week(request, reject):
                    return HttpResponseRedirect(here)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Hours of %(contractor)s, week of %(day)s")
            % {"contractor": review.profile.legal_name, "day": day_label(review.week)},
            "review": review,
            "approve_form": approve,
            "reject_form": reject,
            "can_review": self.has_review_permission(request),
            "previous_url": _week_url(contractor_id, review.previous_week),
            "next_url": _week_url(contractor_id, review.next_week),
            "entries_url": reverse("admin:projects_timeentry_changelist")
            + f"?assignment__contractor__id__exact={contractor_id}&week={review.week.isoformat()}",
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, WEEK_TEMPLATE, context)

    def _approve_week(self, request: HttpRequest, form: forms.WeekApproveForm) -> bool:
        if not form.is_valid():
            for error in form.errors.get("entries", []):
                self.message_user(request, error, messages.ERROR)
            return False
        try:
            entries = services.time_entries_approve(
                entry_ids=form.cleaned_data["entries"], by=request.user
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return False
        self.message_user(request, _approved(len(entries)), messages.SUCCESS)
        return True

    def _reject_week(self, request: HttpRequest, form: forms.WeekRejectForm) -> bool:
        if not form.is_valid():
            return False
        try:
            entries = services.time_entries_reject(
                entry_ids=form.cleaned_data["entries"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return False
        self.message_user(request, _rejected(len(entries)), messages.SUCCESS)
        return True

    @admin.display(description=_("week"))
    def week_link(self, obj: TimeEntry) -> str:
        monday = week_start(obj.work_on)
        return format_html(
            '<a href="{}">{}</a>',
            _week_url(obj.assignment.contractor_id, monday),
            gettext("Review the week"),
        )

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


def _week_url(contractor_id: int, week: date) -> str:
    return reverse("admin:projects_timeentry_week", args=[contractor_id, week.isoformat()])


def _cell_description(entry: TimeEntry) -> str:
    """An entry of a week whose contractor the page already names."""
    return (
        f"{day_label(entry.work_on)} · {entry.assignment.project.name} · "
        f"{entry.get_kind_display()} · {format_minutes(entry.minutes)}"
    )


def _entry_description(entry: TimeEntry) -> str:
    return (
        f"{day_label(entry.work_on)} · {entry.assignment.contractor.legal_name} · "
        f"{entry.assignment.project.name} · {entry.get_kind_display()} · "
        f"{format_minutes(entry.minutes)}"
    )
