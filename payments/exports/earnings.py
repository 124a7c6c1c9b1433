"""A contractor's own earnings as CSV: their time entries and the payouts they are in."""

from collections.abc import Iterator
from datetime import date
from itertools import chain

from accounts.models import ContractorProfile
from payments.exports.payroll import CHUNK_ROWS
from payments.exports.writing import amount_cell, csv_chunks, date_cell, hours_cell, neutralise
from payments.models import Adjustment, PayoutStatus
from portal.money import line_amount
from projects.models import EntryStatus, TimeEntry

EARNINGS_HEADER = [
    "date",
    "type",
    "project",
    "kind",
    "minutes",
    "hours",
    "hourly_rate",
    "amount",
    "currency",
    "status",
    "payout_id",
    "payout_status",
    "reference",
    "paid_on",
    "reason",
]


def _entry_rows(profile: ContractorProfile, start: date, end: date) -> Iterator[list]:
    entries = (
        TimeEntry.objects.filter(
            assignment__contractor=profile,
            work_on__range=(start, end),
            status__in=[EntryStatus.SUBMITTED, EntryStatus.APPROVED],
        )
        .order_by("work_on", "pk")
        .values_list(
            "work_on",
            "assignment__project__name",
            "kind",
            "minutes",
            "rate_minor",
            "currency",
            "status",
            "payout_lines__payout_id",
            "payout_lines__payout__status",
            "payout_lines__payout__reference",
            "payout_lines__payout__paid_on",
        )
    )
    for day, project, kind, minutes, rate, currency, status, payout, *paid in entries.iterator(
        chunk_size=CHUNK_ROWS
    ):
        payout_status, reference, paid_on = paid
        yield [
            date_cell(day),
            "time",
            neutralise(project),
            neutralise(kind),
            minutes,
            hours_cell(minutes),
            amount_cell(rate, currency),
            amount_cell(line_amount(minutes, rate), currency),
            neutralise(currency),
            neutralise(status),
            payout or "",
            neutralise(payout_status),
            neutralise(reference),
            date_cell(paid_on),
            "",
        ]


def _adjustment_rows(profile: ContractorProfile, start: date, end: date) -> Iterator[list]:
    adjustments = (
        Adjustment.objects.filter(
            payout__contractor=profile, payout__period__start_on__range=(start, end)
        )
        .exclude(payout__status=PayoutStatus.CANCELLED)
        .order_by("payout__period__start_on", "pk")
        .values_list(
            "payout__period__start_on",
            "kind",
            "amount_minor",
            "payout__currency",
            "payout_id",
            "payout__status",
            "payout__reference",
            "payout__paid_on",
            "reason",
        )
    )
    for day, kind, amount, currency, payout, status, reference, paid_on, reason in adjustments:
        yield [
            date_cell(day),
            neutralise(kind),
            "",
            "",
            "",
            "",
            "",
            amount_cell(amount, currency),
            neutralise(currency),
            "",
            payout,
            neutralise(status),
            neutralise(reference),
            date_cell(paid_on),
            neutralise(reason),
        ]


def earnings_csv(
    profile: ContractorProfile, *, start: date, end: date, bom: bool = False
) -> Iterator[bytes]:
    """The contractor's submitted and approved time from ``start`` to ``end``, each entry with
    its amount and the payout it is in, then the adjustments of those periods' payouts."""
    rows = chain(_entry_rows(profile, start, end), _adjustment_rows(profile, start, end))
    return csv_chunks(EARNINGS_HEADER, rows, bom=bom)
