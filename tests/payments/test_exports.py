import csv
import io
import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from payments import exports, services
from payments.exports import (
    DANGEROUS_FIRST_CHARACTERS,
    DETAIL_HEADER,
    SUMMARY_HEADER,
    Kind,
    PayrollFilter,
    adjustment_row,
    crlf_rows,
    csv_chunks,
    detail_row,
    hours_cell,
    neutralise,
    summary_row,
)
from payments.models import Payout
from tests import factories as people
from tests.payments import factories
from tests.projects.factories import LAST_MONDAY, SETUP_AT, assign, project_create

SUMMARY_TEXT_COLUMNS = [
    "legal_name",
    "email",
    "country",
    "payout_method",
    "masked_account",
    "currency",
    "status",
    "reference",
]
DETAIL_TEXT_COLUMNS = [
    "legal_name",
    "email",
    "country",
    "currency",
    "project",
    "kind",
    "payout_status",
    "reference",
]
ADJUSTMENT_TEXT_COLUMNS = [
    "legal_name",
    "email",
    "country",
    "currency",
    "type",
    "payout_status",
    "reference",
    "reason",
]


def _parse(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(), newline="")))


# --- Neutralising -------------------------------------------------------------------------


@pytest.mark.parametrize("first", DANGEROUS_FIRST_CHARACTERS)
def test_text_that_could_be_a_formula_gets_a_leading_quote(first):
    assert neutralise(f"{first}SUM(A1:A9)") == f"'{first}SUM(A1:A9)"


@pytest.mark.parametrize("text", ["Alice", "O'Brien", " =1", "1+1", "", None])
def test_other_text_is_left_alone(text):
    assert neutralise(text) == (text or "")


@pytest.mark.parametrize("first", DANGEROUS_FIRST_CHARACTERS)
def test_every_summary_text_column_is_neutralised_and_numbers_are_not(first):
    evil = f"{first}cmd"
    values = (
        7,
        date(2026, 11, 2),
        3,
        evil,
        evil,
        evil,
        evil,
        f"{first}DE89370400440532013000",
        "EUR",
        90,
        -500,
        -250,
        -750,
        evil,
        evil,
        None,
        # Not approved yet: nothing frozen, so the details on file are shown.
        None,
        None,
    )
    row = dict(zip(SUMMARY_HEADER, summary_row(values), strict=True))

    for column in ("legal_name", "email", "country", "payout_method", "status", "reference"):
        assert row[column] == f"'{evil}", column
    assert row["masked_account"] == "••••3000"
    assert (row["gross"], row["adjustments"], row["net"]) == ("-5.00", "-2.50", "-7.50")
    assert (row["payout_id"], row["minutes"], row["hours"], row["paid_on"]) == (7, 90, "1.50", "")


@pytest.mark.parametrize("first", DANGEROUS_FIRST_CHARACTERS)
def test_every_detail_text_column_is_neutralised(first):
    evil = f"{first}cmd"
    values = (1, date(2026, 11, 2), 3, evil, evil, evil, evil, date(2026, 11, 3))
    values += (evil, evil, 61, 2500, 2542, evil, evil, date(2026, 11, 12))
    row = dict(zip(DETAIL_HEADER, detail_row(values), strict=True))

    for column in DETAIL_TEXT_COLUMNS:
        assert row[column] == f"'{evil}", column
    assert (row["minutes"], row["paid_on"], row["work_date"]) == (61, "2026-11-12", "2026-11-03")
    assert (row["type"], row["hours"], row["reason"]) == ("time", "1.02", "")


@pytest.mark.parametrize("first", DANGEROUS_FIRST_CHARACTERS)
def test_every_adjustment_text_column_is_neutralised(first):
    evil = f"{first}cmd"
    values = (1, date(2026, 11, 2), 3, evil, evil, evil, evil)
    values += (evil, -250, evil, evil, None, evil)
    row = dict(zip(DETAIL_HEADER, adjustment_row(values), strict=True))

    for column in ADJUSTMENT_TEXT_COLUMNS:
        assert row[column] == f"'{evil}", column
    assert (row["amount"], row["minutes"], row["hours"], row["work_date"]) == ("-2.50", "", "", "")


@given(minutes=st.integers(0, 10**9))
def test_decimal_hours_are_the_minutes_rounded_half_up_to_the_hundredth(minutes):
    exact = (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert hours_cell(minutes) == f"{exact:f}"


def test_decimal_hours_read_as_people_expect():
    assert [hours_cell(m) for m in (0, 1, 30, 90, 100, 600)] == [
        "0.00",
        "0.02",
        "0.50",
        "1.50",
        "1.67",
        "10.00",
    ]
    assert hours_cell(None) == ""


# --- The CSV format ---------------------------------------------------------------------------


def test_csv_is_rfc_4180_with_crlf_and_quotes_where_needed():
    data = b"".join(csv_chunks(["a", "b"], [["x, y", 'say "hi"'], ["line\nbreak", ""]]))

    assert data == b'a,b\r\n"x, y","say ""hi"""\r\n"line\nbreak",\r\n'


@given(
    # Two columns at least: the csv module quotes a row that is one empty cell, and no
    # export has a single column.
    rows=st.lists(
        st.lists(st.text(alphabet='ab,"\n\r é', max_size=6), min_size=2, max_size=4),
        max_size=30,
    ),
    seed=st.integers(0, 10_000),
)
def test_turning_lf_rows_into_crlf_rows_ignores_how_the_stream_is_cut(rows, seed):
    as_lf = "".join(_lf_row(row) for row in rows).encode()
    expected = b"".join(csv_chunks([], rows)).removeprefix(b"\r\n")
    pieces = _cut(as_lf, random.Random(seed))

    assert b"".join(crlf_rows(pieces)) == expected


def _lf_row(row: list[str]) -> str:
    """A row as PostgreSQL's COPY writes it: quoted where needed, LF at the end."""
    cells = [
        '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\r\n') else cell
        for cell in row
    ]
    return ",".join(cells) + "\n"


def _cut(data: bytes, rng: random.Random) -> list[bytes]:
    cuts = sorted(rng.sample(range(len(data) + 1), min(5, len(data) + 1)))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


# --- The ORM path on any database ----------------------------------------------------------------


@pytest.fixture
def evil_payroll(clock, manager):
    """A contractor, a project and a reference that all start like formulas."""
    with clock.back_at(SETUP_AT):
        project = project_create(manager, name="=IMPORTXML(CONCAT(A1))")
        person = people.contractor_create(
            "-eve@example.com", by=manager, legal_name='@Eve, the "admin"'
        )
        assignment = assign(project, person, by=manager)
    factories.approved_week(assignment, manager=manager, minutes=[61, 1])
    period = factories.closed_period(LAST_MONDAY, by=manager)
    factories.generate(period, by=manager)
    payout = factories.approve_payout(Payout.objects.get(), by=manager)
    factories.pay(payout, by=manager, reference="+1 555 0100")
    return period


def test_the_orm_summary_neutralises_what_people_typed(evil_payroll):
    payroll = PayrollFilter(period_start=LAST_MONDAY)
    header, row = _parse(b"".join(exports.payroll_csv_orm(Kind.SUMMARY, payroll)))

    assert header == SUMMARY_HEADER
    named = dict(zip(header, row, strict=True))
    assert named["legal_name"] == '\'@Eve, the "admin"'
    assert named["email"] == "'-eve@example.com"
    assert named["reference"] == "'+1 555 0100"
    assert (named["minutes"], named["gross"], named["net"]) == ("62", "25.84", "25.84")
    assert named["paid_on"] == "2026-11-12"


def test_the_orm_detail_has_a_row_per_line(evil_payroll):
    payroll = PayrollFilter(period_start=LAST_MONDAY)
    header, *rows = _parse(b"".join(exports.payroll_csv_orm(Kind.DETAIL, payroll)))

    assert header == DETAIL_HEADER
    assert [row[header.index("project")] for row in rows] == ["'=IMPORTXML(CONCAT(A1))"] * 2
    assert [row[header.index("amount")] for row in rows] == ["25.42", "0.42"]
    assert [row[header.index("hours")] for row in rows] == ["1.02", "0.02"]


def test_the_orm_detail_puts_each_payouts_adjustments_after_its_lines(
    clock, manager, alice_on_project, bob_on_project
):
    factories.approved_week(alice_on_project, manager=manager, minutes=[60, 30])
    factories.approved_week(bob_on_project, manager=manager, minutes=[90])
    factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)
    alice_payout, bob_payout = Payout.objects.order_by("pk")
    for payout, kind, amount, reason in [
        (bob_payout, "bonus", 500, "+Referral"),
        (alice_payout, "deduction", -100, "Equipment"),
        (alice_payout, "correction", 3, 'Rounding, "fixed"\nline two'),
    ]:
        details = services.AdjustmentDetails(kind, amount, reason)
        services.payout_adjust(payout=payout, by=manager, details=details)
    payroll = PayrollFilter(period_start=LAST_MONDAY)

    header, *rows = _parse(b"".join(exports.payroll_csv_orm(Kind.DETAIL, payroll)))

    named = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(int(row["payout_id"]), row["type"], row["amount"]) for row in named] == [
        (alice_payout.pk, "time", "25.00"),
        (alice_payout.pk, "time", "12.50"),
        (alice_payout.pk, "deduction", "-1.00"),
        (alice_payout.pk, "correction", "0.03"),
        (bob_payout.pk, "time", "37.50"),
        (bob_payout.pk, "bonus", "5.00"),
    ]
    assert named[3]["reason"] == 'Rounding, "fixed"\nline two'
    assert named[5]["reason"] == "'+Referral"


def test_cancelled_payouts_are_left_out_unless_asked_for(clock, manager, alice_paid_week):
    services.payout_cancel(payout=alice_paid_week, by=manager, reason="Redo")
    every = PayrollFilter(period_start=LAST_MONDAY)
    cancelled = PayrollFilter(period_start=LAST_MONDAY, status="cancelled")

    assert len(_parse(b"".join(exports.payroll_csv_orm(Kind.SUMMARY, every)))) == 1
    assert len(_parse(b"".join(exports.payroll_csv_orm(Kind.SUMMARY, cancelled)))) == 2


# --- The command ----------------------------------------------------------------------------------


def test_the_command_writes_the_file_the_page_downloads(tmp_path, client, accountant, evil_payroll):
    target = tmp_path / "payroll.csv"
    call_command(
        "export_payroll", "--period-start", "2026-11-02", "--kind", "detail", "--output", target
    )
    client.force_login(accountant)
    page = client.get("/payroll/export.csv", {"period": "2026-11-02", "kind": "detail"})

    assert target.read_bytes() == b"".join(page.streaming_content)
    spreadsheet = tmp_path / "payroll-excel.csv"
    call_command("export_payroll", "--period-start", "2026-11-02", "--bom", "--output", spreadsheet)
    assert spreadsheet.read_bytes().startswith(b"\xef\xbb\xbfpayout_id,")


def test_the_command_refuses_a_period_that_does_not_exist(db, tmp_path):
    with pytest.raises(CommandError, match="No pay period starts on 2026-11-03"):
        call_command(
            "export_payroll", "--period-start", "2026-11-03", "--output", tmp_path / "x.csv"
        )
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("export_payroll", "--period-start", "next week", "--output", "-")


def test_the_benchmark_refuses_anything_but_postgresql(db, monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="bench_payments measures PostgreSQL"):
        call_command("bench_payments", contractors=1, entries=1)
