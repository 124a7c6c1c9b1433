"""Every write to projects: their details and their status."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ExpertiseArea, User
from projects.models import PauseReason, Project, ProjectStatus, ProjectStatusChange

DETAIL_FIELDS = (
    "name",
    "description",
    "guidelines",
    "guidelines_url",
    "languages",
    "default_rate_minor",
    "currency",
    "expected_hours_per_week",
    "weekly_cap_minutes",
    "start_on",
    "end_on",
    "manager",
)


@dataclass
class ProjectDetails:
    """What a manager sets on a project, apart from its status."""

    name: str
    description: str
    default_rate_minor: int
    currency: str
    expected_hours_per_week: int
    weekly_cap_minutes: int
    start_on: date
    manager: User
    guidelines: str = ""
    guidelines_url: str = ""
    languages: list[str] = field(default_factory=list)
    expertise: list[ExpertiseArea] = field(default_factory=list)
    end_on: date | None = None


def _apply_details(project: Project, details: ProjectDetails) -> None:
    if not details.manager.is_staff:
        raise ValidationError({"manager": ["The responsible manager must be a staff member."]})
    for name in DETAIL_FIELDS:
        setattr(project, name, getattr(details, name))
    project.languages = sorted(set(details.languages))
    project.full_clean(exclude=["status"])
    project.save()
    project.expertise.set(details.expertise)


@transaction.atomic
def project_create(*, details: ProjectDetails, by: User) -> Project:
    project = Project(status=ProjectStatus.DRAFT)
    _apply_details(project, details)
    ProjectStatusChange.objects.create(
        project=project,
        from_status="",
        to_status=ProjectStatus.DRAFT,
        effective_at=timezone.now(),
        by=by,
    )
    return project


@transaction.atomic
def project_update(*, project: Project, details: ProjectDetails, by: User) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status == ProjectStatus.CLOSED:
        raise ValidationError("A closed project can't be changed.")
    _apply_details(project, details)
    return project


def _transition(
    project: Project,
    *,
    to: str,
    by: User,
    reason: str = "",
    message: str = "",
    expected_resume_on: date | None = None,
) -> ProjectStatusChange:
    from_status = project.status
    if not project.can_transition_to(to):
        raise ValidationError(
            "«%(name)s» is %(status)s and can't become %(to)s.",
            params={
                "name": project.name,
                "status": project.get_status_display().lower(),
                "to": ProjectStatus(to).label.lower(),
            },
        )
    now = timezone.now()
    project.status = to
    project.paused_at = now if to == ProjectStatus.PAUSED else None
    project.pause_reason = reason if to == ProjectStatus.PAUSED else ""
    project.pause_message = message if to == ProjectStatus.PAUSED else ""
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
        expected_resume_on=expected_resume_on,
        effective_at=now,
        by=by,
    )


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


@transaction.atomic
def project_activate(*, project: Project, by: User) -> ProjectStatusChange:
    project = _lock(project)
    if project.status != ProjectStatus.DRAFT:
        raise ValidationError(
            "«%(name)s» is not a draft; resume it instead.", params={"name": project.name}
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
) -> ProjectStatusChange:
    """Stop new time on the project from now on; hours already worked stay payable."""
    message = (message or "").strip()
    errors: dict[str, list[str]] = {}
    if reason not in PauseReason.values:
        errors["reason"] = ["Choose why the project is paused."]
    if not message:
        errors["message"] = ["Tell the contractors what is happening; they will read this."]
    if expected_resume_on is not None and expected_resume_on < timezone.localdate():
        errors["expected_resume_on"] = ["The expected resume date can't be in the past."]
    if errors:
        raise ValidationError(errors)
    return _transition(
        _lock(project),
        to=ProjectStatus.PAUSED,
        by=by,
        reason=reason,
        message=message,
        expected_resume_on=expected_resume_on,
    )


@transaction.atomic
def project_resume(*, project: Project, by: User, message: str = "") -> ProjectStatusChange:
    project = _lock(project)
    if project.status != ProjectStatus.PAUSED:
        raise ValidationError(
            "«%(name)s» is not paused, so it can't be resumed.", params={"name": project.name}
        )
    return _transition(project, to=ProjectStatus.ACTIVE, by=by, message=(message or "").strip())


@transaction.atomic
def project_close(*, project: Project, by: User, message: str) -> ProjectStatusChange:
    """Close for good; entries already logged stay, reviewable and payable."""
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": ["Say why the project is closing."]})
    return _transition(_lock(project), to=ProjectStatus.CLOSED, by=by, message=message)
