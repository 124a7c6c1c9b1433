"""The background jobs projects owns: pausing and resuming many projects at once.

Registered from ``ProjectsConfig.ready``. Each project goes through the same
service as a single pause or resume, in its own transaction: one refusal
leaves the others to go through, and is reported with the project's name.
"""

from collections.abc import Callable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from portal.dates import format_moment
from portal.jobs import registry
from portal.jobs.models import Job
from portal.jobs.registry import Outcome, Progress
from projects import services
from projects.models import Project
from projects.services.bulk import PAUSE_JOB, RESUME_JOB


def pause_one(project: Project, *, by: User, data: dict) -> str:
    """Pause now, or announce the pause for later; the sentence says which, and who was told."""
    details = {
        "by": by,
        "reason": data["reason"],
        "message": data["message"],
        "expected_resume_on": data["expected_resume_on"],
        "short_notice_confirmed": data["short_notice_confirmed"],
    }
    if data["effective_at"] is None:
        change = services.project_pause(project=project, **details)
        count = change.told
        return ngettext(
            "«%(project)s» is paused; %(count)d contractor told.",
            "«%(project)s» is paused; %(count)d contractors told.",
            count,
        ) % {"project": project, "count": count}
    pause = services.project_pause_schedule(
        project=project, effective_at=data["effective_at"], **details
    )
    count = pause.told
    return ngettext(
        "«%(project)s» pauses at %(when)s; %(count)d contractor told now.",
        "«%(project)s» pauses at %(when)s; %(count)d contractors told now.",
        count,
    ) % {"project": project, "when": format_moment(pause.effective_at), "count": count}


def resume_one(project: Project, *, by: User, message: str) -> str:
    change = services.project_resume(project=project, by=by, message=message)
    count = change.told
    return ngettext(
        "«%(project)s» is active again; %(count)d contractor told.",
        "«%(project)s» is active again; %(count)d contractors told.",
        count,
    ) % {"project": project, "count": count}


def _each(
    job: Job, progress: Progress, call: Callable[[Project], str]
) -> tuple[int, int, list[str]]:
    """``call`` for each project of the job, in name order; (succeeded, total, sentences).

    Each project's outcome is kept on the job as soon as its own transaction has
    committed. When a database fault makes the task run the job again, the projects
    already done keep their outcome instead of being tried again and refused as
    "already paused".
    """
    ids = job.params["projects"]
    total = len(ids)
    progress(0, total)
    succeeded, lines = 0, []
    # Project id → [went through, its sentence], from this job's earlier attempts.
    outcomes: dict[str, list] = dict((job.result or {}).get("each", {}))
    projects = Project.objects.filter(pk__in=ids).order_by("name", "pk")
    for index, project in enumerate(projects, start=1):
        key = str(project.pk)
        if key not in outcomes:
            try:
                outcomes[key] = [True, call(project)]
            except ValidationError as exc:
                errors = " ".join(exc.messages)
                sentence = gettext("%(object)s: %(errors)s") % {"object": project, "errors": errors}
                outcomes[key] = [False, sentence]
            Job.objects.filter(pk=job.pk).update(result={**(job.result or {}), "each": outcomes})
        went_through, sentence = outcomes[key]
        succeeded += bool(went_through)
        lines.append(sentence)
        progress(index, total)
    return succeeded, total, lines


def pause_many_job(*, job: Job, progress: Progress) -> Outcome:
    params = job.params
    data = {
        "reason": params["reason"],
        "message": params["message"],
        "expected_resume_on": (
            date.fromisoformat(params["expected_resume_on"])
            if params["expected_resume_on"]
            else None
        ),
        "effective_at": (
            datetime.fromisoformat(params["effective_at"]) if params["effective_at"] else None
        ),
        "short_notice_confirmed": params["short_notice_confirmed"],
    }
    succeeded, total, lines = _each(
        job, progress, lambda project: pause_one(project, by=job.started_by, data=data)
    )
    summary = ngettext(
        "Paused %(done)d of %(count)d project.", "Paused %(done)d of %(count)d projects.", total
    ) % {"done": succeeded, "count": total}
    return Outcome(summary=summary, details=lines, result={"succeeded": succeeded})


def resume_many_job(*, job: Job, progress: Progress) -> Outcome:
    message = job.params["message"]
    succeeded, total, lines = _each(
        job, progress, lambda project: resume_one(project, by=job.started_by, message=message)
    )
    summary = ngettext(
        "Resumed %(done)d of %(count)d project.", "Resumed %(done)d of %(count)d projects.", total
    ) % {"done": succeeded, "count": total}
    return Outcome(summary=summary, details=lines, result={"succeeded": succeeded})


def register() -> None:
    registry.register(
        PAUSE_JOB,
        label=_("Pause projects"),
        permission="projects.change_project_status",
        run=pause_many_job,
    )
    registry.register(
        RESUME_JOB,
        label=_("Resume projects"),
        permission="projects.change_project_status",
        run=resume_many_job,
    )
