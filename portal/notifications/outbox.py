"""The email outbox: record now, deliver after commit, retry until it lands.

Every email is a row first. After the recording transaction commits, a
Celery task per batch sends the batch over one SMTP connection. Whatever no
task took (the broker was down, a worker died) the periodic sweep delivers.
Rows are locked and re-checked before sending, so however many tasks or
sweeps reach the same row, its email leaves once.
"""

import logging
import smtplib
from collections.abc import Iterable, Sequence
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.models import EmailStatus, OutboundEmail

logger = logging.getLogger(__name__)


def outbox_enqueue(*, to: str, subject: str, body: str, topic: str = "") -> OutboundEmail:
    """Record one email and hand it to a worker once the transaction commits."""
    return outbox_enqueue_many(messages=[(to, subject, body)], topic=topic)[0]


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

    Rows are locked and re-checked before sending, so a task that runs twice
    (a retry, the sweep racing a worker) never sends the same email twice.
    """
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(ids), status=EmailStatus.QUEUED, next_attempt_at__lte=now)
            .order_by("pk")
        )
        if not rows:
            return 0
        tried, sent = _send_rows(rows)
        OutboundEmail.objects.bulk_update(
            tried, ["status", "attempts", "last_error", "sent_at", "next_attempt_at"]
        )
    return sent


def _send_rows(rows: list[OutboundEmail]) -> tuple[list[OutboundEmail], int]:
    """Send ``rows`` over one connection; return the rows tried and how many were sent."""
    try:
        connection = get_connection()
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        for row in rows:
            _mark_attempt_failed(row, exc)
        return rows, 0
    tried: list[OutboundEmail] = []
    sent = 0
    try:
        for row in rows:
            try:
                connection.send_messages([_message(row)])
            except (smtplib.SMTPException, OSError) as exc:
                _mark_attempt_failed(row, exc)
            else:
                _mark_sent(row)
                sent += 1
            tried.append(row)
    except SoftTimeLimitExceeded:
        # Out of time: keep what was sent (its rows get stamped on return) and
        # leave the untried rows queued for the next task or sweep.
        logger.warning("Outbox batch stopped by the time limit after %d emails.", len(tried))
    finally:
        connection.close()
    return tried, sent


def _message(row: OutboundEmail) -> EmailMessage:
    # A Message-ID fixed per row lets a receiving server drop a duplicate if a
    # worker dies between handing a message over and recording that it did.
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ")
    message_id = f"<outbox.{row.pk}.{row.created_at:%Y%m%d%H%M%S}@{domain}>"
    return EmailMessage(
        row.subject,
        row.body,
        settings.DEFAULT_FROM_EMAIL,
        [row.to],
        headers={"Message-ID": message_id},
    )


def _mark_sent(row: OutboundEmail) -> None:
    row.attempts += 1
    row.status = EmailStatus.SENT
    row.sent_at = timezone.now()
    row.last_error = ""


def _mark_attempt_failed(row: OutboundEmail, exc: Exception) -> None:
    row.attempts += 1
    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        row.status = EmailStatus.FAILED
    else:
        row.next_attempt_at = timezone.now() + _backoff(row.attempts)


def outbox_due_ids(*, limit: int) -> list[int]:
    """Queued rows whose time has come and that no task is about to take.

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
            status=EmailStatus.QUEUED,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
