"""The email outbox: record now, deliver after commit, retry until it lands.

Every email is a row first. After the recording transaction commits, a
Celery task per batch sends the batch over one SMTP connection. Whatever no
task took (the broker was down, a worker died) the periodic sweep delivers.
A worker claims rows with a lease before sending and stamps each one as the
server accepts it, so however many tasks or sweeps reach the same row, its
email leaves once, and a worker killed mid-batch repeats at most one.
"""

import logging
import os
import smtplib
import socket
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import Q
from django.utils import timezone

from portal.models import EmailStatus, OutboundEmail

logger = logging.getLogger(__name__)


def outbox_enqueue(
    *, to: str, subject: str, body: str, topic: str = "", reply_to: str = ""
) -> OutboundEmail:
    """Record one email and hand it to a worker once the transaction commits."""
    email = OutboundEmail.objects.create(
        to=to, subject=subject, body=body, topic=topic, reply_to=reply_to
    )
    outbox_dispatch_on_commit([email.pk])
    return email


def outbox_enqueue_many(
    *, messages: Iterable[tuple[str, str, str]], topic: str = ""
) -> list[OutboundEmail]:
    """Record many (to, subject, body) emails in one insert; deliver in batches after commit."""
    emails = OutboundEmail.objects.bulk_create(
        [
            OutboundEmail(to=to, subject=subject, body=body, topic=topic)
            for to, subject, body in messages
        ],
        batch_size=1000,
    )
    outbox_dispatch_on_commit([email.pk for email in emails])
    return emails


def outbox_dispatch_on_commit(ids: Sequence[int]) -> None:
    """Queue a delivery task per batch of ``ids`` once the current transaction commits."""
    if not ids:
        return
    ids = list(ids)
    transaction.on_commit(lambda: _dispatch(ids))


def _queue_delivery(ids: list[int]) -> None:
    # The tasks module imports this one; importing it only when a batch is
    # queued keeps the two from importing each other when either is loaded.
    from portal.notifications.tasks import outbox_send

    outbox_send.delay(ids)


def _dispatch(ids: list[int]) -> None:
    size = settings.OUTBOX_BATCH_SIZE
    for start in range(0, len(ids), size):
        try:
            _queue_delivery(ids[start : start + size])
        except Exception:
            # The broker is unreachable. The rows are recorded and stay queued
            # for the sweep; trying the other batches would only make the
            # request that committed them wait a connection timeout for each.
            logger.warning(
                "Could not queue outbox delivery of %d emails; the sweep will retry.",
                len(ids) - start,
                exc_info=True,
            )
            return


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def outbox_deliver(*, ids: Iterable[int]) -> int:
    """Send the due, unsent emails among ``ids`` over one SMTP connection.

    The rows are claimed first, with a lease, in a transaction of their own,
    so a task that runs twice (a retry, the sweep racing a worker) finds them
    taken. Each email is stamped sent, and committed, as soon as the server
    accepts it: a worker killed at any moment has sent at most the one email
    it had not yet stamped, and the rows it never reached wait out the lease
    for the sweep.
    """
    token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    rows = _claim(list(ids), token)
    if not rows:
        return 0
    return _send_rows(rows, token)


def _claim(ids: list[int], token: str) -> list[OutboundEmail]:
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, status=EmailStatus.QUEUED, next_attempt_at__lte=now)
            .filter(_unclaimed(now))
            .order_by("pk")
        )
        if rows:
            OutboundEmail.objects.filter(pk__in=[row.pk for row in rows]).update(
                claimed_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
                claimed_by=token,
            )
    return rows


def _unclaimed(now: datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)


def _send_rows(rows: list[OutboundEmail], token: str) -> int:
    """Send ``rows`` over one connection, recording each as it goes; return how many were sent."""
    try:
        connection = get_connection()
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        for row in rows:
            _record_failure(row, exc)
        return 0
    untried = list(reversed(rows))
    try:
        with _commits_without_waiting_for_disk():
            _send_each(connection, untried)
    except SoftTimeLimitExceeded:
        logger.warning(
            "Outbox batch stopped by the time limit after %d emails.", len(rows) - len(untried)
        )
        _release(untried[:-1], token)
    except Exception:
        # A database fault, say: the task is retried, and finds the untouched rows free.
        _release(untried[:-1], token)
        raise
    finally:
        connection.close()
    return sum(row.status == EmailStatus.SENT for row in rows)


def _send_each(connection: BaseEmailBackend, untried: list[OutboundEmail]) -> None:
    """Hand over the rows from the end of ``untried``, popping each once it is recorded."""
    while untried:
        row = untried[-1]
        try:
            connection.send_messages([_message(row)])
        except (smtplib.SMTPException, OSError) as exc:
            untried.pop()
            _record_failure(row, exc)
        else:
            untried.pop()
            _record_sent(row)


def _record_sent(row: OutboundEmail) -> None:
    """Stamp one email sent, committed on its own before the next one is handed over."""
    row.attempts += 1
    row.status = EmailStatus.SENT
    row.sent_at = timezone.now()
    row.last_error = ""
    _save_attempt(row)


def _record_failure(row: OutboundEmail, exc: Exception) -> None:
    row.attempts += 1
    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        row.status = EmailStatus.FAILED
    else:
        row.next_attempt_at = timezone.now() + _backoff(row.attempts)
    _save_attempt(row)


def _save_attempt(row: OutboundEmail) -> None:
    # One UPDATE, its own transaction: committed before the next email goes.
    row.claimed_until, row.claimed_by = None, ""
    row.save(
        update_fields=[
            "status",
            "attempts",
            "last_error",
            "sent_at",
            "next_attempt_at",
            "claimed_until",
            "claimed_by",
        ]
    )


@contextmanager
def _commits_without_waiting_for_disk() -> Iterator[None]:
    """Let each stamp's commit return before PostgreSQL has flushed it to disk.

    A flush per email costs milliseconds, which at one commit per email would cut
    the delivery rate of a large pause several times over. An unflushed commit is
    visible to every other session at once and survives the worker being killed;
    only a crash of the database server itself could lose the last fraction of a
    second of stamps, and so repeat those few emails (with their fixed
    Message-IDs). Set once per batch, so each stamp stays a single statement.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:
            # The connection is gone or broken: drop it rather than reuse it as set.
            connection.close()


def _release(rows: list[OutboundEmail], token: str) -> None:
    """Give back the rows a batch stopped before reaching.

    The one being handed over when it stopped may or may not have left, so it
    is not among them: its claim stands until the lease runs out. If the
    database cannot be reached, every claim simply waits out its lease.
    """
    if not rows:
        return
    try:
        OutboundEmail.objects.filter(pk__in=[row.pk for row in rows], claimed_by=token).update(
            claimed_until=None, claimed_by=""
        )
    except DatabaseError:
        logger.warning("Could not release %d claimed emails; their lease will run out.", len(rows))


def outbox_message_id(email: OutboundEmail) -> str:
    """The Message-ID ``email`` always goes out with, however many times it is handed over.

    Fixed per row, so a receiving server can drop a duplicate if a worker dies
    between handing a message over and recording that it did.
    """
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ")
    return f"<outbox.{email.pk}.{email.created_at:%Y%m%d%H%M%S}@{domain}>"


def _message(row: OutboundEmail) -> EmailMessage:
    return EmailMessage(
        row.subject,
        row.body,
        settings.DEFAULT_FROM_EMAIL,
        [row.to],
        reply_to=[row.reply_to] if row.reply_to else None,
        headers={"Message-ID": outbox_message_id(row)},
    )


def outbox_due_ids(*, limit: int) -> list[int]:
    """Queued rows whose time has come, that no task is about to take and no live worker holds.

    A row never tried gets ``OUTBOX_SWEEP_GRACE_SECONDS`` for the task queued
    at its commit to deliver it, so the sweep does not compete with healthy
    workers; a row waiting out a backoff is the sweep's alone.
    """
    now = timezone.now()
    grace = timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)
    return list(
        OutboundEmail.objects.filter(
            Q(attempts=0, next_attempt_at__lte=now - grace)
            | Q(attempts__gt=0, next_attempt_at__lte=now),
            _unclaimed(now),
            status=EmailStatus.QUEUED,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
