"""The managers' pause, scheduled pause, call-off, resume and close, and the delivery counts."""

import re
from datetime import date, timedelta
from unittest import mock

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.jobs import tasks
from portal.jobs.models import Job, JobState
from portal.models import EmailStatus, Notification, NotificationKind, OutboundEmail
from projects import jobs as project_jobs
from projects import services
from projects.models import (
    PauseReason,
    ProjectStatus,
    ProjectStatusChange,
    ScheduledPause,
    ScheduledPauseStatus,
)
from projects.services.bulk import projects_pause_start
from tests import factories
from tests.projects.factories import NOW, SETUP_AT, assign, project_create

pytestmark = pytest.mark.django_db

PROJECTS = reverse("admin:projects_project_changelist")
CHANGES = reverse("admin:projects_projectstatuschange_changelist")
MESSAGE = "The client is reviewing the batch of 9 November."


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def third_project(clock, manager):
    with clock.back_at(SETUP_AT):
        return project_create(manager, name="Legal review")


@pytest.fixture
def staffed(clock, project, other_project, alice_on_project, bob_on_project, alice_on_other):
    """Two active projects: alice and bob on one, alice on the other."""
    clock.set(NOW)
    return project, other_project


def _action(client, action, projects, **data):
    payload = {"action": action, ACTION_CHECKBOX_NAME: [p.pk for p in projects], **data}
    return client.post(PROJECTS, payload, follow=True)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _pause_data(**overrides) -> dict:
    data = {
        "apply": "1",
        "reason": PauseReason.QUALITY,
        "message": MESSAGE,
        "expected_resume_on": "2026-11-30",
        "takes_effect": "now",
        "effective_at": "",
        "short_notice_confirmed": "on",
    }
    data.update(overrides)
    return data


def test_the_pause_form_asks_for_reason_message_resume_date_and_timing(staffed, manager_client):
    project, _other = staffed
    page = _action(manager_client, "pause", [project])

    assert page.templates[0].name == "admin/action_form.html"
    form = page.context["form"]
    assert list(form.fields) == [
        "reason",
        "message",
        "expected_resume_on",
        "takes_effect",
        "effective_at",
        "short_notice_confirmed",
    ]
    reasons = dict(form.fields["reason"].choices)
    for label in ("Quality review", "Budget", "Other"):
        assert label in reasons.values()


def test_pausing_now_reports_how_many_contractors_were_told(staffed, manager_client, alice, bob):
    project, _other = staffed
    done = _action(manager_client, "pause", [project], **_pause_data())

    assert _messages(done) == ["«Search relevance» is paused; 2 contractors told."]
    project.refresh_from_db()
    assert (project.status, project.pause_reason, project.expected_resume_on) == (
        ProjectStatus.PAUSED,
        PauseReason.QUALITY,
        date(2026, 11, 30),
    )
    assert Notification.objects.filter(kind=NotificationKind.PROJECT_PAUSED).count() == 2


def test_bulk_pause_runs_as_a_job_that_pauses_each_project_and_reports_each_refusal(
    staffed, manager_client, manager, alice, django_capture_on_commit_callbacks
):
    project, other = staffed
    third = project_create(manager, name="Legal review")
    services.project_close(project=third, by=manager, message="Done.", short_notice_confirmed=True)

    with django_capture_on_commit_callbacks(execute=True):
        started = manager_client.post(
            PROJECTS,
            {
                "action": "pause",
                ACTION_CHECKBOX_NAME: [p.pk for p in (project, other, third)],
                **_pause_data(),
            },
        )

    job = Job.objects.get()
    assert started["Location"] == reverse("admin:jobs_job_change", args=[job.pk])
    assert (job.state, job.done, job.total) == (JobState.SUCCEEDED, 3, 3)
    assert job.summary == "Paused 2 of 3 projects."
    assert sorted(job.result["details"]) == sorted(
        [
            "«Search relevance» is paused; 2 contractors told.",
            "«Chat safety review» is paused; 1 contractor told.",
            "Legal review: «Legal review» is closed and can't become paused.",
        ]
    )
    page = manager_client.get(started["Location"]).content.decode()
    assert "«Chat safety review» is paused; 1 contractor told." in page
    assert "3 of 3" in page
    for paused in (project, other):
        paused.refresh_from_db()
        assert paused.status == ProjectStatus.PAUSED
    assert Notification.objects.filter(recipient=alice, kind="project_paused").count() == 2
    # The manager hears that it ended.
    assert Notification.objects.filter(recipient=manager, kind="job_finished").count() == 1


def test_bulk_resume_runs_as_a_job_through_the_same_service(
    staffed, manager_client, manager, django_capture_on_commit_callbacks
):
    project, other = staffed
    for one in (project, other):
        services.project_pause(
            project=one,
            by=manager,
            reason=PauseReason.QUALITY,
            message=MESSAGE,
            short_notice_confirmed=True,
        )

    with django_capture_on_commit_callbacks(execute=True):
        started = _action(
            manager_client, "resume", [project, other], apply="1", message="All clear."
        )

    job = Job.objects.get()
    assert started.redirect_chain[-1][0] == reverse("admin:jobs_job_change", args=[job.pk])
    assert (job.state, job.summary) == (JobState.SUCCEEDED, "Resumed 2 of 2 projects.")
    for one in (project, other):
        one.refresh_from_db()
        assert one.status == ProjectStatus.ACTIVE


def test_selecting_the_same_projects_again_while_the_job_waits_shows_the_same_job(
    staffed, manager_client
):
    project, other = staffed

    first = _action(manager_client, "pause", [project, other], **_pause_data())
    again = _action(manager_client, "pause", [other, project], **_pause_data())

    job = Job.objects.get()
    assert job.state == JobState.QUEUED
    assert first.redirect_chain[-1][0] == again.redirect_chain[-1][0]
    assert again.redirect_chain[-1][0] == reverse("admin:jobs_job_change", args=[job.pk])


def test_pausing_the_same_projects_with_another_message_is_another_job(staffed, manager_client):
    project, other = staffed

    first = _action(manager_client, "pause", [project, other], **_pause_data())
    second = _action(
        manager_client, "pause", [project, other], **_pause_data(message="Budget review.")
    )

    assert Job.objects.count() == 2
    assert first.redirect_chain[-1][0] != second.redirect_chain[-1][0]
    latest = Job.objects.order_by("-pk").first()
    assert latest.params["message"] == "Budget review."


def test_a_resume_is_refused_while_a_pause_of_any_of_the_projects_waits(
    staffed, manager_client, manager, third_project
):
    project, other = staffed
    _action(manager_client, "pause", [project, other], **_pause_data())

    refused = _action(
        manager_client, "resume", [other, third_project], apply="1", message="All clear."
    )

    assert Job.objects.count() == 1
    assert _messages(refused) == [
        "1 of these projects is being paused by a job still queued or running; "
        "resume it once that job has finished."
    ]


def test_a_pause_is_refused_while_a_resume_of_the_projects_runs(staffed, manager):
    project, other = staffed
    resuming = services.projects_resume_start(projects=[project, other], by=manager, message="Go.")
    now = timezone.now()
    Job.objects.filter(pk=resuming.pk).update(state=JobState.RUNNING, started_at=now)

    with pytest.raises(ValidationError, match="2 of these projects are being resumed"):
        services.projects_pause_start(
            projects=[project, other], by=manager, reason=PauseReason.QUALITY, message=MESSAGE
        )
    assert Job.objects.count() == 1

    Job.objects.filter(pk=resuming.pk).update(state=JobState.SUCCEEDED, finished_at=now)
    services.projects_pause_start(
        projects=[project, other], by=manager, reason=PauseReason.QUALITY, message=MESSAGE
    )
    assert Job.objects.count() == 2


def test_scheduling_a_pause_tells_everyone_now_and_pauses_later(staffed, manager_client, clock):
    project, _other = staffed
    done = _action(
        manager_client,
        "pause",
        [project],
        **_pause_data(takes_effect="later", effective_at="2026-11-14T09:00"),
    )

    assert _messages(done) == [
        "«Search relevance» pauses at Nov 14, 2026, 9:00\u202fAM; 2 contractors told now."
    ]
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE
    pause = ScheduledPause.objects.get()
    assert pause.effective_at.isoformat() == "2026-11-14T09:00:00+00:00"
    assert Notification.objects.filter(kind=NotificationKind.PROJECT_PAUSING).count() == 2


@pytest.mark.parametrize(
    ("effective_at", "error"),
    [
        ("", "Give the time the pause starts."),
        ("2026-11-01T09:00", "Choose a time in the future, or pause now."),
        ("tomorrow", "Enter a valid date/time."),
    ],
)
def test_a_pause_later_needs_a_valid_future_time(staffed, manager_client, effective_at, error):
    project, _other = staffed
    response = _action(
        manager_client,
        "pause",
        [project],
        **_pause_data(takes_effect="later", effective_at=effective_at),
    )
    page = response.content.decode()
    if "form" in response.context:
        assert error in str(response.context["form"].errors)
    else:
        assert any(error in message for message in _messages(response)), page
    assert not ScheduledPause.objects.exists()
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE


def test_calling_off_a_scheduled_pause(staffed, manager_client, manager, alice):
    project, other = staffed
    services.project_pause_schedule(
        project=project,
        by=manager,
        reason=PauseReason.BUDGET,
        message="Budget runs out.",
        effective_at=NOW + timedelta(days=1),
        short_notice_confirmed=True,
    )

    done = _action(
        manager_client,
        "cancel_pause",
        [project, other],
        apply="1",
        message="The budget was extended.",
    )

    assert sorted(_messages(done)) == [
        "Chat safety review: «Chat safety review» has no pause or close scheduled.",
        "«Search relevance» will not pause; 2 contractors told.",
    ]
    assert ScheduledPause.objects.get().status == ScheduledPauseStatus.CANCELLED
    notice = Notification.objects.get(recipient=alice, kind="project_pause_cancelled")
    assert notice.body == "The budget was extended."


def test_resume_and_close_ask_for_a_message(staffed, manager_client, manager):
    project, _other = staffed
    services.project_pause(
        project=project,
        by=manager,
        reason="quality",
        message="Review.",
        short_notice_confirmed=True,
    )

    form = _action(manager_client, "resume", [project]).context["form"]
    assert list(form.fields) == ["message"]
    resumed = _action(manager_client, "resume", [project], apply="1", message="All clear.")
    assert _messages(resumed) == ["«Search relevance» is active again; 2 contractors told."]

    refused = _action(manager_client, "close", [project], apply="1", message="")
    assert "message" in refused.context["form"].errors
    closed = _action(
        manager_client,
        "close",
        [project],
        apply="1",
        message="Contract ended.",
        short_notice_confirmed="on",
    )
    assert _messages(closed) == ["«Search relevance» is closed; 2 contractors told."]


def _text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_project_page_shows_per_change_who_was_told_and_what_the_emails_did(
    staffed, manager_client, manager, bob
):
    project, _other = staffed
    change = services.project_pause(
        project=project,
        by=manager,
        reason="quality",
        message="Review.",
        short_notice_confirmed=True,
    )
    OutboundEmail.objects.filter(topic=change.topic, to=bob.email).update(
        status=EmailStatus.FAILED, attempts=5
    )

    page = _text(manager_client.get(reverse("admin:projects_project_change", args=[project.pk])))

    for heading in ("contractors notified", "emails sent", "emails failed", "emails waiting"):
        assert heading in page.lower()
    failed = f"?topic=project-status-change%3A{change.pk}&amp;status__exact=failed"
    assert f'{failed}">1</a>' in page


def test_the_status_change_list_counts_delivery_in_constant_queries(
    staffed, manager_client, manager, clock
):
    project, other = staffed
    services.project_pause(
        project=project,
        by=manager,
        reason="quality",
        message="Review.",
        short_notice_confirmed=True,
    )

    def count() -> int:
        manager_client.get(CHANGES)
        with CaptureQueriesContext(connection) as queries:
            manager_client.get(CHANGES)
        return len(queries)

    one = count()
    with clock.back_at(SETUP_AT):
        for number in range(30):
            person = factories.contractor_create(f"c{number}@example.com", by=manager)
            assign(other, person, by=manager)
    for _round in range(5):
        services.project_pause(
            project=other,
            by=manager,
            reason="budget",
            message="Budget.",
            short_notice_confirmed=True,
        )
        services.project_resume(project=other, by=manager, message="Back.")
    assert count() == one

    page = _text(manager_client.get(CHANGES))
    row = re.search(r"Chat safety review.*?</tr>", page).group(0)
    assert ">31<" in row  # alice and the thirty told of the latest change
    assert ProjectStatusChange.objects.count() > 10


def test_outbox_filter_links_work_for_managers(staffed, manager_client, manager):
    project, _other = staffed
    change = services.project_pause(
        project=project,
        by=manager,
        reason="quality",
        message="Review.",
        short_notice_confirmed=True,
    )
    url = reverse("admin:portal_outboundemail_changelist")
    # Emails leave after commit, which this test never reaches: both are waiting.
    response = manager_client.get(url, {"topic": change.topic, "status__exact": "queued"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2


# --- Bug: "Now" with a time typed, and a reason nobody chose --------------------------


def test_a_time_typed_beside_now_is_refused_next_to_the_field_and_nothing_happens(
    staffed, manager_client
):
    project, _other = staffed
    response = _action(
        manager_client,
        "pause",
        [project],
        **_pause_data(takes_effect="now", effective_at="2026-11-14T09:00"),
    )

    form = response.context["form"]
    assert "would be ignored" in " ".join(form.errors["effective_at"])
    page = _text(response)
    # The message sits in the row of the "Pause at" field, not only at the top.
    errors = re.search(r'<ul class="errorlist" id="id_effective_at_error">.*?</ul>', page)
    assert "would be ignored" in errors.group(0)
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE
    assert not ScheduledPause.objects.exists()
    assert not Notification.objects.filter(kind__startswith="project_paus").exists()


def test_the_pause_reason_starts_empty_and_must_be_chosen(staffed, manager_client):
    project, _other = staffed
    form = _action(manager_client, "pause", [project]).context["form"]
    assert form["reason"].value() in (None, "")
    assert "selected" not in str(form["reason"]).split("</option>")[1:][0]
    assert list(form.fields["reason"].choices)[0][0] == ""

    refused = _action(manager_client, "pause", [project], **_pause_data(reason=""))

    assert refused.context["form"].errors["reason"] == ["Choose the reason for the pause."]
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE
    assert not Notification.objects.filter(kind__startswith="project_paus").exists()


def test_a_time_left_empty_beside_now_pauses_at_once(staffed, manager_client):
    project, _other = staffed
    done = _action(manager_client, "pause", [project], **_pause_data(reason=PauseReason.BUDGET))
    assert _messages(done) == ["«Search relevance» is paused; 2 contractors told."]
    project.refresh_from_db()
    assert (project.status, project.pause_reason) == (ProjectStatus.PAUSED, PauseReason.BUDGET)


def test_a_bulk_pause_run_again_after_a_database_fault_keeps_what_it_had_done(
    staffed, manager, django_capture_on_commit_callbacks
):
    project, other = staffed
    real_pause = services.project_pause
    calls = []

    def pause_then_fault(*, project, **details):
        calls.append(project.name)
        if len(calls) == 2:
            raise OperationalError("server closed the connection unexpectedly")
        return real_pause(project=project, **details)

    with mock.patch.object(tasks.job_run, "delay_on_commit"):
        job = projects_pause_start(
            projects=[project, other],
            by=manager,
            reason=PauseReason.QUALITY,
            message=MESSAGE,
            expected_resume_on=date(2026, 11, 30),
            short_notice_confirmed=True,
        )
    with mock.patch.object(project_jobs.services, "project_pause", pause_then_fault):
        tasks.job_run.apply(args=[job.pk], throw=False)

    job.refresh_from_db()
    # The first project went through before the fault; the retry did not try it again.
    assert calls == ["Chat safety review", "Search relevance", "Search relevance"]
    assert (job.state, job.summary) == (JobState.SUCCEEDED, "Paused 2 of 2 projects.")
    assert sorted(job.result["details"]) == [
        "«Chat safety review» is paused; 1 contractor told.",
        "«Search relevance» is paused; 2 contractors told.",
    ]
