"""What only PostgreSQL can show: two managers at once, and the COPY export's bytes.

These run in ``make test-services`` (``DATABASE_URL`` pointing at PostgreSQL)
and select themselves by the database in use. Threads get their own
connections, so these tests commit (``transaction=True``).
"""

import io
import threading
from collections.abc import Callable
from datetime import date

import pytest
from babel.numbers import list_currencies
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, connections

from payments import exports, services
from payments.models import (
    AdjustmentKind,
    Payout,
    PayoutLine,
    PayoutStatus,
    PayoutStatusChange,
)
from payments.services import generation
from payments.sql import tables
from portal.models import Notification
from portal.money import exponents_sql, plain_amount, plain_amount_sql
from projects.models import TimeEntry
from tests import factories as people
from tests.payments import factories
from tests.projects.factories import LAST_MONDAY, SETUP_AT, assign, project_create

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (make test-services)"
    ),
    pytest.mark.django_db(transaction=True),
]


def _at_once(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads released together; each result, or the exception raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def closed_week(clock, manager, alice_on_project, bob_on_project, alice_on_other):
    factories.approved_week(alice_on_project, manager=manager, minutes=[60, 61, 62])
    factories.approved_week(alice_on_other, manager=manager, minutes=[0, 0, 0, 30], kind="review")
    factories.approved_week(bob_on_project, manager=manager, minutes=[45])
    return factories.closed_period(LAST_MONDAY, by=manager)


def test_generating_twice_at_once_creates_one_set(manager, closed_week):
    first, second = _at_once(
        lambda: services.payouts_generate(period=closed_week, by=manager),
        lambda: services.payouts_generate(period=closed_week, by=manager),
    )

    assert sorted([first.payouts_created, second.payouts_created]) == [0, 2]
    assert sorted([first.lines_added, second.lines_added]) == [0, 5]
    assert Payout.objects.count() == 2
    assert PayoutLine.objects.count() == 5
    assert PayoutStatusChange.objects.count() == 2


def test_marking_paid_twice_at_once_has_one_effect(manager, alice, closed_week):
    factories.generate(closed_week, by=manager)
    payout = factories.approve_payout(Payout.objects.get(contractor__user=alice), by=manager)
    other_manager = people.manager_create("second.manager@example.com")

    results = _at_once(
        lambda: services.payout_mark_paid(
            payout=payout, by=manager, reference="WISE-1", paid_on=date(2026, 11, 12)
        ),
        lambda: services.payout_mark_paid(
            payout=payout, by=other_manager, reference="WISE-2", paid_on=date(2026, 11, 12)
        ),
    )

    refused = [result for result in results if isinstance(result, ValidationError)]
    paid = [result for result in results if isinstance(result, Payout)]
    assert len(paid) == len(refused) == 1
    assert "already paid" in refused[0].messages[0]
    payout.refresh_from_db()
    assert payout.reference == paid[0].reference
    assert payout.status_changes.filter(to_status=PayoutStatus.PAID).count() == 1
    assert Notification.objects.filter(recipient=alice, kind="payout_paid").count() == 1


def test_cancel_and_generate_at_once_leave_no_entry_behind(manager, closed_week):
    factories.generate(closed_week, by=manager)
    draft = Payout.objects.order_by("pk").first()

    _at_once(
        lambda: services.payout_cancel(payout=draft, by=manager, reason="Redo."),
        lambda: services.payouts_generate(period=closed_week, by=manager),
    )
    services.payouts_generate(period=closed_week, by=manager)

    assert PayoutLine.objects.count() == 5
    assert not PayoutLine.objects.filter(payout__status=PayoutStatus.CANCELLED).exists()


# --- Statistics for the set-based statements ------------------------------------------------


def _read_tables() -> list[str]:
    return [tables()[name] for name in generation.READ_TABLES]


def _planner_rows() -> dict[str, float]:
    """Each table's row count as the planner knows it (-1: never analysed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE oid = ANY(%s::regclass[])",
            [_read_tables()],
        )
        return dict(cursor.fetchall())


@pytest.fixture
def never_analysed():
    """The tables the generation reads, emptied as a new deployment's are: PostgreSQL
    knows nothing of the rows written into them until they are analysed."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(_read_tables())} CASCADE")


def test_generation_analyses_the_tables_postgresql_has_no_statistics_for(
    never_analysed, manager, closed_week
):
    assert set(_planner_rows().values()) == {-1}

    result = services.payouts_generate(period=closed_week, by=manager)

    assert result.lines_added == 5
    entry = tables()["entry"]
    assert _planner_rows()[entry] == TimeEntry.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s", [entry])
        assert cursor.fetchone()[0] > 0  # column statistics the planner can use
    assert generation.statistics_ensure() == []  # nothing left unknown


def test_statistics_are_refreshed_after_a_large_import_only(manager, closed_week):
    generation.statistics_ensure()
    assert generation.statistics_ensure() == []

    entry = tables()["entry"]
    with connection.cursor() as cursor:  # far more rows than the statistics describe
        cursor.execute(
            f"INSERT INTO {entry} (assignment_id, work_on, kind, minutes, note, status, "  # noqa: S608
            "rate_minor, currency, rejection_reason, created_at, updated_at) "
            "SELECT assignment_id, work_on - g, kind, minutes, '', 'draft', rate_minor, "
            "currency, '', created_at, updated_at "
            f"FROM {entry} CROSS JOIN generate_series(1, %s) g ON CONFLICT DO NOTHING",
            [generation.STALE_FLOOR],
        )
        cursor.execute("SELECT pg_stat_force_next_flush()")  # counters reach the view at once

    assert generation.statistics_ensure() == [entry]
    assert _planner_rows()[entry] == TimeEntry.objects.count()


# --- The COPY path writes what the ORM path writes --------------------------------------------


def test_every_currency_is_written_alike_by_python_and_sql(db):
    amounts = [0, 1, -1, 5, 99, 100, 12345, -12345, 10**15 + 7]
    pairs = [(code, minor) for code in sorted(list_currencies()) for minor in amounts]
    values = ", ".join(["(%s, %s::bigint)"] * len(pairs))
    params = [item for pair in pairs for item in pair]
    amount = plain_amount_sql("a.minor", "COALESCE(cx.exponent, 2)", "COALESCE(cx.scale, 100)")
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH cx (code, exponent, scale) AS (VALUES {exponents_sql()}) "  # noqa: S608
            f"SELECT a.code, {amount} FROM (VALUES {values}) AS a (code, minor) "
            "LEFT JOIN cx ON cx.code = a.code",
            params,
        )
        in_sql = sorted(cursor.fetchall())
    assert in_sql == sorted((code, plain_amount(minor, code)) for code, minor in pairs)


@pytest.fixture
def awkward_payroll(clock, manager):
    """Payouts whose every text could be read as a formula, in three exponents."""
    names = ['=HYPERLINK("http://evil.example","click")', "+Plus, Comma", "@At\tTab", "Zoë Ünïcode"]
    emails = ["-minus@example.com", "plain@example.com", "=eq@example.com", "zoe@example.com"]
    currencies = ["EUR", "JPY", "KWD", "EUR"]
    with clock.back_at(SETUP_AT):
        projects = [
            project_create(manager, name=name, currency=currency, default_rate_minor=rate)
            for name, currency, rate in [
                ("-Minus project", "EUR", 2501),
                ('Quote "this", line\nbreak', "JPY", 1999),
                ("\rCarriage", "KWD", 12345),
                ("Plain", "EUR", 3000),
            ]
        ]
        contractors = [
            people.contractor_create(email, by=manager, legal_name=name)
            for name, email in zip(names, emails, strict=True)
        ]
        assignments = [
            assign(project, person, by=manager)
            for project, person in zip(projects, contractors, strict=True)
        ]
    for assignment, minutes in zip(assignments, ([61, 7], [1, 59, 119], [30], [45]), strict=True):
        factories.approved_week(assignment, manager=manager, minutes=minutes)
    period = factories.closed_period(LAST_MONDAY, by=manager)
    factories.generate(period, by=manager)
    payouts = list(Payout.objects.order_by("pk"))
    services.payout_adjust(
        payout=payouts[0],
        by=manager,
        details=services.AdjustmentDetails(AdjustmentKind.DEDUCTION, -5, "-Late"),
    )
    for payout, kind, amount, reason in [
        (payouts[1], AdjustmentKind.BONUS, 7, 'Rush, "night"\nshift'),
        (payouts[2], AdjustmentKind.CORRECTION, -1, "=Rounding"),
        (payouts[3], AdjustmentKind.BONUS, 250, "Zoë's referral"),
    ]:
        details = services.AdjustmentDetails(kind, amount, reason)
        services.payout_adjust(payout=payout, by=manager, details=details)
    for payout, reference in zip(payouts[:3], ["@SUM(1,2)", '"quoted", ref', "=1+1"], strict=True):
        factories.approve_payout(payout, by=manager)
        factories.pay(payout, by=manager, reference=reference)
    assert {p.currency for p in payouts} == set(currencies)
    return period


@pytest.mark.parametrize("kind", [exports.Kind.SUMMARY, exports.Kind.DETAIL])
@pytest.mark.parametrize(
    "filters",
    [{}, {"currency": "JPY"}, {"country": "DE", "status": "paid"}, {"status": "draft"}],
)
def test_copy_writes_the_same_bytes_as_the_orm(awkward_payroll, kind, filters):
    payroll = exports.PayrollFilter(period_start=awkward_payroll.start_on, **filters)

    orm = b"".join(exports.payroll_csv_orm(kind, payroll))
    copied = b"".join(exports.payroll_csv_copy(kind, payroll))

    assert copied == orm
    assert orm.startswith(b"payout_id,period_start,contractor_id,")
    spreadsheet = b"".join(exports.payroll_csv_copy(kind, payroll, bom=True))
    assert spreadsheet == b"\xef\xbb\xbf" + b"".join(exports.payroll_csv_orm(kind, payroll))


def test_the_copy_export_neutralises_every_text_cell(awkward_payroll):
    payroll = exports.PayrollFilter(period_start=awkward_payroll.start_on)
    text = b"".join(exports.payroll_csv_copy(exports.Kind.SUMMARY, payroll)).decode()

    assert '\'=HYPERLINK(""http://evil.example"",""click"")' in text
    assert ",'-minus@example.com," in text
    assert ",'@SUM(1,2)" in text or '"\'@SUM(1,2)"' in text
    assert ",-0.05," in text  # a negative amount stays a number


# --- The benchmark ------------------------------------------------------------------------------


def test_the_benchmark_runs_end_to_end_at_a_small_size():
    output = io.StringIO()
    call_command(
        "bench_payments",
        contractors=20,
        entries=700,
        history_weeks=3,
        page_runs=1,
        smoke=True,
        stdout=output,
    )

    report = output.getvalue()
    assert "payout generation (" in report and "INSERT … SELECT of the same lines" in report
    assert "the same on tables never analysed" in report
    assert PayoutLine.objects.filter(time_entry__late=True).exists()  # the late-hours branch
    assert "detail export" in report and "memory growth" in report
    assert "earnings page, " in report
    assert Payout.objects.filter(status=PayoutStatus.PAID).count() == 3  # the history


def test_closing_a_period_waits_for_a_time_edit_under_way(clock, manager):
    from django.db import transaction
    from django.db.utils import OperationalError

    from projects.models import PayPeriod
    from projects.pay_periods import closed_pay_period_dates

    period = factories.period(LAST_MONDAY)
    closer_blocked = []

    def close_without_waiting() -> None:
        with transaction.atomic():
            try:
                PayPeriod.objects.select_for_update(nowait=True).get(pk=period.pk)
            except OperationalError:
                closer_blocked.append(True)

    with transaction.atomic():
        assert closed_pay_period_dates({LAST_MONDAY}, lock=True) == set()
        worker = threading.Thread(target=lambda: (close_without_waiting(), connections.close_all()))
        worker.start()
        worker.join()
    assert closer_blocked == [True]
