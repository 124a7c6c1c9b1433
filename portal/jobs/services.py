"""Starting, running and finishing background jobs.

``job_start`` is what an action calls; ``job_run`` is what the task calls.
A job's own work happens in the function its kind registered, in whatever
transactions that function uses; this module only moves the job's row from
queued to running to succeeded or failed, records progress in short
transactions of its own, keeps the file, and tells the starter.
"""

import logging
import tempfile
import threading
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.db_faults import DB_FAULTS
from portal.jobs import registry
from portal.jobs.models import ACTIVE_STATES, Job, JobState
from portal.models import NotificationKind
from portal.notifications import Notice, notify

logger = logging.getLogger(__name__)
ERROR_MAX_CHARS = 2000


def job_start(
    *, kind: str, key: str, params: dict[str, Any], started_by: Any, subject: str = ""
) -> Job:
    """Record a job and queue it after commit; the same ``key`` while one is queued or
    running returns that one and queues nothing new.

    A partial unique constraint holds one active job per key, so two starts at
    the same moment (two clicks, two managers) still make one job.
    """
    registry.get(kind)  # an unknown kind is a programming error, raised here
    _fail_abandoned(key=key)
    for _attempt in range(3):
        existing = Job.objects.filter(key=key, state__in=ACTIVE_STATES).first()
        if existing is not None:
            _requeue_if_forgotten(existing)
            if started_by is not None and started_by.pk != existing.started_by_id:
                # They asked for it too: they are told when it ends, like its starter.
                existing.also_told.add(started_by)
            return existing
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind, key=key, params=params, subject=subject[:200], started_by=started_by
                )
        except IntegrityError:
            # Another start won the race: the loop finds its job.
            continue
        _queue(job)
        return job
    raise RuntimeError(f"Could not start or find the job {key!r}.")


def _queue(job: Job) -> None:
    from portal.jobs.tasks import job_run

    job_run.delay_on_commit(job.pk)


def _requeue_if_forgotten(job: Job) -> None:
    """A job queued long ago and never picked up (the broker lost it, or was down) is queued
    again; the task claims a job once, so a duplicate message does nothing."""
    waited = timezone.now() - job.created_at
    if job.state == JobState.QUEUED and waited > timedelta(
        seconds=settings.JOBS_REQUEUE_AFTER_SECONDS
    ):
        _queue(job)


def _silent_since() -> Any:
    """Before this moment a running job has lost its worker. On PostgreSQL its worker writes
    a heartbeat (``_Heartbeat``), so silence is soon noticed; elsewhere (SQLite, where jobs
    run inside the request) only a job past the task's hard time limit counts."""
    if connection.vendor == "postgresql":
        return timezone.now() - timedelta(seconds=settings.JOBS_SILENT_AFTER_SECONDS)
    return timezone.now() - timedelta(seconds=settings.JOBS_TIME_LIMIT_SECONDS + 60)


def _fail_abandoned(*, key: str | None = None) -> int:
    """Running jobs whose worker was killed or ran out of time: mark them failed and tell
    their starters, so the key is free to start again. Only ``key``'s, when given."""
    silent = Job.objects.filter(state=JobState.RUNNING, updated_at__lt=_silent_since())
    if key is not None:
        silent = silent.filter(key=key)
    failed = 0
    for job in silent:
        failed += _finish_failed(
            job,
            _(
                "It stopped without reporting back: its worker was stopped or ran out of "
                "time. Whatever it committed before stays; start it again to finish."
            ),
        )
    return failed


def jobs_sweep() -> dict[str, int]:
    """What beat runs every minute: fail the jobs that lost their worker, queue again the
    ones the broker lost, and remove files kept past ``JOBS_FILES_KEEP_DAYS``."""
    failed = _fail_abandoned()
    forgotten = Job.objects.filter(
        state=JobState.QUEUED,
        created_at__lt=timezone.now() - timedelta(seconds=settings.JOBS_REQUEUE_AFTER_SECONDS),
    )
    requeued = 0
    for job in forgotten:
        _queue(job)
        requeued += 1
    return {"failed": failed, "requeued": requeued, "files_removed": _files_purge()}


def _files_purge() -> int:
    """Delete the files of jobs that ended more than ``JOBS_FILES_KEEP_DAYS`` ago; the job and
    its outcome stay, and its page says the file was removed."""
    before = timezone.now() - timedelta(days=settings.JOBS_FILES_KEEP_DAYS)
    removed = 0
    for job in Job.objects.filter(finished_at__lt=before).exclude(file=""):
        job.file.delete(save=False)
        job.result = {**job.result, "file_removed": True}
        job.save(update_fields=["file", "result"])
        removed += 1
    return removed


class _Heartbeat:
    """While a job runs on PostgreSQL, a thread writes every ``JOBS_HEARTBEAT_SECONDS`` that
    its worker is alive, over a connection of its own (the job's may sit inside one long
    statement). If the worker dies, the heartbeat stops and the sweep fails the job in
    ``JOBS_SILENT_AFTER_SECONDS`` instead of after the task's hour-long time limit."""

    def __init__(self, job: Job, attempt: str) -> None:
        self.job_id, self.attempt = job.pk, attempt
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> None:
        if connection.vendor == "postgresql":
            self._thread = threading.Thread(target=self._beat, name="job-heartbeat", daemon=True)
            self._thread.start()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _beat(self) -> None:
        own = None
        try:
            while not self._stop.wait(settings.JOBS_HEARTBEAT_SECONDS):
                try:
                    if own is None:
                        own = connections.create_connection(DEFAULT_DB_ALIAS)
                    with own.cursor() as cursor:
                        cursor.execute(
                            f"UPDATE {Job._meta.db_table} SET updated_at = %s "  # noqa: S608
                            "WHERE id = %s AND state = %s AND task_id = %s",
                            [timezone.now(), self.job_id, JobState.RUNNING.value, self.attempt],
                        )
                except DB_FAULTS:
                    # The next beat tries a fresh connection; a long outage lets the sweep
                    # fail the job, which says to start it again.
                    logger.warning("Job %s: heartbeat not written.", self.job_id, exc_info=True)
                    if own is not None:
                        own.close()
                    own = None
        finally:
            if own is not None:
                own.close()


class _Reporter:
    """The progress callback: writes done/total at most about once every
    ``JOBS_PROGRESS_EVERY_SECONDS`` (and always the first and the last report).

    On PostgreSQL it writes over a connection of its own, in autocommit, so the
    progress shows while the job's own transaction, or a ``COPY`` streaming on
    the job's connection, is still under way.
    """

    def __init__(self, job: Job) -> None:
        self.job = job
        self.last = 0.0
        self._own: Any = None

    def __call__(self, done: int, total: int | None = None) -> None:
        now = time.monotonic()
        last_one = total is not None and done >= total
        if self.last and not last_one and now - self.last < settings.JOBS_PROGRESS_EVERY_SECONDS:
            return
        self.last = now
        done = max(0, min(done, total) if total is not None else done)
        self._write(done, total)
        self.job.done, self.job.total = done, total

    def _write(self, done: int, total: int | None) -> None:
        if connection.vendor != "postgresql":
            Job.objects.filter(pk=self.job.pk, state=JobState.RUNNING).update(
                done=done, total=total, updated_at=timezone.now()
            )
            return
        if self._own is None:
            self._own = connections.create_connection(DEFAULT_DB_ALIAS)
        with self._own.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Job._meta.db_table} SET done = %s, total = %s, updated_at = %s "  # noqa: S608
                "WHERE id = %s AND state = %s",
                [done, total, timezone.now(), self.job.pk, JobState.RUNNING.value],
            )

    def close(self) -> None:
        if self._own is not None:
            self._own.close()
            self._own = None


def job_run(*, job_id: int, attempt: str, last_attempt: bool = True) -> str | None:
    """Claim the job and run its kind's function; return the state it ended in, or ``None``
    when another task has it (or it has ended).

    A database fault is raised again for the task to retry (the same task may
    claim its job again), until ``last_attempt``, when the job is marked failed.
    Anything else marks it failed with a message its starter can read.
    """
    now = timezone.now()
    claimed = (
        Job.objects.filter(pk=job_id)
        .filter(Q(state=JobState.QUEUED) | Q(state=JobState.RUNNING, task_id=attempt))
        .update(
            state=JobState.RUNNING,
            task_id=attempt,
            started_at=Coalesce("started_at", now),
            updated_at=now,
        )
    )
    if not claimed:
        return None
    job = Job.objects.select_related("started_by").get(pk=job_id)
    kind = registry.get(job.kind)
    reporter = _Reporter(job)
    with _as_starter(job), _Heartbeat(job, attempt):
        try:
            outcome = kind.run(job=job, progress=reporter)
            stored = _store(job, outcome.file) if outcome.file else ""
        except DB_FAULTS:
            if not last_attempt:
                raise
            logger.exception("Job %s gave up after database faults.", job.pk)
            _finish_failed(
                job,
                _(
                    "The database could not be reached, even after several tries. Nothing "
                    "half-done was kept; start it again once the database is back."
                ),
            )
        except ValidationError as exc:
            _finish_failed(job, " ".join(exc.messages))
        except Exception as exc:
            logger.exception("Job %s failed.", job.pk)
            _finish_failed(
                job,
                _(
                    "It stopped on an unexpected error (%(error)s). Work it committed before "
                    "stays; the error is in the log for the developers."
                )
                % {"error": f"{type(exc).__name__}: {exc}"[:300]},
            )
        else:
            _finish_succeeded(job, outcome, stored=stored)
        finally:
            reporter.close()
    return str(Job.objects.values_list("state", flat=True).get(pk=job_id))


class _as_starter:
    """The starter's language and time zone, so the outcome reads as they would write it."""

    def __init__(self, job: Job) -> None:
        user = job.started_by
        self.language = getattr(user, "language", "") or settings.LANGUAGE_CODE
        self.zone = getattr(user, "time_zone", "") or settings.TIME_ZONE

    def __enter__(self) -> None:
        self._language = translation.override(self.language)
        self._language.__enter__()
        try:
            timezone.activate(ZoneInfo(self.zone))
        except (ValueError, KeyError):
            timezone.activate(ZoneInfo(settings.TIME_ZONE))

    def __exit__(self, *exc: object) -> None:
        timezone.deactivate()
        self._language.__exit__(None, None, None)


def _store(job: Job, output: registry.FileOutput) -> str:
    """Stream the file into a temporary file, then into private storage; memory stays flat."""
    with tempfile.TemporaryFile() as spool:
        _write_all(spool, output.chunks)
        spool.seek(0)
        job.file.save(output.name, File(spool), save=False)
    return output.name


def _write_all(spool: Any, chunks: Iterable[bytes]) -> None:
    for chunk in chunks:
        spool.write(chunk)


@transaction.atomic
def _finish_succeeded(job: Job, outcome: registry.Outcome, *, stored: str) -> None:
    locked = Job.objects.select_for_update().get(pk=job.pk)
    if locked.state != JobState.RUNNING:
        # The sweep took it for lost and its starter was told to start it again.
        if stored:
            job.file.delete(save=False)
        return
    if stored:
        locked.file = job.file
    locked.state = JobState.SUCCEEDED
    locked.summary = outcome.summary
    locked.result = {**outcome.result, "details": list(outcome.details)}
    if outcome.file is not None:
        locked.result["content_type"] = outcome.file.content_type
    locked.file_name = stored
    locked.finished_at = locked.updated_at = timezone.now()
    # What the job last reported, as this worker knows it (on PostgreSQL it was written
    # over the reporter's own connection).
    if job.total is not None:
        locked.total = job.total
    if locked.total is not None:
        locked.done = locked.total
    locked.save(
        update_fields=[
            *("state", "summary", "result", "file", "file_name"),
            *("finished_at", "updated_at", "done", "total"),
        ]
    )
    _tell_starter(locked)


@transaction.atomic
def _finish_failed(job: Job, error: str) -> int:
    """Mark a running job failed and tell its starter; 0 (and nothing told) if it has ended."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.state != JobState.RUNNING:
        return 0
    now = timezone.now()
    job.state = JobState.FAILED
    job.error = error[:ERROR_MAX_CHARS]
    job.started_at = job.started_at or now
    job.finished_at = job.updated_at = now
    job.save(update_fields=["state", "error", "started_at", "finished_at", "updated_at"])
    _tell_starter(job)
    return 1


def _tell_starter(job: Job) -> None:
    """A notice (and an email, unless they turned those off) to whoever started it, and to
    anyone who asked for the same work while it held its key."""
    told = Q(pk=job.started_by_id) | Q(jobs_awaited=job)
    recipients = get_user_model().objects.filter(told).distinct()
    if not recipients.exists():
        return
    label = registry.label(job.kind)

    def notice() -> Notice:
        values = {"job": str(label), "subject": job.subject}
        if job.state == JobState.SUCCEEDED:
            title = _("Finished: %(job)s") % values
            body = job.summary
        else:
            title = _("Failed: %(job)s") % values
            body = job.error
        if job.subject:
            body = _("%(subject)s — %(outcome)s") % {"subject": job.subject, "outcome": body}
        return Notice(title=title, body=body)

    notify(
        recipients=recipients,
        kind=NotificationKind.JOB_FINISHED,
        notice=notice,
        link=reverse("admin:jobs_job_change", args=[job.pk]),
        topic=f"job:{job.pk}",
    )
