"""Fail when any catalog of the site's languages is incomplete, fuzzy or broken.

Checks every ``.po`` under ``LOCALE_PATHS`` for each language in
``settings.LANGUAGES`` other than the source language: every entry has a
translation, none is fuzzy, and each translation keeps the placeholders of
its original (``%(name)s``, ``%d``…), so a translated page can never crash or
show a gap. Exits non-zero listing the problems.
"""

import re
from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import to_locale

_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXo%]")


def _placeholders(text: str) -> list[str]:
    return sorted(found for found in _PLACEHOLDER.findall(text) if found != "%%")


class Command(BaseCommand):
    help = "Check that every catalog is complete, has no fuzzy entry and keeps placeholders."

    def handle(self, *args, **options) -> None:
        problems: list[str] = []
        checked = 0
        languages = [to_locale(code) for code, _name in settings.LANGUAGES]
        source = to_locale(settings.LANGUAGE_CODE)
        for folder in settings.LOCALE_PATHS:
            for language in languages:
                if language == source:
                    continue
                for po in sorted(Path(folder).glob(f"{language}/LC_MESSAGES/*.po")):
                    checked += 1
                    problems += self._check(po, language)
        if problems:
            raise CommandError(f"{len(problems)} catalog problem(s):\n" + "\n".join(problems[:200]))
        self.stdout.write(f"{checked} catalogs complete, no fuzzy entries, placeholders kept.")

    def _check(self, po: Path, language: str) -> list[str]:
        with po.open("rb") as source:
            catalog = read_po(source, locale=language)
        problems = []
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            where = f"{po}: {ids[0][:60]!r}"
            if message.fuzzy:
                problems.append(f"{where} is fuzzy")
            elif not all(strings):
                problems.append(f"{where} is not translated")
            elif "python-format" in message.flags:
                wanted = _placeholders(ids[-1])
                for string in strings:
                    got = _placeholders(string)
                    # One plural form may leave out the number, never add or rename one.
                    if not set(got) <= set(wanted) or (len(ids) == 1 and got != wanted):
                        problems.append(f"{where} has placeholders {got}, expected {wanted}")
        return problems
