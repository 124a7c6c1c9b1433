"""A project's status: activate, pause (now or at a set time), resume, close.

Every change is one transaction: the project row is locked, the history row
written, and every assigned contractor's notice and email recorded, so a
pause is never committed without the people it concerns being told. A change
or pause that told people comes back with ``told``, how many, for the
caller's message.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from portal.dates import format_moment
from portal.typed_text import writer_language
from projects import notices
from projects.models import (
    PauseReason,
    Project,
    ProjectStatus,
    ProjectStatusChange,
    ScheduledKind,
    ScheduledPause,
    ScheduledPauseStatus,
)
from projects.services import standby

logger = logging.getLogger(__name__)

# How far ahead a pause may be scheduled.
MAX_NOTICE = timedelta(days=366)


@dataclass(frozen=True)
class PauseDetails:
    """What contractors are told about a pause."""

    reason: str
    message: str
    expected_resume_on: date | None = None


def _refusal(status: str, to: str) -> str:
    """Why a project in ``status`` can't become ``to``: one sentence per case, so each reads
    naturally in every language. ``%(name)s`` is the project; the rare cases no action
    reaches name both statuses by their labels."""
    sentences: dict[tuple[str, str], str] = {
        (ProjectStatus.DRAFT, ProjectStatus.PAUSED): _(
            "«%(name)s» is a draft and can't become paused."
        ),
        (ProjectStatus.ACTIVE, ProjectStatus.ACTIVE): _("«%(name)s» is active already."),
        (ProjectStatus.PAUSED, ProjectStatus.PAUSED): _("«%(name)s» is paused already."),
        (ProjectStatus.CLOSED, ProjectStatus.ACTIVE): _(
            "«%(name)s» is closed and can't become active."
        ),
        (ProjectStatus.CLOSED, ProjectStatus.PAUSED): _(
            "«%(name)s» is closed and can't become paused."
        ),
        (ProjectStatus.CLOSED, ProjectStatus.CLOSED): _("«%(name)s» is closed already."),
    }
    return sentences.get((status, to), _("«%(name)s» can't go from “%(status)s” to “%(to)s”."))


def _transition(
    project: Project,
    *,
    to: str,
    by: User,
    reason: str = "",
    message: str = "",
    expected_resume_on: date | None = None,
    notified: bool = False,
    written_in: str | None = None,
) -> ProjectStatusChange:
    """``written_in`` is the message's language: the writer's unless given (a scheduled
    pause's message keeps the language it was announced in)."""
    from_status = project.status
    if not project.can_transition_to(to):
        raise ValidationError(
            _refusal(project.status, to),
            params={
                "name": project.name,
                "status": project.get_status_display(),
                "to": ProjectStatus(to).label,
            },
        )
    now = timezone.now()
    if not message:
        written_in = ""
    elif written_in is None:
        written_in = writer_language()
    project.status = to
    project.paused_at = now if to == ProjectStatus.PAUSED else None
    project.pause_reason = reason if to == ProjectStatus.PAUSED else ""
    project.pause_message = message if to == ProjectStatus.PAUSED else ""
    project.pause_written_in = written_in if to == ProjectStatus.PAUSED else ""
    project.expected_resume_on = expected_resume_on if to == ProjectStatus.PAUSED else None
    if to == ProjectStatus.ACTIVE and project.activated_at is None:
        project.activated_at = now
    if to == ProjectStatus.CLOSED:
        project.closed_at = now
    project.save(
        update_fields=[
            "status",
            "paused_at",
            "pause_reason",
            "pause_message",
            "pause_written_in",
            "expected_resume_on",
            "activated_at",
            "closed_at",
            "updated_at",
        ]
    )
    return ProjectStatusChange.objects.create(
        project=project,
        from_status=from_status,
        to_status=to,
        reason=reason,
        message=message,
        written_in=written_in,
        expected_resume_on=expected_resume_on,
        effective_at=now,
        by=by,
        notified_at=now if notified else None,
    )


def _transition_and_notify(project: Project, **kwargs: Any) -> ProjectStatusChange:
    """The change, written once, and every assignee told; ``change.told`` says how many.

    The change is stamped notified as it is written: the notices are recorded
    in the same transaction, so the two are committed together or not at all.
    """
    change = _transition(project, notified=True, **kwargs)
    change.told = notices.status_change_notify(change)
    return change


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


def _clean_pause(details: PauseDetails, *, pauses_on: date) -> PauseDetails:
    message = (details.message or "").strip()
    errors: dict[str, list[str]] = {}
    if details.reason not in PauseReason.values:
        errors["reason"] = [_("Choose why the project is paused.")]
    if not message:
        errors["message"] = [_("Tell the contractors what is happening; they will read this.")]
    if details.expected_resume_on is not None and details.expected_resume_on < pauses_on:
        errors["expected_resume_on"] = [_("The expected resume date can't be before the pause.")]
    if errors:
        raise ValidationError(errors)
    return PauseDetails(details.reason, message, details.expected_resume_on)


def _pending_pause(project: Project, *, kind: str | None = None) -> ScheduledPause | None:
    pending = ScheduledPause.objects.select_for_update().filter(
        project=project, status=ScheduledPauseStatus.PENDING
    )
    if kind is not None:
        pending = pending.filter(kind=kind)
    return pending.first()


def _cancel_pending(
    project: Project, *, by: User | None, message: str, kind: str | None = None
) -> ScheduledPause | None:
    """Call off the project's pending scheduled pause or close (of ``kind``, if given).

    Whatever standby pay its short notice owed is called off with it.
    """
    pending = _pending_pause(project, kind=kind)
    if pending is not None:
        standby.standby_cancel(pending)
        pending.status = ScheduledPauseStatus.CANCELLED
        pending.cancelled_at = timezone.now()
        pending.cancelled_by = by
        pending.cancel_message = message
        pending.cancel_written_in = writer_language() if message else ""
        pending.save(
            update_fields=[
                "status",
                "cancelled_at",
                "cancelled_by",
                "cancel_message",
                "cancel_written_in",
            ]
        )
    return pending


@transaction.atomic
def project_activate(*, project: Project, by: User) -> ProjectStatusChange:
    project = _lock(project)
    if project.status != ProjectStatus.DRAFT:
        raise ValidationError(
            _("«%(name)s» is not a draft; resume it instead."), params={"name": project.name}
        )
    return _transition(project, to=ProjectStatus.ACTIVE, by=by)


@transaction.atomic
def project_pause(
    *,
    project: Project,
    by: User,
    reason: str,
    message: str,
    expected_resume_on: date | None = None,
    short_notice_confirmed: bool = False,
) -> ProjectStatusChange:
    """Pause now and tell every assignee; hours already worked stay payable.

    A pause at once gives no notice: the manager confirms it
    (``short_notice_confirmed``) and every active assignee is owed standby
    pay. A pause scheduled for later is superseded: this one is what happened.
    """
    details = _clean_pause(
        PauseDetails(reason, message, expected_resume_on), pauses_on=timezone.localdate()
    )
    project = _lock(project)
    change = _transition_and_notify(
        project,
        to=ProjectStatus.PAUSED,
        by=by,
        reason=details.reason,
        message=details.message,
        expected_resume_on=details.expected_resume_on,
    )
    missing = standby.days_missing(ScheduledKind.PAUSE, effective_at=None)
    standby.refuse_unconfirmed_short_notice(
        ScheduledKind.PAUSE, missing=missing, confirmed=short_notice_confirmed
    )
    _cancel_pending(
        project,
        by=by,
        message=_("The project was paused earlier instead."),
        kind=ScheduledKind.PAUSE,
    )
    standby.standby_record(project, kind=ScheduledKind.PAUSE, missing=missing, change=change)
    return change


def _clean_effective_at(effective_at: datetime, *, kind: str) -> None:
    now = timezone.now()
    close = kind == ScheduledKind.CLOSE
    if effective_at <= now:
        message = (
            _("Choose a time in the future, or close now.")
            if close
            else _("Choose a time in the future, or pause now.")
        )
        raise ValidationError({"effective_at": [message]})
    if effective_at > now + MAX_NOTICE:
        message = (
            _("A close can be scheduled up to a year ahead.")
            if close
            else _("A pause can be scheduled up to a year ahead.")
        )
        raise ValidationError({"effective_at": [message]})


def _refuse_unless_schedulable(project: Project, kind: str) -> None:
    if kind == ScheduledKind.PAUSE and project.status != ProjectStatus.ACTIVE:
        not_active: dict[str, str] = {
            ProjectStatus.DRAFT: _("«%(name)s» is a draft; only an active project can be paused."),
            ProjectStatus.PAUSED: _("«%(name)s» is paused; only an active project can be paused."),
        }
        raise ValidationError(
            not_active.get(
                project.status, _("«%(name)s» is closed; only an active project can be paused.")
            ),
            params={"name": project.name},
        )
    if kind == ScheduledKind.CLOSE and project.status == ProjectStatus.CLOSED:
        raise ValidationError(_("«%(name)s» is closed already."), params={"name": project.name})
    if (pending := _pending_pause(project)) is not None:
        if pending.kind == ScheduledKind.CLOSE:
            message = _("«%(name)s» already closes at %(when)s; call that close off first.")
        else:
            message = _("«%(name)s» already pauses at %(when)s; call that pause off first.")
        raise ValidationError(
            message, params={"name": project.name, "when": format_moment(pending.effective_at)}
        )


def _schedule(
    project: Project,
    *,
    kind: str,
    by: User,
    details: PauseDetails,
    effective_at: datetime,
    short_notice_confirmed: bool,
) -> ScheduledPause:
    """Announce a pause or close for ``effective_at``; tell every assignee now.

    Less notice than the minimum is confirmed by the manager, and owes every
    active assignee standby pay from now (called off if it is).
    """
    now = timezone.now()
    project = _lock(project)
    _refuse_unless_schedulable(project, kind)
    missing = standby.days_missing(kind, effective_at=effective_at)
    standby.refuse_unconfirmed_short_notice(kind, missing=missing, confirmed=short_notice_confirmed)
    pause = ScheduledPause.objects.create(
        project=project,
        kind=kind,
        reason=details.reason,
        message=details.message,
        written_in=writer_language(),
        expected_resume_on=details.expected_resume_on,
        effective_at=effective_at,
        by=by,
        created_at=now,
        notified_at=now,
    )
    pause.told = notices.scheduled_pause_notify(pause)
    standby.standby_record(project, kind=kind, missing=missing, scheduled=pause)
    return pause


@transaction.atomic
def project_pause_schedule(
    *,
    project: Project,
    by: User,
    reason: str,
    message: str,
    effective_at: datetime,
    expected_resume_on: date | None = None,
    short_notice_confirmed: bool = False,
) -> ScheduledPause:
    """Announce a pause for ``effective_at``: every assignee is told now, and again then."""
    _clean_effective_at(effective_at, kind=ScheduledKind.PAUSE)
    details = _clean_pause(
        PauseDetails(reason, message, expected_resume_on),
        pauses_on=timezone.localdate(effective_at),
    )
    return _schedule(
        project,
        kind=ScheduledKind.PAUSE,
        by=by,
        details=details,
        effective_at=effective_at,
        short_notice_confirmed=short_notice_confirmed,
    )


@transaction.atomic
def project_close_schedule(
    *,
    project: Project,
    by: User,
    message: str,
    effective_at: datetime,
    short_notice_confirmed: bool = False,
) -> ScheduledPause:
    """Announce a close for ``effective_at``: every assignee is told now, and again then."""
    _clean_effective_at(effective_at, kind=ScheduledKind.CLOSE)
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": [_("Say why the project is closing.")]})
    return _schedule(
        project,
        kind=ScheduledKind.CLOSE,
        by=by,
        details=PauseDetails("", message),
        effective_at=effective_at,
        short_notice_confirmed=short_notice_confirmed,
    )


@transaction.atomic
def project_pause_cancel(*, project: Project, by: User, message: str = "") -> ScheduledPause:
    """Call off the pause or close scheduled for ``project``; tell everyone warned of it.

    Standby pay its short notice owed is called off: it never took effect.
    """
    project = _lock(project)
    pause = _cancel_pending(project, by=by, message=(message or "").strip())
    if pause is None:
        raise ValidationError(
            _("«%(name)s» has no pause or close scheduled."), params={"name": project.name}
        )
    pause.told = notices.scheduled_pause_cancel_notify(pause)
    return pause


@transaction.atomic
def scheduled_pause_apply(*, pause: ScheduledPause) -> ProjectStatusChange | None:
    """Make a due scheduled pause or close take effect; return the change, or ``None``.

    Safe to run any number of times and from several workers at once: the row
    is locked and re-checked, so the project changes (and people are told) once.
    """
    # The project first, then its pause: the order project_pause and
    # project_close lock them in, so the two can never deadlock.
    project = _lock(Project(pk=pause.project_id))
    locked = (
        ScheduledPause.objects.select_for_update()
        .filter(pk=pause.pk, status=ScheduledPauseStatus.PENDING, effective_at__lte=timezone.now())
        .first()
    )
    if locked is None:
        return None
    pause = locked
    to = ProjectStatus.CLOSED if pause.kind == ScheduledKind.CLOSE else ProjectStatus.PAUSED
    if not project.can_transition_to(to):
        by_then: dict[str, str] = {
            ProjectStatus.PAUSED: _("The project was paused by then."),
            ProjectStatus.CLOSED: _("The project was closed by then."),
        }
        message = by_then.get(project.status, _("The project could not be changed by then."))
        _cancel_pending(project, by=None, message=message)
        return None
    change = _transition_and_notify(
        project,
        to=to,
        by=pause.by,
        reason=pause.reason,
        message=pause.message,
        written_in=pause.written_in,
        expected_resume_on=pause.expected_resume_on,
    )
    pause.status = ScheduledPauseStatus.APPLIED
    pause.change = change
    pause.save(update_fields=["status", "change"])
    return change


def project_pauses_apply_due() -> int:
    """Apply every scheduled pause whose time has come, each in its own transaction.

    One pause that fails is logged and left pending for the next run; it
    does not hold back the others.
    """
    due = ScheduledPause.objects.filter(
        status=ScheduledPauseStatus.PENDING, effective_at__lte=timezone.now()
    ).order_by("effective_at", "pk")
    applied = 0
    for pause in due:
        try:
            applied += scheduled_pause_apply(pause=pause) is not None
        except Exception:
            logger.exception("Scheduled pause %s could not be applied.", pause.pk)
    return applied


@transaction.atomic
def project_resume(*, project: Project, by: User, message: str = "") -> ProjectStatusChange:
    project = _lock(project)
    if project.status != ProjectStatus.PAUSED:
        raise ValidationError(
            _("«%(name)s» is not paused, so it can't be resumed."), params={"name": project.name}
        )
    return _transition_and_notify(
        project, to=ProjectStatus.ACTIVE, by=by, message=(message or "").strip()
    )


@transaction.atomic
def project_close(
    *, project: Project, by: User, message: str, short_notice_confirmed: bool = False
) -> ProjectStatusChange:
    """Close for good and tell every assignee; entries already logged stay payable.

    A close at once gives no notice: the manager confirms it
    (``short_notice_confirmed``) and every active assignee is owed standby pay.
    """
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": [_("Say why the project is closing.")]})
    project = _lock(project)
    was_draft = project.status == ProjectStatus.DRAFT
    change = _transition_and_notify(project, to=ProjectStatus.CLOSED, by=by, message=message)
    # A draft never ran, so nobody was counting on work from it.
    missing = 0 if was_draft else standby.days_missing(ScheduledKind.CLOSE, effective_at=None)
    standby.refuse_unconfirmed_short_notice(
        ScheduledKind.CLOSE, missing=missing, confirmed=short_notice_confirmed
    )
    _cancel_pending(project, by=by, message=_("The project was closed instead."))
    standby.standby_record(project, kind=ScheduledKind.CLOSE, missing=missing, change=change)
    return change
