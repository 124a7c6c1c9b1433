from celery import shared_task
from django.conf import settings

from portal.outbox import outbox_deliver, outbox_due_ids


@shared_task(ignore_result=True)
def outbox_send(ids: list[int]) -> int:
    return outbox_deliver(ids=ids)


@shared_task(ignore_result=True)
def outbox_sweep() -> int:
    """Deliver whatever no task took: the broker was down, or a worker died."""
    sent = 0
    while ids := outbox_due_ids(limit=settings.OUTBOX_BATCH_SIZE):
        delivered = outbox_deliver(ids=ids)
        if not delivered:
            break
        sent += delivered
    return sent
