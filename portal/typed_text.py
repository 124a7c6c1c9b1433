"""Text people type (pause messages, reasons, guidelines) is shown as written, never translated.

Each such text is stored with ``written_in``, the language its writer was using,
so pages can mark it up (``lang``) and say so when it differs from the reader's
(``templates/includes/_typed.html``, ``_typed_note.txt`` for emails).
"""

from django.conf import settings
from django.utils import translation


def writer_language() -> str:
    """The language of whoever is writing now (a manager's admin language): what their text is
    recorded as written in. Outside a request (tasks, commands) the site's default."""
    return translation.get_language() or settings.LANGUAGE_CODE
