"""Replies to support answers that arrive by email, from a mailbox or a mail webhook.

Every message is recorded, whatever becomes of it. One the conversation can
take is added as the asker's reply, through the same services as a reply on
the site; one it cannot take is answered, through the outbox, with the reason
and a link to the site, so an email reply is never lost without its sender
knowing. Automatic emails and ones whose sender the mail server could not
confirm are refused without an answer; staff see them in the admin.
"""

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.notifications.outbox import outbox_enqueue
from portal.support.attachments import MAX_FILES, inspect_attachment
from portal.support.inbound import (
    ParsedReply,
    is_inbound_address,
    parse_reply,
    token_conversation_id,
    token_is_valid,
)
from portal.support.models import (
    Conversation,
    InboundEmail,
    InboundOutcome,
    InboundRefusal,
    Message,
)
from portal.support.services.conversations import (
    can_reopen,
    conversation_reopen,
    conversation_reply,
)


class _Refused(Exception):
    def __init__(self, refusal: str, reason: str = "") -> None:
        super().__init__(refusal, reason)
        self.refusal, self.reason = refusal, reason


def support_reply_by_email(*, raw_message: bytes) -> InboundEmail:
    """Add an emailed reply to its conversation, or refuse it and tell the sender why.

    Reading the same message again (same Message-ID) changes nothing and returns
    the first reading's record.
    """
    return _receive_once(parse_reply(raw_message))


def support_reply_too_large(*, raw_start: bytes) -> InboundEmail:
    """Record an email larger than ``SUPPORT_INBOUND_MAX_BYTES`` as refused, from the headers
    at its start alone: its text and files are never read."""
    head = re.split(rb"\r?\n\r?\n", raw_start[: settings.SUPPORT_INBOUND_MAX_BYTES], maxsplit=1)[0]
    parsed = replace(parse_reply(head + b"\n\n"), text="", files=[], too_large=True)
    return _receive_once(parsed)


def _receive_once(parsed: ParsedReply) -> InboundEmail:
    existing = InboundEmail.objects.filter(message_id=parsed.message_id).first()
    if existing is not None:
        return existing
    try:
        return _receive(parsed)
    except IntegrityError:
        # Another reader recorded the same message first; its record stands alone.
        return InboundEmail.objects.get(message_id=parsed.message_id)


# Refusals never answered: an automatic email must not start two robots writing to each
# other, and the sender of an unverified one may be forged (the answer would go to
# someone who never wrote).
_UNANSWERED = {InboundRefusal.AUTOMATIC, InboundRefusal.UNVERIFIED_SENDER}


@transaction.atomic
def _receive(parsed: ParsedReply) -> InboundEmail:
    conversation = _conversation(parsed)
    record = InboundEmail(
        message_id=parsed.message_id,
        sender=parsed.sender,
        subject=parsed.subject,
        conversation=conversation,
        body=parsed.text,
    )
    try:
        _check(parsed, conversation)
        assert conversation is not None
        asker = conversation.contractor
        with translation.override(_language(asker, conversation)):
            files, left_out = _checked_files(parsed.files)
            # A savepoint: a reply refused after the reopening leaves it closed.
            with transaction.atomic():
                record.added_message = _add(conversation, asker, parsed, files)
            text = _files_left_out_text(left_out, conversation) if left_out else ""
        record.outcome, record.detail = InboundOutcome.ADDED, text
        record.save()
        if left_out:
            _tell_sender(record, asker, text, automatic=parsed.automatic)
    except _Refused as refused:
        record.outcome, record.refusal = InboundOutcome.REFUSED, refused.refusal
        record.save()
        reader = _reader(parsed.sender, conversation)
        with translation.override(_language(reader, conversation)):
            text = _refusal_text(record, refused, conversation)
        record.detail = text
        record.save(update_fields=["detail"])
        quiet = parsed.automatic or refused.refusal in _UNANSWERED
        _tell_sender(record, reader, text, automatic=quiet)
    return record


def _check(parsed: ParsedReply, conversation: Conversation | None) -> None:
    """Refuse, before anything is reopened or added, what the conversation must not take."""
    if parsed.automatic:
        raise _Refused(InboundRefusal.AUTOMATIC)
    if not parsed.sender_verified:
        raise _Refused(InboundRefusal.UNVERIFIED_SENDER)
    if parsed.too_large:
        raise _Refused(InboundRefusal.TOO_LARGE)
    if conversation is None:
        raise _Refused(InboundRefusal.BAD_ADDRESS)
    if parsed.sender != conversation.contractor.email.lower():
        raise _Refused(InboundRefusal.UNKNOWN_SENDER)
    if not parsed.text:
        raise _Refused(InboundRefusal.EMPTY)


def _conversation(parsed: ParsedReply) -> Conversation | None:
    """The conversation of the first token signed for it and for its asker's address."""
    for token in parsed.tokens:
        conversation_id = token_conversation_id(token)
        if conversation_id is None:
            continue
        conversation = (
            Conversation.objects.select_related("contractor").filter(pk=conversation_id).first()
        )
        if conversation is not None and token_is_valid(
            token, conversation_id=conversation.pk, email=conversation.contractor.email
        ):
            return conversation
    return None


def _add(
    conversation: Conversation,
    asker: Any,
    parsed: ParsedReply,
    files: Sequence["UploadedFile[bytes]"],
) -> Message:
    try:
        if conversation.is_closed:
            if not can_reopen(conversation):
                raise _Refused(InboundRefusal.CLOSED)
            conversation_reopen(conversation=conversation, by=asker)
        return conversation_reply(
            conversation=conversation, by=asker, body=parsed.text, attachments=files
        )
    except ValidationError as exc:
        raise _Refused(InboundRefusal.REFUSED, " ".join(exc.messages)) from exc


def _checked_files(
    files: Sequence["UploadedFile[bytes]"],
) -> tuple[list["UploadedFile[bytes]"], list[str]]:
    """The files a reply on the site could carry, and a line for each one left out."""
    kept: list[UploadedFile[bytes]] = []
    left_out: list[str] = []
    for upload in files:
        try:
            inspect_attachment(upload)
        except ValidationError as exc:
            left_out.append(f"{upload.name}: {' '.join(exc.messages)}")
            continue
        if len(kept) == MAX_FILES:
            left_out.append(
                _("%(name)s: a reply carries at most %(count)d files.")
                % {"name": upload.name, "count": MAX_FILES}
            )
            continue
        kept.append(upload)
    return kept, left_out


def _reader(sender: str, conversation: Conversation | None) -> Any:
    if conversation is not None and conversation.contractor.email.lower() == sender:
        return conversation.contractor
    if not sender:
        return None
    return get_user_model().objects.filter(email__iexact=sender).first()


def _language(reader: Any, conversation: Conversation | None) -> str:
    if reader is not None and reader.language:
        return str(reader.language)
    if conversation is not None and conversation.language:
        return conversation.language
    return settings.LANGUAGE_CODE


def _link(conversation: Conversation | None, reader: Any) -> str:
    # Only the asker is pointed at the conversation; anyone else at the help pages.
    if conversation is not None and reader is not None and conversation.contractor_id == reader.pk:
        return f"{settings.SITE_URL}{conversation.get_absolute_url()}"
    return f"{settings.SITE_URL}{reverse('support:index')}"


def _refusal_text(
    record: InboundEmail, refused: _Refused, conversation: Conversation | None
) -> str:
    # The subject is the sender's own text: it stays in the record for staff but is
    # never written back, so the reply address cannot carry someone's words to another.
    reader = _reader(record.sender, conversation)
    values = {
        "url": _link(conversation, reader),
        "days": settings.SUPPORT_REOPEN_DAYS,
        "reason": refused.reason,
        "size": filesizeformat(settings.SUPPORT_INBOUND_MAX_BYTES),
    }
    reasons = {
        InboundRefusal.BAD_ADDRESS: _(
            "It was not sent to the reply address of one of our answers, so we cannot tell "
            "which question it belongs to."
        ),
        InboundRefusal.UNKNOWN_SENDER: _(
            "It came from an address other than the one the question was asked from, so it "
            "was not added to the conversation."
        ),
        InboundRefusal.CLOSED: _(
            "The conversation was closed more than %(days)d days ago and can no longer be "
            "reopened; please ask a new question."
        ),
        InboundRefusal.EMPTY: _(
            "We found no text of yours once the quoted email was taken out. Write your reply "
            "above the quoted text."
        ),
        InboundRefusal.AUTOMATIC: _(
            "It was sent automatically (an out-of-office reply, a delivery report or a "
            "mailing list), so it was not added to the conversation."
        ),
        InboundRefusal.UNVERIFIED_SENDER: _(
            "Our mail server could not confirm that it was sent from the address it shows "
            "(neither DMARC nor DKIM passed), so it was not added to the conversation."
        ),
        InboundRefusal.TOO_LARGE: _(
            "It is larger than the %(size)s an email to the support team can be, so it was "
            "not read. Large files can be added on the site."
        ),
        InboundRefusal.REFUSED: "%(reason)s",
    }
    reason = reasons[InboundRefusal(refused.refusal)] % values
    return _(
        "Your email to the support team was not added to a conversation.\n\n"
        "%(reason)s\n\n"
        "Nothing you wrote is lost: you can write it on the site instead, where the clock on "
        "the team's next answer starts as soon as you send:\n%(url)s\n"
    ) % {**values, "reason": reason}


def _files_left_out_text(left_out: list[str], conversation: Conversation) -> str:
    return _(
        "Your reply was added to the conversation, but these files were not:\n\n"
        "%(files)s\n\n"
        "A reply can carry PDF, PNG and JPEG files. You can add them on the site:\n%(url)s\n"
    ) % {
        "files": "\n".join(f"- {line}" for line in left_out),
        "url": f"{settings.SITE_URL}{conversation.get_absolute_url()}",
    }


def _tell_sender(record: InboundEmail, reader: Any, text: str, *, automatic: bool) -> None:
    # Automatic mail (out-of-office, bounces) and mail from our own address are
    # recorded but not answered, so two robots never write to each other for ever.
    if not record.sender or automatic or is_inbound_address(record.sender):
        return
    # Mail that names no conversation, from an address no account has, is most
    # likely spam with a forged sender: answering it would write to a stranger.
    # Staff still see it among the email replies in the admin.
    if reader is None and record.conversation_id is None:
        return
    with translation.override(_language(reader, record.conversation)):
        subject = _("Your email to the support team")
    outbox_enqueue(
        to=record.sender, subject=subject, body=text, topic=f"support-inbound:{record.pk}"
    )
    record.told_sender = True
    record.save(update_fields=["told_sender"])
