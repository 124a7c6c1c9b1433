"""Reads of support conversations, scoped to who asks: an asker sees only their own."""

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from babel.numbers import format_percent
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal.dates import babel_locale
from portal.support.clock import BusinessCalendar, target_minutes
from portal.support.models import (
    Attachment,
    Category,
    ClockEvent,
    ClockEventKind,
    Conversation,
    ConversationStatus,
    InternalNote,
    Message,
    Miss,
)
from portal.support.services import ANSWER_PERMISSION


def is_support_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_staff and user.has_perm(ANSWER_PERMISSION))


# --- The asker --------------------------------------------------------------------------


def conversation_list_for_user(user) -> QuerySet[Conversation]:
    return (
        Conversation.objects.filter(contractor=user)
        .select_related("rating")
        .order_by("-last_message_at", "-pk")
    )


def conversation_get_for_user(*, user, pk: int) -> Conversation:
    """The asker's own conversation; anyone else's is a 404."""
    return get_object_or_404(Conversation.objects.select_related("rating"), pk=pk, contractor=user)


def message_list(conversation: Conversation) -> QuerySet[Message]:
    """What the asker may read: the messages and their attachments, never an internal note."""
    return conversation.messages.prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
    )


def attachment_get_for_user(*, user, pk: int) -> Attachment:
    """An attachment for its conversation's asker or support staff; anyone else gets a 404."""
    attachments = Attachment.objects.select_related("message__conversation")
    if is_support_staff(user):
        return get_object_or_404(attachments, pk=pk)
    return get_object_or_404(attachments, pk=pk, message__conversation__contractor=user)


# --- Staff --------------------------------------------------------------------------------


def conversation_queue_for_staff(user) -> QuerySet[Conversation]:
    """Every conversation, the soonest due first and the answered ones after."""
    if not is_support_staff(user):
        raise Http404
    return Conversation.objects.select_related("contractor", "assignee").order_by(
        *Conversation._meta.ordering
    )


def conversation_get_for_staff(*, user, pk: int) -> Conversation:
    return get_object_or_404(conversation_queue_for_staff(user), pk=pk)


def internal_note_list_for_staff(*, user, conversation: Conversation) -> QuerySet[InternalNote]:
    if not is_support_staff(user):
        raise Http404
    return conversation.internal_notes.select_related("author")


# --- The clock as people read it -------------------------------------------------------------


@dataclass(frozen=True)
class ClockView:
    status: str
    due_at: datetime | None
    waiting_minutes: int | None
    left_minutes: int | None
    overdue: bool
    last_answer_minutes: int | None
    first_answer_minutes: int | None


def clock_view(
    conversation: Conversation, *, now: datetime | None = None, with_history: bool = True
) -> ClockView:
    """The promise, how long it has waited and how long is left, all in business minutes."""
    now = now or timezone.now()
    calendar = BusinessCalendar.from_settings()
    running = conversation.status == ConversationStatus.WAITING_ON_SUPPORT
    waiting = left = None
    overdue = False
    if running and conversation.clock_started_at and conversation.due_at:
        waiting = calendar.business_minutes(conversation.clock_started_at, now)
        overdue = now > conversation.due_at
        left = 0 if overdue else calendar.business_minutes(now, conversation.due_at)
    last = None
    if with_history:
        last = (
            ClockEvent.objects.filter(conversation=conversation, kind=ClockEventKind.ANSWERED)
            .order_by("-at", "-pk")
            .values_list("business_minutes", flat=True)
            .first()
        )
    return ClockView(
        status=conversation.status,
        due_at=conversation.due_at if running else None,
        waiting_minutes=waiting,
        left_minutes=left,
        overdue=overdue,
        last_answer_minutes=last,
        first_answer_minutes=conversation.first_answer_minutes,
    )


def targets() -> list[tuple[str, int]]:
    """Each category's label and its promised answer time in business minutes."""
    return [(label, target_minutes(value)) for value, label in Category.choices]


# --- The public record -------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordRow:
    month: datetime
    category: str
    asked: int
    answered: int
    within_target: int
    median_minutes: int | None

    @property
    def category_label(self) -> str:
        return str(Category(self.category).label)

    @property
    def share_percent(self) -> str:
        """The share answered in time, as a percentage in the reader's language."""
        return format_percent(self.within_target / self.asked, locale=babel_locale())

    @property
    def share_within_target(self) -> float | None:
        """Answered in time, of those asked whose time is up (answered, or already overdue)."""
        return self.within_target / self.asked if self.asked else None


def answer_record(*, months: int = 12, now: datetime | None = None) -> list[RecordRow]:
    """Per month asked and category: how many first answers came within the target, and the
    median first-answer time in business minutes.

    A question whose first answer is overdue counts as a miss whether or not it is
    answered later or closed; one still within its time is left out until it is
    answered or due, so the record never counts a promise that can still be kept.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    year, month = divmod(local.year * 12 + local.month - 1 - (months - 1), 12)
    since = local.replace(
        year=year, month=month + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    first_missed = Miss.objects.filter(conversation=OuterRef("pk"), answer_number=1)
    rows = (
        Conversation.objects.filter(opened_at__gte=since)
        .annotate(month=TruncMonth("opened_at"), missed=Exists(first_missed))
        .values_list(
            "month",
            "category",
            "first_answer_minutes",
            "first_target_minutes",
            "answer_number",
            "due_at",
            "missed",
        )
        .order_by("-month", "category")
    )
    groups: dict[tuple[datetime, str], list[tuple[int | None, int]]] = {}
    for month_start, category, took, target, number, due_at, missed in rows.iterator():
        overdue = number == 1 and due_at is not None and due_at <= now
        if took is None and not (missed or overdue):
            continue
        groups.setdefault((month_start, category), []).append((took, target))
    record = []
    for (month_start, category), answers in groups.items():
        times = [took for took, _target in answers if took is not None]
        in_time = sum(1 for took, target in answers if took is not None and took <= target)
        record.append(
            RecordRow(
                month=month_start,
                category=category,
                asked=len(answers),
                answered=len(times),
                within_target=in_time,
                median_minutes=int(median(times)) if times else None,
            )
        )
    return record
