"""Read replies to support answers from a mailbox the mail server delivers to.

A Maildir's new messages are read and then moved to ``cur`` marked seen, so
each run takes only what arrived since the last one; an mbox is read whole.
Either way a message read before (the same Message-ID) adds nothing again,
so running the command twice, or from cron and by hand at once, is safe.
A message larger than ``SUPPORT_INBOUND_MAX_BYTES`` is recorded as refused
from its headers alone; the rest of it is never read.
"""

import mailbox
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.support.services import support_reply_by_email, support_reply_too_large


class Command(BaseCommand):
    help = "Add email replies to their support conversations, from a Maildir or an mbox file."

    def add_arguments(self, parser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--maildir", type=Path, help="A Maildir; its new messages are read.")
        source.add_argument("--mbox", type=Path, help="An mbox file; every message is read.")

    def handle(self, *args, **options) -> None:
        outcomes: Counter[str] = Counter()
        self.started = timezone.now()
        if options["maildir"]:
            self._read_maildir(options["maildir"], outcomes)
        else:
            self._read_mbox(options["mbox"], outcomes)
        self.stdout.write(
            f"{sum(outcomes.values())} read: {outcomes['added']} added, "
            f"{outcomes['refused']} refused (listed under Email replies in the admin), "
            f"{outcomes['already']} read before."
        )

    def _read_maildir(self, path: Path, outcomes: Counter[str]) -> None:
        if not (path / "new").is_dir():
            raise CommandError(f"{path} is not a Maildir (it has no 'new' folder).")
        box = mailbox.Maildir(path, factory=None, create=False)
        for key in sorted(box.iterkeys()):
            message = box.get_message(key)
            if message.get_subdir() != "new":
                continue
            self._read(box, key, outcomes)
            # Only once the reply is recorded is the message marked read.
            message.set_subdir("cur")
            message.add_flag("S")
            box[key] = message

    def _read_mbox(self, path: Path, outcomes: Counter[str]) -> None:
        if not path.is_file():
            raise CommandError(f"{path} is not an mbox file.")
        box = mailbox.mbox(path, create=False)
        box.lock()
        try:
            for key in box.iterkeys():
                self._read(box, key, outcomes)
        finally:
            box.unlock()

    def _read(self, box: mailbox.Mailbox, key: str, outcomes: Counter[str]) -> None:
        limit = settings.SUPPORT_INBOUND_MAX_BYTES
        # One byte past the limit is enough to tell a message that is too large.
        with box.get_file(key) as file:
            raw = file.read(limit + 1)
        if len(raw) > limit:
            record = support_reply_too_large(raw_start=raw)
        else:
            record = support_reply_by_email(raw_message=raw)
        outcomes["already" if record.received_at < self.started else record.outcome] += 1
