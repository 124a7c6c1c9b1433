"""Pauses announced ahead of their time."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.dates import format_moment
from portal.money import format_money
from portal.state import TransitionsMixin
from projects.models.assignments import Assignment
from projects.models.projects import PauseReason, Project, ProjectStatusChange


class ScheduledPauseStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPLIED = "applied", _("Took effect")
    CANCELLED = "cancelled", _("Called off")


class ScheduledKind(models.TextChoices):
    PAUSE = "pause", _("Pause")
    CLOSE = "close", _("Close")


class ScheduledPause(TransitionsMixin, models.Model):
    """A pause, or a close, announced ahead of its time (a notice period).

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
    kind = models.CharField(
        _("kind"),
        max_length=5,
        choices=ScheduledKind,
        default=ScheduledKind.PAUSE,
        db_default=ScheduledKind.PAUSE,
    )
    # A pause gives a reason category; a close says why in its message alone.
    reason = models.CharField(_("reason"), max_length=20, choices=PauseReason, blank=True)
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
                condition=Q(kind__in=ScheduledKind.values), name="scheduled_pause_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=PauseReason.values) | Q(kind=ScheduledKind.CLOSE, reason=""),
                name="scheduled_pause_reason_valid",
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
        if self.kind == ScheduledKind.CLOSE:
            return gettext("%(project)s closes at %(when)s (%(status)s)") % {
                "project": self.project,
                "when": format_moment(self.effective_at),
                "status": self.get_status_display(),
            }
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


class StandbyStatus(models.TextChoices):
    OWED = "owed", _("Owed")
    CANCELLED = "cancelled", _("Called off")


class StandbyPay(models.Model):
    """Pay owed to one assignee for a pause or close announced with less than the minimum notice.

    Computed, never typed: the expected weekly minutes (the lower of the
    forecast and the average of the last four weeks' approved hours) × the
    rate × the days of notice missing ÷ 7, rounded once. Payout generation
    turns an owed row into an adjustment of the next payout. A scheduled
    pause called off before it starts owes nothing: its rows are called off.
    """

    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        related_name="standby_pay",
        verbose_name=_("assignment"),
    )
    change = models.ForeignKey(
        ProjectStatusChange,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="standby_pay",
        verbose_name=_("status change"),
        help_text=_("The pause or close that took effect at once."),
    )
    scheduled = models.ForeignKey(
        ScheduledPause,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="standby_pay",
        verbose_name=_("scheduled pause or close"),
    )
    kind = models.CharField(_("kind"), max_length=5, choices=ScheduledKind)
    days_missing = models.PositiveSmallIntegerField(_("days of notice missing"))
    weekly_minutes = models.PositiveIntegerField(_("expected minutes a week"))
    rate_minor = models.PositiveIntegerField(_("hourly rate (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    amount_minor = models.PositiveIntegerField(_("amount (minor units)"))
    status = models.CharField(
        _("status"), max_length=9, choices=StandbyStatus, default=StandbyStatus.OWED
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("called off at"), null=True, blank=True)

    class Meta:
        verbose_name = _("standby pay")
        verbose_name_plural = _("standby pay")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=StandbyStatus.values), name="standby_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ScheduledKind.values), name="standby_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(change__isnull=False, scheduled__isnull=True)
                | Q(change__isnull=True, scheduled__isnull=False),
                name="standby_has_one_source",
            ),
            models.CheckConstraint(condition=Q(amount_minor__gte=1), name="standby_positive"),
            models.CheckConstraint(
                condition=Q(status=StandbyStatus.CANCELLED, cancelled_at__isnull=False)
                | (~Q(status=StandbyStatus.CANCELLED) & Q(cancelled_at__isnull=True)),
                name="standby_cancelled_has_time",
            ),
            models.UniqueConstraint(
                fields=["assignment", "change"],
                condition=Q(change__isnull=False),
                name="standby_once_per_change",
            ),
            models.UniqueConstraint(
                fields=["assignment", "scheduled"],
                condition=Q(scheduled__isnull=False),
                name="standby_once_per_scheduled",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Standby pay of %(amount)s for %(assignment)s") % {
            "amount": format_money(self.amount_minor, self.currency),
            "assignment": self.assignment,
        }

    @property
    def reason(self) -> str:
        """Why it is owed, in the reader's language."""
        values = {"count": self.days_missing, "project": self.assignment.project.name}
        if self.kind == ScheduledKind.CLOSE:
            return (
                ngettext(
                    "«%(project)s» closed with %(count)d day less notice than the minimum.",
                    "«%(project)s» closed with %(count)d days less notice than the minimum.",
                    self.days_missing,
                )
                % values
            )
        return (
            ngettext(
                "«%(project)s» paused with %(count)d day less notice than the minimum.",
                "«%(project)s» paused with %(count)d days less notice than the minimum.",
                self.days_missing,
            )
            % values
        )
