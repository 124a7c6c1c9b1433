"""Reads for a project's transparency page and the invitations that lead to it.

A contractor reads a project's page when they are on it (in any state) or hold a
pending invitation to it; for anyone else it does not exist (404).
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import ContractorProfile, ContractorStatus
from portal.dates import local_today
from projects.models import (
    Assignment,
    AssignmentRate,
    AssignmentStatus,
    ContentWarning,
    EntryKind,
    FloorBasis,
    InvitationStatus,
    PayBasis,
    Project,
    ProjectInvitation,
)

# Contractors who may be invited: anyone not stopped. Only an active one can accept
# (``assignment_create`` says so); the others can read the project and decline.
INVITABLE_STATUSES = (
    ContractorStatus.APPLICANT,
    ContractorStatus.ONBOARDING,
    ContractorStatus.ACTIVE,
)


@dataclass(frozen=True)
class RateRange:
    """The lowest and highest hourly rate in force on a project, in one currency."""

    low_minor: int
    high_minor: int
    currency: str
    paid: int = 0

    @property
    def single(self) -> bool:
        return self.low_minor == self.high_minor


@dataclass(frozen=True)
class ProjectAbout:
    """What a contractor is told about a project before and while they work on it."""

    project: Project
    profile: ContractorProfile
    today: date
    assignment: Assignment | None
    invitation: ProjectInvitation | None
    rate_ranges: list[RateRange]
    from_default_rate: bool
    people_paid: int = 0
    # The contractor's own rate in force today, when they are on the project.
    own_rate: AssignmentRate | None = None

    @property
    def has_warning(self) -> bool:
        return self.project.content_warning != ContentWarning.NONE

    @property
    def expected_minutes(self) -> int:
        """Hours a week to expect: the contractor's own forecast when on it, else the project's."""
        if self.assignment is not None:
            return self.assignment.expected_minutes
        return self.project.expected_hours_per_week * 60

    @property
    def duration_weeks(self) -> int | None:
        """Whole weeks from the start to the planned end (at least one); ``None`` if open-ended."""
        if self.project.end_on is None:
            return None
        return max(1, -(-((self.project.end_on - self.project.start_on).days + 1) // 7))

    @property
    def pay_basis(self) -> str:
        return PayBasis.HOURLY

    @property
    def floor_basis_codes(self) -> list[str]:
        """The wage-floor bases the vendor's policy counts (``WAGE_FLOOR_BASES``)."""
        counted = settings.WAGE_FLOOR_BASES
        return [basis.value for basis in FloorBasis if basis.value in counted]

    @property
    def paid_kind_codes(self) -> list[str]:
        return [kind.value for kind in PAID_ENTRY_KINDS]

    @property
    def floor_bases(self) -> list[str]:
        """The wage-floor bases the vendor's policy counts, named in the reader's language."""
        counted = settings.WAGE_FLOOR_BASES
        return [str(basis.label) for basis in FloorBasis if basis.value in counted]

    @property
    def paid_kinds(self) -> list[str]:
        """The activity kinds hours are paid for: every kind a timesheet offers."""
        return [str(kind.label) for kind in PAID_ENTRY_KINDS]

    @property
    def can_accept(self) -> bool:
        return self.invitation is not None and self.profile.status == ContractorStatus.ACTIVE


# Every kind of time a contractor logs is paid at their rate; payouts price each approved
# entry whatever its kind.
PAID_ENTRY_KINDS = tuple(EntryKind)


def project_about_for_contractor(*, profile: ContractorProfile, project_pk: int) -> ProjectAbout:
    """The project's page for ``profile``: on it in any state, or invited and not yet answered."""
    mine = Q(assignments__contractor=profile) | Q(
        invitations__contractor=profile, invitations__status=InvitationStatus.PENDING
    )
    project = (
        Project.objects.filter(mine, pk=project_pk)
        .select_related("manager")
        .prefetch_related("expertise")
        .distinct()
        .first()
    )
    if project is None:
        raise Http404(_("No such project."))
    assignment = Assignment.objects.filter(project=project, contractor=profile).first()
    invitation = (
        ProjectInvitation.objects.filter(
            project=project, contractor=profile, status=InvitationStatus.PENDING
        )
        .order_by("-invited_at", "-pk")
        .first()
    )
    today = local_today(profile.time_zone)
    own_rate = (
        AssignmentRate.objects.filter(assignment=assignment, effective_on__lte=today)
        .order_by("-effective_on", "-pk")
        .first()
        if assignment is not None and assignment.status == AssignmentStatus.ACTIVE
        else None
    )
    ranges = rate_ranges(project, today=today)
    shown, from_default = rate_ranges_shown(project, ranges)
    return ProjectAbout(
        project=project,
        profile=profile,
        today=today,
        assignment=assignment,
        invitation=invitation,
        rate_ranges=shown,
        from_default_rate=from_default,
        people_paid=sum(found.paid for found in ranges),
        own_rate=own_rate,
    )


# Fewer people than this paid in one currency, and the lowest and highest rates would give
# away a colleague's own rate to anyone who knows theirs.
MIN_PAID_FOR_RANGE = 3


def rate_ranges_shown(project: Project, ranges: list[RateRange]) -> tuple[list[RateRange], bool]:
    """The ranges a contractor may read: only those of a currency at least
    ``MIN_PAID_FOR_RANGE`` people are paid in. When one is held back, or nobody is on the
    project, the project's default rate stands in as the figure rates start from; the flag
    says so."""
    shown = [found for found in ranges if found.paid >= MIN_PAID_FOR_RANGE]
    if ranges and len(shown) == len(ranges):
        return shown, False
    if any(found.currency == project.currency for found in shown):
        return shown, False
    default = RateRange(project.default_rate_minor, project.default_rate_minor, project.currency)
    return [*shown, default], True


def rate_ranges(project: Project, *, today: date) -> list[RateRange]:
    """The lowest and highest rate in force ``today`` among the project's active assignments,
    one range per currency with how many are paid in it; empty when nobody is on it yet.
    One query. Not for contractors' eyes as it is: see ``rate_ranges_shown``."""
    in_force = AssignmentRate.objects.filter(
        assignment=OuterRef("pk"), effective_on__lte=today
    ).order_by("-effective_on", "-pk")
    rows = (
        Assignment.objects.filter(project=project, status=AssignmentStatus.ACTIVE)
        .annotate(
            rate_now=Subquery(in_force.values("rate_minor")[:1]),
            currency_now=Subquery(in_force.values("currency")[:1]),
        )
        .filter(rate_now__isnull=False)
        .values("currency_now")
        .annotate(low=Min("rate_now"), high=Max("rate_now"), paid=Count("pk"))
        .order_by("currency_now")
    )
    return [
        RateRange(row["low"], row["high"], row["currency_now"], paid=row["paid"]) for row in rows
    ]


def invitation_list_for_contractor(profile: ContractorProfile) -> QuerySet[ProjectInvitation]:
    """``profile``'s invitations waiting for an answer, newest first, with their projects."""
    return (
        ProjectInvitation.objects.filter(contractor=profile, status=InvitationStatus.PENDING)
        .select_related("project")
        .order_by("-invited_at", "-pk")
    )


def invitation_get_for_contractor(*, profile: ContractorProfile, pk: int) -> ProjectInvitation:
    """One of ``profile``'s invitations, answered or not; anyone else's is a 404."""
    invitation = (
        ProjectInvitation.objects.filter(contractor=profile, pk=pk)
        .select_related("project", "contractor__user")
        .first()
    )
    if invitation is None:
        raise Http404(_("No such invitation."))
    return invitation


def contractors_invitable(project: Project) -> QuerySet[ContractorProfile]:
    """Contractors not stopped, not on ``project`` and not already invited to it, who speak
    every language and cover every expertise area it requires."""
    invitable = (
        ContractorProfile.objects.filter(status__in=INVITABLE_STATUSES)
        .exclude(assignments__project=project)
        .exclude(
            pk__in=ProjectInvitation.objects.filter(
                project=project, status=InvitationStatus.PENDING
            ).values("contractor_id")
        )
    )
    for code in project.languages:
        invitable = invitable.filter(languages__language=code)
    for area in project.expertise.all():
        invitable = invitable.filter(expertise=area)
    return (
        invitable.select_related("user")
        .prefetch_related("languages", "expertise")
        .distinct()
        .order_by("legal_name", "pk")
    )
