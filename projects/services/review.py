"""Every manager's decision on submitted time: approve or reject, then tell the contractor."""

from collections import Counter, defaultdict
from collections.abc import Collection
from typing import Any

from babel.lists import format_list
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from portal.dates import babel_locale, format_minutes
from portal.models import NotificationKind
from portal.notifications import Notice, notify
from portal.typed_text import writer_language
from projects.models import EntryStatus, TimeEntry, TimeEntryStatusChange
from projects.services.time import history_row


def _lock_for_review(entry_ids: Collection[int], *, to: str, by: User) -> list[TimeEntry]:
    ids = set(entry_ids)
    if not ids:
        raise ValidationError(_("Select at least one time entry."))
    entries = list(
        TimeEntry.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("assignment__project", "assignment__contractor__user")
        .order_by("assignment__contractor_id", "work_on", "pk")
    )
    if len(entries) != len(ids):
        raise ValidationError(
            _("Some of the selected entries no longer exist; nothing was changed.")
        )
    waiting = Counter(entry.status for entry in entries if not entry.can_transition_to(to))
    if waiting:
        listed = format_list(
            [_count_of(status, count) for status, count in sorted(waiting.items())],
            locale=babel_locale(),
        )
        raise ValidationError(
            _(
                "Only submitted entries can be reviewed; the selection includes %(listed)s. "
                "Nothing was changed."
            ),
            params={"listed": listed},
        )
    if any(entry.assignment.contractor.user_id == by.pk for entry in entries):
        raise ValidationError(_("Nobody reviews their own hours; nothing was changed."))
    return entries


def _count_of(status: str, count: int) -> str:
    """``2 drafts``: how many entries of the selection are in ``status``."""
    if status == EntryStatus.DRAFT:
        text = ngettext("%(count)d draft", "%(count)d drafts", count)
    elif status == EntryStatus.APPROVED:
        text = ngettext("%(count)d approved", "%(count)d approved", count)
    else:
        text = ngettext("%(count)d rejected", "%(count)d rejected", count)
    return text % {"count": count}


def _review(entries: list[TimeEntry], *, to: str, by: User, reason: str = "") -> None:
    now = timezone.now()
    written_in = writer_language() if reason else ""
    history = [history_row(entry, to=to, by=by, at=now, reason=reason) for entry in entries]
    for entry in entries:
        entry.status, entry.reviewed_at, entry.reviewed_by = to, now, by
        entry.rejection_reason, entry.written_in, entry.updated_at = reason, written_in, now
    TimeEntry.objects.bulk_update(
        entries,
        ["status", "reviewed_at", "reviewed_by", "rejection_reason", "written_in", "updated_at"],
    )
    TimeEntryStatusChange.objects.bulk_create(history)


@transaction.atomic
def time_entries_approve(*, entry_ids: Collection[int], by: User) -> list[TimeEntry]:
    """Approve submitted entries; they become read-only and payable."""
    entries = _lock_for_review(entry_ids, to=EntryStatus.APPROVED, by=by)
    _review(entries, to=EntryStatus.APPROVED, by=by)
    _notify_contractors(entries, NotificationKind.HOURS_APPROVED, reason="")
    return entries


@transaction.atomic
def time_entries_reject(*, entry_ids: Collection[int], by: User, reason: str) -> list[TimeEntry]:
    """Send submitted entries back to their contractor with one reason, to fix and resubmit."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the contractor a reason; they will read it.")]})
    entries = _lock_for_review(entry_ids, to=EntryStatus.REJECTED, by=by)
    # Entries of a closed pay period may be rejected too: the contractor corrects them
    # in place and submits them again as late hours, paid with the next payouts.
    _review(entries, to=EntryStatus.REJECTED, by=by, reason=reason)
    _notify_contractors(entries, NotificationKind.HOURS_REJECTED, reason=reason)
    return entries


TEMPLATES: dict[str, str] = {
    NotificationKind.HOURS_APPROVED: "projects/email/time_approved",
    NotificationKind.HOURS_REJECTED: "projects/email/time_rejected",
}


def _notify_contractors(entries: list[TimeEntry], kind: str, *, reason: str) -> None:
    """One notice (and email) per contractor, for all of their entries reviewed at once."""
    by_contractor: dict[int, list[TimeEntry]] = defaultdict(list)
    for entry in entries:
        by_contractor[entry.assignment.contractor_id].append(entry)
    for contractor_entries in by_contractor.values():
        profile = contractor_entries[0].assignment.contractor
        total = format_minutes(sum(entry.minutes for entry in contractor_entries))
        context = {
            "profile": profile,
            "entries": contractor_entries,
            "total": total,
            "reason": reason,
            "written_in": contractor_entries[0].written_in,
            "site_url": settings.SITE_URL,
            "late": any(entry.late for entry in contractor_entries),
        }
        week = contractor_entries[0].work_on.isoformat()

        def notice(
            entries: list[TimeEntry] = contractor_entries, context: dict[str, Any] = context
        ) -> Notice:
            context = {**context, "total": format_minutes(sum(e.minutes for e in entries))}
            return Notice(
                title=render_to_string(f"{TEMPLATES[kind]}_subject.txt", context).strip(),
                body=_summary(entries, context["total"], reason),
                email_body=render_to_string(f"{TEMPLATES[kind]}.txt", context),
            )

        notify(
            recipients=User.objects.filter(pk=profile.user_id),
            kind=kind,
            notice=notice,
            link=f"{reverse('projects:timesheet')}?week={week}",
            topic=f"time-review:{profile.pk}",
        )


def _summary(entries: list[TimeEntry], total: str, reason: str) -> str:
    values = {
        "count": len(entries),
        "total": total,
        "projects": ", ".join(sorted({entry.assignment.project.name for entry in entries})),
        "reason": reason,
    }
    if reason:
        return (
            ngettext(
                "%(count)d entry (%(total)s) on %(projects)s sent back with this reason: "
                "%(reason)s Correct it and submit again.",
                "%(count)d entries (%(total)s) on %(projects)s sent back with this reason: "
                "%(reason)s Correct them and submit again.",
                len(entries),
            )
            % values
        )
    late = sum(1 for entry in entries if entry.late)
    if late == len(entries):
        # The period these hours belong to has closed: they join the next payout instead.
        return (
            ngettext(
                "%(count)d late entry (%(total)s) on %(projects)s approved; "
                "it will be paid in the next payout.",
                "%(count)d late entries (%(total)s) on %(projects)s approved; "
                "they will be paid in the next payout.",
                len(entries),
            )
            % values
        )
    text = (
        ngettext(
            "%(count)d entry (%(total)s) on %(projects)s approved; "
            "it will be paid with its pay period.",
            "%(count)d entries (%(total)s) on %(projects)s approved; "
            "they will be paid with their pay period.",
            len(entries),
        )
        % values
    )
    if late:
        text += " " + (
            ngettext(
                "%(count)d of them is late hours and will be paid in the next payout.",
                "%(count)d of them are late hours and will be paid in the next payout.",
                late,
            )
            % {"count": late}
        )
    return text
