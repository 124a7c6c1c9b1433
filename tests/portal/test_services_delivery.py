"""Delivery through the real pieces: PostgreSQL, the Redis broker, a Celery worker, SMTP.

Runs in ``make test-services`` only (``-m services``). Without a broker and
PostgreSQL configured these tests fail rather than skip: a green services run
must mean the email really went through a worker to an SMTP server.
"""

import pytest

from accounts import services
from accounts.models import Application
from portal.models import EmailStatus, OutboundEmail
from portal.notifications.tasks import outbox_send
from tests.portal.delivery import settle, wait_for

pytestmark = [
    pytest.mark.services,
    # Transactional so on_commit hooks really fire and the worker, in another
    # process, sees committed rows; serialized_rollback brings back the staff
    # groups (created by a data migration) that the flush between tests removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_approval_email_reaches_the_smtp_server_exactly_once(
    worker, smtp_inbox, transactional_db, applicant, manager
):
    inbox, _port = smtp_inbox
    application = Application.objects.get(profile__user=applicant)

    services.application_approve(application=application, by=manager)

    wait_for(lambda: inbox.to(applicant.email), "the approval email", worker)
    settle(worker)
    (message,) = inbox.to(applicant.email)
    assert "approved" in message["Subject"].lower()
    email = OutboundEmail.objects.get(to=applicant.email)
    assert (email.status, email.attempts) == (EmailStatus.SENT, 1)


def test_the_task_run_twice_for_the_same_ids_sends_once(worker, smtp_inbox, transactional_db):
    inbox, _port = smtp_inbox
    email = OutboundEmail.objects.create(to="twice@example.com", subject="Once", body="Only once.")

    outbox_send.delay([email.pk])
    outbox_send.delay([email.pk])
    settle(worker)

    assert len(inbox.to("twice@example.com")) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 1)
