"""Payroll and earnings as CSV: RFC 4180, UTF-8, safe to open in a spreadsheet, streamed.

Every file has a header row, CRLF line ends, ISO dates, durations in minutes
with decimal hours beside them (``90``, ``1.50``), and amounts as plain
decimals with the currency's own number of decimals (``12.34``, ``1234`` for
yen, ``-5.000`` for dinars). A byte order mark is added only on request, for
spreadsheets. Text cells that a spreadsheet could read as a
formula get a leading ``'`` (``writing``); numbers stay numbers.

The payroll files come from one of two paths that write the same bytes for
the same data: the ORM path on any database (``payroll``), and on
PostgreSQL ``COPY (SELECT …) TO STDOUT`` (``postgres``). Both keep memory
flat: at most one chunk of rows is held at a time.
"""

from collections.abc import Iterator

from django.db import connection

from payments.exports.earnings import EARNINGS_HEADER, earnings_csv
from payments.exports.payroll import (
    DETAIL_HEADER,
    SUMMARY_HEADER,
    Kind,
    PayrollFilter,
    adjustment_row,
    detail_row,
    filename,
    payout_exists,
    payroll_csv_orm,
    row_count,
    summary_row,
)
from payments.exports.postgres import detail_sql, payroll_csv_copy, summary_sql
from payments.exports.writing import (
    DANGEROUS_FIRST_CHARACTERS,
    crlf_rows,
    csv_chunks,
    hours_cell,
    neutralise,
)


def payroll_csv(kind: str, payroll: PayrollFilter, *, bom: bool = False) -> Iterator[bytes]:
    """The payroll file, by the fastest path the database offers."""
    if connection.vendor == "postgresql":
        return payroll_csv_copy(kind, payroll, bom=bom)
    return payroll_csv_orm(kind, payroll, bom=bom)


__all__ = [
    "DANGEROUS_FIRST_CHARACTERS",
    "DETAIL_HEADER",
    "EARNINGS_HEADER",
    "SUMMARY_HEADER",
    "Kind",
    "PayrollFilter",
    "adjustment_row",
    "crlf_rows",
    "csv_chunks",
    "detail_row",
    "detail_sql",
    "earnings_csv",
    "filename",
    "hours_cell",
    "neutralise",
    "payout_exists",
    "payroll_csv",
    "payroll_csv_copy",
    "payroll_csv_orm",
    "row_count",
    "summary_row",
    "summary_sql",
]
