"""Whether a day can take time on an assignment, and if not, the sentence that says why.

The services enforce these rules; the timesheet also uses them to grey out the
cells that would be refused. Both expect ``project.status_changes`` and
``assignment.rates`` to be prefetched, so a whole week costs no extra queries.
"""

from collections.abc import Iterable
from datetime import date

from django.utils.translation import gettext as _

from accounts.models import ContractorProfile, ContractorStatus
from portal.dates import day_bounds, day_label, local_date, time_zone_name
from projects.models import Assignment, AssignmentRate, AssignmentStatus, Project, ProjectStatus


def project_day_problem(project: Project, day: date, time_zone: str) -> str | None:
    """Why ``project`` takes no time on ``day``, or ``None`` if it was active during it.

    A day is open when the project was active at any moment of it in the
    contractor's zone: the day of a pause stays open for the hours worked
    before it, and a pause taking effect at local midnight closes the whole day.
    """
    changes = sorted(
        project.status_changes.all(), key=lambda change: (change.effective_at, change.pk)
    )
    start, end = day_bounds(day, time_zone)
    for index, change in enumerate(changes):
        if change.to_status != ProjectStatus.ACTIVE:
            continue
        following = changes[index + 1] if index + 1 < len(changes) else None
        if change.effective_at < end and (following is None or start < following.effective_at):
            return None
    started = [change for change in changes if change.effective_at < end]
    last = started[-1] if started else None
    if last is None or last.to_status == ProjectStatus.DRAFT:
        return _("«%(project)s» had not started on %(day)s.") % {
            "project": project.name,
            "day": day_label(day),
        }
    values = {"project": project.name, "day": day_label(local_date(last.effective_at, time_zone))}
    if last.to_status == ProjectStatus.PAUSED:
        return _(
            "«%(project)s» was paused on %(day)s; no time can be logged for it after that."
        ) % (values)
    return _("«%(project)s» was closed on %(day)s; no time can be logged for it after that.") % (
        values
    )


def assignment_day_problem(
    assignment: Assignment, day: date, *, today: date, time_zone: str
) -> str | None:
    """Why the contractor can't log time on ``day`` for ``assignment``, or ``None``."""
    project = assignment.project
    if day > today:
        return _("%(day)s hasn't happened yet in your time zone: %(time_zone)s.") % {
            "day": day_label(day),
            "time_zone": time_zone_name(time_zone),
        }
    if day < assignment.start_on:
        return _("Your assignment to «%(project)s» starts on %(day)s.") % {
            "project": project.name,
            "day": day_label(assignment.start_on),
        }
    if assignment.end_on is not None and day > assignment.end_on:
        values = {
            "project": project.name,
            "day": day_label(assignment.end_on),
            "reason": assignment.removal_reason,
        }
        if assignment.status == AssignmentStatus.REMOVED:
            return _("You were removed from «%(project)s» on %(day)s: %(reason)s") % values
        return _("Your assignment to «%(project)s» ended on %(day)s.") % values
    return project_day_problem(project, day, time_zone)


def contractor_day_problem(
    profile: ContractorProfile, day: date, *, paid_activity: bool = False
) -> str | None:
    """A contractor who is no longer active keeps logging only the days before that.

    Someone still onboarding logs time on paid assessments and training
    (``paid_activity``), which they can be enrolled in once approved.
    """
    if profile.status == ContractorStatus.ACTIVE:
        return None
    if paid_activity and profile.status == ContractorStatus.ONBOARDING:
        return None
    since = local_date(profile.status_changed_at, profile.time_zone)
    if day < since:
        return None
    values = {"day": day_label(since)}
    if profile.status == ContractorStatus.SUSPENDED:
        return _("Your account is suspended since %(day)s; time from then on can't be logged.") % (
            values
        )
    if profile.status == ContractorStatus.OFFBOARDED:
        return _("Your account is closed since %(day)s; time from then on can't be logged.") % (
            values
        )
    return _("Your account is not active since %(day)s; time from then on can't be logged.") % (
        values
    )


def pay_period_problem(day: date, closed_dates: set[date]) -> str | None:
    """Days of a closed pay period are locked: their entries are being paid."""
    if day in closed_dates:
        return _("The pay period with %(day)s is closed.") % {"day": day_label(day)}
    return None


def rate_on(rates: Iterable[AssignmentRate], day: date) -> AssignmentRate | None:
    """The rate in force on ``day``: the latest of ``rates`` effective on or before it."""
    in_force = [rate for rate in rates if rate.effective_on <= day]
    return max(in_force, key=lambda rate: (rate.effective_on, rate.pk), default=None)
