"""Replies to support answers by email: the reply address, reading a reply, refusals, the
webhook and the mailbox command."""

import mailbox
from datetime import timedelta
from email.message import EmailMessage

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal.models import OutboundEmail
from portal.support import services
from portal.support.checks import check_inbound_sender_authentication
from portal.support.inbound import (
    new_text,
    reply_address,
    reply_token,
    sender_verified,
    token_is_valid,
)
from portal.support.models import (
    Attachment,
    ConversationStatus,
    InboundEmail,
    InboundOutcome,
    InboundRefusal,
    Message,
)
from portal.support.services import inbound as inbound_services
from tests.factories import pdf_bytes
from tests.portal.support_helpers import PNG, ask

pytestmark = pytest.mark.django_db

SECRET = "a-webhook-secret-of-enough-length-0123"


@pytest.fixture(autouse=True)
def _inbound(settings):
    settings.SUPPORT_INBOUND_LOCALPART = "support"
    settings.SUPPORT_INBOUND_DOMAIN = "reply.example.com"
    settings.SUPPORT_INBOUND_SECRET = SECRET


@pytest.fixture
def answered(alice, manager):
    conversation = ask(alice)
    services.conversation_answer(conversation=conversation, by=manager, body="Sent on Monday.")
    conversation.refresh_from_db()
    return conversation


def reply(
    conversation,
    *,
    sender: str,
    text: str = "Thanks, but it has still not arrived.",
    to: str | None = None,
    message_id: str = "<reply-1@mail.example.net>",
    files: tuple[tuple[str, str, bytes], ...] = (),
    headers: dict[str, str] | None = None,
) -> bytes:
    """A reply as a mail program writes it: new text on top, the answer quoted below."""
    message = EmailMessage()
    message["From"] = f"Someone <{sender}>"
    message["To"] = to or reply_address(conversation.pk, conversation.contractor.email)
    message["Subject"] = "Re: Where is my payout?"
    message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(
        f"{text}\n\nOn Mon, 30 Nov 2026 at 10:00, Support <noreply@localhost> wrote:\n"
        "> Sent on Monday.\n>\n> To reply, answer this email.\n"
    )
    for name, content_type, content in files:
        main, sub = content_type.split("/")
        message.add_attachment(content, maintype=main, subtype=sub, filename=name)
    return message.as_bytes()


def told(address: str) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(to=address, topic__startswith="support-inbound:"))


# --- The reply address ------------------------------------------------------------------------


def test_the_answer_email_replies_to_a_signed_address_of_its_conversation(
    alice, manager, outbox, django_capture_on_commit_callbacks
):
    conversation = ask(alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_answer(conversation=conversation, by=manager, body="Sent.")

    (email,) = outbox
    (address,) = email.reply_to
    assert address == f"support+{reply_token(conversation.pk, alice.email)}@reply.example.com"
    assert "answer this email" in email.body
    assert f"/help/{conversation.pk}/" in email.body
    token = address.split("+", 1)[1].split("@")[0]
    for given in (token, token.upper()):
        assert token_is_valid(given, conversation_id=conversation.pk, email=alice.email)
        assert token_is_valid(given, conversation_id=conversation.pk, email=alice.email.upper())


@pytest.mark.parametrize(
    "token",
    [
        "c1-" + "0" * 32,
        "c2-" + "f" * 32,
        "c1",
        "",
        "c99999999999999999999-" + "0" * 32,
    ],
)
def test_a_made_up_or_altered_token_names_no_conversation(token):
    assert not token_is_valid(token, conversation_id=1, email="alice@example.com")


def test_a_token_signed_for_one_conversation_does_not_open_another():
    signature = reply_token(1, "alice@example.com").split("-", 1)[1]
    assert not token_is_valid(f"c2-{signature}", conversation_id=2, email="alice@example.com")


def test_a_token_signed_for_another_address_does_not_open_the_conversation():
    token = reply_token(1, "old@example.com")
    assert not token_is_valid(token, conversation_id=1, email="alice@example.com")


def test_without_an_inbound_address_answers_say_to_reply_on_the_site(
    alice, manager, outbox, settings, django_capture_on_commit_callbacks
):
    settings.SUPPORT_INBOUND_LOCALPART = settings.SUPPORT_INBOUND_DOMAIN = ""
    conversation = ask(alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_answer(conversation=conversation, by=manager, body="Sent.")

    (email,) = outbox
    assert email.reply_to == []
    assert "Replies to this email are not read." in email.body
    assert f"/help/{conversation.pk}/" in email.body


# --- Reading what a reply says ----------------------------------------------------------------


@pytest.mark.parametrize(
    "intro",
    [
        "On Mon, 30 Nov 2026 at 10:00, Support <support@example.com> wrote:",
        "Pada Sen, 30 Nov 2026 pukul 10.00, Support <support@example.com> menulis:",
        "Vào Th 2, 30 thg 11, 2026 lúc 10:00 Support <support@example.com> đã viết:",
        "Support <support@example.com> 於 2026年11月30日 週一 上午10:00寫道：",
        "在 2026年11月30日 10:00，Support <support@example.com> 写道：",
    ],
)
def test_the_quoted_answer_is_left_out_in_every_language(intro):
    text = f"It has still not arrived.\n\n{intro}\n> Sent on Monday.\nUnquoted tail of the answer"
    assert new_text(text) == "It has still not arrived."


def test_an_intro_broken_over_two_lines_and_a_signature_are_left_out():
    text = (
        "First line.\n> a quoted line in between\nSecond line.\n\n-- \nAlice\n+62 555\n"
        "On Mon, 30 Nov 2026 at 10:00, Support\n<support@example.com> wrote:\n> old"
    )
    assert new_text(text) == "First line.\nSecond line."
    assert new_text("Mine.\nOn Monday, Support <s@example.com>\nwrote:\nold answer") == "Mine."


# --- The service ------------------------------------------------------------------------------


def test_a_reply_by_email_continues_the_conversation_and_restarts_the_clock(alice, answered):
    record = services.support_reply_by_email(raw_message=reply(answered, sender=alice.email))

    assert (record.outcome, record.refusal) == (InboundOutcome.ADDED, "")
    answered.refresh_from_db()
    assert answered.status == ConversationStatus.WAITING_ON_SUPPORT
    assert answered.clock_started_at is not None and answered.answer_number == 2
    last = answered.messages.last()
    assert (last.author, last.from_staff) == (alice, False)
    assert last.body == "Thanks, but it has still not arrived."
    assert record.added_message == last
    assert told(alice.email) == []


def test_the_sender_address_is_compared_without_regard_to_case(alice, answered):
    raw = reply(answered, sender=alice.email.upper())
    assert services.support_reply_by_email(raw_message=raw).outcome == InboundOutcome.ADDED


def test_the_same_email_read_twice_adds_one_reply(alice, answered):
    raw = reply(answered, sender=alice.email)
    first = services.support_reply_by_email(raw_message=raw)
    again = services.support_reply_by_email(raw_message=raw)

    assert again.pk == first.pk
    assert Message.objects.filter(conversation=answered, from_staff=False).count() == 2
    assert InboundEmail.objects.count() == 1


def test_an_email_without_a_message_id_is_still_read_once(alice, answered):
    raw = reply(answered, sender=alice.email).replace(
        b"Message-ID: <reply-1@mail.example.net>\n", b""
    )
    services.support_reply_by_email(raw_message=raw)
    services.support_reply_by_email(raw_message=raw)
    assert Message.objects.filter(conversation=answered, from_staff=False).count() == 2


def test_a_reply_to_a_closed_conversation_reopens_it_within_the_window(alice, answered):
    services.conversation_close(conversation=answered, by=alice)
    record = services.support_reply_by_email(raw_message=reply(answered, sender=alice.email))

    assert record.outcome == InboundOutcome.ADDED
    answered.refresh_from_db()
    assert answered.status == ConversationStatus.WAITING_ON_SUPPORT
    assert answered.closed_at is None


def test_a_reply_after_the_reopen_window_is_refused_and_the_asker_told(
    alice, answered, settings, monkeypatch
):
    services.conversation_close(conversation=answered, by=alice)
    later = timezone.now() + timedelta(days=settings.SUPPORT_REOPEN_DAYS + 1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    record = services.support_reply_by_email(raw_message=reply(answered, sender=alice.email))

    assert (record.outcome, record.refusal) == (InboundOutcome.REFUSED, InboundRefusal.CLOSED)
    answered.refresh_from_db()
    assert answered.status == ConversationStatus.CLOSED
    (notice,) = told(alice.email)
    assert "can no longer be reopened" in notice.body
    assert f"/help/{answered.pk}/" in notice.body
    assert record.told_sender and record.body == "Thanks, but it has still not arrived."


def test_someone_else_replying_with_the_address_is_refused_and_told(alice, bob, answered):
    record = services.support_reply_by_email(raw_message=reply(answered, sender=bob.email))

    assert (record.outcome, record.refusal) == (
        InboundOutcome.REFUSED,
        InboundRefusal.UNKNOWN_SENDER,
    )
    assert Message.objects.filter(conversation=answered).count() == 2
    (notice,) = told(bob.email)
    assert "other than the one the question was asked from" in notice.body
    # Someone else is pointed at the help pages, not at the asker's conversation.
    assert f"/help/{answered.pk}/" not in notice.body
    assert "/help/" in notice.body


def test_a_forged_token_bounces_with_a_notice(alice, answered):
    forged = f"support+c{answered.pk}-{'0' * 32}@reply.example.com"
    record = services.support_reply_by_email(
        raw_message=reply(answered, sender=alice.email, to=forged)
    )

    assert (record.outcome, record.refusal, record.conversation) == (
        InboundOutcome.REFUSED,
        InboundRefusal.BAD_ADDRESS,
        None,
    )
    (notice,) = told(alice.email)
    assert "not sent to the reply address" in notice.body
    assert Message.objects.filter(conversation=answered).count() == 2


def test_a_forged_address_from_a_stranger_is_recorded_but_not_answered(answered):
    forged = f"support+c{answered.pk}-{'0' * 32}@reply.example.com"
    record = services.support_reply_by_email(
        raw_message=reply(answered, sender="someone@spam.example", to=forged)
    )

    assert (record.outcome, record.refusal) == (InboundOutcome.REFUSED, InboundRefusal.BAD_ADDRESS)
    assert record.sender == "someone@spam.example" and not record.told_sender
    assert not OutboundEmail.objects.filter(topic__startswith="support-inbound:").exists()


def test_a_reply_with_nothing_above_the_quote_is_refused(alice, answered):
    record = services.support_reply_by_email(
        raw_message=reply(answered, sender=alice.email, text="")
    )
    assert record.refusal == InboundRefusal.EMPTY
    (notice,) = told(alice.email)
    assert "above the quoted text" in notice.body


@pytest.mark.parametrize(
    ("sender", "headers"),
    [
        ("alice", {"Auto-Submitted": "auto-replied"}),
        ("alice", {"Precedence": "bulk"}),
        ("alice", {"Return-Path": "<>"}),
        ("MAILER-DAEMON@mail.example.net", {}),
    ],
)
def test_an_automatic_reply_is_recorded_but_never_answered(alice, answered, sender, headers):
    sender = alice.email if sender == "alice" else sender
    raw = reply(answered, sender=sender, text="", headers=headers)
    record = services.support_reply_by_email(raw_message=raw)
    assert record.outcome == InboundOutcome.REFUSED
    assert not record.told_sender
    assert not OutboundEmail.objects.filter(topic__startswith="support-inbound:").exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "auto_reply"},
        {"Precedence": "list"},
        {"Return-Path": "<>"},
    ],
)
def test_an_automatic_email_with_text_neither_reopens_nor_joins_the_conversation(
    alice, answered, headers
):
    services.conversation_close(conversation=answered, by=alice)
    raw = reply(answered, sender=alice.email, text="I am out of the office until Monday.")

    record = services.support_reply_by_email(raw_message=reply_with(raw, headers))

    assert (record.outcome, record.refusal) == (InboundOutcome.REFUSED, InboundRefusal.AUTOMATIC)
    answered.refresh_from_db()
    assert answered.status == ConversationStatus.CLOSED
    assert Message.objects.filter(conversation=answered).count() == 2
    assert record.body == "I am out of the office until Monday." and not record.told_sender
    assert not OutboundEmail.objects.filter(topic__startswith="support-inbound:").exists()


def test_a_bounce_from_the_mail_system_is_refused_as_automatic(alice, answered):
    raw = reply(answered, sender="mailer-daemon@mail.example.net", text="Delivery failed.")
    record = services.support_reply_by_email(raw_message=raw)
    assert record.refusal == InboundRefusal.AUTOMATIC and not record.told_sender


def reply_with(raw: bytes, headers: dict[str, str]) -> bytes:
    """The message with headers added on top, where a mail server puts them."""
    return b"".join(f"{name}: {value}\n".encode() for name, value in headers.items()) + raw


def test_a_refusal_never_writes_the_senders_subject_back(alice, bob, answered):
    spam = "Cheap pills at https://spam.example/buy"
    raw = reply(answered, sender=bob.email).replace(
        b"Subject: Re: Where is my payout?", f"Subject: {spam}".encode()
    )

    record = services.support_reply_by_email(raw_message=raw)

    (notice,) = told(bob.email)
    assert "spam.example" not in notice.body and "spam.example" not in notice.subject
    assert "spam.example" not in record.detail
    assert record.subject == spam


def test_the_files_left_out_notice_does_not_quote_the_subject(alice, answered):
    raw = reply(
        answered, sender=alice.email, files=(("x.pdf", "application/pdf", b"<html></html>"),)
    ).replace(b"Subject: Re: Where is my payout?", b"Subject: Visit https://spam.example")

    services.support_reply_by_email(raw_message=raw)

    (notice,) = told(alice.email)
    assert "x.pdf" in notice.body and "spam.example" not in notice.body


def test_attachments_are_checked_by_content_and_the_bad_ones_reported(alice, answered):
    raw = reply(
        answered,
        sender=alice.email,
        files=(
            ("statement.pdf", "application/pdf", pdf_bytes()),
            ("screen.png", "image/png", PNG),
            ("invoice.pdf", "application/pdf", b"<html><script>alert(1)</script></html>"),
        ),
    )
    record = services.support_reply_by_email(raw_message=raw)

    assert record.outcome == InboundOutcome.ADDED
    kept = Attachment.objects.filter(message=record.added_message).order_by("pk")
    assert [(a.original_name, a.content_type) for a in kept] == [
        ("statement.pdf", "application/pdf"),
        ("screen.png", "image/png"),
    ]
    (notice,) = told(alice.email)
    assert "invoice.pdf" in notice.body and "statement.pdf" not in notice.body


# --- Who sent it -------------------------------------------------------------------------------

MX = "mx.reply.example.com"


@pytest.fixture
def authserv(settings):
    settings.SUPPORT_INBOUND_AUTHSERV_ID = MX


def test_a_reply_to_an_address_signed_for_another_email_is_refused(alice, bob, answered):
    to = reply_address(answered.pk, bob.email)
    record = services.support_reply_by_email(raw_message=reply(answered, sender=alice.email, to=to))

    assert (record.refusal, record.conversation) == (InboundRefusal.BAD_ADDRESS, None)
    assert Message.objects.filter(conversation=answered).count() == 2


def test_an_asker_who_changed_address_needs_a_new_reply_address(alice, answered):
    old_address = reply_address(answered.pk, alice.email)
    alice.email = "alice.new@example.com"
    alice.save(update_fields=["email"])
    answered.refresh_from_db()

    raw = reply(answered, sender=alice.email, to=old_address)
    assert services.support_reply_by_email(raw_message=raw).refusal == InboundRefusal.BAD_ADDRESS
    raw = reply(answered, sender=alice.email, message_id="<new@example.com>")
    assert services.support_reply_by_email(raw_message=raw).outcome == InboundOutcome.ADDED


@pytest.mark.usefixtures("authserv")
def test_a_forged_from_that_failed_dmarc_is_refused_and_not_answered(alice, answered):
    raw = reply_with(
        reply(answered, sender=alice.email),
        {
            "Authentication-Results": f"{MX}; spf=fail smtp.mailfrom=attacker.example; "
            "dkim=pass header.d=attacker.example; dmarc=fail (p=none) header.from=example.com"
        },
    )

    record = services.support_reply_by_email(raw_message=raw)

    assert (record.outcome, record.refusal) == (
        InboundOutcome.REFUSED,
        InboundRefusal.UNVERIFIED_SENDER,
    )
    assert Message.objects.filter(conversation=answered).count() == 2
    assert not record.told_sender and told(alice.email) == []
    assert "could not confirm" in record.detail


@pytest.mark.usefixtures("authserv")
@pytest.mark.parametrize(
    "results",
    [
        f"{MX}; spf=pass smtp.mailfrom=example.com; dmarc=pass (p=reject) header.from=example.com",
        f"{MX.upper()}; dkim=pass (2048-bit key) header.d=example.com header.s=s1",
        f'{MX} 1; dkim = pass header.d="example.com"; dmarc=none',
    ],
)
def test_a_reply_the_mail_server_vouches_for_is_added(alice, answered, results):
    raw = reply_with(reply(answered, sender=alice.email), {"Authentication-Results": results})
    assert services.support_reply_by_email(raw_message=raw).outcome == InboundOutcome.ADDED


@pytest.mark.usefixtures("authserv")
@pytest.mark.parametrize(
    "headers",
    [
        [],
        # Written by the sender: another server's name, or ours below our server's own.
        ["evil.example; dmarc=pass header.from=example.com"],
        [f"{MX}; dmarc=fail header.from=example.com", f"{MX}; dmarc=pass header.from=example.com"],
        [f"{MX}; none", f"{MX}; dmarc=pass header.from=example.com"],
        [f"{MX}; dkim=fail (dkim=pass header.d=example.com) header.d=example.com"],
        [f"{MX}; dkim=pass header.d=example.com.attacker.example"],
        [f"{MX}; dkim=pass header.d=attacker.example"],
        [f"{MX}; dmarc=pass header.from=attacker.example"],
        [f"{MX}; spf=pass smtp.mailfrom=example.com"],
        [f"mx.attacker.example; dmarc=pass; {MX}"],
    ],
)
def test_forged_or_failed_authentication_results_are_refused(alice, answered, headers):
    raw = reply(answered, sender=alice.email)
    for value in reversed(headers):
        raw = reply_with(raw, {"Authentication-Results": value})

    record = services.support_reply_by_email(raw_message=raw)

    assert record.refusal == InboundRefusal.UNVERIFIED_SENDER
    assert Message.objects.filter(conversation=answered).count() == 2


@pytest.mark.usefixtures("authserv")
def test_dkim_of_a_parent_domain_vouches_for_a_subdomain_sender():
    message = EmailMessage()
    message["Authentication-Results"] = f"{MX}; dkim=pass header.d=example.com"
    assert sender_verified(message, "alice@mail.example.com")
    assert not sender_verified(message, "alice@notexample.com")


def test_without_an_authserv_id_the_from_header_is_trusted_and_the_deploy_check_says_so(
    alice, answered, settings
):
    settings.SUPPORT_INBOUND_AUTHSERV_ID = ""
    raw = reply_with(
        reply(answered, sender=alice.email),
        {"Authentication-Results": "mx.example; dmarc=fail"},
    )
    assert services.support_reply_by_email(raw_message=raw).outcome == InboundOutcome.ADDED

    (warning,) = check_inbound_sender_authentication()
    assert warning.id == "support.W001" and "From header" in warning.msg
    settings.SUPPORT_INBOUND_AUTHSERV_ID = MX
    assert check_inbound_sender_authentication() == []
    settings.SUPPORT_INBOUND_AUTHSERV_ID = ""
    settings.SUPPORT_INBOUND_LOCALPART = settings.SUPPORT_INBOUND_DOMAIN = ""
    assert check_inbound_sender_authentication() == []


# --- The webhook ------------------------------------------------------------------------------


def post(client, raw: bytes, secret: str | None = SECRET):
    headers = {"X-Support-Inbound-Secret": secret} if secret is not None else {}
    return client.post(
        reverse("support-inbound"), data=raw, content_type="message/rfc822", headers=headers
    )


def test_the_webhook_adds_a_reply(client, alice, answered):
    response = post(client, reply(answered, sender=alice.email))

    assert response.status_code == 200
    assert response.json()["outcome"] == "added"
    assert Message.objects.filter(conversation=answered).count() == 3


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET[:-1], SECRET + "x"])
def test_the_webhook_refuses_without_the_secret(client, alice, answered, secret):
    response = post(client, reply(answered, sender=alice.email), secret=secret)

    assert response.status_code == 403
    assert InboundEmail.objects.count() == 0
    assert Message.objects.filter(conversation=answered).count() == 2


def test_the_webhook_is_off_without_a_secret_setting(client, alice, answered, settings):
    settings.SUPPORT_INBOUND_SECRET = ""
    assert post(client, reply(answered, sender=alice.email), secret="").status_code == 404


def test_the_webhook_takes_only_posts_and_no_oversized_message(client, alice, answered, settings):
    assert client.get(reverse("support-inbound")).status_code == 405
    settings.SUPPORT_INBOUND_MAX_BYTES = 2048
    big = reply(answered, sender=alice.email, text="x" * 4000)
    assert post(client, big).status_code == 413
    assert InboundEmail.objects.count() == 0


def test_the_webhook_bounces_a_bad_token_with_a_notice(client, alice, answered):
    to = "support+c1-nothing@reply.example.com"
    response = post(client, reply(answered, sender=alice.email, to=to))

    assert response.status_code == 200
    assert response.json() == {
        "id": InboundEmail.objects.get().pk,
        "outcome": "refused",
        "refusal": "address",
    }
    assert len(told(alice.email)) == 1


def test_the_webhook_refuses_the_wrong_sender(client, bob, answered):
    response = post(client, reply(answered, sender=bob.email))
    assert response.json()["refusal"] == "sender"
    assert Message.objects.filter(conversation=answered).count() == 2


def test_the_webhook_needs_no_csrf_token(alice, answered):
    from django.test import Client

    response = post(Client(enforce_csrf_checks=True), reply(answered, sender=alice.email))
    assert response.status_code == 200


# --- The mailbox command ----------------------------------------------------------------------


def test_the_command_reads_an_mbox_once(alice, answered, tmp_path, capsys):
    box = mailbox.mbox(tmp_path / "replies.mbox")
    box.add(reply(answered, sender=alice.email))
    box.add(reply(answered, sender="stranger@example.org", message_id="<other@example.org>"))
    box.flush()

    call_command("support_read_mail", mbox=tmp_path / "replies.mbox")
    call_command("support_read_mail", mbox=tmp_path / "replies.mbox")

    assert Message.objects.filter(conversation=answered).count() == 3
    out = capsys.readouterr().out
    assert "2 read: 1 added, 1 refused" in out
    assert (
        "2 read: 0 added, 0 refused (listed under Email replies in the admin), 2 read before."
        in out
    )


def test_the_command_reads_only_new_maildir_messages(alice, answered, tmp_path, capsys):
    box = mailbox.Maildir(tmp_path / "Maildir")
    box.add(mailbox.MaildirMessage(reply(answered, sender=alice.email)))

    call_command("support_read_mail", maildir=tmp_path / "Maildir")
    call_command("support_read_mail", maildir=tmp_path / "Maildir")

    assert Message.objects.filter(conversation=answered).count() == 3
    assert "0 read" in capsys.readouterr().out.splitlines()[-1]
    assert [m.get_subdir() for m in box] == ["cur"]


@pytest.mark.parametrize("kind", ["mbox", "maildir"])
def test_the_command_refuses_an_oversized_message_without_reading_it_whole(
    alice, answered, tmp_path, settings, monkeypatch, kind
):
    settings.SUPPORT_INBOUND_MAX_BYTES = 2048
    read = []

    def parse_reply(raw):
        read.append(len(raw))
        return real_parse(raw)

    real_parse = inbound_services.parse_reply
    monkeypatch.setattr(inbound_services, "parse_reply", parse_reply)
    big = reply(answered, sender=alice.email, text="x" * 5000, message_id="<big@example.com>")
    small = reply(answered, sender=alice.email)
    if kind == "mbox":
        box = mailbox.mbox(tmp_path / "replies.mbox")
        box.add(big)
        box.add(small)
        box.flush()
        call_command("support_read_mail", mbox=tmp_path / "replies.mbox")
    else:
        box = mailbox.Maildir(tmp_path / "Maildir")
        box.add(mailbox.MaildirMessage(big))
        box.add(mailbox.MaildirMessage(small))
        call_command("support_read_mail", maildir=tmp_path / "Maildir")
        assert [m.get_subdir() for m in box] == ["cur", "cur"]
        assert all("S" in m.get_flags() for m in box)

    record = InboundEmail.objects.get(message_id="<big@example.com>")
    assert (record.outcome, record.refusal) == (InboundOutcome.REFUSED, InboundRefusal.TOO_LARGE)
    assert record.subject == "Re: Where is my payout?" and record.body == ""
    assert (record.conversation, record.sender) == (answered, alice.email)
    assert max(read) <= 2048
    assert Message.objects.filter(conversation=answered).count() == 3
    (notice,) = told(alice.email)
    assert "larger than" in notice.body


def test_the_inbound_emails_are_visible_to_managers_in_the_admin(client, alice, answered, manager):
    services.support_reply_by_email(raw_message=reply(answered, sender="stranger@example.org"))
    client.force_login(manager)

    response = client.get(reverse("admin:support_inboundemail_changelist"))

    assert response.status_code == 200
    assert "stranger@example.org" in response.content.decode()


def test_an_html_only_reply_is_read_without_its_quoted_answer(alice, answered):
    message = EmailMessage()
    message["From"] = alice.email
    message["To"] = reply_address(answered.pk, alice.email)
    message["Subject"] = "Re: Where is my payout?"
    message["Message-ID"] = "<html-reply@mail.example.net>"
    message.set_content(
        "<div>Still <b>nothing</b> &amp; no email.</div><br>"
        "<blockquote><p>Sent on Monday.</p></blockquote>",
        subtype="html",
    )
    record = services.support_reply_by_email(raw_message=message.as_bytes())

    assert record.outcome == InboundOutcome.ADDED
    assert record.added_message.body == "Still nothing & no email."
