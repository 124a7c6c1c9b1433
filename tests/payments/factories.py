"""Builders for periods and payouts, all through the services."""

from datetime import UTC, date, datetime, time, timedelta

from accounts.models import User
from payments import services
from payments.models import Payout
from projects import services as project_services
from projects.models import Assignment, PayPeriod, TimeEntry
from projects.timesheet import EntryChange
from tests.projects.factories import LAST_MONDAY, THIS_MONDAY, assign, project_create


def period(day: date) -> PayPeriod:
    return services.pay_period_for(day)


def closed_period(day: date, *, by: User) -> PayPeriod:
    return services.pay_period_close(period=period(day), by=by)


def generate(period: PayPeriod, *, by: User) -> services.GenerationResult:
    return services.payouts_generate(period=period, by=by)


def submitted_week(
    assignment: Assignment,
    *,
    minutes: list[int],
    monday: date = LAST_MONDAY,
    kind: str = "task",
) -> list[TimeEntry]:
    """Log ``minutes`` on consecutive days from ``monday`` and submit the week; returns the
    week's submitted entries in date order."""
    changes = [
        EntryChange(assignment.pk, monday + timedelta(days=offset), kind, value)
        for offset, value in enumerate(minutes)
        if value
    ]
    user = assignment.contractor.user
    entries = project_services.time_week_submit(by=user, week=monday, changes=changes)
    return sorted(entries, key=lambda entry: (entry.work_on, entry.pk))


def approve(entries: list[TimeEntry], *, by: User) -> list[TimeEntry]:
    return project_services.time_entries_approve(entry_ids=[e.pk for e in entries], by=by)


def approved_week(
    assignment: Assignment,
    *,
    manager: User,
    minutes: list[int],
    monday: date = LAST_MONDAY,
    kind: str = "task",
) -> list[TimeEntry]:
    """``submitted_week``, then approved by ``manager``."""
    entries = submitted_week(assignment, minutes=minutes, monday=monday, kind=kind)
    return approve(entries, by=manager)


def approve_payout(payout: Payout, *, by: User) -> Payout:
    return services.payout_approve(payout=payout, by=by)


def pay(payout: Payout, *, by: User, reference: str = "WISE-0001") -> Payout:
    return services.payout_mark_paid(
        payout=payout, by=by, reference=reference, paid_on=date(2026, 11, 12)
    )


def history(
    user: User,
    *,
    manager: User,
    clock,
    weeks: int,
    minutes: tuple[int, ...] = (60,),
    before: date = THIS_MONDAY,
):
    """A project ``user`` worked on for the ``weeks`` weeks before the week of ``before``,
    every week approved, closed, generated, and paid. Returns the assignment."""
    first = before - timedelta(weeks=weeks)
    started = first - timedelta(days=7)
    with clock.back_at(datetime.combine(started, time(9), tzinfo=UTC)):
        project = project_create(manager, name="Long-running project", start_on=started)
        assignment = assign(project, user, by=manager, start_on=started)
    for index in range(weeks):
        monday = first + timedelta(weeks=index)
        approved_week(assignment, manager=manager, minutes=list(minutes), monday=monday)
        generate(closed_period(monday, by=manager), by=manager)
    for payout in Payout.objects.filter(contractor=assignment.contractor, status="draft"):
        pay(approve_payout(payout, by=manager), by=manager, reference=f"REF-{payout.pk}")
    return assignment
