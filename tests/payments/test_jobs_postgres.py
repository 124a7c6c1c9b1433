"""Background jobs on PostgreSQL: progress shows while the job's transaction or COPY runs.

These run in ``make test-services`` (``DATABASE_URL`` pointing at PostgreSQL) and commit
(``transaction=True``): another connection must see what the job reports.
"""

import threading

import pytest
from django.db import connection, connections, transaction

from payments import exports, services
from portal.jobs import registry
from portal.jobs import services as job_services
from portal.jobs.models import Job, JobState
from portal.jobs.registry import Outcome
from tests.payments import factories
from tests.projects.factories import LAST_MONDAY

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (make test-services)"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _seen_elsewhere(job: Job) -> tuple[int, int | None]:
    """The job's progress as another connection reads it."""
    seen: list[tuple[int, int | None]] = []

    def read() -> None:
        try:
            seen.append(Job.objects.values_list("done", "total").get(pk=job.pk))
        finally:
            connections.close_all()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return seen[0]


def test_progress_shows_while_the_jobs_own_transaction_is_open(manager, settings):
    settings.JOBS_PROGRESS_EVERY_SECONDS = 0
    seen = []

    def work(*, job, progress):
        with transaction.atomic():
            progress(1, 2)
            seen.append(_seen_elsewhere(job))
        return Outcome(summary="done")

    registry.register(
        "tests.inside", label="Inside", permission="payments.export_payroll", run=work
    )
    try:
        job = job_services.job_start(
            kind="tests.inside", key="tests:inside", params={}, started_by=manager
        )
    finally:
        registry._KINDS.pop("tests.inside", None)

    assert seen == [(1, 2)]
    assert Job.objects.get(pk=job.pk).state == JobState.SUCCEEDED


def test_a_payroll_file_written_with_copy_reports_progress_and_matches(
    clock, manager, accountant, alice_on_project, settings
):
    settings.JOBS_PROGRESS_EVERY_SECONDS = 0
    factories.approved_week(alice_on_project, manager=manager, minutes=[60, 90, 30])
    period = factories.closed_period(LAST_MONDAY, by=manager)
    services.payouts_generate(period=period, by=manager)
    payroll = exports.PayrollFilter(period_start=LAST_MONDAY)

    job = services.payroll_export_start(payroll=payroll, kind="detail", bom=False, by=accountant)

    job.refresh_from_db()
    assert (job.state, job.error, job.done, job.total) == (JobState.SUCCEEDED, "", 3, 3)
    with job.file.open("rb") as written:
        assert written.read() == b"".join(exports.payroll_csv_copy("detail", payroll))


def test_generation_runs_as_a_job_and_reports_its_steps(clock, manager, alice_on_project):
    factories.approved_week(alice_on_project, manager=manager, minutes=[60, 90])
    period = factories.closed_period(LAST_MONDAY, by=manager)

    job = services.payouts_generate_start(period=period, by=manager)

    job.refresh_from_db()
    assert (job.state, job.done, job.total) == (JobState.SUCCEEDED, 4, 4)
    assert job.result["lines_added"] == 2
