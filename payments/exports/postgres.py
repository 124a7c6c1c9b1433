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
    FROZEN_SQL,
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
                   {_text_sql(FROZEN_SQL[0])} AS method,
                   {_text_sql(FROZEN_SQL[1])} AS masked_account,
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
    """Each payout's lines, then its adjustments, as the ORM path orders them.

    The payouts are read in order, and each one's rows fetched and sorted beside
    it (a lateral subquery: a nested loop, which returns them in that order), so
    PostgreSQL sorts a few dozen narrow rows at a time rather than every line of
    the period at once; the cells are written last, once the order is settled.
    """
    payouts, params = _payouts_sql(payroll)
    t = tables()
    select = f"""
        {payouts},
        pr AS MATERIALIZED (SELECT id, {_text_sql("name")} AS name FROM {t["project"]})
        SELECT po.id, po.period_start, po.contractor_id, po.legal_name, po.email, po.country,
               po.currency,
               CASE WHEN po.s3 = 0 THEN '{LINE_TYPE}' ELSE {_text_sql("po.adjustment_kind")} END,
               {_day_sql("po.s4")}, po.project, {_text_sql("po.kind")}, po.line_minutes,
               CASE WHEN po.s3 = 0 THEN {_hours_sql("po.line_minutes")} END,
               CASE WHEN po.s3 = 0 THEN {_amount_sql("po.rate_minor")} END,
               {_amount_sql("po.amount_minor")}, po.status, po.reference, po.paid_on,
               {_text_sql("po.reason")}
        FROM (
            SELECT o.id, o.start_on, o.period_start, o.contractor_id, o.legal_name, o.email,
                   o.country, o.currency, o.status, o.reference, o.paid_on, o.exponent,
                   o.scale, x.*
            FROM (SELECT * FROM po ORDER BY po.start_on, po.id) AS o
            CROSS JOIN LATERAL (
                SELECT 0 AS s3, l.work_on AS s4, NULL::timestamptz AS s5, l.id AS s6,
                       pr.name AS project, l.kind, NULL AS adjustment_kind,
                       l.minutes AS line_minutes, l.rate_minor, l.amount_minor, NULL AS reason
                FROM {t["line"]} l
                JOIN pr ON pr.id = l.project_id
                WHERE l.payout_id = o.id
                UNION ALL
                SELECT 1, NULL, a.created_at, a.id, NULL, NULL, a.kind, NULL, NULL,
                       a.amount_minor, a.reason
                FROM {t["adjustment"]} a
                WHERE a.payout_id = o.id
                ORDER BY s3, s4, s5, s6
            ) AS x
            ORDER BY o.start_on, o.id
        ) AS po
        ORDER BY po.start_on, po.id
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
