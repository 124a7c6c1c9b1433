"""Projects, their status and its history."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import language_name, validate_currency, validate_language
from accounts.models import ExpertiseArea
from portal.choices import QuickChoiceLabels
from portal.history import StatusChange, status_constraints
from portal.state import TransitionsMixin

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


def validate_language_list(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(gettext("Languages must be a list of ISO 639-1 codes."))
    for code in value:
        validate_language(code)


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


class ProjectPurpose(models.TextChoices):
    """What a project's hours are for. Assessments and training are paid like work, but
    contractors may take them before any work assignment (during onboarding, say), and
    they have a limit per contractor instead of a weekly cap."""

    WORK = "work", _("Work")
    ASSESSMENT = "assessment", _("Paid assessment")
    TRAINING = "training", _("Paid training")


class PayBasis(models.TextChoices):
    """How work is paid. Rates are per hour everywhere, so this names it rather than
    choosing: the transparency page and the API say it in words."""

    HOURLY = "hourly", _("By the hour")


class ContentWarning(models.TextChoices):
    """What a manager warns of before anyone joins a project; declining one is never held
    against a contractor (the rules page says so)."""

    NONE = "none", _("No content warning")
    DISTURBING = "disturbing", _("Disturbing content")
    GRAPHIC = "graphic", _("Graphic violence or injury")
    SEXUAL = "sexual", _("Sexual content")
    SELF_HARM = "self_harm", _("Self-harm or suicide")


class Project(QuickChoiceLabels, TransitionsMixin, models.Model):
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
    # The language the description and guidelines were written in (blank on older rows).
    written_in = models.CharField(
        _("written in"), max_length=10, blank=True, default="", db_default=""
    )
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
    purpose = models.CharField(
        _("purpose"),
        max_length=10,
        choices=ProjectPurpose,
        default=ProjectPurpose.WORK,
        db_default=ProjectPurpose.WORK,
        help_text=_(
            "An assessment or training is paid like work and can be taken before any project "
            "assignment; contractors are enrolled in it rather than assigned."
        ),
    )
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit per contractor (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MINUTES_PER_WEEK)],
        help_text=_(
            "Assessments and training only: the most time one contractor can log on it in "
            "all; it replaces the weekly cap."
        ),
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
    content_warning = models.CharField(
        _("content warning"),
        max_length=10,
        choices=ContentWarning,
        default=ContentWarning.NONE,
        db_default=ContentWarning.NONE,
        help_text=_(
            "Shown before anyone joins. With a warning, contractors are invited and choose; "
            "they can't be assigned directly."
        ),
    )
    quality_review = models.TextField(
        _("how quality is reviewed"),
        blank=True,
        default="",
        db_default="",
        help_text=_("Who checks the work, how often and against what; contractors read this."),
    )
    # The language the quality review text was written in.
    quality_review_written_in = models.CharField(
        _("quality review written in"), max_length=10, blank=True, default="", db_default=""
    )
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
    # The pause message's language: the project's texts are written at different times.
    pause_written_in = models.CharField(
        _("pause message written in"), max_length=10, blank=True, default="", db_default=""
    )
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
                condition=Q(content_warning__in=ContentWarning.values),
                name="project_content_warning_valid",
            ),
            models.CheckConstraint(
                condition=Q(weekly_cap_minutes__gte=1, weekly_cap_minutes__lte=MINUTES_PER_WEEK),
                name="project_weekly_cap_range",
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=ProjectPurpose.values), name="project_purpose_valid"
            ),
            models.CheckConstraint(
                condition=Q(purpose=ProjectPurpose.WORK, time_limit_minutes__isnull=True)
                | (
                    ~Q(purpose=ProjectPurpose.WORK)
                    & Q(
                        time_limit_minutes__isnull=False,
                        time_limit_minutes__gte=1,
                        time_limit_minutes__lte=MINUTES_PER_WEEK,
                    )
                ),
                name="project_time_limit_for_paid_activity",
                violation_error_message=_(
                    "An assessment or training needs a time limit per contractor; "
                    "a work project has a weekly cap instead."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_paid_activity(self) -> bool:
        """An assessment or training rather than project work."""
        return self.purpose != ProjectPurpose.WORK

    @property
    def entry_kind(self) -> str:
        """The activity kind its time is logged as: its own for an assessment or training."""
        if self.purpose == ProjectPurpose.ASSESSMENT:
            return "assessment"
        if self.purpose == ProjectPurpose.TRAINING:
            return "training"
        return "task"

    @property
    def language_names(self) -> list[str]:
        """The required languages named in the reader's language."""
        return [language_name(code) for code in self.languages]


class ProjectStatusChange(StatusChange):
    """Append-only history of a project's status: every change, why, and who made it.

    A change can be announced ahead (a scheduled pause), so it has the time it
    took effect (``effective_at``) and the time it was recorded, not one ``at``.
    """

    TOPIC_PREFIX = "project-status-change:"
    # Set by the services on the object they return: how many people were told.
    told: int

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("project")
    )
    from_status = models.CharField(_("from"), max_length=8, choices=ProjectStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=8, choices=ProjectStatus)
    # A pause's reason is one of a list; the words for people go in the message.
    reason = models.CharField(_("reason"), max_length=20, choices=PauseReason, blank=True)
    message = models.TextField(_("message"), blank=True)
    # The language the message was written in (blank on older rows).
    written_in = models.CharField(
        _("written in"), max_length=10, blank=True, default="", db_default=""
    )
    expected_resume_on = models.DateField(_("expected resume date"), null=True, blank=True)
    effective_at = models.DateTimeField(_("effective at"), default=timezone.now)
    at = None
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta(StatusChange.Meta):
        verbose_name = _("project status change")
        verbose_name_plural = _("project status changes")
        ordering = ["-effective_at", "-pk"]
        indexes = [models.Index(fields=["project", "effective_at"], name="project_change_time_idx")]
        constraints = [
            *status_constraints("project_change", ProjectStatus, blank_from=True),
            models.CheckConstraint(
                condition=~Q(to_status=ProjectStatus.PAUSED) | ~Q(reason=""),
                name="project_change_pause_has_reason",
            ),
        ]

    @property
    def topic(self) -> str:
        """What the notices and emails about this change are grouped under."""
        return f"{self.TOPIC_PREFIX}{self.pk}"
