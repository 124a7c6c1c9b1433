"""Reads of a contractor's assignments: the lists, "My projects" and the home page's work section.

A contractor's objects are only ever fetched through their own profile or
user; a miss is a 404. Each function applies its joins and prefetches, so a
page's query count does not grow with the rows it shows.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import ContractorProfile, ContractorStatus, User
from portal.dates import format_minutes, local_today
from projects.models import (
    EDITABLE_ENTRY_STATUSES,
    Assignment,
    AssignmentRate,
    AssignmentStatus,
    EntryStatus,
    FloorException,
    Project,
    ProjectPurpose,
    ProjectStatusChange,
    ScheduledPause,
    ScheduledPauseStatus,
    TimeEntry,
)
from projects.time_rules import rate_on
from projects.timesheet import week_start


def assignments_with_details() -> QuerySet[Assignment]:
    """Assignments with their project, rates and the pause (if any) announced for it.

    ``project.pending_pauses`` holds the project's scheduled pause not yet
    in effect (at most one), for the "pausing on …" banner.
    """
    active_first = Case(When(status=AssignmentStatus.ACTIVE, then=0), default=1)
    return (
        Assignment.objects.select_related("project__manager")
        .prefetch_related(
            Prefetch("rates", queryset=AssignmentRate.objects.order_by("effective_on", "pk")),
            Prefetch(
                "project__scheduled_pauses",
                queryset=ScheduledPause.objects.filter(status=ScheduledPauseStatus.PENDING),
                to_attr="pending_pauses",
            ),
        )
        .order_by(active_first, "project__name", "pk")
    )


def assignment_list_for_contractor(user: User) -> QuerySet[Assignment]:
    """The user's assignments, active first; empty for someone without a profile."""
    return assignments_with_details().filter(contractor__user=user)


def assignment_get_for_contractor(*, user: User, pk: int) -> Assignment:
    """One of ``user``'s assignments, with its project's full status history.

    ``project.announced_pauses`` lists every pause announced ahead of time,
    newest first, whether it took effect, was called off or is still to come.
    """
    assignment = (
        assignment_list_for_contractor(user)
        .prefetch_related(
            Prefetch(
                "project__status_changes",
                queryset=ProjectStatusChange.objects.order_by("-effective_at", "-pk"),
            ),
            Prefetch(
                "project__scheduled_pauses",
                queryset=ScheduledPause.objects.order_by("-effective_at", "-pk"),
                to_attr="announced_pauses",
            ),
            "project__expertise",
            "rates__corrections",
            Prefetch(
                "floor_exceptions", queryset=FloorException.objects.order_by("-starts_on", "-pk")
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise Http404(_("No such assignment."))
    return assignment


def assignment_for_project_get_for_contractor(*, user: User, project_pk: int) -> Assignment:
    """``user``'s assignment to a project (the link a project notice carries), else 404."""
    assignment = assignment_list_for_contractor(user).filter(project_id=project_pk).first()
    if assignment is None:
        raise Http404(_("You are not on this project."))
    return assignment


# --- My projects -------------------------------------------------------------------


@dataclass(frozen=True)
class LimitUse:
    """A paid assessment or training and the time logged on it against its limit."""

    assignment: Assignment
    minutes: int

    @property
    def limit_minutes(self) -> int:
        return self.assignment.project.time_limit_minutes or 0

    @property
    def left_minutes(self) -> int:
        return max(self.limit_minutes - self.minutes, 0)


@dataclass(frozen=True)
class AssignmentSummary:
    """One line of "My projects": where an assignment stands this week."""

    assignment: Assignment
    current_rate: AssignmentRate | None
    week_minutes: int
    # Every week's minutes: an assessment's or a training's limit counts them all.
    total_minutes: int = 0

    @property
    def project(self) -> Project:
        return self.assignment.project

    @property
    def cap_minutes(self) -> int:
        return self.assignment.cap_minutes

    @property
    def over_cap(self) -> bool:
        return self.week_minutes > self.cap_minutes

    @property
    def week_hours(self) -> str:
        return format_minutes(self.week_minutes)

    @property
    def cap_hours(self) -> str:
        return format_minutes(self.cap_minutes)


def assignment_summaries(profile: ContractorProfile, *, today: date) -> list[AssignmentSummary]:
    """Every assignment with its current rate and the hours logged in ``today``'s week."""
    monday = week_start(today)
    entries = TimeEntry.objects.filter(assignment=OuterRef("pk")).order_by().values("assignment")
    minutes = entries.annotate(total=Sum("minutes")).values("total")
    this_week = entries.filter(work_on__range=(monday, monday + timedelta(days=6)))
    # Subqueries on the (assignment, day) index: a join would read every entry of years
    # of work to sum one week. Only a paid activity's limit needs every week's minutes.
    assignments = (
        assignments_with_details()
        .filter(contractor=profile)
        .annotate(
            week_minutes=Coalesce(
                Subquery(this_week.annotate(total=Sum("minutes")).values("total")), 0
            ),
            total_minutes=Case(
                When(project__purpose=ProjectPurpose.WORK, then=0),
                default=Coalesce(Subquery(minutes), 0),
                output_field=IntegerField(),
            ),
        )
    )
    return [
        AssignmentSummary(
            assignment=assignment,
            current_rate=rate_on(assignment.rates.all(), today),
            week_minutes=assignment.week_minutes,
            total_minutes=assignment.total_minutes,
        )
        for assignment in assignments
    ]


# --- Dashboard ---------------------------------------------------------------------


@dataclass(frozen=True)
class WorkDashboard:
    """What the home page shows an assigned contractor about their work.

    ``summaries`` are project work; paid assessments and training are apart
    (``paid_activities``), so they never make someone look assigned to a project.
    """

    today: date
    summaries: list[AssignmentSummary]
    paid_activities: list[LimitUse]
    draft_count: int
    first_draft_on: date | None
    rejected: list[TimeEntry]
    rejected_count: int

    @property
    def week_minutes(self) -> int:
        return sum(summary.week_minutes for summary in self.summaries)

    @property
    def more_rejected(self) -> int:
        return self.rejected_count - len(self.rejected)

    @property
    def assignments(self) -> list[Assignment]:
        return [summary.assignment for summary in self.summaries]


def work_dashboard_for_contractor(profile: ContractorProfile) -> WorkDashboard | None:
    """The home page's work section; ``None`` for anyone who has never been assigned."""
    if profile.status == ContractorStatus.APPLICANT:
        return None
    today = local_today(profile.time_zone)
    summaries = assignment_summaries(profile, today=today)
    if not summaries:
        return None
    open_entries = TimeEntry.objects.filter(
        assignment__contractor=profile, status__in=EDITABLE_ENTRY_STATUSES
    )
    counts: dict[str, Mapping[str, Any]] = {
        row["status"]: row
        for row in open_entries.values("status").annotate(n=Count("pk"), first=Min("work_on"))
    }
    draft = counts.get(EntryStatus.DRAFT, {})
    rejected = open_entries.filter(status=EntryStatus.REJECTED).select_related(
        "assignment__project"
    )
    return WorkDashboard(
        today=today,
        summaries=[s for s in summaries if not s.project.is_paid_activity],
        paid_activities=[
            LimitUse(s.assignment, s.total_minutes) for s in summaries if s.project.is_paid_activity
        ],
        draft_count=draft.get("n", 0),
        first_draft_on=draft.get("first"),
        rejected=list(rejected.order_by("work_on", "pk")[:5]),
        rejected_count=counts.get(EntryStatus.REJECTED, {}).get("n", 0),
    )


# --- Contractors for a project, for managers ---------------------------------------


def contractors_matching(project: Project) -> QuerySet[ContractorProfile]:
    """Active contractors not yet on ``project`` who speak every language and cover every
    expertise area it requires."""
    matching = ContractorProfile.objects.filter(status=ContractorStatus.ACTIVE).exclude(
        assignments__project=project
    )
    for code in project.languages:
        matching = matching.filter(languages__language=code)
    for area in project.expertise.all():
        matching = matching.filter(expertise=area)
    return (
        matching.select_related("user")
        .prefetch_related("languages", "expertise")
        .distinct()
        .order_by("legal_name", "pk")
    )


def contractors_enrollable(project: Project) -> QuerySet[ContractorProfile]:
    """Approved contractors (onboarding or active) not yet in a paid assessment or training."""
    return (
        ContractorProfile.objects.filter(
            status__in=[ContractorStatus.ONBOARDING, ContractorStatus.ACTIVE]
        )
        .exclude(assignments__project=project)
        .select_related("user")
        .prefetch_related("languages", "expertise")
        .order_by("legal_name", "pk")
    )


@dataclass(frozen=True)
class MatchFunnel:
    """How many contractors pass each of ``contractors_matching``'s tests, in its order."""

    active: int
    not_assigned: int
    speaking: int
    qualified: int


def contractors_matching_funnel(project: Project) -> MatchFunnel:
    """Why ``contractors_matching`` is short: the count left after each test, one query."""
    active = ContractorProfile.objects.filter(status=ContractorStatus.ACTIVE)
    not_assigned = active.exclude(assignments__project=project)
    speaking = not_assigned
    for code in project.languages:
        speaking = speaking.filter(languages__language=code)
    qualified = speaking
    for area in project.expertise.all():
        qualified = qualified.filter(expertise=area)
    counts = ContractorProfile.objects.aggregate(
        active=Count("pk", filter=Q(pk__in=active.values("pk"))),
        not_assigned=Count("pk", filter=Q(pk__in=not_assigned.values("pk"))),
        speaking=Count("pk", filter=Q(pk__in=speaking.values("pk"))),
        qualified=Count("pk", filter=Q(pk__in=qualified.values("pk"))),
    )
    return MatchFunnel(**counts)
