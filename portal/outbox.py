"""The email outbox: record now, deliver after commit, retry until it lands."""

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
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
    from portal.tasks import outbox_send

    emails = OutboundEmail.objects.bulk_create(
        [
            OutboundEmail(to=to, subject=subject, body=body, topic=topic)
            for to, subject, body in messages
        ],
        batch_size=1000,
    )
    ids = [email.pk for email in emails]
    size = settings.OUTBOX_BATCH_SIZE

    def dispatch() -> None:
        for start in range(0, len(ids), size):
            _dispatch(outbox_send, ids[start : start + size])

    if ids:
        transaction.on_commit(dispatch)
    return emails


def _dispatch(task, ids: list[int]) -> None:
    # A broker outage must not break the request that recorded the email:
    # the row stays queued and the periodic sweep delivers it later.
    try:
        task.delay(ids)
    except Exception:
        logger.warning("Could not queue outbox delivery; the sweep will retry.", exc_info=True)


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
        sent = _send_rows(rows)
        OutboundEmail.objects.bulk_update(
            rows, ["status", "attempts", "last_error", "sent_at", "next_attempt_at"]
        )
    return sent


def _send_rows(rows: list[OutboundEmail]) -> int:
    sent = 0
    try:
        connection = get_connection()
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        for row in rows:
            _mark_attempt_failed(row, exc)
        return 0
    try:
        for row in rows:
            message = EmailMessage(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.to])
            try:
                connection.send_messages([message])
            except (smtplib.SMTPException, OSError) as exc:
                _mark_attempt_failed(row, exc)
                continue
            row.attempts += 1
            row.status = EmailStatus.SENT
            row.sent_at = timezone.now()
            row.last_error = ""
            sent += 1
    finally:
        connection.close()
    return sent


def _mark_attempt_failed(row: OutboundEmail, exc: Exception) -> None:
    row.attempts += 1
    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        row.status = EmailStatus.FAILED
    else:
        row.next_attempt_at = timezone.now() + _backoff(row.attempts)


def outbox_due_ids(*, limit: int) -> list[int]:
    return list(
        OutboundEmail.objects.filter(status=EmailStatus.QUEUED, next_attempt_at__lte=timezone.now())
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
