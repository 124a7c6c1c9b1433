"""Reads of support conversations, scoped to who asks: an asker sees only their own."""

from dataclasses import dataclass
from datetime import datetime

from babel.numbers import format_percent
from django.db.models import (
    Count,
    Exists,
    Expression,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Window,
)
from django.db.models.functions import RowNumber, TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from portal.dates import babel_locale, format_minutes
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


def targets() -> list[tuple[str, str]]:
    """Each category's label and its promised answer time, as a reader says it."""
    return [(str(label), business_time(target_minutes(value))) for value, label in Category.choices]


def business_time(minutes: int) -> str:
    """``480`` → "1 business day", ``240`` → "4 business hours", ``90`` → "1:30 business
    hours": a promise read as a length of time, never as a time of day."""
    per_day = BusinessCalendar.from_settings().minutes_per_day
    if minutes and per_day and minutes % per_day == 0:
        days = minutes // per_day
        return ngettext("%(count)d business day", "%(count)d business days", days) % {"count": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)d business hour", "%(count)d business hours", hours) % {
            "count": hours
        }
    return gettext("%(hours)s business hours") % {"hours": format_minutes(minutes)}


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
    Counts and medians are computed by the database, in two queries whatever the
    number of questions.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    year, month = divmod(local.year * 12 + local.month - 1 - (months - 1), 12)
    since = local.replace(
        year=year, month=month + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    first_missed = Miss.objects.filter(conversation=OuterRef("pk"), answer_number=1)
    counted = Conversation.objects.filter(
        Q(first_answer_minutes__isnull=False)
        | Q(answer_number=1, due_at__lte=now)
        | Exists(first_missed),
        opened_at__gte=since,
    ).annotate(month=TruncMonth("opened_at"))
    totals = (
        counted.values("month", "category")
        .annotate(
            asked=Count("pk"),
            answered=Count("first_answer_minutes"),
            within_target=Count(
                "pk", filter=Q(first_answer_minutes__lte=F("first_target_minutes"))
            ),
        )
        .order_by("-month", "category")
    )
    medians = _median_first_answers(counted)
    return [
        RecordRow(
            month=row["month"],
            category=row["category"],
            asked=row["asked"],
            answered=row["answered"],
            within_target=row["within_target"],
            median_minutes=medians.get((row["month"], row["category"])),
        )
        for row in totals
    ]


def _median_first_answers(counted: QuerySet[Conversation]) -> dict[tuple[datetime, str], int]:
    """The median first answer of each month and category, in whole business minutes.

    Each group's answers are numbered in order of time taken; only its middle row
    (odd count) or two middle rows (even count) come back from the database, so the
    work here is per group, never per question.
    """
    group: list[Expression | F] = [TruncMonth("opened_at"), F("category")]
    middle = (
        counted.filter(first_answer_minutes__isnull=False)
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=group,
                order_by=[F("first_answer_minutes").asc(), F("pk").asc()],
            ),
            size=Window(Count("pk"), partition_by=group),
        )
        # Integer division on every database: size 5 keeps row 3; size 4 rows 2 and 3.
        .filter(position__gte=(F("size") + 1) / 2, position__lte=F("size") / 2 + 1)
        .values_list("month", "category", "first_answer_minutes")
    )
    middles: dict[tuple[datetime, str], list[int]] = {}
    for month_start, category, took in middle:
        middles.setdefault((month_start, category), []).append(took or 0)
    return {key: sum(times) // len(times) for key, times in middles.items()}
