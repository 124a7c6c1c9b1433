"""The admin's index page is the staff's to-do list: each queue with its count and its list."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from payments.models import Payout
from projects import services as project_services
from tests import factories
from tests.payments import factories as payment_factories
from tests.projects import conftest as projects_conftest
from tests.projects.factories import LAST_MONDAY, NOW, SETUP_AT, THIS_MONDAY, assign

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
# Two weeks on: last week's period, closed at NOW, was due a week later (PAYOUT_DUE_DAYS).
LATER = NOW + timedelta(days=14)

clock = projects_conftest.clock
project = projects_conftest.project
other_project = projects_conftest.other_project
alice_on_project = projects_conftest.alice_on_project
bob_on_project = projects_conftest.bob_on_project


@pytest.fixture
def queues(clock, manager, applicant, project, other_project, alice_on_project, bob_on_project):
    """One application waiting, one contractor-week of hours, one payout to approve, one
    approved and unpaid, one pause scheduled."""
    clock.set(NOW)
    payment_factories.approved_week(alice_on_project, manager=manager, minutes=[120] * 5)
    payment_factories.approved_week(bob_on_project, manager=manager, minutes=[60] * 5)
    period = payment_factories.closed_period(LAST_MONDAY, by=manager)
    payment_factories.generate(period, by=manager)
    alice_payout = Payout.objects.get(contractor=alice_on_project.contractor)
    payment_factories.approve_payout(alice_payout, by=manager)
    payment_factories.submitted_week(alice_on_project, minutes=[60, 90], monday=THIS_MONDAY)
    project_services.project_pause_schedule(
        project=other_project,
        by=manager,
        reason="budget",
        message="Budget runs out.",
        effective_at=NOW + timedelta(days=30),
        short_notice_confirmed=True,
    )
    return alice_payout


def _todo(client) -> dict:
    response = client.get(INDEX)
    assert response.status_code == 200
    return {item.key: item for item in response.context["todo"]}


def _listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["cl"].result_count


def test_a_manager_sees_every_queue_with_its_count_and_a_link_to_the_filtered_list(
    client, manager, queues, clock
):
    clock.set(LATER)  # first: a session started earlier would have expired by then
    client.force_login(manager)
    todo = _todo(client)

    assert {key: item.count for key, item in todo.items()} == {
        "applications": 1,
        "hours": 1,
        "payouts_to_approve": 1,
        "payouts_overdue": 1,
        "scheduled_pauses": 1,
    }
    for key in ("applications", "payouts_to_approve", "payouts_overdue", "scheduled_pauses"):
        assert _listed(client, todo[key].url) == 1, key
    # The hours are counted in contractor-weeks: one week of alice's, with two entries.
    assert _listed(client, todo["hours"].url) == 2
    [week] = todo["hours"].links
    assert week.label == "Alice Example, week of Mon, Nov 9"
    assert week.detail == "2:30"
    assert urlsplit(week.url).path == reverse(
        "admin:projects_timeentry_week",
        args=[queues.contractor_id, THIS_MONDAY.isoformat()],
    )
    assert client.get(week.url).status_code == 200

    page = re.sub(r"\s+", " ", client.get(INDEX).content.decode())
    assert "To do" in page
    assert "Payouts overdue" in page
    assert f'href="{week.url}"' in page


def test_an_approved_payout_is_not_overdue_until_its_due_date_has_passed(
    client, manager, queues, clock, settings
):
    settings.PAYOUT_DUE_DAYS = 7
    clock.set(NOW + timedelta(days=7))  # its period closed at NOW: due today
    client.force_login(manager)
    assert _todo(client)["payouts_overdue"].count == 0
    clock.set(NOW + timedelta(days=8))
    assert _todo(client)["payouts_overdue"].count == 1


def test_a_paid_payout_is_no_longer_overdue(client, manager, queues, clock):
    payment_factories.pay(queues, by=manager)
    clock.set(LATER)  # first: a session started earlier would have expired by then
    client.force_login(manager)
    assert _todo(client)["payouts_overdue"].count == 0


def test_an_accountant_sees_only_what_concerns_them(client, accountant, queues, clock):
    clock.set(LATER)
    client.force_login(accountant)
    todo = _todo(client)
    assert list(todo) == ["payouts_overdue"]
    assert _listed(client, todo["payouts_overdue"].url) == 1
    assert reverse("payments:payroll") in client.get(INDEX).content.decode()


def test_the_index_costs_the_same_queries_whatever_the_queues_hold(
    client, manager, queues, project, clock, django_assert_max_num_queries
):
    clock.set(LATER)  # first: a session started earlier would have expired by then
    client.force_login(manager)
    client.get(INDEX)  # warm the per-process caches (content types) first
    with django_assert_max_num_queries(14) as first:
        assert client.get(INDEX).status_code == 200
    one = len(first)

    for number in range(12):
        with clock.back_at(SETUP_AT):
            person = factories.contractor_create(f"c{number}@example.com", by=manager)
            assignment = assign(project, person, by=manager)
        clock.set(NOW)
        payment_factories.submitted_week(assignment, minutes=[30], monday=THIS_MONDAY)
        factories.applicant_create(f"applicant{number}@example.com")
    clock.set(LATER)

    todo = _todo(client)
    assert (todo["hours"].count, todo["applications"].count) == (13, 13)
    assert len(todo["hours"].links) == 8
    with django_assert_max_num_queries(one):
        client.get(INDEX)


@pytest.mark.parametrize(
    "url",
    [
        INDEX,
        reverse("admin:payments_payout_changelist"),
        reverse("admin:projects_project_changelist"),
        reverse("admin:jobs_job_changelist"),
    ],
)
def test_every_admin_page_loads_the_portals_admin_stylesheet_once(client, manager, url):
    # Its breadcrumb links are underlined, so they read as links without colour (axe).
    client.force_login(manager)
    html = client.get(url).content.decode()
    assert html.count("portal/admin.css") == 1
