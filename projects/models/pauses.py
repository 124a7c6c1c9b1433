"""Pauses announced ahead of their time."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.dates import format_moment
from portal.state import TransitionsMixin
from projects.models.projects import PauseReason, Project, ProjectStatusChange


class ScheduledPauseStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPLIED = "applied", _("Took effect")
    CANCELLED = "cancelled", _("Called off")


class ScheduledPause(TransitionsMixin, models.Model):
    """A pause announced ahead of its time (a notice period).

    Contractors are told when it is scheduled; a periodic task makes it take
    effect once ``effective_at`` has come, as an ordinary status change. Until
    then the project stays active and its history untouched.
    """

    TOPIC_PREFIX = "scheduled-pause:"
    # Set by the services on the object they return: how many people were told.
    told: int
    TRANSITIONS = {
        ScheduledPauseStatus.PENDING: {
            ScheduledPauseStatus.APPLIED,
            ScheduledPauseStatus.CANCELLED,
        },
        ScheduledPauseStatus.APPLIED: set(),
        ScheduledPauseStatus.CANCELLED: set(),
    }

    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="scheduled_pauses",
        verbose_name=_("project"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=PauseReason)
    message = models.TextField(_("message"))
    expected_resume_on = models.DateField(_("expected resume date"), null=True, blank=True)
    effective_at = models.DateTimeField(_("pauses at"))
    status = models.CharField(
        _("status"),
        max_length=9,
        choices=ScheduledPauseStatus,
        default=ScheduledPauseStatus.PENDING,
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("announced by"),
    )
    created_at = models.DateTimeField(_("announced at"), default=timezone.now)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    change = models.OneToOneField(
        ProjectStatusChange,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scheduled_pause",
        verbose_name=_("status change"),
        help_text=_("The status change it became when it took effect."),
    )
    cancelled_at = models.DateTimeField(_("called off at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("called off by"),
    )
    cancel_message = models.TextField(_("call-off message"), blank=True)
    # The language of the message and of the call-off message (blank on older rows).
    written_in = models.CharField(
        _("written in"), max_length=10, blank=True, default="", db_default=""
    )
    cancel_written_in = models.CharField(
        _("call-off message written in"), max_length=10, blank=True, default="", db_default=""
    )

    class Meta:
        verbose_name = _("scheduled pause")
        verbose_name_plural = _("scheduled pauses")
        ordering = ["-effective_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "effective_at"], name="scheduled_pause_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ScheduledPauseStatus.values),
                name="scheduled_pause_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(reason__in=PauseReason.values), name="scheduled_pause_reason_valid"
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status=ScheduledPauseStatus.PENDING),
                name="scheduled_pause_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(status=ScheduledPauseStatus.APPLIED, change__isnull=False)
                | (~Q(status=ScheduledPauseStatus.APPLIED) & Q(change__isnull=True)),
                name="scheduled_pause_applied_has_change",
            ),
            models.CheckConstraint(
                condition=Q(status=ScheduledPauseStatus.CANCELLED, cancelled_at__isnull=False)
                | (~Q(status=ScheduledPauseStatus.CANCELLED) & Q(cancelled_at__isnull=True)),
                name="scheduled_pause_cancelled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(project)s pauses at %(when)s (%(status)s)") % {
            "project": self.project,
            "when": format_moment(self.effective_at),
            "status": self.get_status_display(),
        }

    @property
    def topic(self) -> str:
        return f"{self.TOPIC_PREFIX}{self.pk}"

    @property
    def cancel_topic(self) -> str:
        # Its own group, so the delivery counts of the announcement are not doubled.
        return f"{self.TOPIC_PREFIX}{self.pk}:cancelled"
