"""The contractor's side of projects: "My projects", an assignment's page, the weekly timesheet."""

from collections.abc import Mapping
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import ContractorProfile
from accounts.selectors import contractor_for_user_or_404
from portal.dates import format_minutes, local_today
from projects import selectors, services
from projects.models import EntryKind
from projects.timesheet import DURATION_HELP, GridPost, parse_grid, parse_week, week_days


def _contractor(request: HttpRequest) -> ContractorProfile:
    return contractor_for_user_or_404(request.user, message=_("Only contractors have projects."))


@login_required
@require_GET
def my_projects(request: HttpRequest) -> HttpResponse:
    profile = _contractor(request)
    today = local_today(profile.time_zone)
    summaries = selectors.assignment_summaries(profile, today=today)
    return render(
        request,
        "projects/my_projects.html",
        {"profile": profile, "today": today, "summaries": summaries},
    )


@login_required
@require_GET
def project(request: HttpRequest, pk: int) -> HttpResponse:
    """Where a project's notices link: the contractor's own assignment page for it."""
    assignment = selectors.assignment_for_project_get_for_contractor(
        user=request.user, project_pk=pk
    )
    return redirect("projects:assignment_detail", assignment.pk)


@login_required
@require_GET
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_get_for_contractor(user=request.user, pk=pk)
    return render(
        request,
        "projects/assignment_detail.html",
        {
            "assignment": assignment,
            "project": assignment.project,
            "rates": sorted(assignment.rates.all(), key=lambda r: r.effective_on, reverse=True),
            "history": assignment.project.status_changes.all(),
            "announced_pauses": assignment.project.announced_pauses,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def timesheet(request: HttpRequest) -> HttpResponse:
    profile = _contractor(request)
    source = request.POST if request.method == "POST" else request.GET
    week = parse_week(source.get("week"), today=local_today(profile.time_zone))
    if request.method == "GET":
        return _render_timesheet(request, profile, week)
    post = parse_grid(request.POST, days=week_days(week))
    action = request.POST.get("action", "save")
    if action == "add_row" or post.errors:
        rows = post.rows | _requested_row(request.POST)
        return _render_timesheet(request, profile, week, post=post, extra_rows=rows)
    try:
        if action == "submit":
            entries = services.time_week_submit(by=request.user, week=week, changes=post.changes)
            messages.success(request, _submitted_message(entries))
        else:
            services.time_entries_save(by=request.user, changes=post.changes)
            messages.success(request, _("Saved as draft. Submit the week when it is complete."))
    except ValidationError as exc:
        post.errors.update(_errors_by_key(exc))
        return _render_timesheet(request, profile, week, post=post, extra_rows=post.rows)
    return redirect(f"{reverse('projects:timesheet')}?week={week.isoformat()}")


def _submitted_message(entries) -> str:
    total = format_minutes(sum(entry.minutes for entry in entries))
    return ngettext(
        "Submitted %(total)s in %(count)d entry for review.",
        "Submitted %(total)s in %(count)d entries for review.",
        len(entries),
    ) % {"total": total, "count": len(entries)}


def _errors_by_key(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {key: ValidationError(errors).messages for key, errors in exc.error_dict.items()}
    return {NON_FIELD_ERRORS: exc.messages}


def _requested_row(data: Mapping[str, str]) -> set[tuple[int, str]]:
    assignment, kind = data.get("new_assignment", ""), data.get("new_kind", "")
    if assignment.isdigit() and kind in EntryKind.values:
        return {(int(assignment), kind)}
    return set()


def _render_timesheet(
    request: HttpRequest,
    profile: ContractorProfile,
    week: date,
    *,
    post: GridPost | None = None,
    extra_rows: set[tuple[int, str]] = frozenset(),
) -> HttpResponse:
    sheet = selectors.timesheet_for_contractor(profile, week=week, extra_rows=extra_rows)
    errors = post.errors if post else {}
    cell_errors = []
    typed = post.typed if post else {}
    for row in sheet.rows:
        for cell in row.cells:
            if cell.key in typed:
                cell.value, cell.note = typed[cell.key]
            cell.errors = errors.get(cell.key, [])
            if cell.errors:
                cell_errors.append((row, cell))
    shown = {cell.key for _row, cell in cell_errors}
    other_errors = [m for key, msgs in errors.items() if key not in shown for m in msgs]
    return render(
        request,
        "projects/timesheet.html",
        {
            "profile": profile,
            "sheet": sheet,
            "cell_errors": cell_errors,
            "other_errors": other_errors,
            "error_count": len(cell_errors) + len(other_errors),
            "kinds": EntryKind.choices,
            "duration_help": DURATION_HELP,
        },
    )
