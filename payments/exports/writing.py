"""Writing CSV: RFC 4180 in UTF-8, and text cells no spreadsheet evaluates.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab, CR or LF
gets a leading ``'``; numbers are left alone so they stay numbers. On request
a file starts with a UTF-8 byte order mark: without it, Excel reads UTF-8 as
the machine's legacy code page and garbles every accented name.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date

from portal.money import line_amount, plain_amount

DANGEROUS_FIRST_CHARACTERS = ("=", "+", "-", "@", "\t", "\r", "\n")
FLUSH_BYTES = 64 * 1024
BOM = "\ufeff".encode()
# Decimal hours carry two decimals, like the hundredths most payroll tools take.
HOURS_SCALE = 100


def neutralise(text: str | None) -> str:
    """A text cell no spreadsheet will read as a formula."""
    if not text:
        return ""
    return "'" + text if text.startswith(DANGEROUS_FIRST_CHARACTERS) else text


def date_cell(value: date | None) -> str:
    return value.isoformat() if value else ""


def amount_cell(minor: int | None, currency: str) -> str:
    return "" if minor is None else plain_amount(minor, currency)


def hours_cell(minutes: int | None) -> str:
    """``minutes`` as decimal hours, rounded half-up to the hundredth: 90 → ``1.50``.

    Integer arithmetic, as for money; the minutes column beside it stays the exact value.
    """
    if minutes is None:
        return ""
    hundredths = line_amount(minutes, HOURS_SCALE)
    return f"{hundredths // HOURS_SCALE}.{hundredths % HOURS_SCALE:02d}"


def csv_chunks(header: list[str], rows: Iterable[list], *, bom: bool = False) -> Iterator[bytes]:
    """``header`` and ``rows`` as RFC 4180 CSV in UTF-8, about ``FLUSH_BYTES`` at a time,
    after a byte order mark if ``bom``."""
    if bom:
        yield BOM
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= FLUSH_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def crlf_rows(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """PostgreSQL's CSV with each row's LF turned into CRLF, in batches of ``FLUSH_BYTES``.

    An LF inside a quoted cell is data and stays as it is. Quotes open and
    close a cell (a doubled quote inside one closes and reopens it), so
    counting them tells inside from outside, across batch boundaries too.
    """
    inside = False
    batch: list[bytes] = []
    size = 0
    for chunk in chunks:
        batch.append(chunk)
        size += len(chunk)
        if size >= FLUSH_BYTES:
            data, inside = _crlf(b"".join(batch), inside)
            yield data
            batch, size = [], 0
    data, _inside = _crlf(b"".join(batch), inside)
    yield data


def _crlf(data: bytes, inside: bool) -> tuple[bytes, bool]:
    if b'"' not in data:
        return (data if inside else data.replace(b"\n", b"\r\n")), inside
    parts = data.split(b'"')
    for index in range(len(parts)):
        if not inside:
            parts[index] = parts[index].replace(b"\n", b"\r\n")
        if index < len(parts) - 1:
            inside = not inside
    return b'"'.join(parts), inside
