"""A worker killed in the middle of a batch repeats at most one email, and loses none.

Runs in ``make test-services`` only (``-m services``): a real Celery worker
sends through a real SMTP server (aiosmtpd) that counts what it receives by
Message-ID; the worker is killed with SIGKILL, as the kernel's OOM killer or a
lost machine would, while it is handing a batch over.
"""

import signal
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from portal.models import EmailStatus, OutboundEmail
from portal.notifications.outbox import outbox_enqueue_many, outbox_message_id
from portal.notifications.tasks import outbox_sweep
from tests.portal.delivery import celery_worker, require_services, settle, smtp_server, wait_for

pytestmark = [
    pytest.mark.services,
    # Transactional so on_commit hooks fire and the worker sees committed rows.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EMAILS = 450  # three batches: one cut short, two never started
SECONDS_PER_MESSAGE = 0.02  # 200 messages, 4 s a batch: time to kill the worker inside one


def test_a_worker_killed_mid_batch_repeats_at_most_one_email_and_loses_none(tmp_path):
    require_services()
    with smtp_server(delay=SECONDS_PER_MESSAGE) as (inbox, port):
        with celery_worker(smtp_port=port, log_dir=tmp_path) as first:
            outbox_enqueue_many(
                messages=[
                    (f"person{number}@example.com", f"Notice {number}", "Body.")
                    for number in range(EMAILS)
                ],
                topic="worker-killed",
            )
            wait_for(lambda: len(inbox.messages) >= 50, "the first batch to be underway", first)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        received_before_restart = len(inbox.messages)
        assert 50 <= received_before_restart < settings.OUTBOX_BATCH_SIZE

        # The dead worker's claims run out OUTBOX_LEASE_SECONDS later; the clock
        # of those rows is moved on rather than the test waiting six minutes.
        leased = OutboundEmail.objects.filter(topic="worker-killed", claimed_until__isnull=False)
        assert leased.exists()
        leased.update(claimed_until=timezone.now() - timedelta(seconds=1))

        with celery_worker(
            smtp_port=port, log_dir=tmp_path, env={"OUTBOX_SWEEP_GRACE_SECONDS": "0"}
        ) as second:
            queued = OutboundEmail.objects.filter(topic="worker-killed", status=EmailStatus.QUEUED)
            for _run in range(5):
                if not queued.exists():
                    break
                outbox_sweep.delay()
                settle(second)

    sent = OutboundEmail.objects.filter(topic="worker-killed")
    assert sent.filter(status=EmailStatus.SENT).count() == EMAILS
    ids = Counter(
        str(message["Message-ID"])
        for message in inbox.messages
        if message["To"] != "marker@example.com"
    )
    expected = {outbox_message_id(email) for email in sent}
    assert set(ids) == expected
    duplicates = sum(count - 1 for count in ids.values())
    assert duplicates <= 1, f"{duplicates} emails were sent twice; one worker process died"
