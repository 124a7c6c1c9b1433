"""Which jobs a member of staff sees: their own, and every job of a kind they may run."""

from typing import Any

from django.db.models import Q, QuerySet

from portal.jobs import registry
from portal.jobs.models import Job


def job_list_for_staff(*, user: Any) -> QuerySet[Job]:
    """The jobs ``user`` may see, newest first, with their starters; none for non-staff."""
    jobs = Job.objects.select_related("started_by").order_by("-created_at", "-pk")
    if not (user.is_active and user.is_staff):
        return jobs.none()
    if user.is_superuser:
        return jobs
    return jobs.filter(Q(started_by=user) | Q(kind__in=registry.permitted_kinds(user)))


def job_get_for_staff(*, user: Any, pk: int) -> Job | None:
    """One job ``user`` may see, or ``None`` (callers answer 404)."""
    return job_list_for_staff(user=user).filter(pk=pk).first()
