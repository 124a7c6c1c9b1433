"""Every write to a project's details; its status changes live in ``status``."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ExpertiseArea, User
from portal.money import validate_currency
from portal.typed_text import writer_language
from projects import notices
from projects.floor_rules import refuse_below_vendor_floor
from projects.models import (
    ContentWarning,
    Project,
    ProjectPurpose,
    ProjectStatus,
    ProjectStatusChange,
)

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
    "purpose",
    "time_limit_minutes",
    "start_on",
    "end_on",
    "manager",
    "content_warning",
    "quality_review",
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
    purpose: str = ProjectPurpose.WORK
    time_limit_minutes: int | None = None
    content_warning: str = ContentWarning.NONE
    quality_review: str = ""


# Who may be named responsible for a project: whoever may run projects.
MANAGES_PROJECTS = "projects.change_project"


def _apply_details(project: Project, details: ProjectDetails) -> None:
    manager = details.manager
    if not (manager.is_active and manager.is_staff and manager.has_perm(MANAGES_PROJECTS)):
        raise ValidationError({"manager": [_("The responsible manager must be a vendor manager.")]})
    if project.pk and details.purpose != project.purpose and project.assignments.exists():
        # Assignments and enrolments follow different rules (floors, caps, who may join).
        raise ValidationError(
            {"purpose": [_("People are already on this project; its purpose can't change.")]}
        )
    texts = (project.description, project.guidelines)
    quality_review = project.quality_review
    warning = project.content_warning
    rate = (project.default_rate_minor, project.currency)
    if project.pk is None or rate != (details.default_rate_minor, details.currency):
        # A project has no place of its own: its default is held to the vendor-wide
        # floor; each contractor's rate is checked against their own when assigned.
        validate_currency(details.currency)
        refuse_below_vendor_floor(
            rate_minor=details.default_rate_minor,
            currency=details.currency,
            on=max(details.start_on, timezone.localdate()),
        )
    warning_changed = project.pk is not None and details.content_warning != warning
    for name in DETAIL_FIELDS:
        setattr(project, name, getattr(details, name))
    # The texts contractors read are in the language of whoever last wrote them.
    if project.pk is None or (project.description, project.guidelines) != texts:
        project.written_in = writer_language()
    if project.pk is None or project.quality_review != quality_review:
        project.quality_review_written_in = writer_language() if project.quality_review else ""
    project.languages = sorted(set(details.languages))
    project.full_clean(exclude=["status"])
    project.save()
    project.expertise.set(details.expertise)
    if warning_changed and project.content_warning != ContentWarning.NONE:
        # Those already on it joined without reading this warning.
        notices.content_warning_notify(project)


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
        raise ValidationError(_("A closed project can't be changed."))
    _apply_details(project, details)
    return project
