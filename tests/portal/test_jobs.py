"""Background jobs: started once per key, run by a task, progress and outcome on their page."""

from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.urls import reverse
from django.utils import timezone

from portal.jobs import registry, services, tasks
from portal.jobs.models import Job, JobState
from portal.jobs.registry import FileOutput, Outcome
from portal.models import Notification, NotificationKind
from tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("admin:jobs_job_changelist")
# A kind only accountants (and its starter) see: the permission payroll exports use.
PERMISSION = "payments.export_payroll"


def _page(job: Job) -> str:
    return reverse("admin:jobs_job_change", args=[job.pk])


@pytest.fixture
def kind():
    """Register a kind whose work the test sets (``kind.work``); removed afterwards."""

    class Kind:
        name = "tests.counting"
        calls: list[int] = []
        work = None

    def run(*, job, progress):
        Kind.calls.append(job.pk)
        return Kind.work(job=job, progress=progress)

    registry.register(Kind.name, label="Counting things", permission=PERMISSION, run=run)
    yield Kind
    registry._KINDS.pop(Kind.name, None)


def _start(kind, by, key="tests:one", **params) -> Job:
    return services.job_start(
        kind=kind.name, key=key, params=params, started_by=by, subject="Week 45"
    )


def test_starting_the_same_work_twice_makes_one_job_and_queues_one_task(kind, accountant):
    with mock.patch.object(tasks.job_run, "delay_on_commit") as queued:
        first = _start(kind, accountant)
        again = _start(kind, accountant)

    assert first.pk == again.pk
    assert Job.objects.count() == 1
    queued.assert_called_once_with(first.pk)


def test_everyone_who_asked_for_the_same_work_is_told_when_it_ends(
    kind, accountant, outbox, django_capture_on_commit_callbacks
):
    colleague = factories.accountant_create("second.accountant@example.com")
    kind.work = lambda *, job, progress: Outcome(summary="Counted.")
    with mock.patch.object(tasks.job_run, "delay_on_commit"):
        job = _start(kind, accountant)
        assert _start(kind, colleague).pk == job.pk
        assert _start(kind, accountant).pk == job.pk  # its starter is not added twice

    with django_capture_on_commit_callbacks(execute=True):
        tasks.job_run.apply(args=[job.pk])

    told = Notification.objects.filter(kind=NotificationKind.JOB_FINISHED)
    assert sorted(told.values_list("recipient__email", flat=True)) == [
        "accountant@example.com",
        "second.accountant@example.com",
    ]
    assert sorted(message.to[0] for message in outbox) == [
        "accountant@example.com",
        "second.accountant@example.com",
    ]


def test_the_database_holds_one_queued_or_running_job_per_key(kind, accountant):
    Job.objects.create(kind=kind.name, key="k", state=JobState.QUEUED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(kind=kind.name, key="k", state=JobState.QUEUED)
    # A finished job leaves the key free.
    Job.objects.filter(key="k").update(
        state=JobState.FAILED, started_at=timezone.now(), finished_at=timezone.now()
    )
    Job.objects.create(kind=kind.name, key="k")


def test_a_start_that_loses_the_race_returns_the_winners_job(kind, accountant):
    winner = Job.objects.create(kind=kind.name, key="tests:one", started_by=accountant)
    real_filter = Job.objects.filter
    looks = []

    def blind_first_look(*args, **kwargs):
        # The first look misses the winner's row, as if it were not yet committed.
        looks.append(kwargs)
        found = real_filter(*args, **kwargs)
        return found.none() if len(looks) == 2 else found

    with mock.patch.object(Job.objects, "filter", side_effect=blind_first_look):
        got = _start(kind, accountant)

    assert got.pk == winner.pk
    assert Job.objects.count() == 1


# Committed: on PostgreSQL progress is written over a connection of its own.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_records_its_progress_and_outcome_and_tells_its_starter(
    kind, accountant, settings, outbox, django_capture_on_commit_callbacks
):
    settings.JOBS_PROGRESS_EVERY_SECONDS = 0
    seen = []

    def work(*, job, progress):
        for done in range(4):
            progress(done, 3)
            seen.append(Job.objects.values_list("state", "done", "total").get(pk=job.pk))
        return Outcome(summary="Counted 3 things.", details=["one", "two"], result={"n": 3})

    kind.work = work
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(kind, accountant)

    assert seen == [("running", n, 3) for n in range(4)]
    job.refresh_from_db()
    assert (job.state, job.done, job.total) == (JobState.SUCCEEDED, 3, 3)
    assert job.summary == "Counted 3 things."
    assert job.result == {"n": 3, "details": ["one", "two"]}
    assert job.started_at <= job.finished_at
    notice = Notification.objects.get(recipient=accountant)
    assert notice.kind == NotificationKind.JOB_FINISHED
    assert notice.title == "Finished: Counting things"
    assert "Counted 3 things." in notice.body
    assert notice.link == _page(job)
    assert [m.subject for m in outbox] == ["Finished: Counting things"]


# Committed: on PostgreSQL progress is written over a connection of its own.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_is_written_at_most_about_once_a_second(kind, accountant, settings):
    settings.JOBS_PROGRESS_EVERY_SECONDS = 3600
    writes = []

    def work(*, job, progress):
        for done in range(1000):
            progress(done, 1000)
            writes.append(Job.objects.values_list("done", flat=True).get(pk=job.pk))
        return Outcome(summary="ok")

    kind.work = work
    with mock.patch.object(tasks.job_run, "delay_on_commit"):
        job = _start(kind, accountant)
    services.job_run(job_id=job.pk, attempt="t1")

    # The first report is written, the others wait for the interval, bar the last.
    assert set(writes) == {0}
    assert Job.objects.get(pk=job.pk).done == 1000


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            ValidationError("Close the period first."),
            "Close the period first.",
        ),
        (
            RuntimeError("boom"),
            "It stopped on an unexpected error (RuntimeError: boom). Work it committed before "
            "stays; the error is in the log for the developers.",
        ),
    ],
    ids=["refusal", "crash"],
)
def test_a_failure_is_recorded_with_a_readable_message_and_the_starter_is_told(
    kind, accountant, error, message, django_capture_on_commit_callbacks
):
    def work(*, job, progress):
        raise error

    kind.work = work
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(kind, accountant)

    job.refresh_from_db()
    assert (job.state, job.error) == (JobState.FAILED, message)
    assert job.finished_at is not None
    notice = Notification.objects.get(recipient=accountant)
    assert notice.title == "Failed: Counting things"
    assert message in notice.body


def test_the_task_retries_database_faults_like_every_other_task():
    from django.db import InterfaceError

    assert OperationalError in tasks.job_run.autoretry_for
    assert InterfaceError in tasks.job_run.autoretry_for
    assert tasks.job_run.retry_backoff and tasks.job_run.max_retries


def test_a_job_hit_by_a_database_fault_runs_again_and_succeeds(kind, accountant):
    def work(*, job, progress):
        if len(kind.calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return Outcome(summary="Second time lucky.")

    kind.work = work
    with mock.patch.object(tasks.job_run, "delay_on_commit"):
        job = _start(kind, accountant)
    tasks.job_run.apply(args=[job.pk], throw=False)

    job.refresh_from_db()
    assert kind.calls == [job.pk, job.pk]
    assert (job.state, job.summary) == (JobState.SUCCEEDED, "Second time lucky.")


def test_database_faults_to_the_last_try_fail_the_job_with_a_message(kind, accountant):
    def work(*, job, progress):
        raise OperationalError("could not connect to server")

    kind.work = work
    with mock.patch.object(tasks.job_run, "delay_on_commit"):
        job = _start(kind, accountant)
    with pytest.raises(OperationalError):
        services.job_run(job_id=job.pk, attempt="t1", last_attempt=False)
    assert Job.objects.get(pk=job.pk).state == JobState.RUNNING
    services.job_run(job_id=job.pk, attempt="t1", last_attempt=True)

    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error.startswith("The database could not be reached, even after several tries.")


def test_a_second_message_for_a_running_job_does_nothing(kind, accountant):
    kind.work = lambda *, job, progress: Outcome(summary="done")
    with mock.patch.object(tasks.job_run, "delay_on_commit"):
        job = _start(kind, accountant)
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, task_id="first", started_at=timezone.now()
    )

    assert services.job_run(job_id=job.pk, attempt="second") is None
    assert kind.calls == []
    assert services.job_run(job_id=job.pk, attempt="first") == JobState.SUCCEEDED
    assert services.job_run(job_id=job.pk, attempt="first") is None
    assert kind.calls == [job.pk]


def test_once_a_job_has_ended_the_same_key_starts_a_new_one(
    kind, accountant, django_capture_on_commit_callbacks
):
    kind.work = lambda *, job, progress: Outcome(summary="done")
    with django_capture_on_commit_callbacks(execute=True):
        first = _start(kind, accountant)
    with django_capture_on_commit_callbacks(execute=True):
        second = _start(kind, accountant)

    assert first.pk != second.pk
    assert list(Job.objects.values_list("state", flat=True)) == ["succeeded", "succeeded"]


def test_a_job_left_running_past_the_time_limit_is_failed_and_can_start_again(
    kind, accountant, settings
):
    with mock.patch.object(tasks.job_run, "delay_on_commit"):
        stuck = _start(kind, accountant)
        long_ago = timezone.now() - timedelta(seconds=settings.JOBS_TIME_LIMIT_SECONDS + 61)
        Job.objects.filter(pk=stuck.pk).update(
            state=JobState.RUNNING, started_at=long_ago, updated_at=long_ago
        )
        fresh = _start(kind, accountant)

    stuck.refresh_from_db()
    assert stuck.state == JobState.FAILED
    assert "stopped without reporting back" in stuck.error
    assert fresh.pk != stuck.pk


def test_a_queued_job_nobody_picked_up_is_queued_again_when_started_again(
    kind, accountant, settings
):
    with mock.patch.object(tasks.job_run, "delay_on_commit") as queued:
        job = _start(kind, accountant)
        Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))
        _start(kind, accountant)

    assert queued.call_count == 2
    assert Job.objects.count() == 1


# --- Its page -------------------------------------------------------------------------------


def test_a_running_job_shows_its_progress_and_polls_for_more(kind, accountant, client):
    with mock.patch.object(tasks.job_run, "delay_on_commit"):
        job = _start(kind, accountant)
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, started_at=timezone.now(), done=1234, total=10000
    )
    client.force_login(accountant)

    page = client.get(_page(job)).content.decode()
    status = client.get(reverse("admin:jobs_job_status", args=[job.pk])).json()

    assert '<progress id="job-bar"' in page
    assert 'max="10000" value="1234"' in page
    assert "1,234 of 10,000" in page
    assert "jobs/progress.js" in page
    assert "<script>" not in page
    assert status == {
        "state": "running",
        "state_label": "Running",
        "done": 1234,
        "total": 10000,
        "progress": "1,234 of 10,000",
        "finished": False,
    }


def test_a_finished_job_shows_its_outcome_and_stops_polling(
    kind, accountant, client, django_capture_on_commit_callbacks
):
    kind.work = lambda *, job, progress: Outcome(summary="All 3 counted.", details=["one"])
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(kind, accountant)
    client.force_login(accountant)

    page = client.get(_page(job)).content.decode()

    assert "All 3 counted." in page
    assert "<li>one</li>" in page
    assert "jobs/progress.js" not in page
    assert "Succeeded" in page


def _export_job(kind, by, django_capture_on_commit_callbacks) -> Job:
    kind.work = lambda *, job, progress: Outcome(
        summary="Wrote it.",
        file=FileOutput(name="things-45.csv", chunks=iter([b"a,b\r\n", b"1,2\r\n"])),
    )
    with django_capture_on_commit_callbacks(execute=True):
        return _start(kind, by)


def test_the_file_goes_to_its_starter_and_staff_with_the_same_permission(
    kind, accountant, client, django_capture_on_commit_callbacks
):
    job = _export_job(kind, accountant, django_capture_on_commit_callbacks)
    colleague = factories.accountant_create("second.accountant@example.com")
    url = reverse("admin:jobs_job_file", args=[job.pk])

    for person in (accountant, colleague):
        client.force_login(person)
        assert f'href="{url}"' in client.get(_page(job)).content.decode()
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"a,b\r\n1,2\r\n"
        assert response["Content-Disposition"] == 'attachment; filename="things-45.csv"'
        assert "no-store" in response["Cache-Control"]
    job.refresh_from_db()
    assert "things-45" not in job.file.name
    assert str(job.file.path).startswith(str(job.file.storage.location))


def test_a_starter_who_lost_the_permission_keeps_the_page_but_not_the_file(
    kind, accountant, client, django_capture_on_commit_callbacks
):
    job = _export_job(kind, accountant, django_capture_on_commit_callbacks)
    url = reverse("admin:jobs_job_file", args=[job.pk])
    accountant.groups.clear()
    client.force_login(accountant)

    page = client.get(_page(job))

    assert page.status_code == 200
    assert "Wrote it." in page.content.decode()
    assert url not in page.content.decode()
    assert "Its file is for staff who hold the permission" in page.content.decode()
    response = client.get(url)
    assert response.status_code == 403
    assert b"a,b" not in response.content


def test_nobody_else_sees_a_job_or_its_file(
    kind, accountant, manager, alice, client, django_capture_on_commit_callbacks
):
    job = _export_job(kind, accountant, django_capture_on_commit_callbacks)
    urls = [
        _page(job),
        reverse("admin:jobs_job_status", args=[job.pk]),
        reverse("admin:jobs_job_file", args=[job.pk]),
    ]

    # A manager is staff, but without the kind's permission: as if there were no such job.
    client.force_login(manager)
    for url in urls:
        assert client.get(url).status_code == 404
    assert "Week 45" not in client.get(LIST).content.decode()
    # A contractor never gets past the admin's door; signed out neither.
    for person in (alice, None):
        client.logout()
        if person:
            client.force_login(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302
            assert "/login/" in response["Location"]


def test_the_job_list_costs_the_same_queries_for_3_jobs_or_30(
    kind, accountant, client, django_assert_max_num_queries
):
    client.force_login(accountant)

    def make(count: int) -> None:
        Job.objects.bulk_create(
            Job(
                kind=kind.name,
                key=f"k{Job.objects.count()}-{n}",
                started_by=accountant,
                subject="Week 45",
            )
            for n in range(count)
        )

    make(3)
    client.get(LIST)
    with django_assert_max_num_queries(12) as few:
        small = client.get(LIST)
    make(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        large = client.get(LIST)
    assert small.status_code == large.status_code == 200
    assert large.content.decode().count("Counting things: Week 45") == 30


# --- The sweep: lost workers, lost messages, old files ----------------------------------------


def _running_since(kind, by, seconds_ago: int, key: str) -> Job:
    with mock.patch.object(tasks.job_run, "delay_on_commit"):
        job = _start(kind, by, key=key)
    then = timezone.now() - timedelta(seconds=seconds_ago)
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, task_id="gone", started_at=then, updated_at=then
    )
    return job


def test_the_sweep_fails_a_job_whose_worker_went_silent_and_tells_its_starter(
    kind, accountant, settings
):
    # SQLite has no heartbeat: silence is measured against the task's hard time limit.
    lost = _running_since(kind, accountant, settings.JOBS_TIME_LIMIT_SECONDS + 61, "tests:lost")
    alive = _running_since(kind, accountant, 5, "tests:alive")

    assert tasks.jobs_sweep() == {"failed": 1, "requeued": 0, "files_removed": 0}

    lost.refresh_from_db()
    alive.refresh_from_db()
    assert lost.state == JobState.FAILED and "stopped without reporting back" in lost.error
    assert alive.state == JobState.RUNNING
    notice = Notification.objects.get(recipient=accountant)
    assert notice.title == "Failed: Counting things"
    # A second sweep finds nothing more to do, and tells nobody twice.
    assert tasks.jobs_sweep()["failed"] == 0
    assert Notification.objects.filter(recipient=accountant).count() == 1


def test_a_job_that_reports_back_after_the_sweep_failed_it_stays_failed(
    kind, accountant, settings, django_capture_on_commit_callbacks
):
    job = _running_since(kind, accountant, settings.JOBS_TIME_LIMIT_SECONDS + 61, "tests:late")
    tasks.jobs_sweep()
    outcome = Outcome(summary="Done after all.", file=FileOutput(name="x.csv", chunks=iter([b"1"])))
    job.refresh_from_db()
    stored = services._store(job, outcome.file)

    services._finish_succeeded(job, outcome, stored=stored)

    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert not job.file
    assert Notification.objects.filter(recipient=accountant).count() == 1


def test_the_sweep_queues_again_a_job_the_broker_lost(kind, accountant, settings):
    with mock.patch.object(tasks.job_run, "delay_on_commit") as queued:
        waiting = _start(kind, accountant, key="tests:waiting")
        fresh = _start(kind, accountant, key="tests:fresh")
        Job.objects.filter(pk=waiting.pk).update(
            created_at=timezone.now() - timedelta(seconds=settings.JOBS_REQUEUE_AFTER_SECONDS + 1)
        )
        queued.reset_mock()
        assert services.jobs_sweep()["requeued"] == 1

    assert [call.args for call in queued.call_args_list] == [(waiting.pk,)]
    assert fresh.pk != waiting.pk


def test_a_file_kept_past_its_days_is_removed_and_the_page_says_so(
    kind, accountant, client, settings, django_capture_on_commit_callbacks
):
    old = _export_job(kind, accountant, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        recent = _start(kind, accountant, key="tests:recent")
    old.refresh_from_db()
    recent.refresh_from_db()
    old_path, recent_path = Path(old.file.path), Path(recent.file.path)
    Job.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - timedelta(days=settings.JOBS_FILES_KEEP_DAYS, minutes=1)
    )

    assert services.jobs_sweep()["files_removed"] == 1

    old.refresh_from_db()
    assert not old.file and old.result["file_removed"] is True
    assert not old_path.exists() and recent_path.exists()
    client.force_login(accountant)
    html = client.get(_page(old)).content.decode()
    assert "Its file was removed 30 days after the job ended" in html
    assert reverse("admin:jobs_job_file", args=[old.pk]) not in html
    assert client.get(reverse("admin:jobs_job_file", args=[old.pk])).status_code == 404


def test_beat_sweeps_the_jobs_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["jobs-sweep"]
    assert entry["task"] == "portal.jobs.tasks.jobs_sweep"
    assert entry["schedule"] == timedelta(seconds=60)
