"""Pausing or resuming many projects at once, in the background.

Each project is still paused (or resumed) by ``project_pause`` /
``project_resume``, one transaction per project, exactly as when a manager
does one; the job reports each project's outcome and its progress.
"""

import hashlib
import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import ngettext

from accounts.models import User
from portal.jobs.models import ACTIVE_STATES, Job
from portal.jobs.services import job_start
from projects.models import Project

PAUSE_JOB = "projects.pause_many"
RESUME_JOB = "projects.resume_many"


def _ids(projects: Iterable[Project]) -> list[int]:
    return sorted({project.pk for project in projects})


def _key(kind: str, ids: list[int], params: dict[str, Any]) -> str:
    # The selection, whatever its size, as its count and a digest of its ids; then a digest
    # of everything else asked, so the same projects paused for another reason are other work.
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:32]
    rest = {name: value for name, value in params.items() if name != "projects"}
    asked = hashlib.sha256(json.dumps(rest, sort_keys=True).encode()).hexdigest()[:16]
    return f"{kind}:{len(ids)}:{digest}:{asked}"


@transaction.atomic
def _start(*, kind: str, opposite: str, ids: list[int], params: dict[str, Any], by: User) -> Job:
    """Start ``kind`` on ``ids`` unless a job of the ``opposite`` kind is queued or running
    on any of them: a pause and a resume of one project racing each other would leave it
    in whichever state finished last."""
    # Locking the projects makes two starts on a shared project take turns, so each sees
    # the other's job.
    list(Project.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
    wanted = set(ids)
    for other in Job.objects.filter(kind=opposite, state__in=ACTIVE_STATES).only("params"):
        shared = wanted.intersection(other.params.get("projects", []))
        if shared:
            raise ValidationError(_clash_message(kind, len(shared)), code="clash")
    return job_start(
        kind=kind,
        key=_key(kind, ids, params),
        params=params,
        started_by=by,
        subject=_subject(len(ids)),
    )


def _clash_message(kind: str, count: int) -> str:
    values = {"count": count}
    if kind == PAUSE_JOB:
        return (
            ngettext(
                "%(count)d of these projects is being resumed by a job still queued or running; "
                "pause it once that job has finished.",
                "%(count)d of these projects are being resumed by a job still queued or running; "
                "pause them once that job has finished.",
                count,
            )
            % values
        )
    return (
        ngettext(
            "%(count)d of these projects is being paused by a job still queued or running; "
            "resume it once that job has finished.",
            "%(count)d of these projects are being paused by a job still queued or running; "
            "resume them once that job has finished.",
            count,
        )
        % values
    )


def _subject(count: int) -> str:
    return ngettext("%(count)d project", "%(count)d projects", count) % {"count": count}


def projects_pause_start(
    *,
    projects: Iterable[Project],
    by: User,
    reason: str,
    message: str,
    expected_resume_on: date | None = None,
    effective_at: datetime | None = None,
    short_notice_confirmed: bool = False,
) -> Job:
    """Pause (or announce the pause of) each project in the background; return the job.

    The same selection with the same reason, message and times while its job is queued
    or running returns that job; a resume of any of the projects still queued or running
    is a refusal.
    """
    ids = _ids(projects)
    params: dict[str, Any] = {
        "projects": ids,
        "reason": reason,
        "message": message,
        "expected_resume_on": expected_resume_on.isoformat() if expected_resume_on else None,
        "effective_at": effective_at.isoformat() if effective_at else None,
        "short_notice_confirmed": short_notice_confirmed,
    }
    return _start(kind=PAUSE_JOB, opposite=RESUME_JOB, ids=ids, params=params, by=by)


def projects_resume_start(*, projects: Iterable[Project], by: User, message: str) -> Job:
    """Resume each paused project in the background; return the job.

    The same selection and message while its job is queued or running returns that job;
    a pause of any of the projects still queued or running is a refusal.
    """
    ids = _ids(projects)
    params = {"projects": ids, "message": message}
    return _start(kind=RESUME_JOB, opposite=PAUSE_JOB, ids=ids, params=params, by=by)
