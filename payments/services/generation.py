"""Generating a closed period's payouts from its approved hours, in a few set-based statements.

Nothing here loops over time entries in Python: the database groups the
payable entries into payouts, copies them into lines and sums the lines, so
a period of a million entries costs a handful of statements.

Running it again adds only what became payable since (entries approved
after the last run, and late hours of earlier periods approved meanwhile);
running it twice at once does the work once. The period row is locked for
the whole run, and every payout change locks it too, so a payout can't be
approved, cancelled or adjusted half-way through.
The unique constraints (one line per entry, one open payout per contractor,
period and currency) would refuse a duplicate even if that lock were missed:
the run would fail and change nothing rather than pay anything twice.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from payments.models import OPEN_PAYOUT_STATUSES, PayoutStatus
from payments.services.back_pay import back_pay_attach
from payments.services.floor_top_up import floor_top_ups_attach
from payments.services.owed import fee_top_ups_sweep, standby_attach
from payments.sql import in_list, tables
from portal.jobs.models import Job
from portal.jobs.registry import Progress
from portal.jobs.services import job_start
from portal.money import line_amount_sql
from projects.models import EntryStatus, PayPeriod, PeriodStatus

GENERATE_JOB = "payments.payouts_generate"
# Payouts, lines, totals and history, then what is owed besides (back pay, top-ups, standby).
GENERATION_STEPS = 4
OPEN_IN, OPEN_PARAMS = in_list("open", tuple(status.value for status in OPEN_PAYOUT_STATUSES))
# Enough new payouts to make the planner's old statistics misleading.
ANALYZE_AFTER = 1000
# The tables the statements read, and when PostgreSQL's statistics of one are too poor to
# plan by: none yet (never analysed, or emptied since), or more rows changed since the
# last ANALYZE than STALE_SHARE of the table plus STALE_FLOOR (a large import).
READ_TABLES = ("entry", "assignment", "line", "payout", "payout_change")
STALE_SHARE = 0.5
STALE_FLOOR = 1000
_DRAFT_JOIN = """
    JOIN {payout} p ON p.contractor_id = a.contractor_id AND p.currency = te.currency
     AND p.period_id = %(period)s AND p.status = %(draft)s
"""


@dataclass(frozen=True)
class GenerationResult:
    period: PayPeriod
    payouts_created: int
    lines_added: int
    # Approved entries left out because their contractor's payout for the period is
    # already approved or failed; they go into the next payout once that one is paid.
    entries_waiting: int

    def __str__(self) -> str:
        words = {
            "period": str(self.period),
            "payouts": ngettext(
                "%(count)d new payout", "%(count)d new payouts", self.payouts_created
            )
            % {"count": self.payouts_created},
            "lines": ngettext("%(count)d line added", "%(count)d lines added", self.lines_added)
            % {"count": self.lines_added},
        }
        if not self.entries_waiting:
            return _("%(period)s: %(payouts)s, %(lines)s.") % words
        words["waiting"] = ngettext(
            "%(count)d approved entry waits until its contractor's approved payout for this "
            "period is paid",
            "%(count)d approved entries wait until their contractors' approved payouts for this "
            "period are paid",
            self.entries_waiting,
        ) % {"count": self.entries_waiting}
        return _("%(period)s: %(payouts)s, %(lines)s; %(waiting)s.") % words


def _payable_entries_sql(t: dict[str, str], join: str = "") -> str:
    """Approved entries that no payout line holds yet (aliases ``te``, ``a``): the period's
    own, and late hours of earlier periods, which are paid with the next payouts generated
    because a closed period's payouts are never reopened for them."""
    return f"""
        FROM {t["entry"]} te
        JOIN {t["assignment"]} a ON a.id = te.assignment_id
        {join}
        WHERE te.status = %(approved)s
          AND (
              (te.work_on BETWEEN %(start)s AND %(end)s AND te.late = %(on_time)s)
              OR (te.late = %(late)s AND te.work_on < %(start)s)
          )
          AND NOT EXISTS (SELECT 1 FROM {t["line"]} pl WHERE pl.time_entry_id = te.id)
    """  # noqa: S608 - table names come from the models' metadata, values are parameters.


def generation_params(period: PayPeriod, *, by: User | None) -> dict[str, Any]:
    """The parameters of the generation statements for ``period`` (also the benchmark's)."""
    return {
        "period": period.pk,
        "start": period.start_on,
        "end": period.end_on,
        "approved": EntryStatus.APPROVED.value,
        "late": True,
        "on_time": False,
        "draft": PayoutStatus.DRAFT.value,
        **OPEN_PARAMS,
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
        "by": by.pk if by else None,
    }


def _insert_payouts(cursor: CursorWrapper, t: dict[str, str], params: Mapping[str, Any]) -> int:
    """One draft per contractor and currency with payable entries and no open payout."""
    cursor.execute(
        f"""
        INSERT INTO {t["payout"]} (
            contractor_id, period_id, currency, status, minutes, gross_minor,
            adjustments_minor, net_minor, reference, failure_reason, created_at, updated_at
        )
        SELECT a.contractor_id, %(period)s, te.currency, %(draft)s, 0, 0, 0, 0, '', '',
               %(now)s, %(now)s
        {_payable_entries_sql(t)}
          AND NOT EXISTS (
              SELECT 1 FROM {t["payout"]} p
              WHERE p.contractor_id = a.contractor_id AND p.period_id = %(period)s
                AND p.currency = te.currency AND p.status IN {OPEN_IN}
          )
        GROUP BY a.contractor_id, te.currency
        """,  # noqa: S608
        params,
    )
    created: int = cursor.rowcount
    return created


def _insert_lines(cursor: CursorWrapper, t: dict[str, str], params: Mapping[str, Any]) -> int:
    """Every payable entry becomes a line of its contractor's draft payout, priced once."""
    cursor.execute(
        f"""
        INSERT INTO {t["line"]} (
            payout_id, time_entry_id, project_id, work_on, kind, minutes, rate_minor,
            amount_minor
        )
        SELECT p.id, te.id, a.project_id, te.work_on, te.kind, te.minutes, te.rate_minor,
               {line_amount_sql("te.minutes", "te.rate_minor")}
        {_payable_entries_sql(t, join=_DRAFT_JOIN.format(payout=t["payout"]))}
        """,  # noqa: S608
        params,
    )
    added: int = cursor.rowcount
    return added


def _refresh_draft_totals(
    cursor: CursorWrapper, t: dict[str, str], params: Mapping[str, Any]
) -> None:
    """Each draft's minutes and gross are the sums of its lines; net adds the adjustments."""
    cursor.execute(
        f"""
        UPDATE {t["payout"]}
        SET minutes = totals.minutes, gross_minor = totals.gross,
            net_minor = totals.gross + adjustments_minor, updated_at = %(now)s
        FROM (
            SELECT pl.payout_id, SUM(pl.minutes) AS minutes, SUM(pl.amount_minor) AS gross
            FROM {t["line"]} pl JOIN {t["payout"]} dp ON dp.id = pl.payout_id
            WHERE dp.period_id = %(period)s AND dp.status = %(draft)s
            GROUP BY pl.payout_id
        ) AS totals
        WHERE {t["payout"]}.id = totals.payout_id
          AND ({t["payout"]}.minutes <> totals.minutes OR {t["payout"]}.gross_minor <> totals.gross)
        """,  # noqa: S608
        params,
    )


def _record_creation(cursor: CursorWrapper, t: dict[str, str], params: Mapping[str, Any]) -> None:
    """The first history row of each new payout: created as a draft, by whoever generated it."""
    cursor.execute(
        f"""
        INSERT INTO {t["payout_change"]} (payout_id, from_status, to_status, reason, reference,
                                          by_id, at)
        SELECT p.id, '', %(draft)s, '', '', %(by)s, %(now)s
        FROM {t["payout"]} p
        WHERE p.period_id = %(period)s AND p.status = %(draft)s
          AND NOT EXISTS (SELECT 1 FROM {t["payout_change"]} h WHERE h.payout_id = p.id)
        """,  # noqa: S608
        params,
    )


def _refresh_statistics(cursor: CursorWrapper, t: dict[str, str], created: int) -> None:
    """Let PostgreSQL's planner see the payouts just created before it joins lines to them.

    Without it, statistics from before the insert say the period has no
    payouts, and the planner picks a nested loop over a million entries.
    """
    if connection.vendor == "postgresql" and created >= ANALYZE_AFTER:
        cursor.execute(f"ANALYZE {t['payout']}")


def statistics_ensure(*, names: tuple[str, ...] = READ_TABLES) -> list[str]:
    """ANALYZE each of the tables named (keys of ``tables()``) whose statistics PostgreSQL
    lacks or has outgrown; return the tables analysed.

    On a new deployment, or right after a large import, the planner has no
    statistics for the tables it joins, guesses a few dozen rows where there
    are a million, and plans nested loops: minutes instead of seconds. ANALYZE
    reads a sample of each table, so its cost barely grows with the table.
    """
    if connection.vendor != "postgresql":
        return []
    t = tables()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
            WHERE c.oid = ANY(%(names)s::regclass[])
              AND (
                  c.reltuples < 0
                  OR COALESCE(s.n_mod_since_analyze, 0) > %(floor)s + %(share)s * c.reltuples
                  OR (c.reltuples > 0 AND NOT EXISTS (
                      SELECT 1 FROM pg_stats st
                      WHERE st.schemaname = n.nspname AND st.tablename = c.relname
                  ))
              )
            ORDER BY c.relname
            """,
            {"names": [t[name] for name in names], "floor": STALE_FLOOR, "share": STALE_SHARE},
        )
        stale = [name for (name,) in cursor.fetchall()]
        for name in stale:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(name)}")
    return stale


def _count_waiting(cursor: CursorWrapper, t: dict[str, str], params: Mapping[str, Any]) -> int:
    """Payable entries left without a line: only a non-draft open payout keeps them out."""
    cursor.execute(
        f"SELECT 1 FROM {t['payout']} WHERE period_id = %(period)s "  # noqa: S608
        f"AND status IN {OPEN_IN} AND status <> %(draft)s",
        params,
    )
    if cursor.fetchone() is None:
        return 0
    cursor.execute(f"SELECT COUNT(*) {_payable_entries_sql(t)}", params)  # noqa: S608
    waiting: int = cursor.fetchone()[0]
    return waiting


def _require_closed(period: PayPeriod) -> None:
    if period.status != PeriodStatus.CLOSED:
        raise ValidationError(
            _(
                "Close the pay period %(period)s first: its hours can still change while it "
                "is open."
            ),
            params={"period": str(period)},
        )


def payouts_generate_start(*, period: PayPeriod, by: User) -> Job:
    """Generate the period's payouts in the background; return the job to follow.

    A period still open is refused at once. While a generation of the period
    is queued or running, starting it again returns that job.
    """
    _require_closed(period)
    return job_start(
        kind=GENERATE_JOB,
        key=f"{GENERATE_JOB}:{period.pk}",
        params={"period": period.pk},
        started_by=by,
        subject=str(period),
    )


def payouts_generate(
    *, period: PayPeriod, by: User | None, progress: Progress | None = None
) -> GenerationResult:
    """Turn the closed period's approved, unpaid entries into draft payouts and their lines.

    Contractors with a draft for the period get the new entries added to it;
    those without an open payout get a new draft per currency. Tables without
    usable statistics are analysed first, before the period is locked (and
    committed at once when no transaction is open).
    """
    statistics_ensure()
    return _generate(period=period, by=by, progress=progress or _silent)


def _silent(done: int, total: int | None = None) -> None:
    """No one follows this run's steps."""


@transaction.atomic
def _generate(*, period: PayPeriod, by: User | None, progress: Progress) -> GenerationResult:
    period = PayPeriod.objects.select_for_update().get(pk=period.pk)
    _require_closed(period)
    params = generation_params(period, by=by)
    t = tables()
    # Its steps, for whoever follows the run (a background job's page): a few statements
    # each, so reporting them costs nothing beside the statements themselves.
    progress(0, GENERATION_STEPS)
    with connection.cursor() as cursor:
        created = _insert_payouts(cursor, t, params)
        _refresh_statistics(cursor, t, created)
        progress(1, GENERATION_STEPS)
        added = _insert_lines(cursor, t, params)
        progress(2, GENERATION_STEPS)
        _refresh_draft_totals(cursor, t, params)
        _record_creation(cursor, t, params)
        waiting = _count_waiting(cursor, t, params)
        progress(3, GENERATION_STEPS)
    back_pay_attach(period=period)
    floor_top_ups_attach(period=period, by=by)
    standby_attach(period=period)
    fee_top_ups_sweep(period=period, by=by)
    progress(GENERATION_STEPS, GENERATION_STEPS)
    return GenerationResult(
        period=period, payouts_created=created, lines_added=added, entries_waiting=waiting
    )
