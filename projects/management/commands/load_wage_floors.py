"""Load wage floors from a CSV file: the shipped ``projects/data/wage_floors.csv`` or a
manager's own, in the same columns (see ``projects/data/README.md``)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from projects.services.floors import wage_floor_rows, wage_floors_load

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "wage_floors.csv"


class Command(BaseCommand):
    help = "Load wage floors from a CSV file; running it again changes nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", default=str(SHIPPED), help="CSV file of floors.")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        try:
            with path.open(encoding="utf-8", newline="") as stream:
                report = wage_floors_load(by=None, rows=wage_floor_rows(stream))
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        except ValidationError as exc:
            raise CommandError(f"{path}: {' '.join(exc.messages)} Nothing was loaded.") from exc
        self.stdout.write(
            f"{path.name}: {report.added} added, {report.unchanged} already there, "
            f"{report.rechecked} marked as checked again."
        )
