"""The Jobs pages: what ran in the background, how far it got, how it ended, its file.

Nobody edits a job here. Staff see the jobs they started and every job of a
kind they hold the permission for; any other job is a 404, its file too. A file
needs the kind's permission even for the job's starter.
"""

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase, JsonResponse
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.admin_kit import ReadOnlyAdminMixin
from portal.dates import format_moment
from portal.jobs import registry, selectors
from portal.jobs.models import Job, JobState


class KindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(kind.name, str(kind.label)) for kind in registry.kinds()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Job]) -> QuerySet[Job]:
        return queryset.filter(kind=self.value()) if self.value() else queryset


def progress_text(job: Job) -> str:
    """ "1,234 of 10,000", or what the job is waiting for."""
    if job.state == JobState.QUEUED:
        return gettext("Waiting for a worker")
    done = number_format(job.done, force_grouping=True)
    if job.total is None:
        if job.state == JobState.RUNNING:
            return gettext("Working…")
        return done
    return gettext("%(done)s of %(total)s") % {
        "done": done,
        "total": number_format(job.total, force_grouping=True),
    }


@admin.register(Job)
class JobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "state", "progress", "started_by", "created", "finished")
    list_filter = ("state", KindFilter)
    list_select_related = ("started_by",)
    search_fields = ("subject",)
    date_hierarchy = "created_at"
    # State and progress lead the page, above these.
    fields = ("kind_label", "subject", "starter", "created", "started", "finished")
    readonly_fields = fields
    change_form_template = "admin/jobs/job/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Job]:
        return selectors.job_list_for_staff(user=request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if obj is not None:
            return user.is_superuser or registry.may_see(user, obj)
        return user.is_superuser or bool(registry.permitted_kinds(user))

    @admin.display(description=_("kind"))
    def kind_label(self, obj: Job) -> str:
        return str(registry.label(obj.kind))

    @admin.display(description=_("started by"))
    def starter(self, obj: Job) -> str:
        return str(obj.started_by) if obj.started_by else "—"

    @admin.display(description=_("created at"), ordering="created_at")
    def created(self, obj: Job) -> str:
        return format_moment(obj.created_at)

    @admin.display(description=_("started at"), ordering="started_at")
    def started(self, obj: Job) -> str:
        return format_moment(obj.started_at) or "—"

    @admin.display(description=_("finished at"), ordering="finished_at")
    def finished(self, obj: Job) -> str:
        return format_moment(obj.finished_at) or "—"

    @admin.display(description=_("progress"))
    def progress(self, obj: Job) -> str:
        return progress_text(obj)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/status/", view(self.status_view), name="jobs_job_status"),
            path("<int:pk>/file/", view(self.file_view), name="jobs_job_file"),
            *super().get_urls(),
        ]

    def _visible(self, request: HttpRequest, pk: int) -> Job:
        job = selectors.job_get_for_staff(user=request.user, pk=pk)
        if job is None:
            raise Http404(gettext("There is no such job, or it is not yours to see."))
        return job

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponseBase:
        try:
            job = self._visible(request, int(object_id))
        except ValueError:
            raise Http404 from None
        context = {
            "job": job,
            "progress_text": progress_text(job),
            "status_url": reverse("admin:jobs_job_status", args=[job.pk]),
            "details": (job.result or {}).get("details", []),
            "file_url": (
                reverse("admin:jobs_job_file", args=[job.pk])
                if job.file and job.file_name and self._may_fetch_file(request, job)
                else ""
            ),
            "file_withheld": bool(job.file and job.file_name)
            and not self._may_fetch_file(request, job),
            "file_removed": not job.file and bool((job.result or {}).get("file_removed")),
            "file_keep_days": settings.JOBS_FILES_KEEP_DAYS,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context=context)

    def status_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        """What the page polls while the job runs."""
        job = self._visible(request, pk)
        response = JsonResponse(
            {
                "state": job.state,
                "state_label": job.get_state_display(),
                "done": job.done,
                "total": job.total,
                "progress": progress_text(job),
                "finished": job.is_finished,
            }
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def _may_fetch_file(self, request: HttpRequest, job: Job) -> bool:
        return request.user.is_superuser or registry.may_fetch_file(request.user, job)

    def file_view(self, request: HttpRequest, pk: int) -> FileResponse:
        job = self._visible(request, pk)
        if not self._may_fetch_file(request, job):
            raise PermissionDenied(
                gettext("Fetching this job's file needs the permission its kind asks for.")
            )
        if not (job.file and job.file_name and job.state == JobState.SUCCEEDED):
            raise Http404(gettext("This job has no file."))
        try:
            handle = job.file.open("rb")
        except FileNotFoundError:
            raise Http404(gettext("The file is missing.")) from None
        content_type = (job.result or {}).get("content_type") or "application/octet-stream"
        response = FileResponse(
            handle, as_attachment=True, filename=job.file_name, content_type=content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
