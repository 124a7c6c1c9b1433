"""A background job: what it is, how far it got, and how it ended."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


# A job in one of these holds its key: starting the same work again returns it.
ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)
FINISHED_STATES = (JobState.SUCCEEDED, JobState.FAILED)


def _file_path(instance: "Job", filename: str) -> str:
    # The stored name never uses the name offered on download.
    return f"jobs/{instance.pk}/{uuid.uuid4().hex}"


def _private_storage():
    from django.core.files.storage import FileSystemStorage

    # No location or URL: files follow MEDIA_ROOT and are served only by the
    # view that checks who asks.
    return FileSystemStorage(base_url=None)


class Job(models.Model):
    """One run of a registered kind of work, started by a person (or by the system)."""

    kind = models.CharField(_("kind"), max_length=60)
    # The same work has the same key; at most one active job holds a key.
    key = models.CharField(_("key"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # What the job is about (a period, a number of projects, a file), in the starter's words.
    subject = models.CharField(_("about"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=JobState, default=JobState.QUEUED)
    done = models.PositiveBigIntegerField(_("done"), default=0)
    total = models.PositiveBigIntegerField(_("total"), null=True, blank=True)
    summary = models.TextField(_("outcome"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(
        _("file"), upload_to=_file_path, storage=_private_storage, blank=True, max_length=255
    )
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jobs_started",
        verbose_name=_("started by"),
    )
    # Others who asked for the same work while this job held its key: told when it ends too.
    also_told = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="jobs_awaited",
        verbose_name=_("also told when it ends"),
    )
    # The Celery task that claimed the job; its retries may run it again, nobody else.
    task_id = models.CharField(_("task"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last progress at"), default=timezone.now)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(state__in=ACTIVE_STATES),
                name="jobs_one_active_per_key",
            ),
            models.CheckConstraint(condition=Q(state__in=JobState.values), name="jobs_state_valid"),
            models.CheckConstraint(
                condition=Q(state=JobState.QUEUED) | Q(started_at__isnull=False),
                name="jobs_started_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=FINISHED_STATES) | Q(finished_at__isnull=False),
                name="jobs_finished_has_time",
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(done__lte=F("total")),
                name="jobs_done_within_total",
            ),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="jobs_recent_idx"),
            models.Index(fields=["started_by", "-created_at"], name="jobs_starter_idx"),
            models.Index(fields=["kind", "-created_at"], name="jobs_kind_idx"),
        ]

    def __str__(self) -> str:
        from portal.jobs import registry

        label = registry.label(self.kind)
        return f"{label}: {self.subject}" if self.subject else str(label)

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES
