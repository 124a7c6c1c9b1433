"""The contractor's side of projects: "My projects", an assignment's page, the weekly timesheet."""

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import ContractorProfile
from accounts.selectors import contractor_for_user_or_404
from portal.admin_kit import add_errors
from portal.dates import day_label, format_minutes, local_today
from projects import selectors, services
from projects.forms import InvitationAnswerForm
from projects.models import MINUTES_PER_DAY, Assignment, EntryKind, EntryStatus
from projects.selectors import Timesheet, TimesheetCell, TimesheetRow
from projects.selectors.about import (
    ProjectAbout,
    invitation_get_for_contractor,
    invitation_list_for_contractor,
    project_about_for_contractor,
)
from projects.timesheet import (
    DURATION_HELP,
    UNIT_MINUTES,
    GridPost,
    grid_totals,
    parse_grid,
    parse_week,
    shown_minutes,
    week_days,
)


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
        {
            "profile": profile,
            "today": today,
            "summaries": summaries,
            "invitations": list(invitation_list_for_contractor(profile)),
        },
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
    typed = post.typed if post else {}
    for row in sheet.rows:
        for cell in row.cells:
            if cell.key in typed:
                cell.value, cell.note = typed[cell.key]
    errors = _place_errors(sheet, post.errors if post else {})
    lines, columns, caps = _grid(sheet, errors.shared_by_cell)
    return render(
        request,
        "projects/timesheet.html",
        {
            "profile": profile,
            "sheet": sheet,
            "lines": lines,
            "columns": columns,
            "caps": caps,
            "week_total": sum(column.total for column in columns),
            "errors": errors,
            "state": _week_state(sheet),
            "kinds": EntryKind.choices,
            "duration_help": DURATION_HELP,
            "unit_minutes": json.dumps(UNIT_MINUTES, ensure_ascii=False),
        },
    )


# --- The grid as shown: totals, errors said once, the week's state -------------------


@dataclass(frozen=True)
class SharedError:
    """A message the rules gave several cells (a day over 24 hours, a weekly cap): said once,
    at the top, and each of those cells points to it."""

    id: str
    message: str
    first_key: str


@dataclass
class PlacedErrors:
    cells: list[tuple[TimesheetRow, TimesheetCell]]
    shared: list[SharedError]
    other: list[str]
    shared_by_cell: dict[str, list[str]]

    @property
    def count(self) -> int:
        return len(self.cells) + len(self.shared) + len(self.other)


def _place_errors(sheet: Timesheet, errors: dict[str, list[str]]) -> PlacedErrors:
    """Say each message once. One only a single cell has goes beside that cell (and in the
    summary, naming the cell); one several cells share, such as the 24-hour day or a weekly
    cap, goes in the summary alone, and those cells point to it."""
    grid = [(row, cell) for row in sheet.rows for cell in row.cells]
    keys = {cell.key for _row, cell in grid}
    seen = Counter(m for key, msgs in errors.items() if key in keys for m in dict.fromkeys(msgs))
    shared: dict[str, SharedError] = {}
    placed = PlacedErrors(cells=[], shared=[], other=[], shared_by_cell={})
    for row, cell in grid:
        messages = errors.get(cell.key, [])
        for message in messages:
            if seen[message] > 1 and message not in shared:
                shared[message] = SharedError(f"x-{len(shared) + 1}", message, cell.key)
        cell.errors = [m for m in messages if m not in shared]
        placed.shared_by_cell[cell.key] = [shared[m].id for m in messages if m in shared]
        if cell.errors:
            placed.cells.append((row, cell))
    placed.shared = list(shared.values())
    placed.other = [m for key, msgs in errors.items() if key not in keys for m in msgs]
    return placed


@dataclass
class GridLine:
    """A row of the grid as shown, with its total and each cell's shared-error ids."""

    row: TimesheetRow
    total: int
    cells: list[tuple[TimesheetCell, str]]


@dataclass(frozen=True)
class GridColumn:
    day: date
    total: int
    # The warning the page's script shows when the day goes over 24 hours while
    # typing; "{total}" is filled in there.
    over_text: str

    @property
    def over(self) -> bool:
        return self.total > MINUTES_PER_DAY


@dataclass(frozen=True)
class CapLine:
    assignment: Assignment
    minutes: int
    # What the script says as the contractor types ("{used}", "{total}" filled in there).
    text: str
    over_text: str

    @property
    def over(self) -> bool:
        return self.minutes > self.assignment.cap_minutes


def _cell_minutes(cell: TimesheetCell) -> int:
    if cell.editable:
        return shown_minutes(cell.value)
    return cell.entry.minutes if cell.entry else 0


def _grid(
    sheet: Timesheet, shared_by_cell: dict[str, list[str]]
) -> tuple[list[GridLine], list[GridColumn], list[CapLine]]:
    """Totals of the grid as the contractor sees it, typed values included (like the script)."""
    totals = grid_totals(
        [(row.assignment.pk, [_cell_minutes(cell) for cell in row.cells]) for row in sheet.rows]
    )
    lines = [
        GridLine(row, total, [(cell, " ".join(shared_by_cell[cell.key])) for cell in row.cells])
        for row, total in zip(sheet.rows, totals.rows, strict=True)
    ]
    columns = [
        GridColumn(day, total, _day_over(day))
        for day, total in zip(sheet.days, totals.days, strict=True)
    ]
    caps = [
        CapLine(
            assignment,
            totals.by_assignment[assignment.pk],
            _cap_use(assignment),
            _cap_over(assignment),
        )
        for assignment in sheet.assignments
        # An assessment or a training has a time limit over every week instead.
        if assignment.pk in totals.by_assignment and not assignment.project.is_paid_activity
    ]
    return lines, columns, caps


# The two warnings below are the sentences the time rules refuse a save with.


def _day_over(day: date) -> str:
    return _("%(day)s would add up to %(total)s across your projects; a day has 24 hours.") % {
        "day": day_label(day),
        "total": "{total}",
    }


def _cap_use(assignment: Assignment) -> str:
    return _("%(project)s: %(used)s of %(cap)s this week") % {
        "project": assignment.project.name,
        "used": "{used}",
        "cap": format_minutes(assignment.cap_minutes),
    }


def _cap_over(assignment: Assignment) -> str:
    return _(
        "This week on «%(project)s» would come to %(total)s, over the weekly cap of %(cap)s."
    ) % {
        "project": assignment.project.name,
        "total": "{total}",
        "cap": format_minutes(assignment.cap_minutes),
    }


@dataclass(frozen=True)
class WeekState:
    """Where the week stands: when it was last submitted (entries still waiting for review)
    or approved, and whether any cell still takes hours."""

    pending: int
    submitted_at: datetime | None
    approved_at: datetime | None
    can_add: bool

    @property
    def all_sent(self) -> bool:
        """Nothing left to submit: the page says so instead of offering "Submit week" again."""
        return not self.pending and bool(self.submitted_at or self.approved_at)


def _week_state(sheet: Timesheet) -> WeekState:
    waiting = [e.submitted_at for e in sheet.entries if e.status == EntryStatus.SUBMITTED]
    approved = [e.reviewed_at for e in sheet.entries if e.status == EntryStatus.APPROVED]
    return WeekState(
        pending=sheet.pending_count,
        submitted_at=max(filter(None, waiting), default=None),
        approved_at=max(filter(None, approved), default=None),
        can_add=any(cell.editable for row in sheet.rows for cell in row.cells),
    )


# --- A project's page, and the invitations that lead to it ---------------------------


@login_required
@require_GET
def project_about(request: HttpRequest, pk: int) -> HttpResponse:
    """What a contractor on the project, or invited to it, is told about it."""
    about = project_about_for_contractor(profile=_contractor(request), project_pk=pk)
    return _render_about(request, about, InvitationAnswerForm())


def _render_about(
    request: HttpRequest, about: ProjectAbout, form: InvitationAnswerForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "projects/project_about.html",
        {"about": about, "project": about.project, "form": form},
        status=status,
    )


@login_required
@require_POST
def invitation_accept(request: HttpRequest, pk: int) -> HttpResponse:
    profile = _contractor(request)
    invitation = invitation_get_for_contractor(profile=profile, pk=pk)
    form = InvitationAnswerForm(request.POST)
    if form.is_valid():
        try:
            assignment = services.invitation_accept(
                invitation=invitation,
                by=request.user,
                warning_read=form.cleaned_data["warning_read"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("You joined «%(project)s». Read the guidelines before you start.")
                % {"project": invitation.project.name},
            )
            return redirect("projects:assignment_detail", assignment.pk)
    about = project_about_for_contractor(profile=profile, project_pk=invitation.project_id)
    return _render_about(request, about, form, status=400)


@login_required
@require_POST
def invitation_decline(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = invitation_get_for_contractor(profile=_contractor(request), pk=pk)
    try:
        services.invitation_decline(invitation=invitation, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "You declined «%(project)s». Your answer is recorded, and it is never held "
                "against you."
            )
            % {"project": invitation.project.name},
        )
    return redirect("projects:my_projects")
