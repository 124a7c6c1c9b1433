"""What contractors are told when their project or assignment changes, and who is told.

Each function is called by a service inside its transaction: the notices are
written with the change, the emails leave after commit (see portal.notifications).
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from portal.dates import format_day, format_moment
from portal.models import NotificationKind
from portal.money import format_money
from portal.notifications import Notice, notify
from projects.models import (
    Assignment,
    AssignmentRate,
    AssignmentRateCorrection,
    AssignmentStatus,
    ContentWarning,
    PauseReason,
    Project,
    ProjectInvitation,
    ProjectStatus,
    ProjectStatusChange,
    ScheduledKind,
    ScheduledPause,
    StandbyPay,
)

STATUS_KINDS = {
    ProjectStatus.PAUSED: NotificationKind.PROJECT_PAUSED,
    ProjectStatus.ACTIVE: NotificationKind.PROJECT_RESUMED,
    ProjectStatus.CLOSED: NotificationKind.PROJECT_CLOSED,
}

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def assignees(project: Project) -> QuerySet[User]:
    """Everyone on ``project`` now: contractors whose assignment to it is active."""
    return User.objects.filter(
        contractor_profile__assignments__project=project,
        contractor_profile__assignments__status=AssignmentStatus.ACTIVE,
    )


def _resume_line(expected_resume_on: date | None) -> str:
    if expected_resume_on is None:
        return _("Expected to resume: not known yet.")
    return _("Expected to resume: %(day)s.") % {"day": format_day(expected_resume_on, "full")}


def _tell_assignees(
    project: Project, *, kind: str, title: Callable[[], str], body: Callable[[], str], topic: str
) -> int:
    link = reverse("projects:project", args=[project.pk])

    def notice() -> Notice:
        context = {
            "project": project,
            "title": title(),
            "body": body(),
            "link": link,
            "site_url": settings.SITE_URL,
        }
        email_body = render_to_string("projects/email/project_status.txt", context)
        return Notice(title=context["title"], body=context["body"], email_body=email_body)

    return notify(recipients=assignees(project), kind=kind, notice=notice, link=link, topic=topic)


def status_change_notify(change: ProjectStatusChange) -> int:
    """Tell every assignee that ``change`` has happened; return how many were told."""
    project = change.project
    kind = STATUS_KINDS[change.to_status]
    name = {"project": project.name}
    if change.to_status == ProjectStatus.PAUSED:

        def title() -> str:
            return _("«%(project)s» is paused") % name

        def body() -> str:
            reason = _("Reason: %(reason)s.") % {"reason": PauseReason(change.reason).label}
            return f"{reason} {change.message}\n{_resume_line(change.expected_resume_on)} " + _(
                "Hours you logged before the pause stay payable."
            )

    elif change.to_status == ProjectStatus.ACTIVE:

        def title() -> str:
            return _("«%(project)s» has resumed") % name

        def body() -> str:
            return change.message or _("Work is back on: you can log time for it again.")

    else:

        def title() -> str:
            return _("«%(project)s» is closed") % name

        def body() -> str:
            return f"{change.message}\n" + _("Hours already logged are still reviewed and paid.")

    return _tell_assignees(project, kind=kind, title=title, body=body, topic=change.topic)


def scheduled_pause_notify(pause: ScheduledPause) -> int:
    """Tell every assignee, ahead of time, when the project will pause (or close) and why."""
    if pause.kind == ScheduledKind.CLOSE:
        return _scheduled_close_notify(pause)

    def title() -> str:
        return _("«%(project)s» pauses on %(when)s") % {
            "project": pause.project.name,
            "when": format_moment(pause.effective_at, "full"),
        }

    def body() -> str:
        reason = _("Reason: %(reason)s.") % {"reason": PauseReason(pause.reason).label}
        return f"{reason} {pause.message}\n{_resume_line(pause.expected_resume_on)} " + _(
            "You can log time as usual until the pause; hours logged stay payable."
        )

    return _tell_assignees(
        pause.project,
        kind=NotificationKind.PROJECT_PAUSING,
        title=title,
        body=body,
        topic=pause.topic,
    )


def _scheduled_close_notify(pause: ScheduledPause) -> int:
    def title() -> str:
        return _("«%(project)s» closes on %(when)s") % {
            "project": pause.project.name,
            "when": format_moment(pause.effective_at, "full"),
        }

    def body() -> str:
        return f"{pause.message}\n" + _(
            "You can log time as usual until the close; hours logged are still reviewed and paid."
        )

    return _tell_assignees(
        pause.project,
        kind=NotificationKind.PROJECT_PAUSING,
        title=title,
        body=body,
        topic=pause.topic,
    )


def scheduled_pause_cancel_notify(pause: ScheduledPause) -> int:
    def title() -> str:
        values = {
            "project": pause.project.name,
            "when": format_moment(pause.effective_at, "full"),
        }
        if pause.kind == ScheduledKind.CLOSE:
            return _("«%(project)s» will not close on %(when)s") % values
        return _("«%(project)s» will not pause on %(when)s") % values

    def body() -> str:
        return pause.cancel_message or _("Work goes on as usual.")

    return _tell_assignees(
        pause.project,
        kind=NotificationKind.PROJECT_PAUSE_CANCELLED,
        title=title,
        body=body,
        topic=pause.cancel_topic,
    )


def standby_owed_notify(project: Project, owed: list[StandbyPay]) -> None:
    """Tell each assignee owed standby pay how much and why.

    One notice per distinct amount, so the fan-out stays a handful of
    statements however many people are owed the same.
    """
    groups: dict[tuple[int, str, int, str], list[int]] = defaultdict(list)
    for standby in owed:
        key = (standby.amount_minor, standby.currency, standby.days_missing, standby.kind)
        groups[key].append(standby.assignment.contractor.user_id)
    link = reverse("projects:project", args=[project.pk])
    for (amount, currency, days, kind), user_ids in groups.items():
        example = StandbyPay(assignment=owed[0].assignment, kind=kind, days_missing=days)

        def notice(amount=amount, currency=currency, days=days, example=example) -> Notice:
            values = {
                "amount": format_money(amount, currency),
                "project": project.name,
                "reason": example.reason,
                "count": days,
            }
            return Notice(
                title=_("Standby pay of %(amount)s for «%(project)s»") % values,
                body=ngettext(
                    "%(reason)s You are owed %(amount)s standby pay for the %(count)d day "
                    "of notice missing; it is added to your next payout.",
                    "%(reason)s You are owed %(amount)s standby pay for the %(count)d days "
                    "of notice missing; it is added to your next payout.",
                    days,
                )
                % values,
            )

        notify(
            recipients=User.objects.filter(pk__in=user_ids),
            kind=(
                NotificationKind.PROJECT_CLOSED
                if kind == ScheduledKind.CLOSE
                else NotificationKind.PROJECT_PAUSING
            ),
            notice=notice,
            link=link,
            topic=f"standby:{project.pk}",
        )


# --- One contractor's assignment ----------------------------------------------------------


def _tell_contractor(assignment: Assignment, *, kind: str, notice: Callable[[], Notice]) -> None:
    notify(
        recipients=User.objects.filter(pk=assignment.contractor.user_id),
        kind=kind,
        notice=notice,
        link=reverse("projects:assignment_detail", args=[assignment.pk]),
        topic=f"assignment:{assignment.pk}",
    )


def assignment_added_notify(assignment: Assignment, rate: AssignmentRate) -> None:
    project = assignment.project

    def notice() -> Notice:
        return Notice(
            title=_("You are on «%(project)s»") % {"project": project.name},
            body=_("From %(day)s at %(rate)s an hour. Read the guidelines before you start.")
            % {
                "day": format_day(assignment.start_on, "full"),
                "rate": format_money(rate.rate_minor, rate.currency),
            },
        )

    _tell_contractor(assignment, kind=NotificationKind.ASSIGNMENT_ADDED, notice=notice)


def assignment_rate_notify(assignment: Assignment, rate: AssignmentRate) -> None:
    def notice() -> Notice:
        values = {
            "rate": format_money(rate.rate_minor, rate.currency),
            "day": format_day(rate.effective_on, "full"),
            "reason": rate.reason,
        }
        if rate.reason:
            body = _(
                "%(rate)s an hour for work from %(day)s; earlier hours keep their rate.\n"
                "The reason your manager gave: %(reason)s"
            )
        else:
            body = _("%(rate)s an hour for work from %(day)s; earlier hours keep their rate.")
        return Notice(
            title=_("New rate on «%(project)s»") % {"project": assignment.project.name},
            body=body % values,
        )

    _tell_contractor(assignment, kind=NotificationKind.RATE_CHANGED, notice=notice)


def assignment_rate_corrected_notify(
    assignment: Assignment, correction: AssignmentRateCorrection
) -> None:
    def notice() -> Notice:
        return Notice(
            title=_("Your rate on «%(project)s» was corrected")
            % {"project": assignment.project.name},
            body=_(
                "Your rate from %(day)s was set to %(old)s an hour by mistake; it is "
                "%(new)s an hour.\nThe reason your manager gave: %(reason)s"
            )
            % {
                "day": format_day(correction.rate.effective_on, "full"),
                "new": format_money(correction.to_rate_minor, correction.to_currency),
                "old": format_money(correction.from_rate_minor, correction.from_currency),
                "reason": correction.reason,
            },
        )

    _tell_contractor(assignment, kind=NotificationKind.RATE_CHANGED, notice=notice)


def assignment_stopped_notify(
    assignment: Assignment, *, not_about_them: "StrOrPromise" = ""
) -> None:
    project = assignment.project
    if assignment.status == AssignmentStatus.REMOVED:

        def removed() -> Notice:
            body = _(
                "The reason your manager gave: %(reason)s\n"
                "Your last day is %(day)s. Hours already logged stay payable."
            ) % {
                "reason": assignment.removal_reason,
                "day": format_day(assignment.end_on, "full"),
            }
            if not_about_them:
                body = _("This is not about you or your work: %(ground)s.\n%(details)s") % {
                    "ground": not_about_them,
                    "details": body,
                }
            return Notice(
                title=_("You were removed from «%(project)s»") % {"project": project.name},
                body=body,
            )

        _tell_contractor(assignment, kind=NotificationKind.ASSIGNMENT_REMOVED, notice=removed)
    else:

        def ended() -> Notice:
            return Notice(
                title=_("Your assignment to «%(project)s» ends") % {"project": project.name},
                body=_("You can log time up to %(day)s; hours logged stay payable.")
                % {"day": format_day(assignment.end_on, "full")},
            )

        _tell_contractor(assignment, kind=NotificationKind.ASSIGNMENT_ENDED, notice=ended)


def project_invited_notify(invitation: ProjectInvitation) -> None:
    """Invite the contractor to read the project's page and choose; the page says that a
    decline is never held against them."""
    project = invitation.project

    def notice() -> Notice:
        values = {
            "project": project.name,
            "rate": format_money(invitation.rate_minor, invitation.currency),
        }
        if project.content_warning != ContentWarning.NONE:
            body = _(
                "At %(rate)s an hour. This project carries a content warning (%(warning)s): "
                "read its page before you choose. You may decline; that is never held "
                "against you."
            ) % {**values, "warning": ContentWarning(project.content_warning).label}
        else:
            body = (
                _(
                    "At %(rate)s an hour. Read the project's page, then accept or decline; "
                    "declining is never held against you."
                )
                % values
            )
        return Notice(title=_("You are invited to «%(project)s»") % values, body=body)

    notify(
        recipients=User.objects.filter(pk=invitation.contractor.user_id),
        kind=NotificationKind.PROJECT_INVITED,
        notice=notice,
        link=reverse("projects:project_about", args=[project.pk]),
        topic=f"invitation:{invitation.pk}",
    )


def content_warning_notify(project: Project) -> int:
    """Tell everyone on ``project`` that it now carries ``project.content_warning``: they
    joined without it, so they read it now, with the way out and the rule that protects
    them. Return how many were told."""
    about = reverse("projects:project_about", args=[project.pk])
    rules = f"{settings.SITE_URL}{reverse('rules')}#never-title"

    def notice() -> Notice:
        values = {
            "project": project.name,
            "warning": ContentWarning(project.content_warning).label,
            "rules": rules,
        }
        title = _("«%(project)s» now carries a content warning") % values
        body = (
            _(
                "Content warning: %(warning)s. Read the project's page to see what it covers. "
                "You may ask to leave the project; that is never held against you: the rules "
                "say so (%(rules)s)."
            )
            % values
        )
        return Notice(title=title, body=body)

    return notify(
        recipients=assignees(project),
        kind=NotificationKind.PROJECT_CONTENT_WARNING,
        notice=notice,
        link=about,
        topic=f"project:{project.pk}:warning:{project.content_warning}",
    )
