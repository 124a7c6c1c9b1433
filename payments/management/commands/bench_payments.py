"""Benchmark payouts, payroll exports and the earnings page on PostgreSQL at scale.

Seeds (set-based, with ``generate_series``) 10,000 active contractors with
three assignments each and 1,000,000 approved time entries in last week's pay
period, plus five years of paid history for one contractor; then prints, in
one table:

- payout generation for that period vs the single ``INSERT … SELECT`` that
  writes the same lines (target ≤ 1.5×), beside the read-only SQL aggregate
  of the same totals;
- the same generation on tables PostgreSQL has no statistics for, as on a new
  deployment or after a large import, vs the analysed one (target ≤ 2×);
- the summary and detail payroll exports vs ``COPY`` of the period's time
  entries through psycopg, as ``psql \\copy`` does, each run against the COPY
  just before it (target ≤ 3× on every run), with the export's memory growth
  (target < 100 MB);
- the earnings page's server time for the contractor with five years of history.

Everything the bench seeds is deleted first: run it against a database of its
own (``make bench-payments`` uses ``portal_bench``). A missed target fails the
command, unless ``--smoke``. Forgetting the statistics needs a superuser role.
"""

import logging
import os
import resource
import statistics
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import timedelta
from time import perf_counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from payments import exports, services
from payments.management.bench_data import (
    ASSIGNMENTS_PER_CONTRACTOR,
    CELLS_PER_ASSIGNMENT,
    Seeder,
    format_seconds,
    vacuum,
)
from payments.models import Payout
from payments.services import generation, period_bounds
from payments.services.generation import READ_TABLES
from payments.sql import tables
from portal.money import line_amount_sql
from projects.models import PayPeriod

MB = 1024 * 1024
PLAIN_STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contractors", type=int, default=10_000)
        parser.add_argument("--entries", type=int, default=1_000_000)
        parser.add_argument("--history-weeks", type=int, default=5 * 52)
        parser.add_argument("--page-runs", type=int, default=7)
        parser.add_argument("--runs", type=int, default=3, help="Runs of each measurement.")
        parser.add_argument(
            "--smoke",
            action="store_true",
            help="Only check that the bench runs and prints its ratios (`make bench-smoke`): "
            "the times are printed, never judged.",
        )

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench_payments measures PostgreSQL (COPY, set-based SQL at scale); "
                f"DATABASE_URL points at {connection.vendor}. Run `make bench-payments`."
            )
        per_contractor = ASSIGNMENTS_PER_CONTRACTOR * CELLS_PER_ASSIGNMENT
        if options["entries"] > options["contractors"] * per_contractor:
            raise CommandError(f"At most {per_contractor} entries per contractor fit in a week.")
        today = timezone.localdate()
        bench_start, bench_end = period_bounds(today - timedelta(days=7))
        seeder = Seeder(self, today, bench_start, options)
        # Paying the history notifies its contractor; no email needs to leave, and the
        # eager tasks that send them need not log each one.
        logging.getLogger("celery").setLevel(logging.WARNING)
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            seeder.run()
        bench = PayPeriod.objects.get(start_on=bench_start)
        self.missed: list[str] = []
        self.smoke = options["smoke"]
        rows = [
            *self.measure_generation(bench, seeder.manager, options["runs"]),
            *self.measure_exports(bench, options["runs"]),
            self.measure_page(seeder.history_user, options["page_runs"]),
        ]
        self.print_table(rows, options)
        if self.missed:
            raise CommandError("Missed: " + "; ".join(self.missed))

    def judge(self, what: str, ratio: float, target: float) -> str:
        """The target as printed; a miss is marked and fails the run, unless it is a smoke
        run, whose times are printed but never judged."""
        if ratio <= target or self.smoke:
            return f"≤ {target:g}×"
        self.missed.append(f"{what} at {ratio:.2f}× (target ≤ {target:g}×)")
        return f"≤ {target:g}×  MISSED"

    # --- Measurements ------------------------------------------------------------------

    def measure_generation(self, period: PayPeriod, manager: User, runs: int) -> list[tuple]:
        """Runs alternate: the floor, generation on analysed tables, then on tables whose
        statistics were forgotten. Each ends by checking the deferred foreign keys, as its
        commit would, and is rolled back but the very last, so the exports have payouts."""
        baseline = _median(lambda: _aggregate(period), runs=runs)
        fresh_possible = _is_superuser()
        floors, analysed, fresh = [], [], []
        for attempt in range(runs):
            floors.append(_write_floor(period))
            if fresh_possible:
                fresh.append(_timed_generation(period, manager, forget=True, keep=False)[0])
            seconds, result = _timed_generation(
                period, manager, forget=False, keep=attempt == runs - 1
            )
            analysed.append(seconds)
        self.stdout.write(f"  generated: {result}")
        self.stdout.write(f"  INSERT … SELECT runs: {_spread(floors)}")
        self.stdout.write(f"  generation runs, analysed: {_spread(analysed)}")
        generation_time, floor = statistics.median(analysed), statistics.median(floors)
        label = (
            f"payout generation ({result.lines_added:,} lines, {result.payouts_created:,} payouts)"
        )
        rows = [
            (
                label,
                generation_time,
                "one INSERT … SELECT of the same lines",
                floor,
                self.judge("generation vs INSERT … SELECT", generation_time / floor, 1.5),
            ),
            ("", None, "the read-only SQL aggregate", baseline, "(reads only)"),
        ]
        if not fresh_possible:
            self.stdout.write("  generation on fresh tables: not measured (needs a superuser)")
            return rows
        self.stdout.write(f"  generation runs, no statistics: {_spread(fresh)}")
        fresh_time = statistics.median(fresh)
        rows.append(
            (
                "  the same on tables never analysed",
                fresh_time,
                "the same, analysed",
                generation_time,
                self.judge("fresh vs analysed generation", fresh_time / generation_time, 2),
            ),
        )
        return rows

    def measure_exports(self, period: PayPeriod, runs: int) -> list[tuple]:
        """Each run against a COPY of the entries just before it, so a busy moment of the
        machine weighs on both; every run is judged, not the median."""
        vacuum("payout", "line")
        payroll = exports.PayrollFilter(period_start=period.start_on)
        rows = []
        for kind in (exports.Kind.SUMMARY, exports.Kind.DETAIL):
            pairs, growth = [], 0
            for _run in range(runs):
                copy = _seconds(lambda: _consume(_copy_entries(period)))
                started = perf_counter()
                size, grown = _consume_watching_memory(exports.payroll_csv(kind, payroll))
                pairs.append((perf_counter() - started, copy))
                growth = max(growth, grown)
            traced = _traced_peak(lambda kind=kind: _consume(exports.payroll_csv(kind, payroll)))
            ratios = [seconds / copy for seconds, copy in pairs]
            self.stdout.write(
                f"  {kind} export runs: "
                + ", ".join(
                    f"{format_seconds(seconds)} / {format_seconds(copy)} = {seconds / copy:.2f}×"
                    for seconds, copy in pairs
                )
            )
            worst = max(range(runs), key=lambda index: ratios[index])
            rows.append(
                (
                    f"{kind} export ({size / MB:,.0f} MB of CSV), worst of {runs} runs",
                    pairs[worst][0],
                    "COPY of the period's time entries",
                    pairs[worst][1],
                    self.judge(f"{kind} export vs COPY", ratios[worst], 3),
                )
            )
            rows.append(
                (
                    f"  memory growth during the {kind} export",
                    None,
                    f"RSS +{growth / MB:.1f} MB, Python peak {traced / MB:.1f} MB",
                    None,
                    "< 100 MB",
                )
            )
        return rows

    def measure_page(self, user: User, runs: int) -> tuple:
        # The page as the server renders it, minus what needs a proxy or collectstatic.
        with override_settings(
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            SECURE_SSL_REDIRECT=False,
            STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": PLAIN_STATIC}},
        ):
            client = Client()
            client.force_login(user)
            url = reverse("payments:earnings")
            status = client.get(url).status_code
            if status != 200:
                raise CommandError(f"The earnings page answered {status}.")
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            # Read now: the next request clears the log the capture slices.
            query_count = len(queries.captured_queries)
            timings = []
            for _run in range(runs):
                started = perf_counter()
                client.get(url)
                timings.append(perf_counter() - started)
        payouts = Payout.objects.filter(contractor__user=user).count()
        label = f"earnings page, {payouts} payouts of history (median of {runs})"
        detail = f"{query_count} queries"
        return (label, statistics.median(timings), detail, None, "≤ 150 ms p95 under load")

    def print_table(self, rows: list[tuple], options: dict) -> None:
        self.stdout.write("")
        self.stdout.write(
            f"Payments benchmark: {options['contractors']:,} contractors, "
            f"{options['entries']:,} entries in one period, "
            f"{options['history_weeks']} weeks of history (PostgreSQL "
            f"{connection.pg_version // 10000})"
        )
        header = f"{'what':<58} {'time':>9}  {'compared with':<36} {'base':>8} {'ratio':>7}  target"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        previous = None
        for label, seconds, against, base, target in rows:
            # A row without a time compares the row above with another baseline.
            seconds = previous if not label else seconds
            time_text = format_seconds(seconds) if seconds is not None and label else ""
            base_text = format_seconds(base) if base else ""
            ratio = f"{seconds / base:.2f}×" if seconds and base else ""
            previous = seconds
            self.stdout.write(
                f"{label:<58} {time_text:>9}  {against:<36} {base_text:>8} {ratio:>7}  {target}"
            )


# --- Helpers ------------------------------------------------------------------------------


def _aggregate(period: PayPeriod) -> int:
    """The single statement that computes every payout's totals, without writing them."""
    t = tables()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT a.contractor_id, te.currency, COUNT(*), SUM(te.minutes),
                   SUM({line_amount_sql("te.minutes", "te.rate_minor")})
            FROM {t["entry"]} te JOIN {t["assignment"]} a ON a.id = te.assignment_id
            WHERE te.status = 'approved' AND te.work_on BETWEEN %s AND %s
            GROUP BY a.contractor_id, te.currency
            """,  # noqa: S608
            [period.start_on, period.end_on],
        )
        return len(cursor.fetchall())


def _timed_generation(
    period: PayPeriod, manager: User, *, forget: bool, keep: bool
) -> tuple[float, generation.GenerationResult]:
    """One generation, its deferred foreign key checks included; rolled back unless kept."""
    vacuum(*READ_TABLES)
    if forget:
        _forget_statistics()
    with transaction.atomic():
        started = perf_counter()
        result = services.payouts_generate(period=period, by=manager)
        _check_deferred_constraints()
        seconds = perf_counter() - started
        transaction.set_rollback(not keep)
    return seconds, result


def _is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


def _forget_statistics() -> None:
    """Put the tables the generation reads back in the state of a new deployment's, full
    of rows PostgreSQL has never analysed: no column statistics, no row count, no record
    of an ANALYZE."""
    t = tables()
    names = [t[name] for name in READ_TABLES]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM pg_statistic WHERE starelid = ANY(%s::regclass[])", [names])
        cursor.execute(
            "UPDATE pg_class SET reltuples = -1, relpages = 0, relallvisible = 0 "
            "WHERE oid = ANY(%s::regclass[])",
            [names],
        )
        cursor.execute(
            "SELECT pg_stat_reset_single_table_counters(oid) FROM pg_class "
            "WHERE oid = ANY(%s::regclass[])",
            [names],
        )


def _spread(timings: list[float]) -> str:
    runs = ", ".join(format_seconds(seconds) for seconds in timings)
    return f"{runs} (median {format_seconds(statistics.median(timings))})"


def _check_deferred_constraints() -> None:
    """Run the foreign key checks PostgreSQL defers to commit, so a timing includes them."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _write_floor(period: PayPeriod) -> float:
    """The least any design storing a constrained line per entry pays: the lines written by one
    INSERT … SELECT into the real table, foreign key checks included; rolled back."""
    t = tables()
    params = generation.generation_params(period, by=None)
    with transaction.atomic(), connection.cursor() as cursor:
        created = generation._insert_payouts(cursor, t, params)
        generation._refresh_statistics(cursor, t, created)
        started = perf_counter()
        cursor.execute(
            f"""
            INSERT INTO {t["line"]} (payout_id, time_entry_id, project_id, work_on, kind,
                                     minutes, rate_minor, amount_minor)
            SELECT p.id, te.id, a.project_id, te.work_on, te.kind, te.minutes, te.rate_minor,
                   {line_amount_sql("te.minutes", "te.rate_minor")}
            FROM {t["entry"]} te JOIN {t["assignment"]} a ON a.id = te.assignment_id
            JOIN {t["payout"]} p ON p.contractor_id = a.contractor_id
             AND p.currency = te.currency AND p.period_id = %(period)s
            WHERE te.status = %(approved)s
              AND ((te.work_on BETWEEN %(start)s AND %(end)s AND te.late = %(on_time)s)
                   OR (te.late = %(late)s AND te.work_on < %(start)s))
            """,  # noqa: S608
            params,
        )
        _check_deferred_constraints()
        elapsed = perf_counter() - started
        transaction.set_rollback(True)
    vacuum("payout", "line")
    return elapsed


def _copy_entries(period: PayPeriod) -> Iterator[bytes]:
    """What ``psql \\copy`` of the period's time entries reads."""
    select = f"SELECT * FROM {tables()['entry']} WHERE work_on BETWEEN %s AND %s"  # noqa: S608
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY ({select}) TO STDOUT (FORMAT csv)", [period.start_on, period.end_on]
        ) as copy,
    ):
        for data in copy:
            yield bytes(data)


def _consume(chunks: Iterator[bytes]) -> int:
    return sum(len(chunk) for chunk in chunks)


def _rss() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _consume_watching_memory(chunks: Iterator[bytes]) -> tuple[int, int]:
    """Bytes read, and how far the process's resident memory rose above where it started."""
    start = peak = _rss()
    size = 0
    for index, chunk in enumerate(chunks):
        size += len(chunk)
        if index % 64 == 0:
            peak = max(peak, _rss())
    return size, max(peak, _rss()) - start


def _traced_peak(call: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _seconds(call: Callable[[], object]) -> float:
    started = perf_counter()
    call()
    return perf_counter() - started


def _median(call: Callable[[], object], *, runs: int) -> float:
    return statistics.median(_seconds(call) for _run in range(runs))
