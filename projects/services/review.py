"""Every manager's decision on submitted time: approve or reject, then tell the contractor."""

from collections import Counter, defaultdict
from collections.abc import Collection

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from portal.models import NotificationKind
from portal.notifications import notify
from projects.models import EntryStatus, TimeEntry, TimeEntryStatusChange
from projects.pay_periods import closed_pay_period_dates
from projects.services.time import history_row
from projects.timesheet import format_minutes


def _lock_for_review(entry_ids: Collection[int], *, by: User) -> list[TimeEntry]:
    ids = set(entry_ids)
    if not ids:
        raise ValidationError("Select at least one time entry.")
    entries = list(
        TimeEntry.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("assignment__project", "assignment__contractor__user")
        .order_by("assignment__contractor_id", "work_on", "pk")
    )
    if len(entries) != len(ids):
        raise ValidationError("Some of the selected entries no longer exist; nothing was changed.")
    waiting = Counter(
        entry.get_status_display().lower()
        for entry in entries
        if entry.status != EntryStatus.SUBMITTED
    )
    if waiting:
        listed = ", ".join(f"{count} {status}" for status, count in sorted(waiting.items()))
        raise ValidationError(
            f"Only submitted entries can be reviewed; the selection includes {listed}. "
            "Nothing was changed."
        )
    if any(entry.assignment.contractor.user_id == by.pk for entry in entries):
        raise ValidationError("Nobody reviews their own hours; nothing was changed.")
    return entries


def _review(entries: list[TimeEntry], *, to: str, by: User, reason: str = "") -> None:
    now = timezone.now()
    history = [history_row(entry, to=to, by=by, at=now, reason=reason) for entry in entries]
    for entry in entries:
        entry.status, entry.reviewed_at, entry.reviewed_by = to, now, by
        entry.rejection_reason, entry.updated_at = reason, now
    TimeEntry.objects.bulk_update(
        entries, ["status", "reviewed_at", "reviewed_by", "rejection_reason", "updated_at"]
    )
    TimeEntryStatusChange.objects.bulk_create(history)


@transaction.atomic
def time_entries_approve(*, entry_ids: Collection[int], by: User) -> list[TimeEntry]:
    """Approve submitted entries; they become read-only and payable."""
    entries = _lock_for_review(entry_ids, by=by)
    _review(entries, to=EntryStatus.APPROVED, by=by)
    _notify_contractors(entries, NotificationKind.HOURS_APPROVED, reason="")
    return entries


@transaction.atomic
def time_entries_reject(*, entry_ids: Collection[int], by: User, reason: str) -> list[TimeEntry]:
    """Send submitted entries back to their contractor with one reason, to fix and resubmit."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Give the contractor a reason; they will read it."]})
    entries = _lock_for_review(entry_ids, by=by)
    # A rejected entry must be correctable, and entries of a closed pay period
    # are locked: rejecting one would leave hours that can never be paid.
    locked = closed_pay_period_dates({entry.work_on for entry in entries}, lock=True)
    if locked:
        days = ", ".join(f"{day:%a %-d %b}" for day in sorted(locked))
        raise ValidationError(
            f"The pay period of {days} is closed, so these hours can no longer be corrected; "
            "approve them, or adjust the payout instead. Nothing was changed."
        )
    _review(entries, to=EntryStatus.REJECTED, by=by, reason=reason)
    _notify_contractors(entries, NotificationKind.HOURS_REJECTED, reason=reason)
    return entries


TEMPLATES = {
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
            "site_url": settings.SITE_URL,
        }
        week = contractor_entries[0].work_on.isoformat()
        notify(
            recipients=User.objects.filter(pk=profile.user_id),
            kind=kind,
            title=render_to_string(f"{TEMPLATES[kind]}_subject.txt", context).strip(),
            body=_summary(contractor_entries, total, reason),
            link=f"{reverse('projects:timesheet')}?week={week}",
            topic=f"time-review:{profile.pk}",
            email_body=render_to_string(f"{TEMPLATES[kind]}.txt", context),
        )


def _summary(entries: list[TimeEntry], total: str, reason: str) -> str:
    projects = sorted({entry.assignment.project.name for entry in entries})
    days = f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'} ({total})"
    on = f"{days} on {', '.join(projects)}"
    if reason:
        return f"{on} sent back with this reason: {reason} Correct them and submit again."
    return f"{on} approved; they will be paid with their pay period."
