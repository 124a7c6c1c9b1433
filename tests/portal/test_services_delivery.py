"""Delivery through the real pieces: PostgreSQL, the Redis broker, a Celery worker, SMTP.

Runs in ``make test-services`` only (``-m services``). Without a broker and
PostgreSQL configured these tests fail rather than skip: a green services run
must mean the email really went through a worker to an SMTP server.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from accounts import services
from accounts.models import Application
from portal.celery import app as celery_app
from portal.models import EmailStatus, OutboundEmail
from portal.tasks import outbox_send

pytestmark = [
    pytest.mark.services,
    # Transactional so on_commit hooks really fire and the worker, in another
    # process, sees committed rows; serialized_rollback brings back the staff
    # groups (created by a data migration) that the flush between tests removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WAIT_SECONDS = 60


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [message for message in self.messages if message["To"] == address]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(condition: Callable[[], bool], what: str, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.poll() is not None:
            pytest.fail(f"The Celery worker exited (code {worker.returncode}) before {what}.")
        time.sleep(0.2)
    pytest.fail(f"Timed out after {WAIT_SECONDS}s waiting for {what}.")


@pytest.fixture(scope="module")
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _require_services() -> None:
    if not settings.CELERY_BROKER_URL:
        pytest.fail("CELERY_BROKER_URL is not set: run these tests with `make test-services`.")
    if connection.vendor != "postgresql":
        pytest.fail("DATABASE_URL is not PostgreSQL: run these tests with `make test-services`.")


def _worker_env(db: dict, smtp_port: int) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"EMAIL_BACKEND", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "CACHE_URL"}
    }
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env.update(
        # The test database, which exists only while this session runs.
        DATABASE_URL=f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        DB_CONN_MAX_AGE="0",
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="0",
        EMAIL_USE_SSL="0",
        EMAIL_TIMEOUT="10",
    )
    return env


@pytest.fixture(scope="module")
def celery_worker(
    django_db_setup, django_db_blocker, smtp_inbox, tmp_path_factory
) -> Iterator[subprocess.Popen]:
    """A real ``celery worker`` process, always stopped when the module is done."""
    _require_services()
    _inbox, port = smtp_inbox
    node = f"services-test-{uuid.uuid4().hex[:8]}@localhost"
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    # Leftovers from an interrupted run would otherwise be delivered into this one.
    celery_app.control.purge()
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                node,
            ],  # fmt: skip
            cwd=settings.BASE_DIR,
            env=_worker_env(connection.settings_dict, port),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(lambda: bool(celery_app.control.ping([node], timeout=0.5)), "ready", worker)
        yield worker
    finally:
        _stop(worker)
        sys.stdout.write(f"\n--- Celery worker log ({log_path}) ---\n{_tail(log_path)}\n")


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=15)


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _settle(worker: subprocess.Popen) -> None:
    """Let the worker finish whatever is queued before counting what arrived.

    The solo pool takes one task at a time in queue order, so once a marker
    task sent last has been delivered, every task sent before it has run.
    """
    marker = OutboundEmail.objects.create(to="marker@example.com", subject="marker", body=".")
    outbox_send.delay([marker.pk])
    _wait_for(
        lambda: OutboundEmail.objects.get(pk=marker.pk).status == EmailStatus.SENT,
        "the marker email",
        worker,
    )


def test_approval_email_reaches_the_smtp_server_exactly_once(
    celery_worker, smtp_inbox, transactional_db, applicant, manager
):
    inbox, _port = smtp_inbox
    application = Application.objects.get(profile__user=applicant)

    services.application_approve(application=application, by=manager)

    _wait_for(lambda: inbox.to(applicant.email), "the approval email", celery_worker)
    _settle(celery_worker)
    (message,) = inbox.to(applicant.email)
    assert "approved" in message["Subject"].lower()
    email = OutboundEmail.objects.get(to=applicant.email)
    assert (email.status, email.attempts) == (EmailStatus.SENT, 1)


def test_the_task_run_twice_for_the_same_ids_sends_once(
    celery_worker, smtp_inbox, transactional_db
):
    inbox, _port = smtp_inbox
    email = OutboundEmail.objects.create(to="twice@example.com", subject="Once", body="Only once.")

    outbox_send.delay([email.pk])
    outbox_send.delay([email.pk])
    _settle(celery_worker)

    assert len(inbox.to("twice@example.com")) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 1)
