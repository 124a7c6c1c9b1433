"""A paused or soon-pausing project says so on every page of it, with its history."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services
from projects.models import PauseReason
from tests.projects.factories import NOW, SETUP_AT, assign, many_assignments, project_create

pytestmark = pytest.mark.django_db

MY_PROJECTS = reverse("projects:my_projects")
TIMESHEET = reverse("projects:timesheet")
HOME = reverse("home")
MESSAGE = "The client is reviewing the batch of 9 November."


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def _text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def _pages(assignment) -> list[str]:
    return [
        MY_PROJECTS,
        reverse("projects:assignment_detail", args=[assignment.pk]),
        TIMESHEET,
        HOME,
    ]


def _pause(project, manager):
    services.project_pause(
        project=project,
        by=manager,
        reason=PauseReason.QUALITY,
        message=MESSAGE,
        expected_resume_on=date(2026, 11, 30),
        short_notice_confirmed=True,
    )


def test_every_page_of_a_paused_project_shows_the_banner(
    clock, alice_client, alice_on_project, manager
):
    clock.set(NOW)
    _pause(alice_on_project.project, manager)

    for url in _pages(alice_on_project):
        page = _text(alice_client.get(url))
        assert "Paused since Nov 12, 2026, 1:00 PM" in page, url
        assert "Quality review" in page, url
        assert MESSAGE in page, url
        assert "Expected to resume: Monday, November 30, 2026" in page, url


def test_a_scheduled_pause_shows_when_it_starts(clock, alice_client, alice_on_project, manager):
    clock.set(NOW)
    services.project_pause_schedule(
        project=alice_on_project.project,
        by=manager,
        reason=PauseReason.BUDGET,
        message="Budget runs out on Saturday.",
        effective_at=NOW + timedelta(days=2),
        short_notice_confirmed=True,
    )

    for url in _pages(alice_on_project):
        page = _text(alice_client.get(url))
        assert "Pausing on Saturday, November 14, 2026, 1:00 PM" in page, url
        assert "Budget runs out on Saturday." in page, url
        assert "Expected to resume: not known yet" in page, url


def test_an_active_project_has_no_banner(clock, alice_client, alice_on_project):
    for url in _pages(alice_on_project):
        page = _text(alice_client.get(url))
        assert "Paused since" not in page
        assert "Pausing on" not in page


def test_the_history_shows_every_change_and_every_announced_pause(
    clock, alice_client, alice_on_project, manager
):
    project = alice_on_project.project
    clock.set(NOW)
    services.project_pause_schedule(
        project=project,
        by=manager,
        reason=PauseReason.BUDGET,
        message="Budget runs out on Saturday.",
        effective_at=NOW + timedelta(days=2),
        short_notice_confirmed=True,
    )
    services.project_pause_cancel(project=project, by=manager, message="Budget extended.")
    _pause(project, manager)
    clock.set(NOW + timedelta(days=1))
    services.project_resume(project=project, by=manager, message="Review passed.")

    page = _text(
        alice_client.get(reverse("projects:assignment_detail", args=[alice_on_project.pk]))
    )
    history = page[page.index("Project history") :]
    assert history.index("Nov 13, 2026, 1:00 PM — Active") < history.index(
        "Nov 12, 2026, 1:00 PM — Paused"
    )
    assert "Review passed." in history
    assert "(Quality review)" in history
    assert "For Nov 14, 2026, 1:00 PM — Called off" in history
    assert "Called off: Budget extended." in history


def test_a_project_link_leads_to_ones_own_assignment_and_is_404_for_others(
    clock, client, alice_on_project, bob, manager
):
    url = reverse("projects:project", args=[alice_on_project.project.pk])
    client.force_login(alice_on_project.contractor.user)
    assert client.get(url)["Location"] == reverse(
        "projects:assignment_detail", args=[alice_on_project.pk]
    )
    client.force_login(bob)
    assert client.get(url).status_code == 404


def _queries(client, url: str) -> int:
    client.get(url)  # warm the per-process caches (content types) first
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_pause_banners_cost_the_same_queries_for_one_or_many_projects(
    clock, alice_client, alice, manager
):
    with clock.back_at(SETUP_AT):
        first = many_assignments(alice, 1, by=manager)
    clock.set(NOW)
    _pause(first[0].project, manager)
    counts = {url: _queries(alice_client, url) for url in (MY_PROJECTS, TIMESHEET, HOME)}
    assert max(counts.values()) <= 12, counts

    with clock.back_at(SETUP_AT):
        more = [
            assign(project_create(manager, name=f"More {n:02d}"), alice, by=manager)
            for n in range(10)
        ]
    for assignment in more[:5]:
        _pause(assignment.project, manager)
    services.project_pause_schedule(
        project=more[5].project,
        by=manager,
        reason=PauseReason.OTHER,
        message="Moving to a new tool.",
        effective_at=NOW + timedelta(days=3),
        short_notice_confirmed=True,
    )

    for url, count in counts.items():
        assert _queries(alice_client, url) == count, url
        page = _text(alice_client.get(url))
        assert page.count("Paused since") == 6, url
        assert page.count("Pausing on") == 1, url
