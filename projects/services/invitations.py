"""Invitations to a project: a manager invites, the contractor reads the project's page and
accepts (and is assigned) or declines. A decline is recorded and never held against anyone."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import validate_currency
from accounts.models import ContractorProfile, ContractorStatus, User
from portal.dates import local_today
from projects import notices
from projects.floor_rules import refuse_below_contractor_floor
from projects.models import (
    Assignment,
    ContentWarning,
    InvitationStatus,
    Project,
    ProjectInvitation,
    ProjectStatus,
)
from projects.selectors.about import INVITABLE_STATUSES
from projects.services.assignments import assignment_create
from projects.services.paid_activities import paid_activity_enrol


@transaction.atomic
def project_invite(
    *,
    project: Project,
    contractor: ContractorProfile,
    by: User,
    rate_minor: int | None = None,
    currency: str | None = None,
) -> ProjectInvitation:
    """Invite a contractor to a project at a rate (the project's default unless given).

    The rate is held to the contractor's floor now, so an invitation never offers
    what could not be paid; accepting checks it again on the day.
    """
    project = Project.objects.select_for_update().get(pk=project.pk)
    contractor = ContractorProfile.objects.select_for_update().get(pk=contractor.pk)
    values = {"name": contractor.legal_name, "project": project.name}
    if project.status == ProjectStatus.CLOSED:
        raise ValidationError(_("«%(project)s» is closed."), params=values)
    if contractor.status not in INVITABLE_STATUSES:
        raise ValidationError(
            _("%(name)s is suspended or offboarded and can't be invited."), params=values
        )
    if Assignment.objects.filter(project=project, contractor=contractor).exists():
        raise ValidationError(_("%(name)s is already on «%(project)s»."), params=values)
    rate_minor = project.default_rate_minor if rate_minor is None else rate_minor
    if project.is_paid_activity and currency and currency != project.currency:
        # A paid assessment or training is paid in the project's currency only.
        raise ValidationError(
            {
                "currency": [
                    _("«%(project)s» pays in %(currency)s only; leave the currency as it is.")
                    % {"project": project.name, "currency": project.currency}
                ]
            }
        )
    currency = currency or project.currency
    validate_currency(currency)
    refuse_below_contractor_floor(
        contractor,
        rate_minor=rate_minor,
        currency=currency,
        on=max(project.start_on, local_today(contractor.time_zone)),
        field="rate",
    )
    invitation = ProjectInvitation(
        project=project,
        contractor=contractor,
        rate_minor=rate_minor,
        currency=currency,
        invited_by=by,
        invited_at=timezone.now(),
    )
    invitation.full_clean(exclude=["project", "contractor", "invited_by", "assignment"])
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        raise ValidationError(
            _("%(name)s is already invited to «%(project)s»."), params=values
        ) from None
    notices.project_invited_notify(invitation)
    return invitation


def _lock_pending(invitation: ProjectInvitation, *, by: User) -> ProjectInvitation:
    invitation = (
        ProjectInvitation.objects.select_for_update(of=("self",))
        .select_related("project", "contractor", "invited_by")
        .get(pk=invitation.pk)
    )
    if invitation.contractor.user_id != by.pk:
        raise ValidationError(_("Only the person invited can answer an invitation."))
    if invitation.status != InvitationStatus.PENDING:
        raise ValidationError(_("This invitation is answered already."))
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: ProjectInvitation, by: User, warning_read: bool = False
) -> Assignment:
    """Join the project at the rate offered: the assignment is made by the usual service,
    floor checks and all. A project with a content warning needs ``warning_read``."""
    invitation = _lock_pending(invitation, by=by)
    project = invitation.project
    has_warning = project.content_warning != ContentWarning.NONE
    if has_warning and not warning_read:
        raise ValidationError(
            {"warning_read": [_("Confirm that you have read the content warning to join.")]}
        )
    if project.is_paid_activity:
        # A paid assessment or training is joined by enrolment: open to those still
        # onboarding, and paid at least at the floor, in the project's currency.
        if invitation.currency != project.currency:
            raise ValidationError(
                _(
                    "This invitation offers a rate in %(offered)s, but «%(project)s» pays in "
                    "%(currency)s. Ask for a new invitation."
                ),
                params={
                    "offered": invitation.currency,
                    "project": project.name,
                    "currency": project.currency,
                },
            )
        assignment = paid_activity_enrol(
            project=project,
            contractor=invitation.contractor,
            by=invitation.invited_by,
            rate_minor=invitation.rate_minor,
            content_warning_read=warning_read,
        ).assignment
    elif invitation.contractor.status != ContractorStatus.ACTIVE:
        raise ValidationError(
            _("You can join once your onboarding is complete and your account is active.")
        )
    else:
        assignment = assignment_create(
            project=project,
            contractor=invitation.contractor,
            by=invitation.invited_by,
            rate_minor=invitation.rate_minor,
            currency=invitation.currency,
            content_warning_read=warning_read,
        )
    invitation.status = InvitationStatus.ACCEPTED
    invitation.answered_at = timezone.now()
    invitation.warning_read = project.content_warning if has_warning else ""
    invitation.assignment = assignment
    invitation.save(update_fields=["status", "answered_at", "warning_read", "assignment"])
    return assignment


@transaction.atomic
def invitation_decline(*, invitation: ProjectInvitation, by: User) -> ProjectInvitation:
    """Say no. The answer is kept with the invitation, and it is no mark against anyone:
    declining a project is never a ground for any sanction (the published rules say so)."""
    invitation = _lock_pending(invitation, by=by)
    invitation.status = InvitationStatus.DECLINED
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    return invitation
