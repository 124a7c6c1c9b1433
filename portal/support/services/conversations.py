"""Every change to a support conversation: asked, answered, assigned, noted, closed, rated."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import NotificationKind
from portal.notifications.services import Notice, notify
from portal.people import shown_name
from portal.support import about
from portal.support.attachments import MAX_FILES, inspect_attachment
from portal.support.clock import target_minutes
from portal.support.inbound import reply_address
from portal.support.models import (
    AboutKind,
    Attachment,
    Conversation,
    ConversationStatus,
    InternalNote,
    Message,
    Rating,
)
from portal.support.services.clocks import (
    CLOCK_FIELDS,
    _clock_set,
    _clock_start,
    _clock_started_event,
    _clock_stop,
    _is_support_staff,
    _locked,
)


def _shown_name(user) -> str:
    """How a staff member is named to askers when no other name was given: the name they
    chose, or blank for the neutral name (``portal.people``); never their email address."""
    return (user.display_name or "").strip()


# --- Messages and attachments -----------------------------------------------------------


def _message_add(
    conversation: Conversation,
    *,
    by,
    body: str,
    attachments: Sequence[UploadedFile],
    from_staff: bool,
    at: datetime,
) -> Message:
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    if len(attachments) > MAX_FILES:
        raise ValidationError(
            {"attachments": _("Attach at most %(count)d files.") % {"count": MAX_FILES}}
        )
    checked = []
    for upload in attachments:
        try:
            checked.append((upload, inspect_attachment(upload)))
        except ValidationError as exc:
            raise ValidationError({"attachments": exc.messages}) from exc
    message = Message.objects.create(
        conversation=conversation,
        author=by,
        from_staff=from_staff,
        author_name=(conversation.assignee_name or _shown_name(by)) if from_staff else "",
        body=body,
        created_at=at,
    )
    for upload, content_type in checked:
        Attachment.objects.create(
            message=message,
            file=upload,
            original_name=(upload.name or "file")[-200:],
            content_type=content_type,
            size=upload.size or 0,
        )
    conversation.last_message_at = at
    return message


# --- The asker's side ----------------------------------------------------------------------


@transaction.atomic
def conversation_open(
    *,
    by,
    category: str,
    subject: str,
    body: str,
    about_kind: str = AboutKind.NOTHING,
    about_id: int | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> Conversation:
    """Ask a question; the clock on its first answer starts now."""
    if by.is_staff:
        raise ValidationError(_("Staff answer questions in the admin; they do not ask them here."))
    if not subject.strip():
        raise ValidationError({"subject": _("Say in a few words what it is about.")})
    if about_kind and about.about_get_for_user(user=by, kind=about_kind, id=about_id or 0) is None:
        raise ValidationError(
            {"about": _("Choose one of your own payouts, weeks, projects or cases.")}
        )
    now = timezone.now()
    conversation = Conversation(
        contractor=by,
        category=category,
        subject=subject.strip(),
        language=by.language or settings.LANGUAGE_CODE,
        about_kind=about_kind or AboutKind.NOTHING,
        about_id=about_id if about_kind else None,
        opened_at=now,
        last_message_at=now,
        first_target_minutes=target_minutes(category),
    )
    _clock_set(conversation, at=now)
    conversation.full_clean(exclude=["contractor"])
    conversation.save()
    _clock_started_event(conversation, at=now, by=by)
    _message_add(conversation, by=by, body=body, attachments=attachments, from_staff=False, at=now)
    return conversation


def _own(conversation: Conversation, by) -> None:
    if conversation.contractor_id != by.pk:
        raise ValidationError(_("This conversation is not yours."))


@transaction.atomic
def conversation_reply(
    *, conversation: Conversation, by, body: str, attachments: Sequence[UploadedFile] = ()
) -> Message:
    """The asker writes again; if they had been answered, the clock on the next answer starts."""
    conversation = _locked(conversation)
    _own(conversation, by)
    if conversation.is_closed:
        raise ValidationError(_("This conversation is closed. Reopen it to write again."))
    now = timezone.now()
    message = _message_add(
        conversation, by=by, body=body, attachments=attachments, from_staff=False, at=now
    )
    if conversation.status == ConversationStatus.WAITING_ON_CONTRACTOR:
        conversation.status = ConversationStatus.WAITING_ON_SUPPORT
        _clock_start(conversation, at=now, by=by)
    conversation.save(update_fields=CLOCK_FIELDS)
    return message


@transaction.atomic
def conversation_close(*, conversation: Conversation, by) -> Conversation:
    """Close a conversation (the asker, or support staff); a running clock stops."""
    conversation = _locked(conversation)
    if conversation.contractor_id != by.pk and not _is_support_staff(by):
        raise ValidationError(_("This conversation is not yours."))
    if not conversation.can_transition_to(ConversationStatus.CLOSED):
        raise ValidationError(_("This conversation is already closed."))
    now = timezone.now()
    if conversation.status == ConversationStatus.WAITING_ON_SUPPORT:
        _clock_stop(conversation, at=now, by=by, answered=False)
    conversation.status = ConversationStatus.CLOSED
    conversation.closed_at = now
    conversation.save(update_fields=CLOCK_FIELDS)
    return conversation


def reopen_deadline(conversation: Conversation) -> datetime | None:
    if conversation.closed_at is None:
        return None
    return conversation.closed_at + timedelta(days=settings.SUPPORT_REOPEN_DAYS)


def can_reopen(conversation: Conversation) -> bool:
    deadline = reopen_deadline(conversation)
    return deadline is not None and timezone.now() <= deadline


@transaction.atomic
def conversation_reopen(*, conversation: Conversation, by, body: str = "") -> Conversation:
    """The asker reopens a closed conversation within SUPPORT_REOPEN_DAYS; the clock restarts."""
    conversation = _locked(conversation)
    _own(conversation, by)
    if not conversation.is_closed:
        raise ValidationError(_("This conversation is not closed."))
    deadline = reopen_deadline(conversation)
    now = timezone.now()
    if deadline is not None and now > deadline:
        raise ValidationError(
            _("This conversation can no longer be reopened. Ask a new question instead.")
        )
    if body.strip():
        _message_add(conversation, by=by, body=body, attachments=(), from_staff=False, at=now)
    conversation.status = ConversationStatus.WAITING_ON_SUPPORT
    conversation.closed_at = None
    _clock_start(conversation, at=now, by=by)
    conversation.save(update_fields=CLOCK_FIELDS)
    return conversation


@transaction.atomic
def conversation_rate(*, conversation: Conversation, by, score: int, comment: str = "") -> Rating:
    """The asker rates the answers from 1 to 5; rating again replaces the rating."""
    conversation = _locked(conversation)
    _own(conversation, by)
    if conversation.first_answered_at is None:
        raise ValidationError(_("You can rate the answer once there is one."))
    if not 1 <= score <= 5:
        raise ValidationError({"score": _("Choose a rating from 1 to 5.")})
    rating, _created = Rating.objects.update_or_create(
        conversation=conversation,
        defaults={"score": score, "comment": comment.strip(), "rated_at": timezone.now()},
    )
    return rating


# --- The support team's side ------------------------------------------------------------------


def _staff_only(by) -> None:
    if not _is_support_staff(by):
        raise ValidationError(_("Only support staff can do this."))


@transaction.atomic
def conversation_assign(
    *, conversation: Conversation, to, by, shown_name: str = ""
) -> Conversation:
    """Give a conversation to a named staff member; the asker sees that name on answers."""
    conversation = _locked(conversation)
    _staff_only(by)
    if not _is_support_staff(to):
        raise ValidationError(
            {"to": _("%(person)s cannot answer support questions.") % {"person": to.email}}
        )
    conversation.assignee = to
    conversation.assignee_name = shown_name.strip() or _shown_name(to)
    conversation.save(update_fields=["assignee", "assignee_name"])
    return conversation


@transaction.atomic
def conversation_answer(
    *, conversation: Conversation, by, body: str, attachments: Sequence[UploadedFile] = ()
) -> Message:
    """Support answers: the clock stops, the asker is told in-app and by email."""
    conversation = _locked(conversation)
    _staff_only(by)
    if conversation.is_closed:
        raise ValidationError(_("This conversation is closed; the asker can reopen it."))
    if conversation.assignee_id is None:
        conversation.assignee = by
        conversation.assignee_name = _shown_name(by)
    now = timezone.now()
    message = _message_add(
        conversation, by=by, body=body, attachments=attachments, from_staff=True, at=now
    )
    if conversation.status == ConversationStatus.WAITING_ON_SUPPORT:
        _clock_stop(conversation, at=now, by=by, answered=True)
        conversation.status = ConversationStatus.WAITING_ON_CONTRACTOR
    conversation.save(update_fields=[*CLOCK_FIELDS, "assignee", "assignee_name"])
    _answer_notify(conversation, message)
    return message


def _answer_notify(conversation: Conversation, message: Message) -> None:
    link = conversation.get_absolute_url()
    url = f"{settings.SITE_URL}{link}"
    reply_to = reply_address(conversation.pk, conversation.contractor.email)

    def notice() -> Notice:
        values = {"name": shown_name(message.author_name), "subject": conversation.subject}
        if reply_to:
            email_body = _(
                "%(name)s answered your question “%(subject)s”:\n\n%(answer)s\n\n"
                "To reply, answer this email (write above the quoted text) or write on the "
                "site: %(url)s\n\n"
                "Either way your reply joins this conversation and starts the clock on the "
                "team's next answer.\n"
            )
        else:
            email_body = _(
                "%(name)s answered your question “%(subject)s”:\n\n%(answer)s\n\n"
                "To reply, write on the site: %(url)s\n\n"
                "Replies to this email are not read. Only what you write on the site "
                "reaches the support team and starts the clock on their next answer.\n"
            )
        return Notice(
            title=_("%(name)s answered your question “%(subject)s”") % values,
            body=message.body,
            email_body=email_body % {**values, "answer": message.body, "url": url},
        )

    notify(
        recipients=get_user_model().objects.filter(pk=conversation.contractor_id),
        kind=NotificationKind.SUPPORT_ANSWERED,
        notice=notice,
        link=link,
        topic=f"support-answer:{message.pk}",
        reply_to=reply_to,
    )


@transaction.atomic
def conversation_note(*, conversation: Conversation, by, body: str) -> InternalNote:
    """A note for staff only; it does not touch the clock."""
    _staff_only(by)
    if not body.strip():
        raise ValidationError({"body": _("Write the note.")})
    return InternalNote.objects.create(conversation=conversation, author=by, body=body.strip())
