"""The answer clock of a conversation: start, stop, misses, and the beat job's escalation."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.dates import format_moment
from portal.models import NotificationKind
from portal.notifications.services import Notice, notify
from portal.support.clock import BusinessCalendar, escalate_minutes_before, target_minutes
from portal.support.models import (
    ClockEvent,
    ClockEventKind,
    Conversation,
    ConversationStatus,
    Miss,
)

ANSWER_PERMISSION = "support.answer_conversation"


def _is_support_staff(user) -> bool:
    return bool(user.is_staff and user.has_perm(ANSWER_PERMISSION))


def _locked(conversation: Conversation) -> Conversation:
    return Conversation.objects.select_for_update().get(pk=conversation.pk)


# --- The clock ------------------------------------------------------------------------


def _clock_set(conversation: Conversation, *, at: datetime) -> None:
    calendar = BusinessCalendar.from_settings()
    target = target_minutes(conversation.category)
    conversation.clock_started_at = at
    conversation.due_at = calendar.add_business_minutes(at, target)
    conversation.warn_at = calendar.add_business_minutes(
        at, max(0, target - escalate_minutes_before())
    )
    conversation.escalated_at = None


def _clock_start(conversation: Conversation, *, at: datetime, by) -> None:
    _clock_set(conversation, at=at)
    _clock_started_event(conversation, at=at, by=by)


def _clock_started_event(conversation: Conversation, *, at: datetime, by) -> None:
    ClockEvent.objects.create(
        conversation=conversation,
        kind=ClockEventKind.STARTED,
        answer_number=conversation.answer_number,
        at=at,
        due_at=conversation.due_at,
        by=by,
    )


def _clock_stop(conversation: Conversation, *, at: datetime, by, answered: bool) -> None:
    """Stop the running clock; record a miss if the answer came late."""
    assert conversation.clock_started_at is not None and conversation.due_at is not None
    minutes = BusinessCalendar.from_settings().business_minutes(conversation.clock_started_at, at)
    if at > conversation.due_at:
        _miss_record(conversation, at=at)
    ClockEvent.objects.create(
        conversation=conversation,
        kind=ClockEventKind.ANSWERED if answered else ClockEventKind.STOPPED,
        answer_number=conversation.answer_number,
        at=at,
        due_at=conversation.due_at,
        business_minutes=minutes,
        by=by,
    )
    if answered:
        if conversation.first_answered_at is None:
            conversation.first_answered_at = at
            conversation.first_answer_minutes = minutes
        conversation.answer_number += 1
    conversation.clock_started_at = conversation.due_at = conversation.warn_at = None


def _miss_record(conversation: Conversation, *, at: datetime) -> bool:
    _miss, created = Miss.objects.get_or_create(
        conversation=conversation,
        answer_number=conversation.answer_number,
        defaults={"category": conversation.category, "due_at": conversation.due_at},
    )
    return created


CLOCK_FIELDS = [
    "status",
    "clock_started_at",
    "due_at",
    "warn_at",
    "escalated_at",
    "answer_number",
    "first_answered_at",
    "first_answer_minutes",
    "last_message_at",
    "closed_at",
]


# --- The beat job -------------------------------------------------------------------------------


def support_staff_for(conversation: Conversation):
    """Who answers for a conversation: its assignee, or every support staff member."""
    users = get_user_model().objects.filter(is_active=True, is_staff=True)
    if conversation.assignee_id is not None:
        return users.filter(pk=conversation.assignee_id)
    permission = Permission.objects.filter(
        content_type__app_label="support", codename="answer_conversation"
    )
    return users.filter(
        Q(groups__permissions__in=permission) | Q(user_permissions__in=permission)
    ).distinct()


@transaction.atomic
def conversation_escalate(*, conversation: Conversation, now: datetime) -> bool:
    """Warn the responsible staff once that an answer is nearly due; False if already done."""
    conversation = _locked(conversation)
    if (
        conversation.status != ConversationStatus.WAITING_ON_SUPPORT
        or conversation.escalated_at is not None
        or conversation.warn_at is None
        or conversation.warn_at > now
    ):
        return False
    conversation.escalated_at = now
    conversation.save(update_fields=["escalated_at"])
    ClockEvent.objects.create(
        conversation=conversation,
        kind=ClockEventKind.ESCALATED,
        answer_number=conversation.answer_number,
        at=now,
        due_at=conversation.due_at,
    )
    due_at = conversation.due_at

    def notice() -> Notice:
        values = {"id": conversation.pk, "subject": conversation.subject}
        return Notice(
            title=_("Support question #%(id)s is about to miss its answer time") % values,
            body=_("“%(subject)s” must be answered by %(due)s.")
            % {**values, "due": format_moment(due_at)},
        )

    notify(
        recipients=support_staff_for(conversation),
        kind=NotificationKind.SUPPORT_ESCALATED,
        notice=notice,
        link=reverse("admin:support_conversation_change", args=[conversation.pk]),
        topic=f"support-escalation:{conversation.pk}:{conversation.answer_number}",
    )
    return True


@transaction.atomic
def conversation_miss_record(*, conversation: Conversation, now: datetime) -> bool:
    """Record that the running clock passed its due time; False if not due or already recorded."""
    conversation = _locked(conversation)
    if conversation.due_at is None or conversation.due_at > now:
        return False
    return _miss_record(conversation, at=now)


def support_clocks_check(*, now: datetime | None = None) -> tuple[int, int]:
    """Escalate what is nearly due and record what is overdue; return both counts."""
    now = now or timezone.now()
    waiting = Conversation.objects.filter(status=ConversationStatus.WAITING_ON_SUPPORT)
    escalated = sum(
        conversation_escalate(conversation=conversation, now=now)
        for conversation in waiting.filter(escalated_at__isnull=True, warn_at__lte=now)
    )
    recorded = Miss.objects.filter(answer_number=OuterRef("answer_number"))
    missed = sum(
        conversation_miss_record(conversation=conversation, now=now)
        for conversation in waiting.filter(due_at__lte=now).exclude(
            Exists(recorded.filter(conversation=OuterRef("pk")))
        )
    )
    return escalated, missed
