"""Reads of a project's status and its history, for managers."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from portal.notifications.selectors import with_delivery_counts
from projects.models import Project, ProjectStatusChange, ScheduledPause


def project_get_for_manager(pk: int) -> Project:
    """Any project, for staff whose permissions were checked by the caller; else 404."""
    project = Project.objects.filter(pk=pk).first()
    if project is None:
        raise Http404(_("No such project."))
    return project


def status_change_list_for_project(project: Project) -> QuerySet[ProjectStatusChange]:
    """The project's history, newest first, each change with how its notices went out."""
    changes = (
        ProjectStatusChange.objects.filter(project=project)
        .select_related("by")
        .order_by("-effective_at", "-pk")
    )
    return with_delivery_counts(changes, topic_prefix=ProjectStatusChange.TOPIC_PREFIX)


def scheduled_pause_with_delivery(pause: ScheduledPause) -> ScheduledPause:
    pauses = ScheduledPause.objects.filter(pk=pause.pk).select_related("by", "project")
    return with_delivery_counts(pauses, topic_prefix=ScheduledPause.TOPIC_PREFIX).get()
