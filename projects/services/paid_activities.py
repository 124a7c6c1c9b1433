"""Enrolling contractors in paid assessments and training.

An assessment or a training is a project with a purpose other than work (see
``ProjectPurpose``). Its hours are paid like any others, at no less than the
contractor's floor, but a contractor can take it as soon as their application
is approved, before onboarding is complete and before any project assignment;
and a time limit per contractor takes the place of a weekly cap.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import ContractorProfile, ContractorStatus, User
from portal.dates import local_today
from projects import notices
from projects.floor_rules import contractor_floor
from projects.models import Assignment, AssignmentRate, ContentWarning, Project, ProjectStatus
from projects.services.assignments import _rate_create, _record

# Approved contractors: those still onboarding may take an onboarding assessment.
ENROLLABLE_STATUSES = (ContractorStatus.ONBOARDING, ContractorStatus.ACTIVE)


@dataclass(frozen=True)
class Enrolment:
    assignment: Assignment
    rate: AssignmentRate
    # The rate asked for, when it was below the contractor's floor and so raised to it.
    raised_from_minor: int | None = None


def _refuse_unenrollable(project: Project, contractor: ContractorProfile) -> None:
    if not project.is_paid_activity:
        raise ValidationError(
            _("«%(project)s» is project work; assign contractors to it instead."),
            params={"project": project.name},
        )
    if project.status == ProjectStatus.CLOSED:
        raise ValidationError(_("«%(name)s» is closed."), params={"name": project.name})
    if contractor.status not in ENROLLABLE_STATUSES:
        raise ValidationError(
            _(
                "%(name)s can't be enrolled: only contractors whose application is approved "
                "take paid assessments and training."
            ),
            params={"name": contractor.legal_name},
        )


def _floored_rate(
    contractor: ContractorProfile, *, asked_minor: int, currency: str, on: date
) -> int:
    """``asked_minor``, or the contractor's floor on ``on`` in ``currency`` if that is more."""
    try:
        in_force = contractor_floor(contractor, on=on, currency=currency)
    except ValidationError as exc:
        # No exchange rate reaches the floor: the rate can't be judged, so nobody is enrolled.
        raise ValidationError({"rate": exc.messages}) from None
    if in_force is None:
        return asked_minor
    return max(asked_minor, in_force.hourly_minor)


@transaction.atomic
def paid_activity_enrol(
    *,
    project: Project,
    contractor: ContractorProfile,
    by: User,
    rate_minor: int | None = None,
    content_warning_read: bool = False,
) -> Enrolment:
    """Enrol an approved contractor in a paid assessment or training.

    The rate is ``rate_minor`` (the project's default rate when ``None``) in
    the project's currency, raised to the contractor's floor on the first day
    when it is lower: time spent on an assessment is paid at least at the floor,
    without a floor exception. The assignment has no weekly cap of its own; the
    project's time limit per contractor applies. One with a content warning is
    joined only through an invitation the contractor accepts after reading it
    (``content_warning_read``).
    """
    contractor = ContractorProfile.objects.select_for_update().get(pk=contractor.pk)
    project = Project.objects.select_for_update().get(pk=project.pk)
    _refuse_unenrollable(project, contractor)
    if project.content_warning != ContentWarning.NONE and not content_warning_read:
        raise ValidationError(
            _(
                "«%(project)s» carries a content warning: invite contractors instead, so that "
                "each reads it before joining."
            ),
            params={"project": project.name},
        )
    start_on = max(project.start_on, local_today(contractor.time_zone))
    if project.end_on and start_on > project.end_on:
        raise ValidationError(_("«%(name)s» has ended."), params={"name": project.name})
    if rate_minor is not None and rate_minor < 1:
        raise ValidationError({"rate": [_("Give a rate above zero, or leave it empty.")]})
    asked = project.default_rate_minor if rate_minor is None else rate_minor
    floored = _floored_rate(contractor, asked_minor=asked, currency=project.currency, on=start_on)
    assignment = Assignment(
        project=project,
        contractor=contractor,
        start_on=start_on,
        end_on=project.end_on,
        assigned_by=by,
    )
    assignment.full_clean(exclude=["project", "contractor", "assigned_by"], validate_unique=False)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise ValidationError(
            _("%(name)s is already enrolled in «%(project)s»."),
            params={"name": contractor.legal_name, "project": project.name},
        ) from None
    rate = _rate_create(
        assignment, rate_minor=floored, currency=project.currency, effective_on=start_on, by=by
    )
    _record(assignment, from_status="", by=by)
    notices.assignment_added_notify(assignment, rate)
    return Enrolment(assignment, rate, asked if floored > asked else None)
