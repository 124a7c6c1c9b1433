"""Invitations to a project: a manager asks, the contractor reads the project's page and chooses."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import validate_currency
from accounts.models import ContractorProfile
from projects.models.assignments import Assignment
from projects.models.projects import ContentWarning, Project


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class ProjectInvitation(models.Model):
    """One invitation and its answer. The row is the record: who asked, when, at what rate,
    and what the contractor chose and when. A decline is kept, and never held against them."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("project")
    )
    contractor = models.ForeignKey(
        ContractorProfile,
        on_delete=models.PROTECT,
        related_name="invitations",
        verbose_name=_("contractor"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=InvitationStatus, default=InvitationStatus.PENDING
    )
    rate_minor = models.PositiveIntegerField(
        _("hourly rate offered (minor units)"), validators=[MinValueValidator(1)]
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # The warning the contractor confirmed reading when they accepted (blank: none shown).
    warning_read = models.CharField(
        _("content warning read"), max_length=10, choices=ContentWarning, blank=True
    )
    assignment = models.OneToOneField(
        Assignment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitation",
        verbose_name=_("assignment"),
    )

    class Meta:
        verbose_name = _("project invitation")
        verbose_name_plural = _("project invitations")
        ordering = ["-invited_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "contractor"],
                condition=Q(status=InvitationStatus.PENDING),
                name="invitation_one_pending_per_project",
            ),
            models.CheckConstraint(
                condition=Q(status__in=InvitationStatus.values), name="invitation_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=InvitationStatus.PENDING, answered_at__isnull=True)
                | (~Q(status=InvitationStatus.PENDING) & Q(answered_at__isnull=False)),
                name="invitation_answered_has_answered_at",
            ),
            models.CheckConstraint(
                condition=Q(status=InvitationStatus.ACCEPTED, assignment__isnull=False)
                | (~Q(status=InvitationStatus.ACCEPTED) & Q(assignment__isnull=True)),
                name="invitation_accepted_has_assignment",
            ),
            models.CheckConstraint(condition=Q(rate_minor__gte=1), name="invitation_rate_positive"),
        ]

    def __str__(self) -> str:
        return gettext("%(contractor)s invited to %(project)s") % {
            "contractor": self.contractor.legal_name,
            "project": self.project.name,
        }
