"""Benchmark the contractor pages, the API lists and the admin lists under load.

Reuses the payments benchmark's database (10,000 contractors, 1,000,000 time
entries in last week's period, five years of paid history for one contractor)
or seeds it when it is missing or smaller than asked; generates last week's
payouts so the payout lists are full. Then starts gunicorn with the production
settings (2 workers × 2 threads by default), drives every page below with a
fixed number of concurrent clients, and prints p50/p95/p99 per endpoint beside
``/healthz`` measured in the same run, with each page's query count.

Targets: contractor pages and API lists p95 ≤ 150 ms; admin lists ≤ 300 ms.
"""

import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import ContractorProfile, User
from accounts.roles import VENDOR_MANAGERS
from payments import services
from payments.management.bench_data import Seeder, format_seconds, vacuum
from payments.management.bench_load import Endpoint, Samples, run_load
from payments.models import Payout
from payments.services import period_bounds
from projects.models import Assignment, PayPeriod, TimeEntry

BENCH_MANAGER = "bench-manager@example.com"
BENCH_ADMIN = "bench-admin@example.com"
HEALTHZ = "/healthz"


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contractors", type=int, default=10_000)
        parser.add_argument("--entries", type=int, default=1_000_000)
        parser.add_argument("--history-weeks", type=int, default=5 * 52)
        parser.add_argument("--reseed", action="store_true", help="seed even if the data is there")
        parser.add_argument("--requests", type=int, default=100, help="requests per endpoint")
        parser.add_argument("--concurrency", type=int, default=8)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=2)
        parser.add_argument(
            "--only",
            choices=["contractor", "admin"],
            help="drive one side only (with /healthz), so the other's load does not queue it",
        )

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench_pages measures PostgreSQL at scale; "
                f"DATABASE_URL points at {connection.vendor}. Run `make bench-pages`."
            )
        logging.getLogger("celery").setLevel(logging.WARNING)
        today = timezone.localdate()
        bench_start, _end = period_bounds(today - timedelta(days=7))
        self.ensure_data(today, bench_start, options)
        contractor, staff = self.bench_users()
        endpoints = self.endpoints(contractor, staff, bench_start)
        if options["only"]:
            staff_side = options["only"] == "admin"
            endpoints = [
                (endpoint, user)
                for endpoint, user in endpoints
                if user is None or user.is_staff == staff_side
            ]
        # The production storage names files by their hash: pages need the manifest.
        call_command("collectstatic", interactive=False, verbosity=0)
        queries = self.count_queries(endpoints)
        with self.gunicorn(options) as port:
            self.warm_up(port, endpoints)
            started = time.perf_counter()
            results = run_load(
                "127.0.0.1",
                port,
                [endpoint for endpoint, _user in endpoints],
                per_endpoint=options["requests"],
                concurrency=options["concurrency"],
            )
            elapsed = time.perf_counter() - started
        self.print_table(results, queries, endpoints, options, elapsed)
        failed = {name: samples.errors for name, samples in results.items() if samples.errors}
        if failed:
            raise CommandError(f"Some requests failed: {failed}")

    # --- Data ----------------------------------------------------------------------------

    def ensure_data(self, today, bench_start, options) -> None:
        seeded = (
            User.objects.filter(email=BENCH_MANAGER).exists()
            and ContractorProfile.objects.count() == options["contractors"]
            and TimeEntry.objects.filter(work_on__gte=bench_start).count() == options["entries"]
            and PayPeriod.objects.filter(start_on__lt=bench_start).count()
            >= options["history_weeks"]
        )
        if seeded and not options["reseed"]:
            self.stdout.write("  reusing the seeded bench data")
        else:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                Seeder(self, today, bench_start, options).run()
        bench = PayPeriod.objects.get(start_on=bench_start)
        if not Payout.objects.filter(period=bench).exists():
            started = time.perf_counter()
            manager = User.objects.get(email=BENCH_MANAGER)
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                result = services.payouts_generate(period=bench, by=manager)
            elapsed = format_seconds(time.perf_counter() - started)
            self.stdout.write(f"  generating last week's payouts ({result}): {elapsed}")
            # As autovacuum would soon after a million new lines: pages are measured in
            # the steady state, not while every read still sets the new rows' hint bits.
            started = time.perf_counter()
            vacuum("payout", "line", "adjustment")
            self.stdout.write(f"  VACUUM ANALYZE: {format_seconds(time.perf_counter() - started)}")

    def bench_users(self) -> tuple[User, User]:
        """The contractor with the longest history, and a vendor manager with MFA on."""
        top = (
            Payout.objects.values("contractor_id")
            .annotate(n=Count("id"))
            .order_by("-n", "contractor_id")
            .first()
        )
        if top is None:
            raise CommandError("The bench data has no payouts.")
        contractor = ContractorProfile.objects.select_related("user").get(pk=top["contractor_id"])
        staff, created = User.objects.get_or_create(
            email=BENCH_ADMIN, defaults={"is_staff": True, "password": "!"}
        )
        if created:
            staff.groups.add(Group.objects.get(name=VENDOR_MANAGERS))
            TOTP.activate(staff, generate_totp_secret())
        return contractor.user, staff

    def endpoints(
        self, contractor: User, staff: User, bench_start
    ) -> list[tuple[Endpoint, User | None]]:
        assignment = Assignment.objects.filter(contractor__user=contractor).order_by("pk").first()
        if assignment is None:
            raise CommandError("The bench contractor has no assignment.")
        cookies = {user.pk: _session_cookie(user) for user in (contractor, staff)}
        latest = Payout.objects.filter(contractor__user=contractor).order_by("-period__start_on")[0]
        paid_week = (bench_start - timedelta(days=7)).isoformat()
        someone = ContractorProfile.objects.order_by("pk")[
            ContractorProfile.objects.count() // 2
        ].user.email
        contractor_pages = [
            ("home / dashboard", reverse("home")),
            ("my projects", reverse("projects:my_projects")),
            ("project page", reverse("projects:assignment_detail", args=[assignment.pk])),
            ("timesheet", reverse("projects:timesheet")),
            ("earnings page", reverse("payments:earnings")),
            ("own earnings CSV", f"{reverse('payments:earnings_csv')}?period={paid_week}"),
            ("payout page (its lines)", reverse("payments:payout", args=[latest.pk])),
            ("notifications", reverse("notifications:list")),
            ("API payouts list", reverse("api-payouts")),
            ("API time entries", reverse("api-time-entries")),
            ("API notifications", reverse("api-notifications")),
        ]
        admin_lists = [
            ("admin time entries", "admin:projects_timeentry_changelist"),
            ("admin payouts", "admin:payments_payout_changelist"),
            ("admin assignments", "admin:projects_assignment_changelist"),
            ("admin contractors", "admin:accounts_contractorprofile_changelist"),
        ]
        rows: list[tuple[Endpoint, User | None]] = [(Endpoint("/healthz", HEALTHZ), None)]
        for name, path in contractor_pages:
            rows.append((Endpoint(name, path, cookies[contractor.pk]), contractor))
        for name, url_name in admin_lists:
            path = reverse(url_name)
            rows.append((Endpoint(name, path, cookies[staff.pk]), staff))
            search = f"{path}?q={someone}"
            rows.append((Endpoint(f"{name}, search", search, cookies[staff.pk]), staff))
        return rows

    def count_queries(self, endpoints) -> dict[str, int]:
        """Each page's queries, served in this process once warm."""
        counts = {}
        clients: dict[int, Client] = {}
        for endpoint, user in endpoints:
            if user is None:
                continue
            if user.pk not in clients:
                clients[user.pk] = Client()
                clients[user.pk].force_login(user)
            client = clients[user.pk]
            client.get(endpoint.path)
            with CaptureQueriesContext(connection) as captured:
                client.get(endpoint.path)
            counts[endpoint.name] = len(captured.captured_queries)
        return counts

    # --- The server ----------------------------------------------------------------------

    def gunicorn(self, options):
        return _Gunicorn(self, options["workers"], options["threads"])

    def warm_up(self, port: int, endpoints) -> None:
        """Every endpoint answers 200 before anything is timed (and each worker is warm)."""
        import http.client

        from payments.management.bench_load import fetch

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for endpoint, _user in endpoints:
            for _round in range(2):
                status, _size = fetch(conn, endpoint)
                if status != 200:
                    raise CommandError(f"{endpoint.name} ({endpoint.path}) answered {status}.")
        conn.close()

    # --- Report --------------------------------------------------------------------------

    def print_table(self, results: dict[str, Samples], queries, endpoints, options, elapsed):
        total = sum(len(samples.seconds) for samples in results.values())
        self.stdout.write("")
        self.stdout.write(
            f"Pages benchmark: {ContractorProfile.objects.count():,} contractors, "
            f"{TimeEntry.objects.count():,} time entries, gunicorn {options['workers']} "
            f"workers × {options['threads']} threads, {options['concurrency']} concurrent "
            f"clients, {options['requests']} requests per endpoint "
            f"({total / elapsed:.1f} requests/s, PostgreSQL {connection.pg_version // 10000})"
        )
        header = (
            f"{'endpoint':<34} {'p50':>8} {'p95':>8} {'p99':>8} {'KB':>7} {'queries':>8}  target"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for endpoint, user in endpoints:
            samples = results[endpoint.name]
            if not samples.seconds:
                self.stdout.write(f"{endpoint.name:<34} no answer: {samples.errors[:3]}")
                continue
            target = "" if user is None else ("≤ 300 ms" if user.is_staff else "p95 ≤ 150 ms")
            size = samples.bytes / len(samples.seconds) / 1024
            self.stdout.write(
                f"{endpoint.name:<34} {format_seconds(samples.percentile(50)):>8} "
                f"{format_seconds(samples.percentile(95)):>8} "
                f"{format_seconds(samples.percentile(99)):>8} {size:>7.1f} "
                f"{queries.get(endpoint.name, ''):>8}  {target}"
            )


class _Gunicorn:
    """gunicorn serving this project with the caller's (production) environment."""

    def __init__(self, command: BaseCommand, workers: int, threads: int) -> None:
        self.command, self.workers, self.threads = command, workers, threads

    def __enter__(self) -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.log = tempfile.NamedTemporaryFile(prefix="bench-pages-gunicorn-", suffix=".log")  # noqa: SIM115
        env = {
            **os.environ,
            "API_USER_RATE": "1000000/min",  # the bench is one user making many calls
            "WEB_ACCESS_LOG": "",  # no access log to write beside the measurement
            # Production has a shared cache (two processes need one): sessions read from it.
            "CACHE_URL": os.environ["BENCH_CACHE_URL"],
            "ALLOWED_HOSTS": ",".join([*settings.ALLOWED_HOSTS, "127.0.0.1"]),
        }
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={self.workers}",
                f"--threads={self.threads}",
                "--timeout=120",
                # Everything else (gthread, no keep-alive) comes from gunicorn.conf.py,
                # as in production.
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.wait_until_up()
        self.command.stdout.write(
            f"  gunicorn on port {self.port}: {self.workers} workers × {self.threads} threads"
        )
        return self.port

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CommandError(f"gunicorn exited: {self.read_log()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{HEALTHZ}", timeout=5):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.3)
        raise CommandError(f"gunicorn did not answer within 120 s: {self.read_log()}")

    def read_log(self) -> str:
        with open(self.log.name, encoding="utf-8", errors="replace") as log:
            return log.read()[-3000:]

    def __exit__(self, *exc_info) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        errors = [line for line in self.read_log().splitlines() if "ERROR" in line]
        if errors:
            self.command.stderr.write("gunicorn logged errors:\n" + "\n".join(errors[-10:]))
        self.log.close()


def _session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
