"""Conversations between a contractor and the support team, and the clock on each answer."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.state import TransitionsMixin


class Category(models.TextChoices):
    PAY = "pay", _("Pay and payouts")
    HOURS = "hours", _("Hours and review")
    PROJECT = "project", _("A project or a pause")
    ACCOUNT = "account", _("My account or a case")
    OTHER = "other", _("Something else")


class ConversationStatus(models.TextChoices):
    # The clock runs only in WAITING_ON_SUPPORT.
    WAITING_ON_SUPPORT = "support", _("Waiting for an answer")
    WAITING_ON_CONTRACTOR = "contractor", _("Answered")
    CLOSED = "closed", _("Closed")


class AboutKind(models.TextChoices):
    NOTHING = "", _("Nothing in particular")
    PAYOUT = "payout", _("A payout")
    WEEK = "week", _("A week of hours")
    PROJECT = "project", _("A project")
    CASE = "case", _("A case")


class Conversation(TransitionsMixin, models.Model):
    """One question from a contractor (or applicant) and everything said about it."""

    TRANSITIONS = {
        ConversationStatus.WAITING_ON_SUPPORT: {
            ConversationStatus.WAITING_ON_CONTRACTOR,
            ConversationStatus.CLOSED,
        },
        ConversationStatus.WAITING_ON_CONTRACTOR: {
            ConversationStatus.WAITING_ON_SUPPORT,
            ConversationStatus.CLOSED,
        },
        ConversationStatus.CLOSED: {ConversationStatus.WAITING_ON_SUPPORT},
    }

    contractor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="support_conversations",
        verbose_name=_("asked by"),
    )
    category = models.CharField(_("category"), max_length=10, choices=Category)
    subject = models.CharField(_("subject"), max_length=200)
    # The asker's language when they asked: staff answer in it, the queue filters by it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ConversationStatus,
        default=ConversationStatus.WAITING_ON_SUPPORT,
    )
    # What the question is about, by kind and id: the payout, week and project
    # live in apps built on top of this one, so they are resolved by
    # ``portal.support.about`` rather than joined by a foreign key.
    about_kind = models.CharField(
        _("about"), max_length=10, choices=AboutKind, blank=True, default=AboutKind.NOTHING
    )
    about_id = models.PositiveBigIntegerField(_("about (id)"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_assignments",
        verbose_name=_("assigned to"),
    )
    # The name the asker sees for the person answering.
    assignee_name = models.CharField(_("answered by (shown name)"), max_length=100, blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last message at"), default=timezone.now)
    # The running clock: set while waiting on support, empty otherwise.
    clock_started_at = models.DateTimeField(_("waiting since"), null=True, blank=True)
    due_at = models.DateTimeField(_("answer due by"), null=True, blank=True)
    warn_at = models.DateTimeField(_("escalate at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # Which answer the clock is (or was last) running for: 1 is the first answer.
    answer_number = models.PositiveIntegerField(_("answer number"), default=1)
    # The first answer, kept for the public record.
    first_target_minutes = models.PositiveIntegerField(_("first answer target (business minutes)"))
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    first_answer_minutes = models.PositiveIntegerField(
        _("first answer took (business minutes)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("support conversation")
        verbose_name_plural = _("support conversations")
        ordering = [F("due_at").asc(nulls_last=True), "-last_message_at"]
        permissions = [("answer_conversation", _("Can answer and assign support conversations"))]
        indexes = [
            models.Index(fields=["contractor", "-last_message_at"], name="support_mine_idx"),
            models.Index(fields=["status", "due_at"], name="support_queue_idx"),
            models.Index(
                fields=["warn_at"],
                condition=Q(status="support", escalated_at__isnull=True),
                name="support_escalate_idx",
            ),
            models.Index(fields=["opened_at", "category"], name="support_record_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ConversationStatus.values), name="support_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="support_category_valid"
            ),
            models.CheckConstraint(
                condition=(Q(about_kind="") & Q(about_id__isnull=True))
                | (
                    Q(about_kind__in=AboutKind.values)
                    & ~Q(about_kind="")
                    & Q(about_id__isnull=False)
                ),
                name="support_about_whole",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="support", clock_started_at__isnull=False, due_at__isnull=False)
                    | (~Q(status="support") & Q(clock_started_at__isnull=True, due_at__isnull=True))
                ),
                name="support_clock_runs_while_waiting",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="support_closed_has_closed_at",
            ),
            models.CheckConstraint(
                condition=Q(first_answered_at__isnull=True, first_answer_minutes__isnull=True)
                | Q(first_answered_at__isnull=False, first_answer_minutes__isnull=False),
                name="support_first_answer_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("support:conversation", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status == ConversationStatus.CLOSED


class Message(models.Model):
    """Something said in a conversation, by the asker or by staff. Never edited."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_staff = models.BooleanField(_("from staff"), default=False)
    # The staff member's name as the asker saw it when it was written.
    author_name = models.CharField(_("author name"), max_length=100, blank=True)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("support message")
        verbose_name_plural = _("support messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="support_msg_idx")]

    def __str__(self) -> str:
        return f"#{self.conversation_id}.{self.pk}"


def _attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name never uses what the uploader called the file.
    return f"support/{instance.message.conversation_id}/{uuid.uuid4().hex}"


def _private_storage():
    from django.core.files.storage import FileSystemStorage

    # No location or URL: files follow MEDIA_ROOT and are served only by the
    # view that checks who asks.
    return FileSystemStorage(base_url=None)


class Attachment(models.Model):
    """A PDF or image sent with a message; served only to the asker and staff."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path, storage=_private_storage)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))

    class Meta:
        verbose_name = _("support attachment")
        verbose_name_plural = _("support attachments")

    def __str__(self) -> str:
        return self.original_name


class InternalNote(models.Model):
    """A note between staff; the asker never sees it, on any page or in the API."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="internal_notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"#{self.conversation_id} {self.author_id}"


class Rating(models.Model):
    """How the asker rated the answers (1 to 5); rating again replaces it."""

    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, related_name="rating"
    )
    score = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="support_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.conversation_id}: {self.score}"


class ClockEventKind(models.TextChoices):
    STARTED = "started", _("Clock started")
    ANSWERED = "answered", _("Answered")
    STOPPED = "stopped", _("Stopped without an answer")
    ESCALATED = "escalated", _("Escalated")


class ClockEvent(models.Model):
    """Append-only history of a conversation's clock."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="clock_events"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ClockEventKind)
    answer_number = models.PositiveIntegerField(_("answer number"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    due_at = models.DateTimeField(_("due by"), null=True, blank=True)
    # Business minutes the clock ran, on the events that stop it.
    business_minutes = models.PositiveIntegerField(_("business minutes"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("clock event")
        verbose_name_plural = _("clock events")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ClockEventKind.values), name="support_clock_event_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.conversation_id} {self.get_kind_display()}"


class Miss(models.Model):
    """An answer that came (or has still not come) after its promised time."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="misses")
    answer_number = models.PositiveIntegerField(_("answer number"))
    category = models.CharField(_("category"), max_length=10, choices=Category)
    due_at = models.DateTimeField(_("was due by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("missed answer time")
        verbose_name_plural = _("missed answer times")
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "answer_number"], name="support_miss_once"
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="support_miss_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.conversation_id} ({self.answer_number})"


class CannedAnswer(models.Model):
    """A prepared answer staff start from, written in one language."""

    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=10)
    category = models.CharField(_("category"), max_length=10, choices=Category, blank=True)
    body = models.TextField(_("answer"))

    class Meta:
        verbose_name = _("canned answer")
        verbose_name_plural = _("canned answers")
        ordering = ["language", "title"]

    def __str__(self) -> str:
        return f"[{self.language}] {self.title}"


class InboundOutcome(models.TextChoices):
    ADDED = "added", _("Added to the conversation")
    REFUSED = "refused", _("Refused; the sender was told why")


class InboundRefusal(models.TextChoices):
    NONE = "", _("None")
    BAD_ADDRESS = "address", _("Not sent to a conversation's reply address")
    UNKNOWN_SENDER = "sender", _("Not sent by the conversation's asker")
    CLOSED = "closed", _("The conversation is closed for good")
    EMPTY = "empty", _("No new text once the quoted email was taken out")
    REFUSED = "refused", _("The reply was refused")
    AUTOMATIC = "automatic", _("An automatic email (out-of-office, bounce, mailing list)")
    UNVERIFIED_SENDER = "unverified", _("The mail server could not confirm the sender")
    TOO_LARGE = "too_large", _("Too large to read")


class InboundEmail(models.Model):
    """An email that arrived at the support reply address, and what became of it.

    Recorded for every message, added or not, so nothing sent by email is lost
    without trace; the Message-ID makes reading the same mail twice a no-op.
    """

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    sender = models.CharField(_("from"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=10, choices=InboundOutcome)
    refusal = models.CharField(
        _("why refused"), max_length=10, choices=InboundRefusal, blank=True, default=""
    )
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_emails",
        verbose_name=_("conversation"),
    )
    added_message = models.OneToOneField(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_email",
        verbose_name=_("message added"),
    )
    # The new text, without the quoted email and signature.
    body = models.TextField(_("text"), blank=True)
    # What else the sender was told: files left out, the reason for a refusal.
    detail = models.TextField(_("detail"), blank=True)
    told_sender = models.BooleanField(_("sender told"), default=False)

    class Meta:
        verbose_name = _("email reply")
        verbose_name_plural = _("email replies")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="added", refusal="")
                | (Q(outcome="refused") & Q(refusal__in=InboundRefusal.values) & ~Q(refusal="")),
                name="support_inbound_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender} {self.message_id}"
