"""Builders for projects, assignments and time, all through the services."""

from datetime import UTC, date, datetime, timedelta

from accounts.models import User
from projects import services
from projects.models import Assignment, EntryKind, Project
from projects.timesheet import EntryChange

# The suite's calendar: projects start on SETUP_AT; "now" is a Thursday, so the
# week of LAST_MONDAY is wholly in the past and THIS_MONDAY's week is half done.
SETUP_AT = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 12, 12, 0, tzinfo=UTC)
LAST_MONDAY = date(2026, 11, 2)
THIS_MONDAY = date(2026, 11, 9)
ASSIGNED_ON = date(2026, 10, 1)


def project_details(manager: User, **overrides) -> services.ProjectDetails:
    values = {
        "name": "Search relevance",
        "description": "Rate how well results answer the query.",
        "guidelines": "Read the rubric before every session.",
        "default_rate_minor": 2500,
        "currency": "EUR",
        "expected_hours_per_week": 15,
        "weekly_cap_minutes": 20 * 60,
        "start_on": date(2026, 9, 1),
        "manager": manager,
        "languages": ["de"],
    }
    values.update(overrides)
    return services.ProjectDetails(**values)


def project_create(manager: User, *, activate: bool = True, **overrides) -> Project:
    project = services.project_create(details=project_details(manager, **overrides), by=manager)
    if activate:
        services.project_activate(project=project, by=manager)
    project.refresh_from_db()
    return project


def assign(project: Project, user: User, *, by: User, **overrides) -> Assignment:
    overrides.setdefault("start_on", ASSIGNED_ON)
    return services.assignment_create(
        project=project, contractor=user.contractor_profile, by=by, **overrides
    )


def log(
    user: User,
    assignment: Assignment,
    day: date,
    minutes: int,
    *,
    kind: str = "task",
    note: str = "",
):
    """Save one draft cell as the timesheet would."""
    change = EntryChange(assignment.pk, day, kind, minutes, note)
    return services.time_entries_save(by=user, changes=[change])


def log_many(user: User, assignment: Assignment, count: int, *, minutes: int = 10) -> None:
    """``count`` draft entries of ``minutes`` each, spread over the days and kinds before NOW."""
    cells = [
        EntryChange(assignment.pk, LAST_MONDAY + timedelta(days=6 - offset), kind, minutes)
        for offset in range(40)
        for kind in EntryKind.values
    ]
    services.time_entries_save(by=user, changes=cells[:count])


def many_assignments(user: User, count: int, *, by: User) -> list[Assignment]:
    return [
        assign(project_create(by, name=f"Project {index:02d}"), user, by=by)
        for index in range(count)
    ]
