"""Who works on which project, at what rate, and the assignment's status history."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import validate_currency
from accounts.models import ContractorProfile
from portal.choices import QuickChoiceLabels
from portal.dates import format_day
from portal.history import StatusChange, status_constraints
from portal.money import format_money
from portal.state import TransitionsMixin
from projects.models.projects import MINUTES_PER_WEEK, Project


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
    REMOVED = "removed", _("Removed")


class RemovalGround(models.TextChoices):
    """Reasons to remove someone that are not about them; anything else needs a case."""

    PROJECT_ENDED = "project_ended", _("The project ended or shrank")
    BUDGET = "budget", _("The project's budget")
    STAFFING = "staffing", _("The client needs fewer people or other skills")


class Assignment(QuickChoiceLabels, TransitionsMixin, models.Model):
    TRANSITIONS = {
        AssignmentStatus.ACTIVE: {AssignmentStatus.ENDED, AssignmentStatus.REMOVED},
        AssignmentStatus.ENDED: {AssignmentStatus.ACTIVE},
        AssignmentStatus.REMOVED: {AssignmentStatus.ACTIVE},
    }

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("project")
    )
    contractor = models.ForeignKey(
        ContractorProfile,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("contractor"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=AssignmentStatus, default=AssignmentStatus.ACTIVE
    )
    weekly_cap_minutes = models.PositiveIntegerField(
        _("weekly cap override (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MINUTES_PER_WEEK)],
        help_text=_("Leave empty to use the project's cap."),
    )
    start_on = models.DateField(_("start date"))
    end_on = models.DateField(_("end date"), null=True, blank=True)
    # The manager's forecast for the next four weeks; standby pay reads it too.
    expected_weekly_minutes = models.PositiveIntegerField(
        _("expected hours a week, next four weeks (minutes)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MINUTES_PER_WEEK)],
        help_text=_("Leave empty to use the project's expected hours."),
    )
    expected_set_at = models.DateTimeField(_("forecast updated at"), null=True, blank=True)
    removal_reason = models.TextField(
        _("removal reason"), blank=True, help_text=_("Shown to the contractor.")
    )
    # The language the removal reason was written in (blank on older rows).
    written_in = models.CharField(
        _("written in"), max_length=10, blank=True, default="", db_default=""
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["project__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "contractor"], name="assignment_once_per_project"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AssignmentStatus.values), name="assignment_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=AssignmentStatus.REMOVED) | ~Q(removal_reason=""),
                name="assignment_removal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status=AssignmentStatus.ACTIVE, ended_at__isnull=True)
                | (~Q(status=AssignmentStatus.ACTIVE) & Q(ended_at__isnull=False)),
                name="assignment_ended_has_ended_at",
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="assignment_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(weekly_cap_minutes__isnull=True)
                | Q(weekly_cap_minutes__gte=1, weekly_cap_minutes__lte=MINUTES_PER_WEEK),
                name="assignment_weekly_cap_range",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(contractor)s on %(project)s") % {
            "contractor": self.contractor.legal_name,
            "project": self.project.name,
        }

    @property
    def expected_minutes(self) -> int:
        """Expected minutes a week: the assignment's forecast, else the project's."""
        if self.expected_weekly_minutes is not None:
            return self.expected_weekly_minutes
        return self.project.expected_hours_per_week * 60

    @property
    def cap_minutes(self) -> int:
        """The weekly cap in force: the assignment's override, else the project's."""
        if self.weekly_cap_minutes is not None:
            return self.weekly_cap_minutes
        return self.project.weekly_cap_minutes


class AssignmentStatusChange(StatusChange):
    """Append-only history of an assignment's status."""

    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        related_name="status_changes",
        verbose_name=_("assignment"),
    )
    from_status = models.CharField(_("from"), max_length=8, choices=AssignmentStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=8, choices=AssignmentStatus)

    class Meta(StatusChange.Meta):
        verbose_name = _("assignment status change")
        verbose_name_plural = _("assignment status changes")
        constraints = status_constraints("assignment_change", AssignmentStatus, blank_from=True)


class AssignmentRate(models.Model):
    """One step of an assignment's rate history.

    Rows are added, not edited: the one exception is a correction of a rate
    that has not priced any approved hours yet, which keeps the value it
    replaced, who corrected it, when and why in ``corrections``.
    """

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="rates", verbose_name=_("assignment")
    )
    rate_minor = models.PositiveIntegerField(
        _("hourly rate (minor units)"), validators=[MinValueValidator(1)]
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    effective_on = models.DateField(_("effective from"))
    # Why a rate was lowered; a cut needs one, a raise may go without.
    reason = models.TextField(
        _("reason"), blank=True, default="", db_default="", help_text=_("Shown to the contractor.")
    )
    # The language the reason was written in.
    written_in = models.CharField(
        _("written in"), max_length=10, blank=True, default="", db_default=""
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("set by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assignment rate")
        verbose_name_plural = _("assignment rates")
        ordering = ["-effective_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "effective_on"], name="assignment_rate_once_per_day"
            ),
            models.CheckConstraint(condition=Q(rate_minor__gte=1), name="assignment_rate_positive"),
        ]

    def __str__(self) -> str:
        return gettext("%(rate)s an hour from %(day)s") % {
            "rate": format_money(self.rate_minor, self.currency),
            "day": format_day(self.effective_on),
        }


class AssignmentRateCorrection(models.Model):
    """Append-only record of a mistaken rate put right: what it was, what it became, why."""

    rate = models.ForeignKey(
        AssignmentRate,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("rate"),
    )
    from_rate_minor = models.PositiveIntegerField(_("was (minor units)"))
    from_currency = models.CharField(_("was in"), max_length=3)
    to_rate_minor = models.PositiveIntegerField(_("now (minor units)"))
    to_currency = models.CharField(_("now in"), max_length=3)
    reason = models.TextField(_("reason"), help_text=_("Shown to the contractor."))
    # The language the reason was written in.
    written_in = models.CharField(_("written in"), max_length=10, blank=True, default="")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("corrected by"),
    )
    at = models.DateTimeField(_("corrected at"))

    class Meta:
        verbose_name = _("rate correction")
        verbose_name_plural = _("rate corrections")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""), name="assignment_rate_correction_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(to_rate_minor__gte=1), name="assignment_rate_correction_positive"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(old)s corrected to %(new)s") % {
            "old": format_money(self.from_rate_minor, self.from_currency),
            "new": format_money(self.to_rate_minor, self.to_currency),
        }
