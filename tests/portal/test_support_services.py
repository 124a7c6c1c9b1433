"""Support conversations: the clock, its pause, escalation and misses, rights, attachments."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from portal.models import Notification, NotificationKind
from portal.support import selectors, services
from portal.support.models import (
    Attachment,
    Category,
    ClockEvent,
    ClockEventKind,
    Conversation,
    ConversationStatus,
    Miss,
)
from tests.portal.delivery import smtp_server
from tests.portal.support_helpers import JPEG, PNG, Clock, ask, at, pdf, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def test_a_pay_question_asked_on_friday_afternoon_is_due_on_monday(alice, clock):
    clock.now = at(2026, 11, 27, 16, 0)
    conversation = ask(alice)

    assert conversation.status == ConversationStatus.WAITING_ON_SUPPORT
    assert conversation.due_at == at(2026, 11, 30, 16, 0)
    assert conversation.first_target_minutes == 8 * 60


def test_other_questions_get_two_business_days_and_a_holiday_is_skipped(alice, clock, settings):
    settings.SUPPORT_HOLIDAYS = [at(2026, 11, 30).date()]
    clock.now = at(2026, 11, 27, 16, 0)
    conversation = ask(alice, category=Category.OTHER, subject="Two accounts?")

    # Friday 1 h, Monday off, Tuesday 8 h, Wednesday 7 h.
    assert conversation.due_at == at(2026, 12, 2, 16, 0)


def test_the_answer_stops_the_clock_and_records_business_time(alice, manager, clock):
    clock.now = at(2026, 11, 27, 16, 0)
    conversation = ask(alice)
    clock.now = at(2026, 11, 30, 10, 0)
    services.conversation_answer(conversation=conversation, by=manager, body="Sent today.")

    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.WAITING_ON_CONTRACTOR
    assert conversation.first_answer_minutes == 120
    assert (conversation.due_at, conversation.clock_started_at) == (None, None)
    assert conversation.assignee == manager
    assert not Miss.objects.exists()


def test_the_clock_is_paused_while_waiting_on_the_contractor(alice, manager, clock):
    clock.now = at(2026, 11, 27, 16, 0)
    conversation = ask(alice, category=Category.OTHER)
    clock.now = at(2026, 11, 30, 10, 0)
    services.conversation_answer(conversation=conversation, by=manager, body="Which week?")
    # Two days pass before alice answers: none of it counts against support.
    clock.now = at(2026, 12, 2, 10, 0)
    conversation.refresh_from_db()
    view = selectors.clock_view(conversation, now=clock.now)
    assert (view.waiting_minutes, view.due_at) == (None, None)
    services.conversation_reply(conversation=conversation, by=alice, body="The week of 16 Nov.")

    conversation.refresh_from_db()
    assert conversation.answer_number == 2
    assert conversation.due_at == at(2026, 12, 4, 10, 0)
    view = selectors.clock_view(conversation, now=at(2026, 12, 2, 11, 30))
    assert (view.waiting_minutes, view.left_minutes) == (90, 2 * 480 - 90)
    assert view.last_answer_minutes == 120


def test_escalation_fires_once_before_the_target_and_a_miss_is_recorded_after(
    alice, manager, clock, django_capture_on_commit_callbacks
):
    clock.now = at(2026, 11, 30, 9, 0)  # a Monday
    conversation = ask(alice)
    assert conversation.warn_at == at(2026, 11, 30, 15, 0)

    assert services.support_clocks_check(now=at(2026, 11, 30, 14, 59)) == (0, 0)
    assert services.support_clocks_check(now=at(2026, 11, 30, 15, 30)) == (1, 0)
    assert services.support_clocks_check(now=at(2026, 11, 30, 16, 0)) == (0, 0)
    (warning,) = Notification.objects.filter(kind=NotificationKind.SUPPORT_ESCALATED)
    assert warning.recipient == manager
    assert warning.link == f"/admin/support/conversation/{conversation.pk}/change/"

    assert services.support_clocks_check(now=at(2026, 12, 1, 9, 30)) == (0, 1)
    assert services.support_clocks_check(now=at(2026, 12, 1, 10, 0)) == (0, 0)
    (miss,) = Miss.objects.all()
    assert (miss.answer_number, miss.due_at) == (1, at(2026, 11, 30, 17, 0))

    clock.now = at(2026, 12, 1, 11, 0)
    services.conversation_answer(conversation=conversation, by=manager, body="Sorry, sent.")
    assert Miss.objects.count() == 1
    kinds = list(ClockEvent.objects.values_list("kind", flat=True))
    assert kinds == [ClockEventKind.STARTED, ClockEventKind.ESCALATED, ClockEventKind.ANSWERED]


def test_an_assigned_conversation_escalates_to_its_assignee_only(alice, manager, clock):
    from tests.factories import manager_create

    other = manager_create("dewi@example.com")
    clock.now = at(2026, 11, 30, 9, 0)
    conversation = ask(alice)
    services.conversation_assign(conversation=conversation, to=other, by=manager, shown_name="Dewi")
    services.support_clocks_check(now=at(2026, 11, 30, 16, 0))

    recipients = Notification.objects.filter(kind=NotificationKind.SUPPORT_ESCALATED)
    assert list(recipients.values_list("recipient__email", flat=True)) == ["dewi@example.com"]


def test_a_late_answer_records_its_miss_without_the_beat_job(alice, manager, clock):
    clock.now = at(2026, 11, 30, 9, 0)
    conversation = ask(alice)
    clock.now = at(2026, 12, 3, 9, 0)
    services.conversation_answer(conversation=conversation, by=manager, body="Late, sorry.")
    assert Miss.objects.filter(conversation=conversation, answer_number=1).exists()


def test_another_contractors_conversation_is_a_404(alice, bob):
    conversation = ask(alice)
    with pytest.raises(Http404):
        selectors.conversation_get_for_user(user=bob, pk=conversation.pk)
    with pytest.raises(ValidationError):
        services.conversation_reply(conversation=conversation, by=bob, body="Me too")


def test_internal_notes_are_never_among_what_the_asker_reads(alice, manager):
    conversation = ask(alice)
    services.conversation_note(conversation=conversation, by=manager, body="Check the bank file")

    assert [m.body for m in selectors.message_list(conversation)] == [
        "My payout for last week has not arrived."
    ]
    with pytest.raises(Http404):
        selectors.internal_note_list_for_staff(user=alice, conversation=conversation)
    with pytest.raises(ValidationError):
        services.conversation_note(conversation=conversation, by=alice, body="Sneaky")


def test_contractors_cannot_answer_or_assign(alice, bob, manager):
    conversation = ask(alice)
    with pytest.raises(ValidationError):
        services.conversation_answer(conversation=conversation, by=bob, body="Paid!")
    with pytest.raises(ValidationError):
        services.conversation_assign(conversation=conversation, to=bob, by=manager)


def test_attachments_are_checked_by_content_not_by_name(alice):
    conversation = ask(
        alice,
        attachments=[pdf(), upload("screen.pdf", PNG), upload("photo.png", JPEG)],
    )
    types = sorted(Attachment.objects.values_list("content_type", flat=True))
    assert types == ["application/pdf", "image/jpeg", "image/png"]
    assert conversation.messages.get().attachments.count() == 3

    with pytest.raises(ValidationError) as refused:
        ask(alice, attachments=[upload("invoice.pdf", b"<html>not a pdf</html>")])
    assert "not a PDF, PNG or JPEG" in str(refused.value)
    assert Conversation.objects.count() == 1


def test_attachments_are_served_only_to_the_asker_and_staff(alice, bob, manager):
    ask(alice, attachments=[pdf()])
    attachment = Attachment.objects.get()
    assert selectors.attachment_get_for_user(user=alice, pk=attachment.pk) == attachment
    assert selectors.attachment_get_for_user(user=manager, pk=attachment.pk) == attachment
    with pytest.raises(Http404):
        selectors.attachment_get_for_user(user=bob, pk=attachment.pk)


def test_close_reopen_within_the_time_and_not_after(alice, manager, clock, settings):
    settings.SUPPORT_REOPEN_DAYS = 14
    clock.now = at(2026, 11, 30, 9, 0)
    conversation = ask(alice)
    services.conversation_answer(conversation=conversation, by=manager, body="Done.")
    services.conversation_close(conversation=conversation, by=alice)
    clock.now = at(2026, 12, 10, 9, 0)
    conversation = services.conversation_reopen(
        conversation=conversation, by=alice, body="It bounced."
    )
    assert conversation.status == ConversationStatus.WAITING_ON_SUPPORT
    assert conversation.due_at == at(2026, 12, 10, 17, 0)

    services.conversation_close(conversation=conversation, by=alice)
    clock.now += timedelta(days=15)
    with pytest.raises(ValidationError, match="no longer be reopened"):
        services.conversation_reopen(conversation=conversation, by=alice)


def test_rating_needs_an_answer_and_replaces_itself(alice, manager):
    conversation = ask(alice)
    with pytest.raises(ValidationError):
        services.conversation_rate(conversation=conversation, by=alice, score=5)
    services.conversation_answer(conversation=conversation, by=manager, body="Done.")
    services.conversation_rate(conversation=conversation, by=alice, score=2)
    rating = services.conversation_rate(conversation=conversation, by=alice, score=4, comment="ok")
    assert (rating.score, rating.comment) == (4, "ok")
    with pytest.raises(ValidationError):
        services.conversation_rate(conversation=conversation, by=alice, score=6)


def test_an_applicant_can_ask_and_staff_cannot(applicant, manager):
    assert ask(applicant, category=Category.ACCOUNT).contractor == applicant
    with pytest.raises(ValidationError):
        ask(manager)


def test_a_question_can_only_be_about_the_askers_own_records(alice):
    with pytest.raises(ValidationError) as refused:
        ask(alice, about_kind="project", about_id=999999)
    assert "about" in refused.value.message_dict


def test_the_answer_reaches_the_asker_in_their_language_and_says_to_reply_on_the_site(
    alice, manager, settings, django_capture_on_commit_callbacks
):
    """A real SMTP round trip: the email has no Reply-To, comes from the no-reply sender,
    and says plainly that replies are not read and where to answer instead, so no reply
    is lost without the writer being told."""
    alice.language = "id"
    alice.save(update_fields=["language"])
    conversation = ask(alice)
    with smtp_server() as (inbox, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        with django_capture_on_commit_callbacks(execute=True):
            services.conversation_answer(
                conversation=conversation, by=manager, body="Dikirim hari ini."
            )
    (email,) = inbox.to("alice@example.com")
    assert email["Reply-To"] is None
    assert email["From"] == settings.DEFAULT_FROM_EMAIL
    body = email.get_content()
    url = f"{settings.SITE_URL}/help/{conversation.pk}/"
    assert url in body
    assert "Dikirim hari ini." in body
    notice = Notification.objects.get(kind=NotificationKind.SUPPORT_ANSWERED)
    assert (notice.recipient, notice.language, notice.link) == (
        alice,
        "id",
        f"/help/{conversation.pk}/",
    )


def test_the_answer_email_tells_the_reader_replies_are_not_read(
    alice, manager, outbox, django_capture_on_commit_callbacks
):
    conversation = ask(alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_answer(conversation=conversation, by=manager, body="Sent.")
    (email,) = outbox
    assert "Replies to this email are not read." in email.body
    assert email.reply_to == []


def test_the_beat_task_escalates_once(alice, manager, clock):
    from portal.support.tasks import support_clocks_check

    clock.now = at(2026, 11, 30, 9, 0)
    ask(alice)
    clock.now = at(2026, 11, 30, 15, 30)
    assert support_clocks_check.delay().get() == [1, 0]
    assert support_clocks_check.delay().get() == [0, 0]
    clock.now = at(2026, 12, 1, 9, 30)
    assert support_clocks_check.delay().get() == [0, 1]
    assert support_clocks_check.delay().get() == [0, 0]
