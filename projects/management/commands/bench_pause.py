"""Benchmark a pause told to 50,000 contractors, on PostgreSQL with a real Celery worker.

Seeds (set-based, with ``generate_series``) a project with 50,000 active
assignees, then prints:

- the time for ``project_pause`` to commit with every in-app notice (and every
  outbox row) written (target ≤ 5 s), next to a raw ``INSERT … SELECT`` of the
  same notice rows, and the time to queue the delivery tasks after the commit;
- the time for a real Celery worker (a subprocess) to hand every email to a
  local SMTP server (aiosmtpd, in this process), and how many messages each
  SMTP connection carried.

Run it against a database of its own, freshly migrated: ``make bench-pause``
(database ``portal_bench_pause``) recreates it on each run.
"""

import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from time import perf_counter

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import VENDOR_MANAGERS
from portal.celery import app as celery_app
from portal.models import EmailStatus, Notification, OutboundEmail
from projects import services
from projects.models import PauseReason, Project, ProjectStatusChange

NOTICES_TARGET_SECONDS = 5
DELIVERY_TIMEOUT_SECONDS = 240
MESSAGE = "The client is reviewing last week's batch; no new tasks until Monday."


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--assignees", type=int, default=50_000)
        parser.add_argument("--concurrency", type=int, default=2, help="Worker processes.")
        parser.add_argument(
            "--smoke",
            action="store_true",
            help="Only check that the bench runs and prints its ratios (`make bench-smoke`): "
            "the times are printed, never judged.",
        )

    def handle(self, *args, **options) -> None:
        _require_services()
        if User.objects.exists():
            raise CommandError(
                "The database is not empty; run the bench on a freshly migrated database "
                "of its own (`make bench-pause` recreates portal_bench_pause)."
            )
        count = options["assignees"]
        started = perf_counter()
        project = _seed(count)
        self.stdout.write(f"Seeded {count:,} active assignees in {perf_counter() - started:.1f}s.")
        # The raw insert runs first, while nothing else competes for the database.
        raw = _raw_insert_seconds(project)
        with SmtpSink() as sink, _worker(sink.port, options["concurrency"]):
            result = _pause(project)
            _check_notices(result.change, count)
            delivered = _wait_for_delivery(result.change, count, result.committed_at)
        self._report(count, result, raw, delivered, sink, options["concurrency"])
        if result.commit_seconds > NOTICES_TARGET_SECONDS and not options["smoke"]:
            raise CommandError(
                f"The pause took {result.commit_seconds:.2f}s to commit its notices "
                f"(target ≤ {NOTICES_TARGET_SECONDS}s)."
            )

    def _report(
        self, count: int, result: "PauseResult", raw: float, delivered: float, sink, workers: int
    ) -> None:
        per_connection = sink.messages / sink.connections if sink.connections else 0
        rows = [
            ("pause committed, notices + outbox rows written", f"{result.commit_seconds:.2f} s"),
            ("raw INSERT … SELECT of the same notices", f"{raw:.2f} s"),
            ("ratio (pause / raw notices)", f"{result.commit_seconds / raw:.1f}×"),
            ("delivery tasks queued after the commit", f"{result.dispatch_seconds:.2f} s"),
            (
                f"all emails handed to the SMTP server ({workers} worker processes)",
                f"{delivered:.1f} s after the commit",
            ),
            ("emails per second", f"{count / delivered:,.0f}"),
            ("SMTP connections", f"{sink.connections:,}"),
            ("messages per SMTP connection", f"{per_connection:,.1f}"),
        ]
        self.stdout.write(f"\nPause of one project with {count:,} assignees (PostgreSQL)")
        width = max(len(label) for label, _value in rows)
        for label, value in rows:
            self.stdout.write(f"  {label.ljust(width)}  {value}")
        verdict = "met" if result.commit_seconds <= NOTICES_TARGET_SECONDS else "MISSED"
        self.stdout.write(f"Target: notices in ≤ {NOTICES_TARGET_SECONDS} s — {verdict}.")


def _require_services() -> None:
    if connection.vendor != "postgresql":
        raise CommandError(
            "bench_pause measures PostgreSQL; DATABASE_URL points at "
            f"{connection.vendor}. Run `make bench-pause`."
        )
    if not settings.CELERY_BROKER_URL:
        raise CommandError("bench_pause needs a broker for its worker: set CELERY_BROKER_URL.")
    try:
        connection.ensure_connection()
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1)
    except Exception as exc:
        raise CommandError(f"PostgreSQL or the broker is not reachable: {exc}") from exc


# --- Seeding ---------------------------------------------------------------------------------


def _seed(count: int) -> Project:
    """A manager, an active project, and ``count`` active contractors assigned to it."""
    manager = User.objects.create_user(email="manager@bench.example.com", is_staff=True)
    # Only a vendor manager may be named responsible for a project.
    manager.groups.add(Group.objects.get(name=VENDOR_MANAGERS))
    details = services.ProjectDetails(
        name="Bench: search relevance",
        description="Rate how well results answer the query.",
        default_rate_minor=2500,
        currency="EUR",
        expected_hours_per_week=15,
        weekly_cap_minutes=20 * 60,
        start_on=timezone.localdate() - timedelta(days=30),
        manager=manager,
    )
    project = services.project_create(details=details, by=manager)
    services.project_activate(project=project, by=manager)
    with transaction.atomic(), connection.cursor() as cursor:
        _seed_contractors(cursor, count, manager.pk)
        _seed_assignments(cursor, project, manager.pk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return project


def _seed_contractors(cursor, count: int, manager_id: int) -> None:
    cursor.execute(
        """
        INSERT INTO accounts_user
            (password, last_login, is_superuser, email, display_name, is_staff, is_active,
             date_joined, language, time_zone)
        SELECT '!', NULL, false, 'bench-' || g || '@example.com', '', false, true, now(),
               (ARRAY['en', 'id', 'vi', 'zh-hant'])[1 + g %% 4], 'Europe/Berlin'
        FROM generate_series(1, %s) AS g
        """,
        [count],
    )
    cursor.execute(
        """
        INSERT INTO accounts_contractorprofile
            (user_id, legal_name, display_name, country, subdivision, time_zone, hours_per_week,
             payout_currency, status, status_reason, status_changed_at,
             identity_verified_at, identity_verified_by_id, created_at, updated_at)
        SELECT u.id, 'Contractor ' || u.id, 'C' || u.id, 'DE', '', 'Europe/Berlin', 20,
               'EUR', 'active', '', now(), now(), %s, now(), now()
        FROM accounts_user AS u WHERE u.email LIKE 'bench-%%@example.com'
        """,
        [manager_id],
    )


def _seed_assignments(cursor, project: Project, manager_id: int) -> None:
    cursor.execute(
        """
        INSERT INTO projects_assignment
            (project_id, contractor_id, status, weekly_cap_minutes, start_on, end_on,
             removal_reason, assigned_by_id, ended_at, created_at, updated_at)
        SELECT %s, p.id, 'active', NULL, %s, NULL, '', %s, NULL, now(), now()
        FROM accounts_contractorprofile AS p
        """,
        [project.pk, project.start_on, manager_id],
    )


# --- Measuring -------------------------------------------------------------------------------


@dataclass
class PauseResult:
    change: ProjectStatusChange
    commit_seconds: float
    dispatch_seconds: float
    committed_at: float


def _pause(project: Project) -> PauseResult:
    """Pause through the service; time the commit apart from the task dispatch after it."""
    commits: list[float] = []
    started = perf_counter()
    with transaction.atomic():
        # Registered first, so it runs first after the commit: before the dispatch.
        transaction.on_commit(lambda: commits.append(perf_counter()))
        change = services.project_pause(
            project=project,
            by=project.manager,
            reason=PauseReason.CLIENT_REQUEST,
            message=MESSAGE,
            expected_resume_on=timezone.localdate() + timedelta(days=4),
            short_notice_confirmed=True,
        )
    finished = perf_counter()
    return PauseResult(change, commits[0] - started, finished - commits[0], commits[0])


def _check_notices(change: ProjectStatusChange, count: int) -> None:
    written = Notification.objects.filter(topic=change.topic).count()
    queued = OutboundEmail.objects.filter(topic=change.topic).count()
    if (written, queued) != (count, count):
        raise CommandError(f"Expected {count} notices and emails, found {written} and {queued}.")


def _raw_insert_seconds(project: Project) -> float:
    """The same notice rows by one hand-written INSERT … SELECT, committed, then removed."""
    started = perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO portal_notification
                (recipient_id, kind, title, body, link, topic, language, created_at)
            SELECT u.id, 'project_paused', %s, %s, %s, 'bench-raw', u.language, now()
            FROM accounts_user AS u
            JOIN accounts_contractorprofile AS p ON p.user_id = u.id
            JOIN projects_assignment AS a ON a.contractor_id = p.id
            WHERE a.project_id = %s AND a.status = 'active'
            """,
            [f"«{project.name}» is paused", MESSAGE, f"/projects/{project.pk}/", project.pk],
        )
    elapsed = perf_counter() - started
    Notification.objects.filter(topic="bench-raw").delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE portal_notification")
    return elapsed


def _wait_for_delivery(change: ProjectStatusChange, count: int, committed_at: float) -> float:
    emails = OutboundEmail.objects.filter(topic=change.topic)
    deadline = time.monotonic() + DELIVERY_TIMEOUT_SECONDS
    while emails.filter(status=EmailStatus.QUEUED).exists():
        if time.monotonic() > deadline:
            raise CommandError(f"Emails still queued after {DELIVERY_TIMEOUT_SECONDS}s.")
        time.sleep(0.25)
    delivered = perf_counter() - committed_at
    sent = emails.filter(status=EmailStatus.SENT).count()
    if sent != count:
        raise CommandError(f"{count - sent} of {count} emails failed.")
    return delivered


# --- The pieces around the database ------------------------------------------------------


class SmtpSink:
    """A local SMTP server (aiosmtpd) that counts what it is handed, and on how many
    connections (one EHLO each)."""

    def __init__(self) -> None:
        self.messages = 0
        self.connections = 0
        self.port = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        self.messages += 1
        return "250 Message accepted for delivery"

    def __enter__(self) -> "SmtpSink":
        import socket

        from aiosmtpd.controller import Controller

        # aiosmtpd logs every SMTP command at INFO: 250,000 lines for this run.
        logging.getLogger("mail.log").setLevel(logging.WARNING)

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._controller.stop()


@contextmanager
def _worker(smtp_port: int, concurrency: int) -> Iterator[subprocess.Popen]:
    """A real ``celery worker`` on this database and broker, sending to ``smtp_port``."""
    node = f"bench-pause-{uuid.uuid4().hex[:8]}@localhost"
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "0",
        "EMAIL_USE_SSL": "0",
    }
    celery_app.control.purge()
    worker = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            node,
        ],  # fmt: skip
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,  # the banner; warnings and errors still reach stderr
    )
    try:
        _wait_until_ready(worker, node)
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=30)


def _wait_until_ready(worker: subprocess.Popen, node: str) -> None:
    deadline = time.monotonic() + 60
    while not celery_app.control.ping([node], timeout=0.5):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise CommandError("The Celery worker did not start.")
