"""Delivery of the email outbox: a batch per commit, and the periodic sweep."""

import time

from celery import shared_task
from django.conf import settings

from portal.db_faults import RETRY_ON_DB_FAULTS
from portal.notifications.outbox import outbox_deliver, outbox_due_ids


@shared_task(ignore_result=True, **RETRY_ON_DB_FAULTS)
def outbox_send(ids: list[int]) -> int:
    return outbox_deliver(ids=ids)


@shared_task(ignore_result=True, **RETRY_ON_DB_FAULTS)
def outbox_sweep() -> int:
    """Deliver whatever no task took: the broker was down, or a worker died.

    Stops after ``OUTBOX_SWEEP_SECONDS`` (well inside the task's time limit) so
    a large backlog is worked off over several runs rather than cut off in the
    middle of a batch; beat starts the next run a minute later.
    """
    deadline = time.monotonic() + settings.OUTBOX_SWEEP_SECONDS
    sent = 0
    while time.monotonic() < deadline and (ids := outbox_due_ids(limit=settings.OUTBOX_BATCH_SIZE)):
        delivered = outbox_deliver(ids=ids)
        if not delivered:
            break
        sent += delivered
    return sent
