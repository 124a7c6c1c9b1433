"""The payroll files: which payouts, which columns, and the ORM path that writes them.

The summary has one row per payout, the detail one per payout line and one
per adjustment, after the payout's lines: a payout's detail rows add up to
its net in the summary. The ORM path works on any database, reading rows in
chunks; ``postgres`` writes the same bytes with ``COPY`` on PostgreSQL.
"""

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

from accounts.masking import mask_identifier
from payments.exports.writing import amount_cell, csv_chunks, date_cell, hours_cell, neutralise
from payments.models import Adjustment, Payout, PayoutLine, PayoutStatus

CHUNK_ROWS = 2000


class Kind:
    SUMMARY = "summary"
    DETAIL = "detail"
    CHOICES = [
        (SUMMARY, _("Summary: one row per payout")),
        (DETAIL, _("Detail: one row per line")),
    ]


SUMMARY_HEADER = [
    "payout_id",
    "period_start",
    "contractor_id",
    "legal_name",
    "email",
    "country",
    "payout_method",
    "masked_account",
    "currency",
    "minutes",
    "hours",
    "gross",
    "adjustments",
    "net",
    "status",
    "reference",
    "paid_on",
]
DETAIL_HEADER = [
    "payout_id",
    "period_start",
    "contractor_id",
    "legal_name",
    "email",
    "country",
    "currency",
    # "time" for a line; "bonus", "correction" or "deduction" for an adjustment.
    "type",
    "work_date",
    "project",
    "kind",
    "minutes",
    "hours",
    "hourly_rate",
    "amount",
    "payout_status",
    "reference",
    "paid_on",
    "reason",
]
LINE_TYPE = "time"


def filename(kind: str, period_start: date) -> str:
    return f"payroll-{kind}-{period_start.isoformat()}.csv"


@dataclass(frozen=True)
class PayrollFilter:
    """Which payouts an export covers. Without a status, all but cancelled ones."""

    period_start: date
    currency: str = ""
    country: str = ""
    status: str = ""

    def q(self, prefix: str = "") -> Q:
        query = Q(**{f"{prefix}period__start_on": self.period_start})
        if self.currency:
            query &= Q(**{f"{prefix}currency": self.currency})
        if self.country:
            query &= Q(**{f"{prefix}contractor__country": self.country})
        if self.status:
            query &= Q(**{f"{prefix}status": self.status})
        else:
            query &= ~Q(**{f"{prefix}status": PayoutStatus.CANCELLED})
        return query

    def sql(self) -> tuple[str, dict]:
        """The same filter as a WHERE clause over ``per``, ``p`` and ``c``, with parameters."""
        clauses = ["per.start_on = %(period_start)s"]
        params: dict = {"period_start": self.period_start}
        if self.currency:
            clauses.append("p.currency = %(currency)s")
            params["currency"] = self.currency
        if self.country:
            clauses.append("c.country = %(country)s")
            params["country"] = self.country
        if self.status:
            clauses.append("p.status = %(status)s")
            params["status"] = self.status
        else:
            clauses.append("p.status <> %(cancelled)s")
            params["cancelled"] = PayoutStatus.CANCELLED.value
        return " AND ".join(clauses), params


SUMMARY_FIELDS = (
    "pk",
    "period__start_on",
    "contractor_id",
    "contractor__legal_name",
    "contractor__user__email",
    "contractor__country",
    "contractor__payout_details__method",
    "contractor__payout_details__account_identifier",
    "currency",
    "minutes",
    "gross_minor",
    "adjustments_minor",
    "net_minor",
    "status",
    "reference",
    "paid_on",
)
_DETAIL_ORDER = ("payout__period__start_on", "payout_id")
DETAIL_FIELDS = (
    *_DETAIL_ORDER,
    "work_on",
    "pk",
    "payout_id",
    "payout__period__start_on",
    "payout__contractor_id",
    "payout__contractor__legal_name",
    "payout__contractor__user__email",
    "payout__contractor__country",
    "payout__currency",
    "work_on",
    "project__name",
    "kind",
    "minutes",
    "rate_minor",
    "amount_minor",
    "payout__status",
    "payout__reference",
    "payout__paid_on",
)
ADJUSTMENT_FIELDS = (
    *_DETAIL_ORDER,
    "created_at",
    "pk",
    "payout_id",
    "payout__period__start_on",
    "payout__contractor_id",
    "payout__contractor__legal_name",
    "payout__contractor__user__email",
    "payout__contractor__country",
    "payout__currency",
    "kind",
    "amount_minor",
    "payout__status",
    "payout__reference",
    "payout__paid_on",
    "reason",
)


# Where a payout goes: where it was sent once paid, else where its approval froze it, else
# (a draft) the contractor's details now, masked from the clear account.
FROZEN_METHOD = Coalesce(
    NullIf("paid_to_method", Value("")), NullIf("approved_to_method", Value(""))
)
FROZEN_ACCOUNT = Coalesce(
    NullIf("paid_to_account", Value("")), NullIf("approved_to_account", Value(""))
)
FROZEN_SQL = (
    "COALESCE(NULLIF(p.paid_to_method, ''), NULLIF(p.approved_to_method, ''), pd.method)",
    "COALESCE(NULLIF(p.paid_to_account, ''), NULLIF(p.approved_to_account, ''), pd.account_masked)",
)


def summary_row(values: tuple) -> list:
    (pk, start, contractor, name, email, country, method, account) = values[:8]
    (currency, minutes, gross, adjustments, net, status, reference, paid_on) = values[8:16]
    frozen_method, frozen_account = values[16:]
    masked = frozen_account if frozen_method else mask_identifier(account or "")
    method = frozen_method or method
    return [
        pk,
        date_cell(start),
        contractor,
        *(neutralise(text) for text in (name, email, str(country or ""), method)),
        neutralise(masked),
        neutralise(currency),
        minutes,
        hours_cell(minutes),
        amount_cell(gross, currency),
        amount_cell(adjustments, currency),
        amount_cell(net, currency),
        neutralise(status),
        neutralise(reference),
        date_cell(paid_on),
    ]


def _payout_cells(payout, start, contractor, name, email, country, currency) -> list:
    return [
        payout,
        date_cell(start),
        contractor,
        *(neutralise(text) for text in (name, email, str(country or ""), currency)),
    ]


def detail_row(values: tuple) -> list:
    """A line's row, from ``DETAIL_FIELDS`` without the sort keys."""
    (payout, start, contractor, name, email, country, currency, work_on) = values[:8]
    (project, kind, minutes, rate, amount, status, reference, paid_on) = values[8:]
    return [
        *_payout_cells(payout, start, contractor, name, email, country, currency),
        LINE_TYPE,
        date_cell(work_on),
        neutralise(project),
        neutralise(kind),
        minutes,
        hours_cell(minutes),
        amount_cell(rate, currency),
        amount_cell(amount, currency),
        neutralise(status),
        neutralise(reference),
        date_cell(paid_on),
        "",
    ]


def adjustment_row(values: tuple) -> list:
    """An adjustment's row, from ``ADJUSTMENT_FIELDS`` without the sort keys."""
    (payout, start, contractor, name, email, country, currency) = values[:7]
    (kind, amount, status, reference, paid_on, reason) = values[7:]
    return [
        *_payout_cells(payout, start, contractor, name, email, country, currency),
        neutralise(kind),
        "",
        "",
        "",
        "",
        "",
        "",
        amount_cell(amount, currency),
        neutralise(status),
        neutralise(reference),
        date_cell(paid_on),
        neutralise(reason),
    ]


def summary_queryset(payroll: PayrollFilter) -> QuerySet[Payout]:
    return (
        Payout.objects.filter(payroll.q())
        .order_by("period__start_on", "pk")
        .values_list(*SUMMARY_FIELDS, FROZEN_METHOD, FROZEN_ACCOUNT)
    )


def detail_queryset(payroll: PayrollFilter) -> QuerySet[PayoutLine]:
    return (
        PayoutLine.objects.filter(payroll.q("payout__"))
        .order_by("payout__period__start_on", "payout_id", "work_on", "pk")
        .values_list(*DETAIL_FIELDS)
    )


def adjustment_queryset(payroll: PayrollFilter) -> QuerySet[Adjustment]:
    return (
        Adjustment.objects.filter(payroll.q("payout__"))
        .order_by("payout__period__start_on", "payout_id", "created_at", "pk")
        .values_list(*ADJUSTMENT_FIELDS)
    )


def payout_exists(payroll: PayrollFilter) -> bool:
    """Whether the export has a row to write: every row belongs to a chosen payout."""
    return Payout.objects.filter(payroll.q()).exists()


def row_count(kind: str, payroll: PayrollFilter) -> int:
    """How many rows the file has, header aside: a payout each in the summary, a line and an
    adjustment each in the detail."""
    if kind == Kind.SUMMARY:
        return Payout.objects.filter(payroll.q()).count()
    lines = PayoutLine.objects.filter(payroll.q("payout__")).count()
    return lines + Adjustment.objects.filter(payroll.q("payout__")).count()


# --- The ORM path ---------------------------------------------------------------------------

_SORT_KEYS = 4  # period start, payout, then the day (or time) and the id within the payout


def _detail_rows_orm(payroll: PayrollFilter) -> Iterator[list]:
    """Each payout's lines, then its adjustments: two ordered streams merged by payout, so
    memory stays at a chunk of each."""
    lines = ((*values[:2], 0, values) for values in detail_queryset(payroll).iterator(CHUNK_ROWS))
    adjustments = (
        (*values[:2], 1, values) for values in adjustment_queryset(payroll).iterator(CHUNK_ROWS)
    )
    for _start, _payout, part, values in heapq.merge(lines, adjustments, key=lambda r: r[:3]):
        yield (adjustment_row if part else detail_row)(values[_SORT_KEYS:])


def payroll_rows_orm(kind: str, payroll: PayrollFilter) -> Iterator[list]:
    if kind != Kind.SUMMARY:
        yield from _detail_rows_orm(payroll)
        return
    for values in summary_queryset(payroll).iterator(chunk_size=CHUNK_ROWS):
        yield summary_row(values)


def payroll_csv_orm(kind: str, payroll: PayrollFilter, *, bom: bool = False) -> Iterator[bytes]:
    header = SUMMARY_HEADER if kind == Kind.SUMMARY else DETAIL_HEADER
    return csv_chunks(header, payroll_rows_orm(kind, payroll), bom=bom)
