"""A running job's heartbeat, on PostgreSQL: a job whose worker died is failed within minutes.

These run in ``make test-services`` (``DATABASE_URL`` pointing at PostgreSQL) and commit
(``transaction=True``): the heartbeat writes over a connection of its own.
"""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from portal.jobs import services
from portal.jobs.models import Job, JobState
from tests import factories

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (make test-services)"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _running(seconds_ago: int, key: str) -> Job:
    then = timezone.now() - timedelta(seconds=seconds_ago)
    return Job.objects.create(
        kind="tests.any",
        key=key,
        state=JobState.RUNNING,
        task_id="attempt-1",
        started_at=then,
        updated_at=then,
        started_by=factories.accountant_create(f"{key.replace(':', '-')}@example.com"),
    )


def test_a_running_job_beats_while_its_worker_lives_and_stops_with_it(settings):
    settings.JOBS_HEARTBEAT_SECONDS = 1
    job = _running(600, "tests:beating")
    before = job.updated_at

    with services._Heartbeat(job, "attempt-1"):
        time.sleep(2.5)
        during = Job.objects.values_list("updated_at", flat=True).get(pk=job.pk)
    time.sleep(1.5)
    after = Job.objects.values_list("updated_at", flat=True).get(pk=job.pk)

    assert during > before + timedelta(seconds=590)
    assert after == during or after - during < timedelta(seconds=1)


def test_the_heartbeat_of_another_attempt_changes_nothing(settings):
    settings.JOBS_HEARTBEAT_SECONDS = 1
    job = _running(600, "tests:other")
    with services._Heartbeat(job, "attempt-2"):
        time.sleep(1.5)
    assert Job.objects.values_list("updated_at", flat=True).get(pk=job.pk) == job.updated_at


def test_the_sweep_fails_a_job_silent_for_minutes_not_only_after_the_time_limit(settings):
    silent = _running(settings.JOBS_SILENT_AFTER_SECONDS + 5, "tests:silent")
    beating = _running(settings.JOBS_HEARTBEAT_SECONDS, "tests:alive")

    assert services.jobs_sweep()["failed"] == 1

    assert Job.objects.get(pk=silent.pk).state == JobState.FAILED
    assert Job.objects.get(pk=beating.pk).state == JobState.RUNNING
