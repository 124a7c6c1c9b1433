"""The PostgreSQL fast path: ``COPY (SELECT …) TO STDOUT`` writes the payroll files.

The database formats and neutralises every cell itself, exactly as the ORM
path does in Python, so both write the same bytes; Python only turns COPY's
LF row ends into CRLF on the way out. Per-payout cells are written once per
payout, not once per line.
"""

from collections.abc import Iterator

from django.db import connection

from payments.exports.payroll import (
    DETAIL_HEADER,
    LINE_TYPE,
    SUMMARY_HEADER,
    Kind,
    PayrollFilter,
)
from payments.exports.writing import (
    DANGEROUS_FIRST_CHARACTERS,
    HOURS_SCALE,
    crlf_rows,
    csv_chunks,
)
from payments.sql import tables
from portal.money import DEFAULT_EXPONENT, exponents_sql, plain_amount_sql


def _text_sql(expression: str) -> str:
    """``neutralise`` in SQL; empty text becomes NULL, which COPY writes as an empty cell
    (an empty string it would quote, unlike the csv module)."""
    dangerous = ", ".join(
        "E'" + character.encode("unicode_escape").decode() + "'"
        for character in DANGEROUS_FIRST_CHARACTERS
    )
    return (
        f"NULLIF(CASE WHEN left({expression}, 1) IN ({dangerous}) "
        f"THEN '''' || {expression} ELSE {expression} END, '')"
    )


def _day_sql(expression: str) -> str:
    return f"to_char({expression}, 'YYYY-MM-DD')"


def _payouts_sql(payroll: PayrollFilter) -> tuple[str, dict]:
    """The chosen payouts with every per-payout cell already written, once per payout.

    ``cx`` holds the currencies without cents; ``po`` is materialised so a
    detail export formats a payout's cells once, not once per line.
    """
    t = tables()
    where, params = payroll.sql()
    sql = f"""
        WITH cx (code, exponent, scale) AS (VALUES {exponents_sql()}),
        po AS MATERIALIZED (
            SELECT p.id, per.start_on, {_day_sql("per.start_on")} AS period_start,
                   c.id AS contractor_id, {_text_sql("c.legal_name")} AS legal_name,
                   {_text_sql("u.email")} AS email, {_text_sql("c.country")} AS country,
                   {_text_sql("pd.method")} AS method,
                   {_text_sql("pd.account_masked")} AS masked_account,
                   {_text_sql("p.currency")} AS currency, p.minutes, p.gross_minor,
                   p.adjustments_minor, p.net_minor, {_text_sql("p.status")} AS status,
                   {_text_sql("p.reference")} AS reference, {_day_sql("p.paid_on")} AS paid_on,
                   COALESCE(cx.exponent, {DEFAULT_EXPONENT}) AS exponent,
                   COALESCE(cx.scale, {10**DEFAULT_EXPONENT}) AS scale
            FROM {t["payout"]} p
            JOIN {t["period"]} per ON per.id = p.period_id
            JOIN {t["contractor"]} c ON c.id = p.contractor_id
            JOIN {t["user"]} u ON u.id = c.user_id
            LEFT JOIN {t["payout_details"]} pd ON pd.profile_id = c.id
            LEFT JOIN cx ON cx.code = p.currency
            WHERE {where}
        )
    """  # noqa: S608 - names come from the models' metadata, values are parameters.
    return sql, params


def _amount_sql(minor: str) -> str:
    return plain_amount_sql(minor, "po.exponent", "po.scale")


def _hours_sql(minutes: str) -> str:
    """``hours_cell``: hundredths of an hour rounded half-up, written with two decimals."""
    hundredths = f"(({minutes})::bigint * {2 * HOURS_SCALE} + 60) / 120"
    return plain_amount_sql(hundredths, "2", str(HOURS_SCALE))


def summary_sql(payroll: PayrollFilter) -> tuple[str, dict]:
    payouts, params = _payouts_sql(payroll)
    select = f"""
        {payouts}
        SELECT po.id, po.period_start, po.contractor_id, po.legal_name, po.email, po.country,
               po.method, po.masked_account, po.currency, po.minutes,
               {_hours_sql("po.minutes")}, {_amount_sql("po.gross_minor")},
               {_amount_sql("po.adjustments_minor")}, {_amount_sql("po.net_minor")}, po.status,
               po.reference, po.paid_on
        FROM po
        ORDER BY po.start_on, po.id
    """  # noqa: S608
    return select, params


def detail_sql(payroll: PayrollFilter) -> tuple[str, dict]:
    """Each payout's lines, then its adjustments, as the ORM path orders them."""
    payouts, params = _payouts_sql(payroll)
    t = tables()
    cells = """po.id, po.period_start, po.contractor_id, po.legal_name, po.email, po.country,
               po.currency"""
    tail = "po.status, po.reference, po.paid_on"
    select = f"""
        {payouts},
        pr AS MATERIALIZED (SELECT id, {_text_sql("name")} AS name FROM {t["project"]})
        SELECT {cells}, x.type, x.work_date, x.project, x.kind, x.minutes, x.hours, x.rate,
               x.amount, {tail}, x.reason
        FROM (
            SELECT po.start_on AS s1, po.id AS s2, 0 AS s3, l.work_on AS s4,
                   NULL::timestamptz AS s5, l.id AS s6, l.payout_id,
                   '{LINE_TYPE}' AS type, {_day_sql("l.work_on")} AS work_date,
                   pr.name AS project, {_text_sql("l.kind")} AS kind, l.minutes,
                   {_hours_sql("l.minutes")} AS hours, {_amount_sql("l.rate_minor")} AS rate,
                   {_amount_sql("l.amount_minor")} AS amount, NULL AS reason
            FROM {t["line"]} l
            JOIN po ON po.id = l.payout_id
            JOIN pr ON pr.id = l.project_id
            UNION ALL
            SELECT po.start_on, po.id, 1, NULL, a.created_at, a.id, a.payout_id,
                   {_text_sql("a.kind")}, NULL, NULL, NULL, NULL, NULL, NULL,
                   {_amount_sql("a.amount_minor")}, {_text_sql("a.reason")}
            FROM {t["adjustment"]} a
            JOIN po ON po.id = a.payout_id
        ) AS x
        JOIN po ON po.id = x.payout_id
        ORDER BY x.s1, x.s2, x.s3, x.s4, x.s5, x.s6
    """  # noqa: S608
    return select, params


def copy_out(select: str, params: dict) -> Iterator[bytes]:
    """What ``COPY (select) TO STDOUT`` sends, as it arrives."""
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT csv)", params) as copy,
    ):
        for data in copy:
            yield bytes(data)


def payroll_csv_copy(kind: str, payroll: PayrollFilter, *, bom: bool = False) -> Iterator[bytes]:
    header = SUMMARY_HEADER if kind == Kind.SUMMARY else DETAIL_HEADER
    select, params = summary_sql(payroll) if kind == Kind.SUMMARY else detail_sql(payroll)
    yield from csv_chunks(header, [], bom=bom)
    yield from crlf_rows(copy_out(select, params))
