"""Compile the translation catalogs (.po → .mo) without GNU gettext.

Babel does what ``msgfmt`` does, so a fresh clone shows every language with
nothing but the project's own Python packages installed. A catalog is
compiled again only when its ``.po`` is newer than its ``.mo``.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand


def catalogs() -> list[Path]:
    return sorted(
        path for folder in settings.LOCALE_PATHS for path in Path(folder).glob("*/LC_MESSAGES/*.po")
    )


class Command(BaseCommand):
    help = "Compile the project's .po catalogs into .mo files (only those that changed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="Compile every catalog.")

    def handle(self, *args, force: bool = False, **options) -> None:
        compiled = 0
        for po in catalogs():
            mo = po.with_suffix(".mo")
            if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parent.parent.name)
            # makemessages leaves the "Language:" header empty, and without a
            # locale Babel writes no plural rule: counts would fall back to English.
            if catalog.locale is None:
                catalog.locale = po.parent.parent.name
            with mo.open("wb") as target:
                # Fuzzy entries are a translator's guess: never shown.
                write_mo(target, catalog, use_fuzzy=False)
            compiled += 1
        if options["verbosity"] > 0:
            self.stdout.write(f"Compiled {compiled} of {len(catalogs())} catalogs.")
