"""A reply by email through the real pieces: the answer leaves through a Celery worker and
SMTP, the reply comes back through SMTP into a Maildir, and the mailbox command reads it.

Runs in ``make test-services`` only (``-m services``); fails, never skips, without
PostgreSQL and a broker.
"""

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from django.core.management import call_command

from portal.support import services
from portal.support.models import ConversationStatus, InboundEmail, InboundOutcome
from tests.portal.delivery import free_port, settle, wait_for
from tests.portal.support_helpers import ask

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


MX = "mx.reply.example.com"


class CheckingMailbox(Mailbox):
    """Stores each message with the Authentication-Results header on top, as a receiving
    mail server does once DKIM and DMARC checked out (no DNS here: the test's sender
    domain is taken to pass)."""

    def handle_message(self, message) -> None:
        domain = parseaddr(str(message["From"]))[1].rpartition("@")[2]
        stamp = f"Authentication-Results: {MX}; dkim=pass header.d={domain}; dmarc=pass\n"
        self.mailbox.add(stamp.encode() + message.as_bytes())


@pytest.fixture
def maildir_server(tmp_path):
    """The inbound mail server: an SMTP server that stores what it accepts in a Maildir."""
    path = tmp_path / "Maildir"
    port = free_port()
    controller = Controller(CheckingMailbox(path), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield path, port
    finally:
        controller.stop()


def answers(inbox, address: str) -> list[EmailMessage]:
    return [m for m in inbox.to(address) if "answered your question" in str(m["Subject"])]


def quoted_reply(answer: EmailMessage, *, sender: str, text: str) -> EmailMessage:
    """A reply as a mail program writes it: the new text above the quoted answer."""
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = answer["Reply-To"]
    reply["Subject"] = f"Re: {answer['Subject']}"
    reply["Message-ID"] = make_msgid(domain="mail.example.net")
    reply["In-Reply-To"] = answer["Message-ID"]
    quoted = "\n".join(f"> {line}" for line in answer.get_content().splitlines())
    reply.set_content(
        f"{text}\n\nOn Mon, 30 Nov 2026 at 10:00, {answer['From']} wrote:\n{quoted}\n"
    )
    return reply


def test_a_reply_by_email_continues_the_conversation(
    worker, smtp_inbox, maildir_server, transactional_db, settings, alice, manager, capsys
):
    settings.SUPPORT_INBOUND_LOCALPART = "support"
    settings.SUPPORT_INBOUND_DOMAIN = "reply.example.com"
    settings.SUPPORT_INBOUND_AUTHSERV_ID = MX
    inbox, _port = smtp_inbox
    maildir, inbound_port = maildir_server
    conversation = ask(alice)

    services.conversation_answer(conversation=conversation, by=manager, body="Sent on Monday.")
    wait_for(lambda: answers(inbox, alice.email), "the answer email", worker)
    settle(worker)
    (answer,) = answers(inbox, alice.email)
    _name, reply_to = parseaddr(str(answer["Reply-To"]))
    assert reply_to.startswith("support+") and reply_to.endswith("@reply.example.com")

    reply = quoted_reply(answer, sender=alice.email, text="It has still not arrived.")
    with smtplib.SMTP("127.0.0.1", inbound_port) as smtp:
        smtp.send_message(reply, from_addr=alice.email, to_addrs=[reply_to])
    call_command("support_read_mail", maildir=maildir)

    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.WAITING_ON_SUPPORT
    last = conversation.messages.last()
    assert (last.author, last.from_staff) == (alice, False)
    assert last.body == "It has still not arrived."
    assert InboundEmail.objects.get().outcome == InboundOutcome.ADDED
    (stored,) = (maildir / "cur").iterdir()
    assert stored.read_text().startswith(f"Authentication-Results: {MX};")

    # The mail server delivers the same message twice; the mailbox is read again.
    with smtplib.SMTP("127.0.0.1", inbound_port) as smtp:
        smtp.send_message(reply, from_addr=alice.email, to_addrs=[reply_to])
    call_command("support_read_mail", maildir=maildir)
    call_command("support_read_mail", maildir=maildir)

    assert conversation.messages.count() == 3
    assert InboundEmail.objects.count() == 1
    last_lines = capsys.readouterr().out.splitlines()[-2:]
    assert last_lines[0].startswith("1 read: 0 added") and "1 read before" in last_lines[0]
    assert last_lines[1].startswith("0 read")
