"""The payroll files: which payouts, which columns, and the ORM path that writes them.

The summary has one row per payout, the detail one per payout line. The
ORM path works on any database, reading rows in chunks; ``postgres`` writes
the same bytes with ``COPY`` on PostgreSQL.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.masking import mask_identifier
from payments.exports.writing import amount_cell, csv_chunks, date_cell, neutralise
from payments.models import Payout, PayoutLine, PayoutStatus

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
    "work_date",
    "project",
    "kind",
    "minutes",
    "hourly_rate",
    "amount",
    "payout_status",
    "reference",
    "paid_on",
]


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
DETAIL_FIELDS = (
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


def summary_row(values: tuple) -> list:
    (pk, start, contractor, name, email, country, method, account) = values[:8]
    (currency, minutes, gross, adjustments, net, status, reference, paid_on) = values[8:]
    return [
        pk,
        date_cell(start),
        contractor,
        *(neutralise(text) for text in (name, email, str(country or ""), method)),
        neutralise(mask_identifier(account or "")),
        neutralise(currency),
        minutes,
        amount_cell(gross, currency),
        amount_cell(adjustments, currency),
        amount_cell(net, currency),
        neutralise(status),
        neutralise(reference),
        date_cell(paid_on),
    ]


def detail_row(values: tuple) -> list:
    (payout, start, contractor, name, email, country, currency, work_on) = values[:8]
    (project, kind, minutes, rate, amount, status, reference, paid_on) = values[8:]
    return [
        payout,
        date_cell(start),
        contractor,
        *(neutralise(text) for text in (name, email, str(country or ""), currency)),
        date_cell(work_on),
        neutralise(project),
        neutralise(kind),
        minutes,
        amount_cell(rate, currency),
        amount_cell(amount, currency),
        neutralise(status),
        neutralise(reference),
        date_cell(paid_on),
    ]


def summary_queryset(payroll: PayrollFilter) -> QuerySet[Payout]:
    return (
        Payout.objects.filter(payroll.q())
        .order_by("period__start_on", "pk")
        .values_list(*SUMMARY_FIELDS)
    )


def detail_queryset(payroll: PayrollFilter) -> QuerySet[PayoutLine]:
    return (
        PayoutLine.objects.filter(payroll.q("payout__"))
        .order_by("payout__period__start_on", "payout_id", "work_on", "pk")
        .values_list(*DETAIL_FIELDS)
    )


# --- The ORM path ---------------------------------------------------------------------------


def payroll_rows_orm(kind: str, payroll: PayrollFilter) -> Iterator[list]:
    if kind == Kind.SUMMARY:
        queryset, to_row = summary_queryset(payroll), summary_row
    else:
        queryset, to_row = detail_queryset(payroll), detail_row
    for values in queryset.iterator(chunk_size=CHUNK_ROWS):
        yield to_row(values)


def payroll_csv_orm(kind: str, payroll: PayrollFilter) -> Iterator[bytes]:
    header = SUMMARY_HEADER if kind == Kind.SUMMARY else DETAIL_HEADER
    return csv_chunks(header, payroll_rows_orm(kind, payroll))
