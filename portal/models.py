from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboundEmail(models.Model):
    """One email to one recipient, recorded before any attempt to send it.

    Rows are written in the transaction that decided to send them, so a broker
    or mail-server outage delays delivery but never loses a message.
    """

    to = models.EmailField(_("to"))
    # Groups the emails one event sent, e.g. "project-status-change:42".
    topic = models.CharField(_("topic"), max_length=64, blank=True)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=EmailStatus, default=EmailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            # Counting an event's emails by status reads this index alone.
            models.Index(fields=["topic", "status"], name="outbox_topic_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=EmailStatus.values), name="outbox_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=EmailStatus.SENT, sent_at__isnull=False)
                | (~Q(status=EmailStatus.SENT) & Q(sent_at__isnull=True)),
                name="outbox_sent_has_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to} ({self.get_status_display()})"


class NotificationKind(models.TextChoices):
    PROJECT_PAUSING = "project_pausing", _("Project pausing soon")
    PROJECT_PAUSE_CANCELLED = "project_pause_cancelled", _("Scheduled pause called off")
    PROJECT_PAUSED = "project_paused", _("Project paused")
    PROJECT_RESUMED = "project_resumed", _("Project resumed")
    PROJECT_CLOSED = "project_closed", _("Project closed")
    ASSIGNMENT_ADDED = "assignment_added", _("Added to a project")
    RATE_CHANGED = "rate_changed", _("Rate changed")
    ASSIGNMENT_ENDED = "assignment_ended", _("Assignment ended")
    ASSIGNMENT_REMOVED = "assignment_removed", _("Removed from a project")
    APPLICATION_DECIDED = "application_decided", _("Application decided")
    ACCOUNT_STATUS = "account_status", _("Account status changed")
    HOURS_APPROVED = "hours_approved", _("Hours approved")
    HOURS_REJECTED = "hours_rejected", _("Hours rejected")
    PAYOUT_PAID = "payout_paid", _("Payout paid")
    PAYOUT_FAILED = "payout_failed", _("Payout failed")


# People must hear about these by email whatever their preferences say.
MANDATORY_EMAIL_KINDS = frozenset(
    {
        NotificationKind.PROJECT_PAUSING,
        NotificationKind.PROJECT_PAUSE_CANCELLED,
        NotificationKind.PROJECT_PAUSED,
        NotificationKind.PROJECT_CLOSED,
        NotificationKind.ASSIGNMENT_REMOVED,
        NotificationKind.ACCOUNT_STATUS,
    }
)


class Notification(models.Model):
    """An in-app notice to one person. Written in the transaction that caused it."""

    # No index of its own: the feed index starts with the recipient.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    # Groups the notices (and emails) one event sent, e.g. "project-status-change:42".
    topic = models.CharField(_("topic"), max_length=64, blank=True)
    # The language the title and body were written in: the recipient's at the time.
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_feed_idx"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            # Counting who an event reached reads this index alone.
            models.Index(fields=["topic", "recipient"], name="notification_topic_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.recipient_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def written_in(self) -> str:
        """The language of the title and body; a blank one is the site's default."""
        return self.language or settings.LANGUAGE_CODE


class EmailPreference(models.Model):
    """A person's choice to get (or not) emails of one kind; in-app notices always come."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind)
    send_email = models.BooleanField(_("send email"), default=True)

    class Meta:
        verbose_name = _("email preference")
        verbose_name_plural = _("email preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="email_preference_once"),
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="email_preference_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        choice = _("email") if self.send_email else _("in-app only")
        return f"{self.user_id} {self.get_kind_display()}: {choice}"
