"""Reads of time entries for the API and the admin, and their totals."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from portal.money import line_amount_expression
from projects.models import TimeEntry


def time_entry_list_for_contractor(user: User) -> QuerySet[TimeEntry]:
    return (
        TimeEntry.objects.filter(assignment__contractor__user=user)
        .select_related("assignment__project", "assignment__contractor__user")
        .order_by("work_on", "assignment_id", "kind")
    )


def time_entry_get_for_contractor(*, user: User, pk: int) -> TimeEntry:
    entry = time_entry_list_for_contractor(user).filter(pk=pk).first()
    if entry is None:
        raise Http404(_("No such time entry."))
    return entry


def time_entry_list_for_reviewer() -> QuerySet[TimeEntry]:
    return TimeEntry.objects.select_related(
        "assignment__project", "assignment__contractor__user", "reviewed_by"
    ).order_by("-work_on", "pk")


@dataclass(frozen=True)
class EntryTotal:
    currency: str
    count: int
    minutes: int
    amount_minor: int


def time_entry_totals(entries: QuerySet[TimeEntry]) -> list[EntryTotal]:
    """Count, hours and amount of ``entries`` per currency, each line rounded before summing."""
    rows = (
        entries.order_by()
        .values("currency")
        .annotate(
            entry_count=Count("pk"),
            total_minutes=Sum("minutes"),
            total_amount=Sum(line_amount_expression("minutes", "rate_minor")),
        )
        .order_by("currency")
    )
    return [
        EntryTotal(row["currency"], row["entry_count"], row["total_minutes"], row["total_amount"])
        for row in rows
    ]
