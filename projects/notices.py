"""What contractors are told when their project or assignment changes, and who is told.

Each function is called by a service inside its transaction: the notices are
written with the change, the emails leave after commit (see portal.notifications).
"""

from datetime import date, datetime

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from payments.money import format_money
from portal.models import NotificationKind
from portal.notifications import notify
from projects.models import (
    Assignment,
    AssignmentRate,
    AssignmentStatus,
    PauseReason,
    Project,
    ProjectStatus,
    ProjectStatusChange,
    ScheduledPause,
)

STATUS_KINDS = {
    ProjectStatus.PAUSED: NotificationKind.PROJECT_PAUSED,
    ProjectStatus.ACTIVE: NotificationKind.PROJECT_RESUMED,
    ProjectStatus.CLOSED: NotificationKind.PROJECT_CLOSED,
}


def assignees(project: Project) -> QuerySet[User]:
    """Everyone on ``project`` now: contractors whose assignment to it is active."""
    return User.objects.filter(
        contractor_profile__assignments__project=project,
        contractor_profile__assignments__status=AssignmentStatus.ACTIVE,
    )


def _when(moment: datetime) -> str:
    return f"{moment:%a %d %b %Y, %H:%M} UTC"


def _resume_line(expected_resume_on: date | None) -> str:
    if expected_resume_on is None:
        return "Expected to resume: not known yet."
    return f"Expected to resume: {expected_resume_on:%a %d %b %Y}."


def _tell_assignees(project: Project, *, kind: str, title: str, body: str, topic: str) -> int:
    link = reverse("projects:project", args=[project.pk])
    email_body = render_to_string(
        "projects/email/project_status.txt",
        {
            "project": project,
            "title": title,
            "body": body,
            "link": link,
            "site_url": settings.SITE_URL,
        },
    )
    return notify(
        recipients=assignees(project),
        kind=kind,
        title=title,
        body=body,
        link=link,
        topic=topic,
        email_body=email_body,
    )


def status_change_notify(change: ProjectStatusChange) -> int:
    """Tell every assignee that ``change`` has happened; return how many were told."""
    project = change.project
    kind = STATUS_KINDS[change.to_status]
    if change.to_status == ProjectStatus.PAUSED:
        title = f"«{project.name}» is paused"
        body = (
            f"Reason: {PauseReason(change.reason).label}. {change.message}\n"
            f"{_resume_line(change.expected_resume_on)} "
            "Hours you logged before the pause stay payable."
        )
    elif change.to_status == ProjectStatus.ACTIVE:
        title = f"«{project.name}» has resumed"
        body = change.message or "Work is back on: you can log time for it again."
    else:
        title = f"«{project.name}» is closed"
        body = f"{change.message}\nHours already logged are still reviewed and paid."
    return _tell_assignees(project, kind=kind, title=title, body=body, topic=change.topic)


def scheduled_pause_notify(pause: ScheduledPause) -> int:
    """Tell every assignee, ahead of time, when the project will pause and why."""
    body = (
        f"Reason: {PauseReason(pause.reason).label}. {pause.message}\n"
        f"{_resume_line(pause.expected_resume_on)} "
        "You can log time as usual until the pause; hours logged stay payable."
    )
    return _tell_assignees(
        pause.project,
        kind=NotificationKind.PROJECT_PAUSING,
        title=f"«{pause.project.name}» pauses on {_when(pause.effective_at)}",
        body=body,
        topic=pause.topic,
    )


def scheduled_pause_cancel_notify(pause: ScheduledPause) -> int:
    body = pause.cancel_message or "Work goes on as usual."
    return _tell_assignees(
        pause.project,
        kind=NotificationKind.PROJECT_PAUSE_CANCELLED,
        title=f"«{pause.project.name}» will not pause on {_when(pause.effective_at)}",
        body=body,
        topic=pause.cancel_topic,
    )


# --- One contractor's assignment ----------------------------------------------------------


def _tell_contractor(assignment: Assignment, *, kind: str, title: str, body: str) -> None:
    notify(
        recipients=User.objects.filter(pk=assignment.contractor.user_id),
        kind=kind,
        title=title,
        body=body,
        link=reverse("projects:assignment_detail", args=[assignment.pk]),
        topic=f"assignment:{assignment.pk}",
    )


def assignment_added_notify(assignment: Assignment, rate: AssignmentRate) -> None:
    project = assignment.project
    _tell_contractor(
        assignment,
        kind=NotificationKind.ASSIGNMENT_ADDED,
        title=f"You are on «{project.name}»",
        body=(
            f"From {assignment.start_on:%a %d %b %Y} at "
            f"{format_money(rate.rate_minor, rate.currency)} an hour. "
            "Read the guidelines before you start."
        ),
    )


def assignment_rate_notify(assignment: Assignment, rate: AssignmentRate) -> None:
    _tell_contractor(
        assignment,
        kind=NotificationKind.RATE_CHANGED,
        title=f"New rate on «{assignment.project.name}»",
        body=(
            f"{format_money(rate.rate_minor, rate.currency)} an hour for work from "
            f"{rate.effective_on:%a %d %b %Y}; earlier hours keep their rate."
        ),
    )


def assignment_stopped_notify(assignment: Assignment) -> None:
    project = assignment.project
    last_day = f"{assignment.end_on:%a %d %b %Y}"
    if assignment.status == AssignmentStatus.REMOVED:
        _tell_contractor(
            assignment,
            kind=NotificationKind.ASSIGNMENT_REMOVED,
            title=f"You were removed from «{project.name}»",
            body=(
                f"The reason your manager gave: {assignment.removal_reason}\n"
                f"Your last day is {last_day}. Hours already logged stay payable."
            ),
        )
    else:
        _tell_contractor(
            assignment,
            kind=NotificationKind.ASSIGNMENT_ENDED,
            title=f"Your assignment to «{project.name}» ends",
            body=f"You can log time up to {last_day}; hours logged stay payable.",
        )
