"""Time logged on assignments, and its submission and review history."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.choices import QuickChoiceLabels
from portal.dates import format_day, format_minutes
from portal.history import StatusChange, status_constraints
from portal.money import line_amount
from portal.state import TransitionsMixin
from projects.models.assignments import Assignment
from projects.models.projects import MINUTES_PER_DAY


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


class TimeEntry(QuickChoiceLabels, TransitionsMixin, models.Model):
    """Minutes worked on one assignment on one day (in the contractor's zone), of one kind.

    The rate in force on the work date is copied onto the entry, so a later
    rate change never reprices hours already submitted.
    """

    # A contractor submits drafts and corrected rejections (editing a rejected
    # entry leaves it rejected); a manager approves or rejects what was submitted.
    TRANSITIONS = {
        EntryStatus.DRAFT: {EntryStatus.SUBMITTED},
        EntryStatus.SUBMITTED: {EntryStatus.APPROVED, EntryStatus.REJECTED},
        EntryStatus.REJECTED: {EntryStatus.SUBMITTED},
        EntryStatus.APPROVED: set(),
    }

    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        related_name="time_entries",
        verbose_name=_("assignment"),
        # time_entry_assignment_day_idx leads with it; an index of its own only let the
        # planner read years of an assignment's entries to keep a few weeks.
        db_index=False,
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
    # The language the rejection reason was written in (blank on older rows).
    written_in = models.CharField(
        _("written in"), max_length=10, blank=True, default="", db_default=""
    )
    # Submitted after its pay period closed: the closed period's payouts stay as they
    # are, and the entry, once approved, is paid with the next payouts generated.
    late = models.BooleanField(_("late hours"), default=False, db_default=False)
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
            # The admin list's order (newest day first), read a page at a time.
            models.Index(
                fields=["-work_on", "assignment", "kind"], name="time_entry_list_order_idx"
            ),
            # Late hours of earlier periods, which the payout generation looks for among
            # years of paid history: without it, each generation reads the whole table.
            models.Index(
                fields=["work_on"], condition=Q(late=True), name="time_entry_late_day_idx"
            ),
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


class TimeEntryStatusChange(StatusChange):
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
    # Only people submit and review time.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("time entry status change")
        verbose_name_plural = _("time entry status changes")
        constraints = status_constraints("time_entry_change", EntryStatus, blank_from=False)
