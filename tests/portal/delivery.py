"""The real pieces delivery tests run against: an SMTP server, Redis, a Celery worker.

Used by ``tests/portal/conftest.py`` (fixtures) and the services tests. Each
piece is a process or thread this module starts and always stops.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email import policy as email_policy
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from portal.celery import app as celery_app
from portal.models import EmailStatus, OutboundEmail
from portal.notifications.tasks import outbox_send

WAIT_SECONDS = 60
REDIS_SERVER = "/usr/bin/redis-server"


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts and counts connections.

    ``delay`` seconds spent on each message make a batch last long enough to
    stop a worker in the middle of it.
    """

    def __init__(self, delay: float = 0) -> None:
        self.messages: list[Message] = []
        self.connections = 0
        self.delay = delay

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [message for message in self.messages if message["To"] == address]

    def about(self, subject_part: str) -> list[Message]:
        return [m for m in self.messages if subject_part in str(m["Subject"])]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], bool], what: str, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.poll() is not None:
            pytest.fail(f"The Celery worker exited (code {worker.returncode}) before {what}.")
        time.sleep(0.2)
    pytest.fail(f"Timed out after {WAIT_SECONDS}s waiting for {what}.")


def settle(worker: subprocess.Popen) -> None:
    """Let the worker finish whatever is queued before counting what arrived.

    The solo pool takes one task at a time in queue order, so once a marker
    task sent last has been delivered, every task sent before it has run.
    """
    marker = OutboundEmail.objects.create(to="marker@example.com", subject="marker", body=".")
    outbox_send.delay([marker.pk])
    wait_for(
        lambda: OutboundEmail.objects.get(pk=marker.pk).status == EmailStatus.SENT,
        "the marker email",
        worker,
    )


@contextmanager
def smtp_server(*, delay: float = 0) -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox(delay)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def require_services() -> None:
    if not settings.CELERY_BROKER_URL:
        pytest.fail("CELERY_BROKER_URL is not set: run these tests with `make test-services`.")
    if connection.vendor != "postgresql":
        pytest.fail("DATABASE_URL is not PostgreSQL: run these tests with `make test-services`.")


def _worker_env(broker_url: str, smtp_port: int, extra: dict[str, str]) -> dict[str, str]:
    db = connection.settings_dict
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
        CELERY_BROKER_URL=broker_url,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="0",
        EMAIL_USE_SSL="0",
        EMAIL_TIMEOUT="10",
        **extra,
    )
    return env


@contextmanager
def celery_worker(
    *,
    smtp_port: int,
    log_dir: Path,
    broker_url: str | None = None,
    beat: bool = False,
    env: dict[str, str] | None = None,
) -> Iterator[subprocess.Popen]:
    """A real ``celery worker`` process (with beat inside if asked), always stopped after."""
    broker_url = broker_url or settings.CELERY_BROKER_URL
    node = f"services-test-{uuid.uuid4().hex[:8]}@localhost"
    log_path = log_dir / f"{node}.log"
    command = [
        sys.executable, "-m", "celery", "-A", "portal", "worker",
        "--pool=solo", "--loglevel=INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-n", node,
    ]  # fmt: skip
    if beat:
        command += ["--beat", f"--schedule={log_dir / 'beat-schedule'}"]
    # Leftovers from an interrupted run would otherwise be delivered into this one.
    celery_app.control.purge()
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=_worker_env(broker_url, smtp_port, env or {}),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: bool(celery_app.control.ping([node], timeout=0.5)), "ready", worker)
        yield worker
    finally:
        stop(worker)
        sys.stdout.write(f"\n--- Celery worker log ({log_path}) ---\n{tail(log_path)}\n")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


class RedisServer:
    """A private ``redis-server`` on its own port, to stop and start during a test."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        pytest.fail(f"redis-server did not start on port {self.port}.")

    def kill(self) -> None:
        """Stop it the hard way, as a crash or a network cut would."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


@contextmanager
def app_broker(url: str) -> Iterator[None]:
    """Point this process's Celery app at another broker for the duration."""
    _switch_broker(url)
    try:
        yield
    finally:
        _switch_broker(None)


def _switch_broker(url: str | None) -> None:
    # The CELERY_BROKER_URL variable outranks conf.broker_url, but not the
    # read and write URLs. The pools themselves live on in kombu's registry,
    # one per broker, for whoever switches back; only the app's handles go.
    celery_app.conf.broker_write_url = url
    celery_app.conf.broker_read_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
