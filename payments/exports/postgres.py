"""The PostgreSQL fast path: ``COPY (SELECT …) TO STDOUT`` writes the payroll files.

The database formats and neutralises every cell itself, exactly as the ORM
path does in Python, so both write the same bytes; Python only turns COPY's
LF row ends into CRLF on the way out. Per-payout cells are written once per
payout, not once per line.
"""

from collections.abc import Iterator

from django.db import connection

from payments.exports.payroll import DETAIL_HEADER, SUMMARY_HEADER, Kind, PayrollFilter
from payments.exports.writing import DANGEROUS_FIRST_CHARACTERS, crlf_rows, csv_chunks
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


def summary_sql(payroll: PayrollFilter) -> tuple[str, dict]:
    payouts, params = _payouts_sql(payroll)
    select = f"""
        {payouts}
        SELECT po.id, po.period_start, po.contractor_id, po.legal_name, po.email, po.country,
               po.method, po.masked_account, po.currency, po.minutes,
               {_amount_sql("po.gross_minor")}, {_amount_sql("po.adjustments_minor")},
               {_amount_sql("po.net_minor")}, po.status, po.reference, po.paid_on
        FROM po
        ORDER BY po.start_on, po.id
    """  # noqa: S608
    return select, params


def detail_sql(payroll: PayrollFilter) -> tuple[str, dict]:
    payouts, params = _payouts_sql(payroll)
    t = tables()
    select = f"""
        {payouts},
        pr AS MATERIALIZED (SELECT id, {_text_sql("name")} AS name FROM {t["project"]})
        SELECT po.id, po.period_start, po.contractor_id, po.legal_name, po.email, po.country,
               po.currency, {_day_sql("l.work_on")}, pr.name, {_text_sql("l.kind")}, l.minutes,
               {_amount_sql("l.rate_minor")}, {_amount_sql("l.amount_minor")}, po.status,
               po.reference, po.paid_on
        FROM {t["line"]} l
        JOIN po ON po.id = l.payout_id
        JOIN pr ON pr.id = l.project_id
        ORDER BY po.start_on, po.id, l.work_on, l.id
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


def payroll_csv_copy(kind: str, payroll: PayrollFilter) -> Iterator[bytes]:
    header = SUMMARY_HEADER if kind == Kind.SUMMARY else DETAIL_HEADER
    select, params = summary_sql(payroll) if kind == Kind.SUMMARY else detail_sql(payroll)
    yield from csv_chunks(header, [])
    yield from crlf_rows(copy_out(select, params))
