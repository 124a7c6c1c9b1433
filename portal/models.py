from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from portal.choices import QuickChoiceLabels
from portal.money import validate_currency


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
    # Where a reply goes when it should reach something other than the sender,
    # e.g. a support conversation's inbound address. A default in the table too,
    # for the notices' INSERT … SELECT.
    reply_to = models.CharField(
        _("reply to"), max_length=254, blank=True, default="", db_default=""
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EmailStatus, default=EmailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # A worker claims a row before sending it; until the lease runs out no other
    # worker or sweep takes it. A worker killed mid-batch leaves its unsent rows
    # claimed, and the sweep takes them back once the lease has run out.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    # A default in the table too: the notices' fan-out writes rows with INSERT … SELECT.
    claimed_by = models.CharField(
        _("claimed by"), max_length=100, blank=True, default="", db_default=""
    )

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
    PROJECT_INVITED = "project_invited", _("Invited to a project")
    PROJECT_CONTENT_WARNING = "project_content_warning", _("Content warning on your project")
    RATE_CHANGED = "rate_changed", _("Rate changed")
    ASSIGNMENT_ENDED = "assignment_ended", _("Assignment ended")
    ASSIGNMENT_REMOVED = "assignment_removed", _("Removed from a project")
    APPLICATION_DECIDED = "application_decided", _("Application decided")
    ACCOUNT_STATUS = "account_status", _("Account status changed")
    HOURS_APPROVED = "hours_approved", _("Hours approved")
    HOURS_REJECTED = "hours_rejected", _("Hours rejected")
    PERIOD_CLOSING = "period_closing", _("Pay period closing soon")
    PAYOUT_PAID = "payout_paid", _("Payout paid")
    PAYOUT_FAILED = "payout_failed", _("Payout failed")
    SUPPORT_ANSWERED = "support_answered", _("Support answered your question")
    SUPPORT_ESCALATED = "support_escalated", _("A support question is about to miss its time")
    RULES_CHANGED = "rules_changed", _("Rule book changed")
    CASE_OPENED = "case_opened", _("A case about your work")
    CASE_WARNING = "case_warning", _("Warning in a case")
    CASE_NOTICE = "case_notice", _("Notice in a case")
    CASE_DECIDED = "case_decided", _("Case decided")
    CASE_APPEAL = "case_appeal", _("Appeal decided")
    CASE_STATUS = "case_status", _("Case updated")
    PAYOUTS_OVERDUE = "payouts_overdue", _("Payouts overdue")
    JOB_FINISHED = "job_finished", _("Background job finished")
    PAYOUT_BELOW_FLOOR = "payout_below_floor", _("Payout below the floor after costs")
    PAYOUT_DETAILS_CHANGED = "payout_details_changed", _("Payout details changed")


# Only staff receive these; a contractor's email preferences do not offer them.
STAFF_ONLY_KINDS = frozenset(
    {
        NotificationKind.SUPPORT_ESCALATED,
        NotificationKind.PAYOUTS_OVERDUE,
        NotificationKind.PAYOUT_BELOW_FLOOR,
        NotificationKind.JOB_FINISHED,
    }
)

# People must hear about these by email whatever their preferences say.
MANDATORY_EMAIL_KINDS = frozenset(
    {
        NotificationKind.PROJECT_PAUSING,
        NotificationKind.PROJECT_PAUSE_CANCELLED,
        NotificationKind.PROJECT_PAUSED,
        NotificationKind.PROJECT_CLOSED,
        # What someone already on a project is now shown: nobody may miss it.
        NotificationKind.PROJECT_CONTENT_WARNING,
        NotificationKind.ASSIGNMENT_REMOVED,
        NotificationKind.ACCOUNT_STATUS,
        # Unsubmitted hours after the close can only be sent late: nobody opts out of this.
        NotificationKind.PERIOD_CLOSING,
        NotificationKind.RULES_CHANGED,
        NotificationKind.CASE_OPENED,
        NotificationKind.CASE_WARNING,
        NotificationKind.CASE_NOTICE,
        NotificationKind.CASE_DECIDED,
        NotificationKind.CASE_APPEAL,
        NotificationKind.CASE_STATUS,
        # Every day unpaid costs the contractor and the vendor: the managers cannot opt out.
        NotificationKind.PAYOUTS_OVERDUE,
        # Where the money goes changed: whoever did not change it must hear at once.
        NotificationKind.PAYOUT_DETAILS_CHANGED,
    }
)


class Notification(QuickChoiceLabels, models.Model):
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


class ExchangeRate(models.Model):
    """What one unit of ``from_currency`` was worth in ``to_currency`` on a day.

    Managers record rates from a named source (a central bank's reference rate,
    the payout provider's statement); nothing here calls the internet. Rows are
    added, not edited: a later day's row supersedes an earlier one, and a
    conversion reads the latest row on or before its date.
    """

    from_currency = models.CharField(
        _("from currency"), max_length=3, validators=[validate_currency]
    )
    to_currency = models.CharField(_("to currency"), max_length=3, validators=[validate_currency])
    rate = models.DecimalField(
        _("rate"),
        max_digits=24,
        decimal_places=10,
        help_text=_("How many units of the second currency one unit of the first buys."),
    )
    on = models.DateField(_("date"))
    source = models.CharField(
        _("source"), max_length=200, help_text=_("Where the rate comes from, e.g. a central bank.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["from_currency", "to_currency", "-on"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_currency", "to_currency", "on"], name="exchange_rate_once_per_day"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(
                condition=~Q(from_currency=F("to_currency")), name="exchange_rate_two_currencies"
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.from_currency} = {self.rate.normalize():f} {self.to_currency} ({self.on})"


class Subdivision(models.Model):
    """A part of a country whose rules differ from the rest of it (ISO 3166-2, or a
    wage region a decree defines), named as its source names it.

    Recorded on the ground floor so the application form can ask for it: the
    wage floors that need it live in ``projects``, which records each one it loads.
    """

    country = CountryField(_("country"))
    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("subdivision")
        verbose_name_plural = _("subdivisions")
        ordering = ["country", "name"]

    def __str__(self) -> str:
        return self.name
