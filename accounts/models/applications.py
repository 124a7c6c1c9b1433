"""Applications to become a contractor, and their status history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models.profiles import ContractorProfile
from accounts.storage import private_storage
from portal.history import StatusChange, status_constraints
from portal.state import TransitionsMixin


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_APPLICATION_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW)


def resume_upload_to(instance: "Application", filename: str) -> str:
    # The stored name never reuses the uploader's file name: it is not trusted.
    suffix = ".pdf" if instance.resume_content_type == "application/pdf" else ".docx"
    return f"resumes/{timezone.now():%Y/%m}/{instance.profile_id}-{timezone.now():%H%M%S%f}{suffix}"


class Application(TransitionsMixin, models.Model):
    TRANSITIONS = {
        ApplicationStatus.SUBMITTED: {
            ApplicationStatus.IN_REVIEW,
            ApplicationStatus.APPROVED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
        },
        ApplicationStatus.IN_REVIEW: {
            ApplicationStatus.APPROVED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
        },
        ApplicationStatus.APPROVED: set(),
        ApplicationStatus.REJECTED: set(),
        ApplicationStatus.WITHDRAWN: set(),
    }

    profile = models.ForeignKey(
        ContractorProfile,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("contractor"),
    )
    motivation = models.TextField(_("motivation"), max_length=2000)
    resume = models.FileField(
        _("résumé"), storage=private_storage, upload_to=resume_upload_to, max_length=255
    )
    resume_original_name = models.CharField(_("résumé file name"), max_length=255)
    resume_content_type = models.CharField(_("résumé content type"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=ApplicationStatus, default=ApplicationStatus.SUBMITTED
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)
    # The language the decision reason was written in (blank on older rows).
    written_in = models.CharField(
        _("written in"), max_length=10, blank=True, default="", db_default=""
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-pk"]
        permissions = [("review_application", _("Can review, approve and reject applications"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"
            ),
            models.UniqueConstraint(
                fields=["profile"],
                condition=Q(status__in=OPEN_APPLICATION_STATUSES),
                name="one_open_application_per_profile",
            ),
            models.CheckConstraint(
                condition=~Q(status=ApplicationStatus.REJECTED) | ~Q(decision_reason=""),
                name="application_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[ApplicationStatus.APPROVED, ApplicationStatus.REJECTED])
                | Q(decided_at__isnull=False),
                name="application_decision_has_time",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Application #%(pk)s (%(status)s)") % {
            "pk": self.pk,
            "status": self.get_status_display(),
        }

    def get_absolute_url(self) -> str:
        return reverse("accounts:application_status")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPLICATION_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status == ApplicationStatus.SUBMITTED


class ApplicationStatusChange(StatusChange):
    """Append-only history of an application's status."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("application"),
    )
    from_status = models.CharField(
        _("from status"), max_length=10, choices=ApplicationStatus, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=10, choices=ApplicationStatus)

    class Meta(StatusChange.Meta):
        verbose_name = _("application status change")
        verbose_name_plural = _("application status changes")
        constraints = status_constraints("application_change", ApplicationStatus, blank_from=True)
