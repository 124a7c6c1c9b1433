"""A pause told through the real pieces: PostgreSQL, Redis, a Celery worker with beat, SMTP.

Runs in ``make test-services`` only (``-m services``); fails, never skips,
without PostgreSQL and a broker.
"""

import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import EmailStatus, Notification, OutboundEmail
from portal.notifications.tasks import outbox_send
from projects import services
from projects.models import PauseReason, Project, ProjectStatus
from tests import factories
from tests.portal.delivery import celery_worker, require_services, settle, wait_for
from tests.projects.factories import assign, project_create

pytestmark = [
    pytest.mark.services,
    # Transactional so on_commit hooks fire and the worker sees committed rows.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="module")
def beat_worker(
    django_db_setup, django_db_blocker, smtp_inbox, tmp_path_factory
) -> Iterator[subprocess.Popen]:
    """A worker with beat inside it, checking for due scheduled pauses every second."""
    require_services()
    _inbox, port = smtp_inbox
    with celery_worker(
        smtp_port=port,
        log_dir=tmp_path_factory.mktemp("celery"),
        beat=True,
        env={"PROJECT_PAUSES_CHECK_EVERY_SECONDS": "1"},
    ) as worker:
        yield worker


@pytest.fixture
def team(manager, alice, bob):
    """A project with alice and bob on it, and carol, active but on no project."""
    carol = factories.contractor_create("carol@example.com", by=manager)
    project = project_create(manager, start_on=timezone.localdate() - timedelta(days=30))
    for person in (alice, bob):
        assign(project, person, by=manager, start_on=project.start_on)
    return project, carol


def _per_recipient(messages) -> Counter:
    return Counter(message["To"] for message in messages)


def test_a_scheduled_pause_then_resume_and_close_reach_each_assignee_exactly_once(
    beat_worker, smtp_inbox, team, manager, alice, bob
):
    inbox, _port = smtp_inbox
    project, carol = team

    pause = services.project_pause_schedule(
        project=project,
        by=manager,
        reason=PauseReason.GUIDELINES,
        message="New guidelines arrive on Monday.",
        effective_at=timezone.now() + timedelta(seconds=3),
        short_notice_confirmed=True,
    )
    assert Notification.objects.filter(topic=pause.topic).count() == 2

    # Beat makes it take effect by itself, and the second notice goes out.
    wait_for(
        lambda: Project.objects.get(pk=project.pk).status == ProjectStatus.PAUSED,
        "the scheduled pause to take effect",
        beat_worker,
    )
    services.project_resume(project=project, by=manager, message="Guidelines are live.")
    services.project_close(
        project=project, by=manager, message="The client moved on.", short_notice_confirmed=True
    )
    wait_for(lambda: len(inbox.about("is closed")) == 2, "the closing emails", beat_worker)
    settle(beat_worker)

    for subject in ("pauses on", "is paused", "has resumed", "is closed"):
        assert _per_recipient(inbox.about(subject)) == {alice.email: 1, bob.email: 1}, subject
    assert [m for m in inbox.to(carol.email) if "Search relevance" in str(m["Subject"])] == []
    assert not Notification.objects.filter(recipient=carol, kind__startswith="project_").exists()
    project_emails = OutboundEmail.objects.filter(topic__startswith="project-status-change:")
    assert set(project_emails.values_list("status", flat=True)) == {EmailStatus.SENT}
    assert set(project_emails.values_list("attempts", flat=True)) == {1}


def test_a_pause_goes_out_in_batches_over_one_smtp_connection_each(
    beat_worker, smtp_inbox, manager, settings
):
    inbox, _port = smtp_inbox
    settings.OUTBOX_BATCH_SIZE = 10
    project = project_create(manager, start_on=timezone.localdate() - timedelta(days=30))
    people = [factories.contractor_create(f"p{n:02d}@example.com", by=manager) for n in range(25)]
    for person in people:
        assign(project, person, by=manager, start_on=project.start_on)
    settle(beat_worker)
    connections_before = inbox.connections

    change = services.project_pause(
        project=project,
        by=manager,
        reason=PauseReason.BUDGET,
        message="Budget is spent.",
        short_notice_confirmed=True,
    )
    addresses = {person.email for person in people}

    def paused_emails() -> Counter:
        return _per_recipient(m for m in inbox.about("is paused") if m["To"] in addresses)

    wait_for(lambda: paused_emails().total() == 25, "25 pause emails", beat_worker)
    settle(beat_worker)

    # Three batches (10, 10, 5), one connection each, then the marker's own connection.
    assert inbox.connections - connections_before == 4
    assert paused_emails() == dict.fromkeys(addresses, 1)

    # The same batch delivered again by a stray task sends nothing more.
    ids = list(OutboundEmail.objects.filter(topic=change.topic).values_list("pk", flat=True))
    outbox_send.delay(ids)
    outbox_send.delay(ids)
    settle(beat_worker)
    assert paused_emails().total() == 25
