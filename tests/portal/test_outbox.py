"""The email outbox: recorded first, delivered after commit, retried until it lands."""

import logging
import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import OperationalError as DatabaseOperationalError
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts import services
from accounts.models import Application, ApplicationStatus
from portal.models import EmailStatus, OutboundEmail
from portal.notifications.outbox import (
    outbox_deliver,
    outbox_due_ids,
    outbox_enqueue,
    outbox_enqueue_many,
)
from portal.notifications.tasks import outbox_send, outbox_sweep

pytestmark = pytest.mark.django_db

THIS_MODULE = __name__


class UnreachableServerBackend(LocmemBackend):
    """An SMTP server that refuses connections."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")


class RefusesOneRecipientBackend(LocmemBackend):
    """An SMTP server that rejects mail for one address and takes the rest."""

    def send_messages(self, messages):
        for message in messages:
            if "refused@example.com" in message.to:
                raise smtplib.SMTPRecipientsRefused({"refused@example.com": (550, b"No such user")})
        return super().send_messages(messages)


@pytest.fixture
def clock():
    """Control the time the outbox sees; starts at a fixed moment."""
    now = [timezone.now().replace(microsecond=0)]
    with mock.patch("django.utils.timezone.now", side_effect=lambda: now[0]):
        yield now


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = f"{THIS_MODULE}.UnreachableServerBackend"


def _record(to: str = "alice@example.com") -> OutboundEmail:
    # Recorded in a transaction that is never committed here, so no delivery
    # is triggered: each test decides when to deliver.
    return outbox_enqueue(to=to, subject="Hello", body="Body")


def test_enqueue_records_the_email_and_sends_it_after_commit(
    outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = outbox_enqueue(to="alice@example.com", subject="Hello", body="Body")
    assert email.status == EmailStatus.QUEUED
    assert outbox == []

    for callback in callbacks:
        callback()

    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert email.sent_at is not None
    assert [(m.to, m.subject, m.body) for m in outbox] == [(["alice@example.com"], "Hello", "Body")]


def test_a_failed_connection_leaves_the_email_queued_with_a_backoff(clock, smtp_down, outbox):
    email = _record()

    assert outbox_deliver(ids=[email.pk]) == 0

    email.refresh_from_db()
    assert email.status == EmailStatus.QUEUED
    assert email.attempts == 1
    assert email.last_error.startswith("ConnectionRefusedError")
    assert email.next_attempt_at == clock[0] + timedelta(seconds=30)
    assert outbox == []


def test_an_email_is_not_retried_before_its_backoff_is_over(clock, smtp_down):
    email = _record()
    outbox_deliver(ids=[email.pk])

    clock[0] += timedelta(seconds=29)
    outbox_deliver(ids=[email.pk])
    assert OutboundEmail.objects.get(pk=email.pk).attempts == 1

    clock[0] += timedelta(seconds=1)
    outbox_deliver(ids=[email.pk])
    email.refresh_from_db()
    assert email.attempts == 2
    assert email.next_attempt_at == clock[0] + timedelta(seconds=60)


def test_an_email_is_marked_failed_after_the_last_attempt(clock, smtp_down, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    email = _record()

    for _attempt in range(3):
        outbox_deliver(ids=[email.pk])
        clock[0] += timedelta(hours=2)

    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.FAILED, 3)
    assert outbox_deliver(ids=[email.pk]) == 0
    assert OutboundEmail.objects.get(pk=email.pk).attempts == 3


def test_a_refused_recipient_does_not_hold_back_the_others(settings, outbox):
    settings.EMAIL_BACKEND = f"{THIS_MODULE}.RefusesOneRecipientBackend"
    refused = _record("refused@example.com")
    accepted = _record("bob@example.com")

    assert outbox_deliver(ids=[refused.pk, accepted.pk]) == 1

    refused.refresh_from_db()
    accepted.refresh_from_db()
    assert (refused.status, refused.attempts) == (EmailStatus.QUEUED, 1)
    assert "SMTPRecipientsRefused" in refused.last_error
    assert accepted.status == EmailStatus.SENT
    assert [m.to for m in outbox] == [["bob@example.com"]]


def test_the_sweep_sends_every_due_email_and_leaves_the_rest(clock, settings, outbox):
    settings.OUTBOX_BATCH_SIZE = 2
    due = [_record(f"due{number}@example.com") for number in range(5)]
    later = _record("later@example.com")
    later.next_attempt_at = clock[0] + timedelta(minutes=5)
    later.save(update_fields=["next_attempt_at"])
    clock[0] += timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)

    assert outbox_sweep() == 5

    assert sorted(m.to[0] for m in outbox) == sorted(email.to for email in due)
    assert OutboundEmail.objects.get(pk=later.pk).status == EmailStatus.QUEUED


def test_the_sweep_leaves_a_fresh_email_to_the_task_queued_for_it(clock, settings, outbox):
    email = _record()

    clock[0] += timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS - 1)
    assert outbox_sweep() == 0
    clock[0] += timedelta(seconds=1)
    assert outbox_sweep() == 1

    assert OutboundEmail.objects.get(pk=email.pk).status == EmailStatus.SENT


def test_the_sweep_retries_after_the_backoff_without_waiting_for_the_grace(clock, settings, outbox):
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 600
    email = _record()
    settings.EMAIL_BACKEND = f"{THIS_MODULE}.UnreachableServerBackend"
    outbox_deliver(ids=[email.pk])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    clock[0] += timedelta(seconds=30)
    assert outbox_sweep() == 1
    assert OutboundEmail.objects.get(pk=email.pk).attempts == 2


def test_the_sweep_stops_when_the_server_is_down(clock, settings, smtp_down):
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 0
    _record()

    assert outbox_sweep() == 0

    assert OutboundEmail.objects.get().attempts == 1


def test_delivering_twice_sends_once(outbox):
    email = _record()

    assert outbox_deliver(ids=[email.pk]) == 1
    assert outbox_deliver(ids=[email.pk]) == 0

    assert len(outbox) == 1


def test_the_task_run_twice_for_the_same_ids_sends_once(outbox):
    email = _record()

    outbox_send.delay([email.pk])
    outbox_send.delay([email.pk])

    assert len(outbox) == 1
    assert OutboundEmail.objects.get(pk=email.pk).attempts == 1


def test_a_broker_outage_does_not_break_the_service_call(
    applicant, manager, outbox, caplog, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 0
    application = Application.objects.get(profile__user=applicant)
    outage = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with (
        mock.patch.object(outbox_send, "delay", side_effect=outage),
        caplog.at_level(logging.WARNING, logger="portal.notifications.outbox"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.application_approve(application=application, by=manager)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    email = OutboundEmail.objects.get()
    assert email.status == EmailStatus.QUEUED
    assert outbox == []
    assert "the sweep will retry" in caplog.text

    assert outbox_sweep() == 1
    assert [m.to for m in outbox] == [["applicant@example.com"]]


def test_nothing_is_recorded_when_the_transaction_rolls_back(outbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue(to="alice@example.com", subject="Hello", body="Body")
        raise RuntimeError("the service failed after recording the email")

    assert not OutboundEmail.objects.exists()
    assert outbox == []


def test_one_enqueue_of_many_tries_the_broker_once_when_it_is_down(
    settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_BATCH_SIZE = 2
    outage = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    messages = [(f"person{number}@example.com", "Hello", "Body") for number in range(5)]
    with (
        mock.patch.object(outbox_send, "delay", side_effect=outage) as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        outbox_enqueue_many(messages=messages)

    assert delay.call_count == 1


def test_batches_go_to_one_task_each(settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_BATCH_SIZE = 2
    messages = [(f"person{number}@example.com", "Hello", "Body") for number in range(5)]
    with (
        mock.patch.object(outbox_send, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        emails = outbox_enqueue_many(messages=messages)

    ids = [email.pk for email in emails]
    assert [call.args[0] for call in delay.call_args_list] == [ids[0:2], ids[2:4], ids[4:]]


class SlowServerBackend(LocmemBackend):
    """An SMTP server so slow that the task's soft time limit strikes on the third message."""

    def send_messages(self, messages):
        if len(mail.outbox) == 2:
            raise SoftTimeLimitExceeded()
        return super().send_messages(messages)


def test_the_time_limit_keeps_what_was_sent_and_leaves_the_rest_queued(settings, outbox):
    settings.EMAIL_BACKEND = f"{THIS_MODULE}.SlowServerBackend"
    emails = [_record(f"person{number}@example.com") for number in range(4)]

    assert outbox_deliver(ids=[email.pk for email in emails]) == 2

    statuses = [OutboundEmail.objects.get(pk=email.pk) for email in emails]
    assert [(e.status, e.attempts) for e in statuses] == [
        (EmailStatus.SENT, 1),
        (EmailStatus.SENT, 1),
        (EmailStatus.QUEUED, 0),
        (EmailStatus.QUEUED, 0),
    ]
    assert len(outbox) == 2


def test_every_email_carries_a_message_id_fixed_by_its_row(outbox):
    email = _record()

    outbox_deliver(ids=[email.pk])

    assert outbox[0].extra_headers["Message-ID"].startswith(f"<outbox.{email.pk}.")


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs."""


class DiesOnTheThirdMessageBackend(LocmemBackend):
    """A server that takes two messages; then the worker handing them over dies."""

    def send_messages(self, messages):
        if len(mail.outbox) == 2:
            raise WorkerKilled()
        return super().send_messages(messages)


def test_each_email_is_stamped_as_the_server_takes_it_and_the_rest_stay_claimed(
    clock, settings, outbox
):
    settings.EMAIL_BACKEND = f"{THIS_MODULE}.DiesOnTheThirdMessageBackend"
    emails = [_record(f"person{number}@example.com") for number in range(4)]

    with pytest.raises(WorkerKilled):
        outbox_deliver(ids=[email.pk for email in emails])

    rows = [OutboundEmail.objects.get(pk=email.pk) for email in emails]
    assert [row.status for row in rows] == ["sent", "sent", "queued", "queued"]
    assert [row.claimed_until for row in rows] == [None, None, *[rows[2].claimed_until] * 2]
    assert rows[2].claimed_until == clock[0] + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def test_the_sweep_takes_back_a_dead_workers_emails_once_the_lease_runs_out(
    clock, settings, outbox
):
    settings.EMAIL_BACKEND = f"{THIS_MODULE}.DiesOnTheThirdMessageBackend"
    emails = [_record(f"person{number}@example.com") for number in range(4)]
    with pytest.raises(WorkerKilled):
        outbox_deliver(ids=[email.pk for email in emails])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()

    clock[0] += timedelta(seconds=settings.OUTBOX_LEASE_SECONDS - 1)
    assert outbox_deliver(ids=[email.pk for email in emails]) == 0
    assert outbox_sweep() == 0
    clock[0] += timedelta(seconds=1)
    assert outbox_sweep() == 2

    assert sorted(m.to[0] for m in outbox) == ["person2@example.com", "person3@example.com"]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {EmailStatus.SENT}
    assert not OutboundEmail.objects.exclude(claimed_by="").exists()


def test_the_time_limit_releases_the_untouched_emails_and_holds_the_one_in_flight(
    clock, settings, outbox
):
    settings.EMAIL_BACKEND = f"{THIS_MODULE}.SlowServerBackend"
    emails = [_record(f"person{number}@example.com") for number in range(4)]

    outbox_deliver(ids=[email.pk for email in emails])

    in_flight, untouched = (OutboundEmail.objects.get(pk=email.pk) for email in emails[2:])
    assert in_flight.claimed_until is not None
    assert (untouched.claimed_until, untouched.claimed_by) == (None, "")
    clock[0] += timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)
    assert outbox_due_ids(limit=10) == [untouched.pk]


def test_a_database_fault_mid_batch_frees_the_untouched_emails_for_the_retry(
    clock, settings, outbox
):
    emails = [_record(f"person{number}@example.com") for number in range(3)]
    real_save = OutboundEmail.save

    def save_failing_once(row, *args, **kwargs):
        if row.to == "person0@example.com" and row.status == EmailStatus.SENT:
            raise DatabaseOperationalError("server closed the connection unexpectedly")
        return real_save(row, *args, **kwargs)

    with (
        mock.patch.object(OutboundEmail, "save", save_failing_once),
        pytest.raises(DatabaseOperationalError),
    ):
        outbox_deliver(ids=[email.pk for email in emails])

    first, second, third = (OutboundEmail.objects.get(pk=email.pk) for email in emails)
    # Handed over but not stamped: it waits out its lease, and so (not knowing
    # whether the fault struck before or after handing it over) does the next.
    assert first.claimed_until is not None and second.claimed_until is not None
    assert (third.claimed_until, third.claimed_by) == (None, "")
    assert outbox_deliver(ids=[email.pk for email in emails]) == 1
