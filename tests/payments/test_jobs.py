"""Payout generation and large payroll files run as background jobs, followed on their page."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from payments import services
from payments.models import Payout
from portal.jobs.models import Job, JobState
from portal.models import Notification, NotificationKind
from tests import factories as people
from tests.payments import factories
from tests.projects.factories import LAST_MONDAY

pytestmark = pytest.mark.django_db

PERIODS = reverse("admin:projects_payperiod_changelist")
PAYROLL = reverse("payments:payroll")
PAYROLL_CSV = reverse("payments:payroll_csv")
PAYROLL_EXPORT = reverse("payments:payroll_export")
QUERY = {"period": LAST_MONDAY.isoformat(), "kind": "detail"}


def _job_page(job: Job) -> str:
    return reverse("admin:jobs_job_change", args=[job.pk])


@pytest.fixture
def closed_week(clock, manager, alice_on_project):
    """Alice's approved last week (two entries), its period closed, no payouts yet."""
    factories.approved_week(alice_on_project, manager=manager, minutes=[60, 90])
    return factories.closed_period(LAST_MONDAY, by=manager)


def _generate(client, period):
    return client.post(PERIODS, {"action": "generate", ACTION_CHECKBOX_NAME: [period.pk]})


def test_the_generate_action_starts_a_job_and_shows_its_page_with_the_payouts_made(
    closed_week, client, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        started = _generate(client, closed_week)

    job = Job.objects.get()
    assert started.status_code == 302
    assert started["Location"] == _job_page(job)
    assert (job.kind, job.state, job.started_by) == (
        "payments.payouts_generate",
        JobState.SUCCEEDED,
        manager,
    )
    assert job.result["payouts_created"] == 1
    assert job.result["lines_added"] == 2
    assert Payout.objects.get().gross_minor == 2500 + 3750
    page = client.get(started["Location"]).content.decode()
    assert "Nov 2, 2026 – Nov 8, 2026: 1 new payout, 2 lines added." in page
    assert "4 of 4" in page
    notice = Notification.objects.get(recipient=manager, kind=NotificationKind.JOB_FINISHED)
    assert notice.title == "Finished: Generate payouts"


def test_generating_a_period_again_while_its_job_waits_shows_the_same_job(
    closed_week, client, manager
):
    client.force_login(manager)

    first = _generate(client, closed_week)
    again = _generate(client, closed_week)

    job = Job.objects.get()
    assert first["Location"] == again["Location"] == _job_page(job)
    assert job.state == JobState.QUEUED
    assert not Payout.objects.exists()


def test_an_open_period_is_refused_at_once_and_starts_no_job(clock, client, manager, last_week):
    client.force_login(manager)

    refused = client.post(
        PERIODS, {"action": "generate", ACTION_CHECKBOX_NAME: [last_week.pk]}, follow=True
    )

    messages = " ".join(str(m) for m in refused.context["messages"])
    assert "Close the pay period Nov 2, 2026 – Nov 8, 2026 first" in messages
    assert not Job.objects.exists()


def test_the_generation_service_starts_one_job_per_period(closed_week, manager):
    first = services.payouts_generate_start(period=closed_week, by=manager)
    again = services.payouts_generate_start(period=closed_week, by=manager)

    assert first.pk == again.pk
    assert first.subject == "Nov 2, 2026 – Nov 8, 2026"


# --- Payroll files ------------------------------------------------------------------------


def test_a_payroll_file_written_in_the_background_is_the_file_the_page_downloads(
    alice_paid_week, client, accountant, django_capture_on_commit_callbacks
):
    client.force_login(accountant)
    direct = b"".join(client.get(PAYROLL_CSV, QUERY).streaming_content)

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(PAYROLL_EXPORT, {**QUERY, "bom": "False"})

    job = Job.objects.get()
    assert started["Location"] == _job_page(job)
    assert (job.state, job.done, job.total) == (JobState.SUCCEEDED, 5, 5)
    assert job.summary == "payroll-detail-2026-11-02.csv: 5 rows written."
    page = client.get(_job_page(job)).content.decode()
    file_url = reverse("admin:jobs_job_file", args=[job.pk])
    assert f'href="{file_url}"' in page
    response = client.get(file_url)
    assert b"".join(response.streaming_content) == direct
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="payroll-detail-2026-11-02.csv"' in response["Content-Disposition"]


def test_only_staff_who_may_export_payroll_get_the_file(
    alice_paid_week, client, accountant, manager, alice, django_capture_on_commit_callbacks
):
    client.force_login(accountant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PAYROLL_EXPORT, QUERY)
    job = Job.objects.get()
    file_url = reverse("admin:jobs_job_file", args=[job.pk])

    colleague = people.accountant_create("books@example.com")
    client.force_login(colleague)
    assert client.get(file_url).status_code == 200
    # Managers run payouts but do not export payroll: the job does not exist for them.
    client.force_login(manager)
    assert client.get(_job_page(job)).status_code == 404
    assert client.get(file_url).status_code == 404
    # Nor may a manager start one.
    assert client.post(PAYROLL_EXPORT, QUERY).status_code == 403
    client.force_login(alice)
    assert client.post(PAYROLL_EXPORT, QUERY).status_code == 403
    assert client.get(file_url).status_code == 302
    assert Job.objects.count() == 1


def test_a_file_too_large_for_the_request_is_offered_in_the_background(
    alice_paid_week, client, accountant, settings
):
    settings.PAYROLL_EXPORT_DIRECT_MAX_ROWS = 4
    client.force_login(accountant)

    response = client.get(PAYROLL_CSV, QUERY)

    page = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "This file has 5 rows: too many to write while you wait." in page
    assert f'action="{PAYROLL_EXPORT}"' in page
    assert not Job.objects.exists()
    # The summary, one row per payout, still downloads at once.
    summary = client.get(PAYROLL_CSV, {**QUERY, "kind": "summary"})
    assert summary["Content-Type"] == "text/csv; charset=utf-8"


def test_the_totals_offer_the_background_file_with_the_same_choices(
    alice_paid_week, client, accountant
):
    client.force_login(accountant)

    page = client.get(PAYROLL, {**QUERY, "currency": "EUR"}).content.decode()

    assert f'action="{PAYROLL_EXPORT}"' in page
    assert '<input type="hidden" name="currency" value="EUR">' in page
    assert '<input type="hidden" name="kind" value="detail">' in page
