from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import language_name, validate_currency, validate_language
from accounts.models import ContractorProfile, ExpertiseArea
from portal.dates import format_day, format_minutes, format_moment
from portal.money import format_money, line_amount

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


def validate_language_list(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(gettext("Languages must be a list of ISO 639-1 codes."))
    for code in value:
        validate_language(code)


# --- Projects --------------------------------------------------------------------


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    CLOSED = "closed", _("Closed")


class PauseReason(models.TextChoices):
    QUALITY = "quality", _("Quality review")
    CLIENT_REQUEST = "client_request", _("Client demand")
    GUIDELINES = "guidelines", _("Guideline update")
    BUDGET = "budget", _("Budget")
    NO_WORK = "no_work", _("No tasks available for now")
    TOOLING = "tooling", _("Tooling or platform problem")
    OTHER = "other", _("Other")


class Project(models.Model):
    TRANSITIONS = {
        ProjectStatus.DRAFT: {ProjectStatus.ACTIVE, ProjectStatus.CLOSED},
        ProjectStatus.ACTIVE: {ProjectStatus.PAUSED, ProjectStatus.CLOSED},
        ProjectStatus.PAUSED: {ProjectStatus.ACTIVE, ProjectStatus.CLOSED},
        ProjectStatus.CLOSED: set(),
    }

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), help_text=_("Shown to assigned contractors."))
    guidelines = models.TextField(_("guidelines"), blank=True)
    guidelines_url = models.URLField(_("guidelines link"), blank=True)
    languages = models.JSONField(
        _("required languages"),
        default=list,
        blank=True,
        validators=[validate_language_list],
        help_text=_("ISO 639-1 codes a contractor must speak."),
    )
    expertise = models.ManyToManyField(
        ExpertiseArea, related_name="projects", blank=True, verbose_name=_("required expertise")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ProjectStatus, default=ProjectStatus.DRAFT
    )
    default_rate_minor = models.PositiveIntegerField(
        _("default hourly rate (minor units)"), validators=[MinValueValidator(1)]
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    expected_hours_per_week = models.PositiveSmallIntegerField(
        _("expected hours per week"), validators=[MaxValueValidator(7 * 24)]
    )
    weekly_cap_minutes = models.PositiveIntegerField(
        _("weekly cap per contractor (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MINUTES_PER_WEEK)],
    )
    start_on = models.DateField(_("start date"))
    end_on = models.DateField(_("end date"), null=True, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="managed_projects",
        verbose_name=_("manager"),
        help_text=_("Contractors on the project see this person and can contact them."),
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    pause_reason = models.CharField(
        _("pause reason"), max_length=20, choices=PauseReason, blank=True
    )
    pause_message = models.TextField(_("pause message"), blank=True)
    expected_resume_on = models.DateField(_("expected resume date"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["name", "pk"]
        permissions = [
            ("change_project_status", _("Can activate, pause, resume and close projects"))
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProjectStatus.values), name="project_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(pause_reason="") | Q(pause_reason__in=PauseReason.values),
                name="project_pause_reason_valid",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=ProjectStatus.PAUSED, paused_at__isnull=False) & ~Q(pause_reason="")
                )
                | (
                    ~Q(status=ProjectStatus.PAUSED)
                    & Q(paused_at__isnull=True, pause_reason="", expected_resume_on__isnull=True)
                ),
                name="project_paused_has_pause_details",
            ),
            models.CheckConstraint(
                condition=Q(status=ProjectStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=ProjectStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="project_closed_has_closed_at",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[ProjectStatus.ACTIVE, ProjectStatus.PAUSED])
                | Q(activated_at__isnull=False),
                name="project_started_has_activated_at",
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="project_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(default_rate_minor__gte=1), name="project_rate_positive"
            ),
            models.CheckConstraint(
                condition=Q(weekly_cap_minutes__gte=1, weekly_cap_minutes__lte=MINUTES_PER_WEEK),
                name="project_weekly_cap_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def can_transition_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def language_names(self) -> list[str]:
        """The required languages named in the reader's language."""
        return [language_name(code) for code in self.languages]


class ProjectStatusChange(models.Model):
    """Append-only history of a project's status: every change, why, and who made it."""

    TOPIC_PREFIX = "project-status-change:"

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("project")
    )
    from_status = models.CharField(_("from"), max_length=8, choices=ProjectStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=8, choices=ProjectStatus)
    reason = models.CharField(_("reason"), max_length=20, choices=PauseReason, blank=True)
    message = models.TextField(_("message"), blank=True)
    expected_resume_on = models.DateField(_("expected resume date"), null=True, blank=True)
    effective_at = models.DateTimeField(_("effective at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project status change")
        verbose_name_plural = _("project status changes")
        ordering = ["-effective_at", "-pk"]
        indexes = [models.Index(fields=["project", "effective_at"], name="project_change_time_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_status__in=ProjectStatus.values),
                name="project_change_to_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(to_status=ProjectStatus.PAUSED) | ~Q(reason=""),
                name="project_change_pause_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"

    @property
    def topic(self) -> str:
        """What the notices and emails about this change are grouped under."""
        return f"{self.TOPIC_PREFIX}{self.pk}"


class ScheduledPauseStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPLIED = "applied", _("Took effect")
    CANCELLED = "cancelled", _("Called off")


class ScheduledPause(models.Model):
    """A pause announced ahead of its time (a notice period).

    Contractors are told when it is scheduled; a periodic task makes it take
    effect once ``effective_at`` has come, as an ordinary status change. Until
    then the project stays active and its history untouched.
    """

    TOPIC_PREFIX = "scheduled-pause:"

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


# --- Assignments -----------------------------------------------------------------


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
    REMOVED = "removed", _("Removed")


class Assignment(models.Model):
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
    removal_reason = models.TextField(
        _("removal reason"), blank=True, help_text=_("Shown to the contractor.")
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

    def can_transition_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def cap_minutes(self) -> int:
        """The weekly cap in force: the assignment's override, else the project's."""
        if self.weekly_cap_minutes is not None:
            return self.weekly_cap_minutes
        return self.project.weekly_cap_minutes


class AssignmentStatusChange(models.Model):
    """Append-only history of an assignment's status."""

    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        related_name="status_changes",
        verbose_name=_("assignment"),
    )
    from_status = models.CharField(_("from"), max_length=8, choices=AssignmentStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=8, choices=AssignmentStatus)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("assignment status change")
        verbose_name_plural = _("assignment status changes")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class AssignmentRate(models.Model):
    """One step of an assignment's rate history; rows are added, never edited."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="rates", verbose_name=_("assignment")
    )
    rate_minor = models.PositiveIntegerField(
        _("hourly rate (minor units)"), validators=[MinValueValidator(1)]
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    effective_on = models.DateField(_("effective from"))
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


# --- Time ------------------------------------------------------------------------


class EntryKind(models.TextChoices):
    TASK = "task", _("Task")
    TRAINING = "training", _("Training")
    ASSESSMENT = "assessment", _("Assessment")
    MEETING = "meeting", _("Meeting")
    REVIEW = "review", _("Review")


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


EDITABLE_ENTRY_STATUSES = (EntryStatus.DRAFT, EntryStatus.REJECTED)


class TimeEntry(models.Model):
    """Minutes worked on one assignment on one day (in the contractor's zone), of one kind.

    The rate in force on the work date is copied onto the entry, so a later
    rate change never reprices hours already submitted.
    """

    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        related_name="time_entries",
        verbose_name=_("assignment"),
    )
    work_on = models.DateField(_("work date"))
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind, default=EntryKind.TASK)
    minutes = models.PositiveIntegerField(
        _("minutes"), validators=[MinValueValidator(1), MaxValueValidator(MINUTES_PER_DAY)]
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=9, choices=EntryStatus, default=EntryStatus.DRAFT
    )
    rate_minor = models.PositiveIntegerField(_("hourly rate (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        ordering = ["-work_on", "assignment_id", "kind"]
        permissions = [("review_timeentry", _("Can approve and reject time entries"))]
        indexes = [
            models.Index(fields=["assignment", "work_on"], name="time_entry_assignment_day_idx"),
            models.Index(fields=["status", "work_on"], name="time_entry_status_day_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "work_on", "kind"], name="time_entry_one_per_cell"
            ),
            models.CheckConstraint(
                condition=Q(status__in=EntryStatus.values), name="time_entry_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EntryKind.values), name="time_entry_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=MINUTES_PER_DAY),
                name="time_entry_minutes_range",
            ),
            models.CheckConstraint(condition=Q(rate_minor__gte=1), name="time_entry_rate_positive"),
            models.CheckConstraint(
                condition=Q(status=EntryStatus.DRAFT) | Q(submitted_at__isnull=False),
                name="time_entry_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[EntryStatus.APPROVED, EntryStatus.REJECTED])
                | Q(reviewed_at__isnull=False, reviewed_by__isnull=False),
                name="time_entry_review_has_reviewer",
            ),
            models.CheckConstraint(
                condition=~Q(status=EntryStatus.REJECTED) | ~Q(rejection_reason=""),
                name="time_entry_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(day)s, %(kind)s, %(hours)s") % {
            "day": format_day(self.work_on),
            "kind": self.get_kind_display(),
            "hours": format_minutes(self.minutes),
        }

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_ENTRY_STATUSES

    @property
    def amount_minor(self) -> int:
        return line_amount(self.minutes, self.rate_minor)


class TimeEntryStatusChange(models.Model):
    """Append-only history of an entry's submission and review.

    Deleting a draft or rejected entry (the contractor withdrawing it) takes its
    history along; entries once approved can't be deleted at all.
    """

    entry = models.ForeignKey(
        TimeEntry,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("time entry"),
    )
    from_status = models.CharField(_("from"), max_length=9, choices=EntryStatus)
    to_status = models.CharField(_("to"), max_length=9, choices=EntryStatus)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("time entry status change")
        verbose_name_plural = _("time entry status changes")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"
