"""Extract every marked string into the catalogs of the site's languages.

``manage.py update_catalogs`` runs ``makemessages`` for each language in
``settings.LANGUAGES`` (other than the source language) over the project's
code and templates, into ``portal/locale/``. With ``--check`` it changes
nothing and fails when the catalogs are not up to date: a string was added,
changed or removed in the code without the catalogs following.
"""

import os
from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import to_locale

IGNORE = ["tests/*", "var/*", "node_modules/*", "build/*", "portal/locale_fills/*"]


def _entries(content: bytes) -> set[tuple]:
    from io import BytesIO

    return {(message.id, message.context) for message in read_po(BytesIO(content)) if message.id}


class Command(BaseCommand):
    help = "Update the catalogs of every site language from the marked strings (makemessages)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Fail if the catalogs are out of date."
        )

    def handle(self, *args, check: bool = False, **options) -> None:
        locale_dir = Path(settings.LOCALE_PATHS[0])
        languages = [
            to_locale(code) for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
        ]
        catalogs = [locale_dir / language / "LC_MESSAGES" / "django.po" for language in languages]
        before = {path: path.read_bytes() if path.exists() else b"" for path in catalogs}
        cwd = os.getcwd()
        os.chdir(settings.BASE_DIR)
        try:
            call_command(
                "makemessages",
                locale=languages,
                domain="django",
                ignore_patterns=IGNORE,
                add_location="file",
                no_obsolete=True,
                verbosity=0,
            )
        finally:
            os.chdir(cwd)
        if not check:
            self.stdout.write(f"Updated {len(catalogs)} catalogs in {locale_dir}.")
            return
        stale = []
        for path in catalogs:
            after = path.read_bytes()
            added = _entries(after) - _entries(before[path])
            removed = _entries(before[path]) - _entries(after)
            if before[path]:
                path.write_bytes(before[path])
            else:
                path.unlink()
            if added or removed:
                sample = sorted(str(entry[0])[:70] for entry in added)[:10]
                stale.append(
                    f"{path}: {len(added)} string(s) not in the catalog, {len(removed)} no longer "
                    f"used. New: {sample}"
                )
        if stale:
            raise CommandError(
                "The catalogs are out of date; run `make messages` and translate:\n"
                + "\n".join(stale)
            )
        self.stdout.write(f"{len(catalogs)} catalogs are up to date with the code.")
