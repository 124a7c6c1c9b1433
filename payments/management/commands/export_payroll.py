"""Write a pay period's payroll CSV to a file, as the payroll page downloads it."""

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from payments import exports
from payments.exports import Kind, PayrollFilter
from payments.models import PayoutStatus
from projects.models import PayPeriod


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--period-start must be a date written YYYY-MM-DD, got {text!r}."
        ) from None


class Command(BaseCommand):
    help = (
        "Export a pay period's payroll as CSV: one row per payout (summary) or per line "
        "(detail). Streams, so memory stays flat whatever the size."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period-start", required=True, help="The period's first day.")
        parser.add_argument("--kind", choices=[Kind.SUMMARY, Kind.DETAIL], default=Kind.SUMMARY)
        parser.add_argument("--output", required=True, help="A file to write, or - for stdout.")
        parser.add_argument("--currency", default="", help="Only this ISO 4217 currency.")
        parser.add_argument("--country", default="", help="Only contractors in this country.")
        parser.add_argument(
            "--status",
            default="",
            choices=["", *PayoutStatus.values],
            help="Only payouts in this status (default: all but cancelled).",
        )
        parser.add_argument(
            "--bom",
            action="store_true",
            help="Start with a UTF-8 byte order mark, for spreadsheets (default: none).",
        )

    def handle(self, *args, **options) -> None:
        start = _day(options["period_start"])
        if not PayPeriod.objects.filter(start_on=start).exists():
            raise CommandError(f"No pay period starts on {start.isoformat()}.")
        payroll = PayrollFilter(
            period_start=start,
            currency=options["currency"].upper(),
            country=options["country"].upper(),
            status=options["status"],
        )
        chunks = exports.payroll_csv(options["kind"], payroll, bom=options["bom"])
        if options["output"] == "-":
            written = _write(sys.stdout.buffer, chunks)
        else:
            with open(options["output"], "wb") as output:
                written = _write(output, chunks)
        self.stderr.write(f"Wrote {written} bytes of {options['kind']} payroll for {start}.")


def _write(output, chunks) -> int:
    written = 0
    for chunk in chunks:
        output.write(chunk)
        written += len(chunk)
    return written
