"""The money rules as properties: whatever the numbers and whatever the order of operations,
lines are rounded once, add up to their payout, and no entry is paid twice."""

import csv
import io
from collections import Counter
from contextlib import suppress
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from babel.numbers import list_currencies
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from payments import exports, services
from payments.models import OPEN_PAYOUT_STATUSES, Payout, PayoutLine, PayoutStatus
from payments.selectors import payout_line_totals, weekly_earnings_for_contractor
from portal.money import (
    currency_exponent,
    decimal_to_minor,
    format_money,
    line_amount,
    line_amount_sql,
    plain_amount,
)
from projects import services as project_services
from projects.models import EntryStatus, TimeEntry
from tests.payments import factories
from tests.projects.factories import LAST_MONDAY

DB_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CURRENCIES = sorted(list_currencies())


def _half_up(minutes: int, rate_minor: int) -> int:
    exact = Decimal(minutes) * Decimal(rate_minor) / Decimal(60)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- Rounding and exponents ---------------------------------------------------------------


@pytest.mark.django_db
@settings(max_examples=200, deadline=None)
@given(minutes=st.integers(0, 24 * 60), rate_minor=st.integers(0, 2**31 - 1))
def test_the_sql_rounding_is_the_python_rounding(minutes, rate_minor):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {line_amount_sql('%s', '%s')}", [minutes, rate_minor])
        (in_sql,) = cursor.fetchone()
    assert in_sql == line_amount(minutes, rate_minor) == _half_up(minutes, rate_minor)


@given(
    currency=st.sampled_from(CURRENCIES),
    minor=st.integers(-(10**15), 10**15),
)
def test_every_currency_exponent_round_trips_exactly(currency, minor):
    exponent = currency_exponent(currency)
    text = plain_amount(minor, currency)

    assert decimal_to_minor(text, currency) == minor
    decimals = text.partition(".")[2]
    assert len(decimals) == exponent
    assert Decimal(text) == Decimal(minor).scaleb(-exponent)
    assert format_money(minor, currency)  # every code formats without error


def test_the_exponents_are_cldrs():
    assert {code: currency_exponent(code) for code in ("EUR", "USD", "JPY", "KWD", "BHD")} == {
        "EUR": 2,
        "USD": 2,
        "JPY": 0,
        "KWD": 3,
        "BHD": 3,
    }
    assert plain_amount(1234, "JPY") == "1234"
    assert plain_amount(-1234, "KWD") == "-1.234"
    assert plain_amount(5, "EUR") == "0.05"


# --- Lines add up ---------------------------------------------------------------------------


@pytest.mark.django_db
@DB_SETTINGS
@given(
    minutes=st.lists(st.integers(1, 170), min_size=1, max_size=7),
    rate_minor=st.integers(1, 500_000),
    # Not EUR, the assignment's own: a lower EUR rate back-dated is a cut, refused.
    currency=st.sampled_from(["GBP", "JPY", "KWD", "USD"]),
)
def test_a_payouts_lines_add_up_to_its_total(
    clock, manager, alice_on_project, minutes, rate_minor, currency
):
    with transaction.atomic():
        project_services.assignment_rate_set(
            assignment=alice_on_project,
            by=manager,
            rate_minor=rate_minor,
            currency=currency,
            effective_on=LAST_MONDAY,
            currency_change_confirmed=True,
        )
        factories.approved_week(alice_on_project, manager=manager, minutes=minutes)
        factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)

        payout = Payout.objects.get()
        amounts = sorted(payout.lines.values_list("amount_minor", flat=True))
        assert amounts == sorted(line_amount(value, rate_minor) for value in minutes)
        assert payout.currency == currency
        assert payout_line_totals(payout) == (sum(minutes), sum(amounts))
        assert (payout.minutes, payout.gross_minor, payout.net_minor) == (
            sum(minutes),
            sum(amounts),
            sum(amounts),
        )
        transaction.set_rollback(True)


# --- Nothing paid twice, nothing left out -------------------------------------------------------

OPERATIONS = st.lists(
    st.sampled_from(["approve_entry", "generate", "cancel", "approve", "pay", "fail", "retry"]),
    min_size=1,
    max_size=14,
)


class Book:
    """Runs the operations through the services and checks the invariants after each."""

    def __init__(self, manager: User, period) -> None:
        self.manager, self.period = manager, period
        self.paid_lines: dict[int, set[int]] = {}

    def first(self, status: str) -> Payout | None:
        return Payout.objects.filter(status=status).order_by("pk").first()

    def run(self, operation: str) -> None:
        # A refused move changes nothing, which the invariants then check.
        with suppress(ValidationError):
            getattr(self, operation)()

    def approve_entry(self) -> None:
        entry = TimeEntry.objects.filter(status=EntryStatus.SUBMITTED).order_by("pk").first()
        if entry:
            project_services.time_entries_approve(entry_ids=[entry.pk], by=self.manager)

    def generate(self) -> None:
        services.payouts_generate(period=self.period, by=self.manager)

    def cancel(self) -> None:
        if payout := self.first(PayoutStatus.DRAFT):
            services.payout_cancel(payout=payout, by=self.manager, reason="Redo it.")

    def approve(self) -> None:
        if payout := self.first(PayoutStatus.DRAFT):
            services.payout_approve(payout=payout, by=self.manager)

    def pay(self) -> None:
        if payout := self.first(PayoutStatus.APPROVED):
            services.payout_mark_paid(
                payout=payout,
                by=self.manager,
                reference=f"R{payout.pk}",
                paid_on=date(2026, 11, 12),
            )
            self.paid_lines[payout.pk] = set(payout.lines.values_list("time_entry_id", flat=True))

    def fail(self) -> None:
        if payout := self.first(PayoutStatus.APPROVED):
            services.payout_mark_failed(payout=payout, by=self.manager, reason="Bounced.")

    def retry(self) -> None:
        if payout := self.first(PayoutStatus.FAILED):
            services.payout_retry(payout=payout, by=self.manager)

    def check(self) -> None:
        per_entry = Counter(PayoutLine.objects.values_list("time_entry_id", flat=True))
        assert all(count == 1 for count in per_entry.values())
        in_lines = set(per_entry)
        approved = set(
            TimeEntry.objects.filter(status=EntryStatus.APPROVED).values_list("pk", flat=True)
        )
        assert in_lines <= approved
        open_per_key = (
            Payout.objects.filter(status__in=OPEN_PAYOUT_STATUSES)
            .values("contractor", "currency")
            .annotate(n=Count("pk"))
        )
        assert all(row["n"] == 1 for row in open_per_key)
        for payout in Payout.objects.all():
            assert payout_line_totals(payout) == (payout.minutes, payout.gross_minor)
            if payout.status == PayoutStatus.CANCELLED:
                assert payout.gross_minor == 0
        for payout_id, entries in self.paid_lines.items():
            lines = set(
                PayoutLine.objects.filter(payout_id=payout_id).values_list(
                    "time_entry_id", flat=True
                )
            )
            assert lines == entries

    def settle(self) -> None:
        """Generate, then approve and pay everything, until nothing payable is left."""
        for _round in range(3):
            self.generate()
            for status, step in (
                (PayoutStatus.FAILED, self.retry),
                (PayoutStatus.DRAFT, self.approve),
                (PayoutStatus.APPROVED, self.pay),
            ):
                while self.first(status):
                    step()


@pytest.fixture
def submitted_weeks(clock, manager, alice_on_project, bob_on_project, alice_on_other):
    factories.submitted_week(alice_on_project, minutes=[61, 119, 7])
    factories.submitted_week(alice_on_other, minutes=[0, 0, 0, 45, 90], kind="review")
    factories.submitted_week(bob_on_project, minutes=[30, 31, 1, 59])
    return factories.closed_period(LAST_MONDAY, by=manager)


@pytest.mark.django_db
@DB_SETTINGS
@given(operations=OPERATIONS)
def test_no_entry_is_paid_twice_or_left_out_whatever_the_order(
    manager, submitted_weeks, operations
):
    with transaction.atomic():
        book = Book(manager, submitted_weeks)
        for operation in operations:
            book.run(operation)
            book.check()

        while TimeEntry.objects.filter(status=EntryStatus.SUBMITTED).exists():
            book.approve_entry()
        book.settle()
        book.check()

        paid = PayoutLine.objects.filter(payout__status=PayoutStatus.PAID)
        entries = TimeEntry.objects.filter(status=EntryStatus.APPROVED)
        assert sorted(paid.values_list("time_entry_id", flat=True)) == sorted(
            entries.values_list("pk", flat=True)
        )
        expected = sum(line_amount(e.minutes, e.rate_minor) for e in entries)
        paid_total = Payout.objects.filter(status=PayoutStatus.PAID).aggregate(
            total=Sum("net_minor")
        )["total"]
        assert paid_total == expected
        transaction.set_rollback(True)


# --- Lines and adjustments make the net, everywhere it is shown ------------------------------

WEEK_END = timedelta(days=6)
ADJUSTMENTS = st.lists(
    st.tuples(st.sampled_from(["bonus", "correction", "deduction"]), st.integers(1, 50_000)),
    max_size=4,
)


def _adjust(payout: Payout, manager: User, kind: str, size: int) -> None:
    amount = -size if kind == "deduction" or (kind == "correction" and size % 2) else size
    details = services.AdjustmentDetails(kind, amount, f"{kind} of {amount}")
    # One that would take the payout below zero is refused and changes nothing.
    with suppress(ValidationError):
        services.payout_adjust(payout=payout, by=manager, details=details)


@pytest.mark.django_db
@DB_SETTINGS
@given(
    # Seven days under 2:50 stay below the assignment's weekly cap of 20 hours.
    minutes=st.lists(st.integers(1, 170), min_size=1, max_size=7),
    adjustments=ADJUSTMENTS,
    paid=st.booleans(),
)
def test_lines_and_adjustments_make_the_net_in_the_files_and_the_chart(
    clock, manager, alice, alice_on_project, minutes, adjustments, paid
):
    with transaction.atomic():
        factories.approved_week(alice_on_project, manager=manager, minutes=minutes)
        factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)
        payout = Payout.objects.get()
        for kind, size in adjustments:
            _adjust(payout, manager, kind, size)
        payout.refresh_from_db()
        if paid and payout.net_minor > 0:
            payout = factories.pay(factories.approve_payout(payout, by=manager), by=manager)
        payroll = exports.PayrollFilter(period_start=LAST_MONDAY)

        summary = _named(b"".join(exports.payroll_csv_orm(exports.Kind.SUMMARY, payroll)))
        detail = _named(b"".join(exports.payroll_csv_orm(exports.Kind.DETAIL, payroll)))
        earnings = _named(
            b"".join(
                exports.earnings_csv(
                    alice.contractor_profile, start=LAST_MONDAY, end=LAST_MONDAY + WEEK_END
                )
            )
        )
        (series,) = weekly_earnings_for_contractor(alice.contractor_profile, today=LAST_MONDAY)

        net = Decimal(plain_amount(payout.net_minor, payout.currency))
        assert payout.net_minor == payout.gross_minor + payout.adjustments_minor
        assert [Decimal(row["net"]) for row in summary] == [net]
        assert sum(Decimal(row["amount"]) for row in detail) == net
        assert sum(Decimal(row["amount"]) for row in earnings) == net
        assert series.weeks[-1].total_minor == payout.net_minor
        assert series.weeks[-1].paid_minor == (payout.net_minor if payout.paid_on else 0)
        transaction.set_rollback(True)


def _named(data: bytes) -> list[dict[str, str]]:
    header, *rows = csv.reader(io.StringIO(data.decode(), newline=""))
    return [dict(zip(header, row, strict=True)) for row in rows]
