"""The payments benchmark's data, written with a few INSERT … SELECT statements.

``generate_series`` writes the contractors, their assignments and a million
time entries in seconds; the periods, history payouts and payments then go
through the services, as they would in production.
"""

from collections.abc import Callable
from datetime import date, timedelta
from time import perf_counter

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from accounts.models import User
from payments import services
from payments.models import Payout, PayoutStatus
from payments.sql import tables
from projects.models import PayPeriod, PeriodStatus, Project, ProjectStatus

ASSIGNMENTS_PER_CONTRACTOR = 3
CELLS_PER_ASSIGNMENT = 35  # seven days × five kinds
KINDS = "ARRAY['task','training','assessment','meeting','review']"
COUNTRIES = "ARRAY['DE','FR','IN','PH','BR','KE','US','MX']"
PROJECT_CURRENCIES = [("EUR", 2500), ("USD", 2200), ("JPY", 3000), ("KWD", 7500), ("EUR", 1800)]


class Seeder:
    """Writes the bench's data with a few INSERT … SELECT statements."""

    def __init__(self, command: BaseCommand, today: date, bench_start: date, options) -> None:
        self.command, self.today, self.bench_start = command, today, bench_start
        self.contractors, self.entries = options["contractors"], options["entries"]
        # Late hours of the week before, approved after it closed: paid with the bench's
        # payouts, through the late-hours branch of the generation's query.
        self.late_entries = max(1, self.entries // 100)
        self.history_weeks = options["history_weeks"]
        self.started = self.bench_start - timedelta(weeks=self.history_weeks + 1)
        self.now = timezone.now()
        self.t = tables()

    def run(self) -> None:
        self.step("emptying the bench tables", self.empty)
        self.step("creating the manager and projects", self.projects)
        self.step(f"{self.contractors:,} contractors with payout details", self.contractors_sql)
        self.step("three assignments each, with rates", self.assignments_sql)
        self.step(f"{self.entries:,} approved time entries in one week", self.bench_entries_sql)
        self.step(f"{self.history_weeks} weeks of history for one contractor", self.history_sql)
        self.step("VACUUM ANALYZE", lambda: vacuum(*self.t))
        self.step("closing the periods, paying the history", self.periods)
        self.step(f"{self.late_entries:,} late hours of the week before", self.late_sql)
        self.step("VACUUM ANALYZE", lambda: vacuum(*self.t))

    def step(self, what: str, call: Callable[[], object]) -> None:
        started = perf_counter()
        call()
        self.command.stdout.write(f"  {what}: {format_seconds(perf_counter() - started)}")

    def execute(self, sql: str, params: dict | None = None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, {"now": self.now, "started": self.started, **(params or {})})

    def empty(self) -> None:
        names = ", ".join(self.t[name] for name in ("user", "project", "period"))
        self.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")

    def projects(self) -> None:
        self.manager = User.objects.create_user("bench-manager@example.com", is_staff=True)
        Project.objects.bulk_create(
            Project(
                name=f"Bench project {index:02d}",
                description="Benchmark data.",
                status=ProjectStatus.ACTIVE,
                default_rate_minor=rate,
                currency=currency,
                expected_hours_per_week=20,
                weekly_cap_minutes=40 * 60,
                start_on=self.started,
                manager=self.manager,
                activated_at=self.now,
            )
            for index, (currency, rate) in enumerate(PROJECT_CURRENCIES * 6)
        )

    def contractors_sql(self) -> None:
        t = self.t
        self.execute(
            f"""
            INSERT INTO {t["user"]} (password, is_superuser, email, display_name, is_staff,
                                     is_active, date_joined, language, time_zone)
            SELECT '!', false, 'bench-' || g || '@example.com', '', false, true, %(now)s,
                   (ARRAY['en', 'id', 'vi', 'zh-hant'])[1 + g %% 4], 'UTC'
            FROM generate_series(1, %(count)s) g;
            INSERT INTO {t["contractor"]} (
                user_id, legal_name, display_name, country, subdivision, time_zone,
                hours_per_week, payout_currency, status, status_reason, status_changed_at,
                identity_verified_at, created_at, updated_at)
            SELECT u.id, 'Bench Contractor ' || u.id, 'Bench ' || u.id,
                   ({COUNTRIES})[1 + u.id %% 8], '', 'UTC', 20, 'EUR', 'active', '', %(now)s,
                   %(now)s, %(now)s, %(now)s
            FROM {t["user"]} u WHERE u.email LIKE 'bench-%%' AND NOT u.is_staff;
            INSERT INTO {t["payout_details"]} (profile_id, method, account_holder,
                                               account_identifier, account_masked, updated_at)
            SELECT c.id, 'bank_transfer', c.legal_name,
                   'DE' || lpad((c.id * 7919)::text, 20, '0'),
                   '••••' || right(lpad((c.id * 7919)::text, 20, '0'), 4), %(now)s
            FROM {t["contractor"]} c;
            """,  # noqa: S608 - table names from the models' metadata
            {"count": self.contractors},
        )

    def assignments_sql(self) -> None:
        t = self.t
        self.execute(
            f"""
            INSERT INTO {t["assignment"]} (project_id, contractor_id, status, start_on,
                                           removal_reason, assigned_by_id, created_at,
                                           updated_at)
            SELECT p.ids[1 + (c.id * {ASSIGNMENTS_PER_CONTRACTOR} + k) %% p.n], c.id, 'active',
                   %(started)s, '', %(manager)s, %(now)s, %(now)s
            FROM {t["contractor"]} c
            CROSS JOIN generate_series(0, {ASSIGNMENTS_PER_CONTRACTOR - 1}) k
            CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n
                        FROM {t["project"]}) p;
            INSERT INTO {t["rate"]} (assignment_id, rate_minor, currency,
                                                 effective_on, set_by_id, created_at)
            SELECT a.id, pr.default_rate_minor + (a.id %% 7) * 13, pr.currency, %(started)s,
                   %(manager)s, %(now)s
            FROM {t["assignment"]} a JOIN {t["project"]} pr ON pr.id = a.project_id;
            """,  # noqa: S608
            {"manager": self.manager.pk},
        )

    def _entries_sql(self, source: str) -> str:
        return f"""
            INSERT INTO {self.t["entry"]} (
                assignment_id, work_on, kind, minutes, note, status, rate_minor, currency,
                submitted_at, reviewed_at, reviewed_by_id, rejection_reason, created_at,
                updated_at, late)
            {source}
            ON CONFLICT DO NOTHING
        """  # noqa: S608

    def bench_entries_sql(self) -> None:
        self.spread_entries(start=self.bench_start, count=self.entries, late=False)

    def late_sql(self) -> None:
        self.spread_entries(
            start=self.bench_start - timedelta(days=7), count=self.late_entries, late=True
        )

    def spread_entries(self, *, start: date, count: int, late: bool) -> None:
        """``count`` approved entries in the week from ``start``, contractor after contractor."""
        per_contractor = -(-count // self.contractors)
        source = f"""
            WITH a AS (
                SELECT a.id, r.rate_minor, r.currency,
                       row_number() OVER (ORDER BY a.contractor_id, a.id) - 1 AS seq
                FROM {self.t["assignment"]} a JOIN {self.t["rate"]} r
                  ON r.assignment_id = a.id
            )
            SELECT a.id, %(start)s::date + (x.n %% 35) / 5, ({KINDS})[1 + x.n %% 5],
                   1 + (g::bigint * 7919) %% 60, '', 'approved', a.rate_minor, a.currency, %(now)s,
                   %(now)s, %(manager)s, '', %(now)s, %(now)s, %(late)s
            FROM generate_series(0, %(entries)s - 1) g
            CROSS JOIN LATERAL (SELECT g / %(per)s AS c, g %% %(per)s AS n) x
            JOIN a ON a.seq = x.c * {ASSIGNMENTS_PER_CONTRACTOR} + x.n / 35
        """  # noqa: S608
        self.execute(
            self._entries_sql(source),
            {
                "start": start,
                "entries": count,
                "per": per_contractor,
                "manager": self.manager.pk,
                "late": late,
            },
        )

    def history_sql(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT a.id, c.user_id FROM {self.t['assignment']} a "  # noqa: S608
                f"JOIN {self.t['contractor']} c ON c.id = a.contractor_id ORDER BY a.id LIMIT 1"
            )
            assignment_id, user_id = cursor.fetchone()
        self.history_user = User.objects.get(pk=user_id)
        source = f"""
            SELECT %(assignment)s, %(start)s::date - 7 * w + d, ({KINDS})[1 + k * 2],
                   30 + ((w + d + k) %% 4) * 15, '', 'approved', r.rate_minor, r.currency,
                   %(now)s, %(now)s, %(manager)s, '', %(now)s, %(now)s, false
            FROM generate_series(1, %(weeks)s) w
            CROSS JOIN generate_series(0, 6) d
            CROSS JOIN generate_series(0, 2) k
            JOIN {self.t["rate"]} r ON r.assignment_id = %(assignment)s
        """  # noqa: S608
        self.execute(
            self._entries_sql(source),
            {
                "assignment": assignment_id,
                "start": self.bench_start,
                "weeks": self.history_weeks,
                "manager": self.manager.pk,
            },
        )

    def periods(self) -> None:
        """Close every week up to the bench's, through the services; pay the history."""
        services.pay_periods_ensure(until=self.today)
        due = PayPeriod.objects.filter(status=PeriodStatus.OPEN, end_on__lt=self.bench_start)
        for period in due.order_by("start_on"):
            services.pay_period_close(period=period, by=self.manager, today=self.today)
            services.payouts_generate(period=period, by=self.manager)
        for payout in Payout.objects.filter(status=PayoutStatus.DRAFT).select_related("period"):
            services.payout_approve(payout=payout, by=self.manager)
            services.payout_mark_paid(
                payout=payout,
                by=self.manager,
                reference=f"BENCH-{payout.pk}",
                paid_on=payout.period.end_on + timedelta(days=3),
            )
        bench = PayPeriod.objects.get(start_on=self.bench_start)
        services.pay_period_close(period=bench, by=self.manager, today=self.today)


def vacuum(*names: str) -> None:
    t = tables()
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"VACUUM ANALYZE {t.get(name, name)}")


def format_seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
