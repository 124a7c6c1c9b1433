"""The broker dies during a pause: the pause still commits at once, and every email goes out
once after the broker is back.

Runs in ``make test-services`` only (``-m services``), against a private
``redis-server`` this module starts, kills and starts again, and a Celery
worker (with beat) that uses it.
"""

import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import EmailStatus, Notification, NotificationKind, OutboundEmail
from projects import services
from projects.models import PauseReason, ProjectStatus
from tests import factories
from tests.portal.delivery import (
    RedisServer,
    app_broker,
    celery_worker,
    require_services,
    settle,
    wait_for,
)
from tests.projects.factories import assign, project_create

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# "A few seconds at most": the pause must commit well within this with no broker.
PAUSE_SECONDS = 5


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture(scope="module")
def outage_worker(
    django_db_setup, django_db_blocker, redis, smtp_inbox, tmp_path_factory
) -> Iterator[subprocess.Popen]:
    """A worker on the private broker, with beat sweeping the outbox every second."""
    require_services()
    _inbox, port = smtp_inbox
    with (
        app_broker(redis.url),
        celery_worker(
            smtp_port=port,
            log_dir=tmp_path_factory.mktemp("celery"),
            broker_url=redis.url,
            beat=True,
            env={"OUTBOX_SWEEP_EVERY_SECONDS": "1", "OUTBOX_SWEEP_GRACE_SECONDS": "0"},
        ) as worker,
    ):
        yield worker


def test_a_pause_with_the_broker_down_commits_fast_and_every_email_arrives_once_later(
    outage_worker, redis, smtp_inbox, manager, alice, bob
):
    inbox, _port = smtp_inbox
    project = project_create(manager, start_on=timezone.localdate() - timedelta(days=30))
    for person in (alice, bob):
        assign(project, person, by=manager, start_on=project.start_on)
    carol = factories.contractor_create("carol@example.com", by=manager)
    settle(outage_worker)

    redis.kill()
    started = time.monotonic()
    change = services.project_pause(
        project=project,
        by=manager,
        reason=PauseReason.CLIENT_REQUEST,
        message="The client stopped the queue.",
        short_notice_confirmed=True,
    )
    elapsed = time.monotonic() - started
    print(f"pause with the broker down committed in {elapsed:.2f}s")

    assert elapsed < PAUSE_SECONDS, f"the pause took {elapsed:.1f}s without a broker"
    project.refresh_from_db()
    assert project.status == ProjectStatus.PAUSED
    notices = Notification.objects.filter(topic=change.topic)
    assert {n.recipient_id for n in notices} == {alice.pk, bob.pk}
    assert {n.kind for n in notices} == {NotificationKind.PROJECT_PAUSED}
    emails = OutboundEmail.objects.filter(topic=change.topic)
    assert [(e.status, e.attempts) for e in emails.all()] == [(EmailStatus.QUEUED, 0)] * 2
    time.sleep(2)  # with no broker, nothing can take them yet
    assert inbox.about("is paused") == []

    redis.start()
    wait_for(
        lambda: not emails.filter(status=EmailStatus.QUEUED).exists(),
        "the sweep to deliver the pause emails",
        outage_worker,
    )
    settle(outage_worker)

    assert Counter(m["To"] for m in inbox.about("is paused")) == {alice.email: 1, bob.email: 1}
    assert [(e.status, e.attempts) for e in emails.all()] == [(EmailStatus.SENT, 1)] * 2
    assert not [m for m in inbox.to(carol.email) if "is paused" in m["Subject"]]
