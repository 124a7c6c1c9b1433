from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutboundEmail(models.Model):
    """One email to one recipient, recorded before any attempt to send it.

    Rows are written in the transaction that decided to send them, so a broker
    or mail-server outage delays delivery but never loses a message.
    """

    to = models.EmailField()
    # Groups the emails one event sent, e.g. "project-status-change:42".
    topic = models.CharField(max_length=64, blank=True)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=EmailStatus, default=EmailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "outbound email"
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
        return f"{self.subject} → {self.to} ({self.status})"


class NotificationKind(models.TextChoices):
    PROJECT_PAUSING = "project_pausing", "Project pausing soon"
    PROJECT_PAUSE_CANCELLED = "project_pause_cancelled", "Scheduled pause called off"
    PROJECT_PAUSED = "project_paused", "Project paused"
    PROJECT_RESUMED = "project_resumed", "Project resumed"
    PROJECT_CLOSED = "project_closed", "Project closed"
    ASSIGNMENT_ADDED = "assignment_added", "Added to a project"
    RATE_CHANGED = "rate_changed", "Rate changed"
    ASSIGNMENT_ENDED = "assignment_ended", "Assignment ended"
    ASSIGNMENT_REMOVED = "assignment_removed", "Removed from a project"
    APPLICATION_DECIDED = "application_decided", "Application decided"
    ACCOUNT_STATUS = "account_status", "Account status changed"
    HOURS_APPROVED = "hours_approved", "Hours approved"
    HOURS_REJECTED = "hours_rejected", "Hours rejected"
    PAYOUT_PAID = "payout_paid", "Payout paid"
    PAYOUT_FAILED = "payout_failed", "Payout failed"


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
    kind = models.CharField(max_length=32, choices=NotificationKind)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    # Groups the notices (and emails) one event sent, e.g. "project-status-change:42".
    topic = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
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


class EmailPreference(models.Model):
    """A person's choice to get (or not) emails of one kind; in-app notices always come."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind)
    send_email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="email_preference_once"),
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="email_preference_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {'email' if self.send_email else 'in-app only'}"
