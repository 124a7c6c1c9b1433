"""The case queue: cases by status and deadline, their timeline, a step action for each step.

Nothing here writes a case: every step is an action with its intermediate
form, calling the same service the API calls; a refused step is shown on the
form and changes nothing.
"""

import csv
import json
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.admin_kit import (
    ObjectActionsMixin,
    ReadOnlyInline,
    ReasonForm,
    add_errors,
    form_action,
    run_each,
)
from portal.dates import format_moment
from projects.cases import admin_forms as forms
from projects.cases.file import case_file
from projects.models import Case, CaseEvidence
from projects.services import cases as services

ACTION_TEMPLATE = "admin/action_form.html"


class CaseEvidenceInline(ReadOnlyInline):
    model = CaseEvidence
    fields = ["kind", "text", "download", "url", "withheld_reason", "added_by", "added_at"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj: CaseEvidence) -> str:
        # Case files are private: served by the case's download view, never from MEDIA_URL.
        if not obj.file:
            return ""
        return format_html(
            '<a href="{}">{}</a>',
            reverse("cases:evidence", args=[obj.case_id, obj.pk]),
            gettext("Download"),
        )


def _step(
    modeladmin: "CaseAdmin",
    request: HttpRequest,
    queryset: QuerySet[Case],
    *,
    form: Callable[..., Any],
    title: str,
    call: Callable[[Case, Any], object],
) -> TemplateResponse | None:
    def apply(bound: Any) -> None:
        cases = list(queryset)
        if len(cases) == 1:
            # One case (a button on its page): a refusal goes back on the form, by field.
            call(cases[0], bound)
            modeladmin.message_user(request, gettext("Done: %(case)s.") % {"case": cases[0]})
            return

        def each(case: Case) -> str:
            call(case, bound)
            return gettext("Done: %(case)s.") % {"case": case}

        run_each(modeladmin, request, cases, call=each)

    return form_action(modeladmin, request, queryset, form=form, title=title, apply=apply)


@admin.register(Case)
class CaseAdmin(ObjectActionsMixin, admin.ModelAdmin):
    list_display = ["__str__", "contractor", "rule_code", "status", "deadline", "handler"]
    list_filter = ["status", "source", "outcome", "rule__category"]
    list_select_related = ["contractor__user", "rule", "handler"]
    search_fields = ["contractor__legal_name", "contractor__user__email", "rule__code"]
    date_hierarchy = "created_at"
    inlines = [CaseEvidenceInline]
    change_list_template = "admin/projects/case/change_list.html"
    readonly_fields = [
        "contractor",
        "assignment",
        "rule",
        "status",
        "source",
        "signal_source",
        "opened_by",
        "handler",
        "evidence_summary",
        "warning_text",
        "warning_by",
        "proposed_outcome",
        "response_due_at",
        "representative_name",
        "representative_email",
        "outcome",
        "decision_reasons",
        "decided_by",
        "decided_at",
        "effective_at",
        "suspended_until",
        "sanction_applied_at",
        "appeal_due_at",
        "appeal_text",
        "appealed_at",
        "appeal_target_at",
        "appeal_outcome",
        "appeal_reasons",
        "appeal_decided_by",
        "interim_until",
        "timeline",
    ]
    fields = readonly_fields
    actions = [
        "take",
        "add_evidence",
        "warn",
        "notice",
        "decide",
        "interim_suspend",
        "appeal_decide",
        "close",
    ]
    object_actions = (
        ("take", _("Take up this signal")),
        ("add_evidence", _("Add evidence…")),
        ("warn", _("Warn…")),
        ("notice", _("Give notice…")),
        ("decide", _("Decide…")),
        ("interim_suspend", _("Interim suspension…")),
        ("appeal_decide", _("Decide the appeal…")),
        ("close", _("Close…")),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        # The queue: the nearest deadline first (a response or an appeal due), then the rest.
        return (
            super()
            .get_queryset(request)
            .select_related("contractor__user", "rule", "handler")
            .order_by(
                F("appeal_target_at").asc(nulls_last=True),
                F("response_due_at").asc(nulls_last=True),
                "-created_at",
            )
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("projects.add_case")

    def has_change_permission(self, request: HttpRequest, obj: Case | None = None) -> bool:
        # "change" is the right to take the steps; the case's own page is read-only.
        return obj is None and request.user.has_perm("projects.change_case")

    def has_delete_permission(self, request: HttpRequest, obj: Case | None = None) -> bool:
        return False

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("projects.decide_case")

    def has_interim_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("projects.interim_suspend_case")

    @admin.display(description=_("rule"), ordering="rule__code")
    def rule_code(self, obj: Case) -> str:
        return obj.rule.code

    @admin.display(description=_("deadline"))
    def deadline(self, obj: Case) -> str:
        if obj.status == "appealed" and obj.appeal_target_at:
            return gettext("appeal decision due %(when)s") % {
                "when": format_moment(obj.appeal_target_at)
            }
        if obj.status == "noticed" and obj.response_due_at:
            return gettext("answer due %(when)s") % {"when": format_moment(obj.response_due_at)}
        if obj.status == "responded":
            return gettext("response waiting for a decision")
        return "—"

    @admin.display(description=_("timeline"))
    def timeline(self, obj: Case) -> str:
        events = obj.events.select_related("by")
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                "<li><strong>{}</strong> · {} · {}<br>{}</li>",
                ((e.get_kind_display(), format_moment(e.at), e.by or "—", e.text) for e in events),
            ),
        )

    # --- Opening and export ---------------------------------------------------------

    def get_urls(self) -> list:
        export = path(
            "export/", self.admin_site.admin_view(self.export_view), name="projects_case_export"
        )
        return [export, *super().get_urls()]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:projects_case_changelist"))
        form = forms.CaseOpenForm(
            request.POST if "apply" in request.POST else None, initial=request.GET.dict()
        )
        if form.is_valid():
            try:
                case = services.case_open(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                self.message_user(request, gettext("Opened %(case)s.") % {"case": case})
                return HttpResponseRedirect(reverse("admin:projects_case_change", args=[case.pk]))
        return self._page(request, form, gettext("Open a case"))

    def _page(self, request: HttpRequest, form: Any, title: str) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "selected": [],
            "action": "",
        }
        return TemplateResponse(request, ACTION_TEMPLATE, context)

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("projects.view_case"):
            return HttpResponseRedirect(reverse("admin:index"))
        form = forms.ExportForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._page(request, form, gettext("Export cases"))
        zone = timezone.get_current_timezone()
        start = datetime.combine(form.cleaned_data["start"], time.min, tzinfo=zone)
        end = datetime.combine(form.cleaned_data["end"] + timedelta(days=1), time.min, tzinfo=zone)
        cases = (
            Case.objects.filter(created_at__gte=start, created_at__lt=end)
            .select_related(
                "contractor", "rule__book", "assignment__project", "decided_by", "appeal_decided_by"
            )
            .prefetch_related("rule__texts", "evidence", "events__by")
            .order_by("created_at", "pk")
        )
        files = [case_file(case, language="en", staff=True) for case in cases]
        name = f"cases-{form.cleaned_data['start']}-{form.cleaned_data['end']}"
        if form.cleaned_data["file_format"] == "json":
            response = HttpResponse(
                json.dumps(files, indent=2, ensure_ascii=False), content_type="application/json"
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.json"'
            return response
        return _csv(files, name)

    # --- Steps ----------------------------------------------------------------------

    @admin.action(description=_("Take up the selected signals"), permissions=["change"])
    def take(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        def take_one(case: Case) -> str:
            services.case_take(case=case, by=request.user)
            return gettext("You handle %(case)s now.") % {"case": case}

        run_each(self, request, queryset, call=take_one)

    @admin.action(description=_("Add evidence…"), permissions=["change"])
    def add_evidence(self, request: HttpRequest, queryset: QuerySet[Case]) -> Any:
        def form(data: Any) -> forms.EvidenceForm:
            return forms.EvidenceForm(data, request.FILES if data is not None else None)

        return _step(
            self,
            request,
            queryset,
            form=form,
            title=gettext("Add evidence"),
            call=lambda case, f: services.case_evidence_add(
                case=case, by=request.user, **f.cleaned_data
            ),
        )

    @admin.action(description=_("Warn…"), permissions=["change"])
    def warn(self, request: HttpRequest, queryset: QuerySet[Case]) -> Any:
        return _step(
            self,
            request,
            queryset,
            form=forms.WarnForm,
            title=gettext("Give a warning"),
            call=lambda case, f: services.case_warn(case=case, by=request.user, **f.cleaned_data),
        )

    @admin.action(description=_("Give notice…"), permissions=["change"])
    def notice(self, request: HttpRequest, queryset: QuerySet[Case]) -> Any:
        return _step(
            self,
            request,
            queryset,
            form=forms.NoticeForm,
            title=gettext("Give notice"),
            call=lambda case, f: services.case_notice(case=case, by=request.user, **f.cleaned_data),
        )

    @admin.action(description=_("Decide…"), permissions=["decide"])
    def decide(self, request: HttpRequest, queryset: QuerySet[Case]) -> Any:
        def call(case: Case, f: forms.DecideForm) -> object:
            decision = services.Decision(
                outcome=f.cleaned_data["outcome"],
                reasons=f.cleaned_data["reasons"],
                effective_at=f.effective(),
                suspended_until=f.cleaned_data["suspended_until"],
            )
            return services.case_decide(case=case, by=request.user, decision=decision)

        return _step(
            self, request, queryset, form=forms.DecideForm, title=gettext("Decide"), call=call
        )

    @admin.action(description=_("Interim suspension…"), permissions=["interim"])
    def interim_suspend(self, request: HttpRequest, queryset: QuerySet[Case]) -> Any:
        return _step(
            self,
            request,
            queryset,
            form=forms.InterimForm,
            title=gettext("Interim suspension"),
            call=lambda case, f: services.case_interim_suspend(
                case=case, by=request.user, **f.cleaned_data
            ),
        )

    @admin.action(description=_("Decide the appeal…"), permissions=["decide"])
    def appeal_decide(self, request: HttpRequest, queryset: QuerySet[Case]) -> Any:
        def call(case: Case, f: forms.AppealDecideForm) -> object:
            decision = services.AppealDecision(**f.cleaned_data)
            return services.case_appeal_decide(case=case, by=request.user, decision=decision)

        return _step(
            self,
            request,
            queryset,
            form=forms.AppealDecideForm,
            title=gettext("Decide the appeal"),
            call=call,
        )

    @admin.action(description=_("Close…"), permissions=["change"])
    def close(self, request: HttpRequest, queryset: QuerySet[Case]) -> Any:
        def form(data: Any) -> ReasonForm:
            return ReasonForm(
                data,
                label=gettext("Note"),
                help_text=gettext("The contractor reads this."),
            )

        return _step(
            self,
            request,
            queryset,
            form=form,
            title=gettext("Close the case"),
            call=lambda case, f: services.case_close(
                case=case, by=request.user, reason=f.cleaned_data["reason"]
            ),
        )


def _csv(files: list[dict[str, Any]], name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "case",
            "status",
            "contractor",
            "project",
            "rule",
            "rule_version",
            "opened_at",
            "proposed_outcome",
            "response_due_at",
            "outcome",
            "decided_by",
            "decided_at",
            "effective_at",
            "appeal_outcome",
            "appeal_decided_by",
            "appeal_decided_at",
            "steps",
        ]
    )
    for f in files:
        d, a = f["decision"], f["appeal"]
        writer.writerow(
            [
                f["case"],
                f["status"],
                f["contractor"],
                f["project"] or "",
                f["rule"]["code"],
                f["rule"]["version"],
                f["opened_at"],
                f["proposed_outcome"],
                f["response_due_at"] or "",
                d["outcome"],
                d["decided_by"] or "",
                d["decided_at"] or "",
                d["effective_at"] or "",
                a["outcome"],
                a["decided_by"] or "",
                a["decided_at"] or "",
                len(f["timeline"]),
            ]
        )
    return response
