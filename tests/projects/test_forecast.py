"""The expected-hours forecast a manager keeps for each assignment, shown on My projects."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import services
from projects.models import RemovalGround
from tests.projects.factories import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def test_the_forecast_falls_back_to_the_projects_expected_hours(clock, alice_on_project, manager):
    assert alice_on_project.expected_minutes == 15 * 60
    clock.set(NOW)
    updated = services.assignment_forecast_set(
        assignment=alice_on_project, by=manager, expected_weekly_minutes=8 * 60
    )
    assert (updated.expected_minutes, updated.expected_set_at) == (480, NOW)
    cleared = services.assignment_forecast_set(
        assignment=alice_on_project, by=manager, expected_weekly_minutes=None
    )
    assert cleared.expected_minutes == 15 * 60


def test_only_an_active_assignment_carries_a_forecast(clock, alice_on_project, manager):
    services.assignment_remove(
        assignment=alice_on_project,
        by=manager,
        reason="Fewer raters.",
        ground=RemovalGround.STAFFING,
    )
    with pytest.raises(ValidationError, match="Only an active assignment"):
        services.assignment_forecast_set(
            assignment=alice_on_project, by=manager, expected_weekly_minutes=60
        )


def test_the_manager_updates_the_forecast_in_the_admin(clock, manager_client, alice_on_project):
    clock.set(NOW)
    url = reverse("admin:projects_assignment_changelist")
    data = {"action": "set_forecast", ACTION_CHECKBOX_NAME: [alice_on_project.pk]}
    page = manager_client.post(url, data, follow=True)
    assert list(page.context["form"].fields) == ["expected_weekly"]
    refused = manager_client.post(url, {**data, "apply": "1", "expected_weekly": "200"})
    assert "expected_weekly" in refused.context["form"].errors
    manager_client.post(url, {**data, "apply": "1", "expected_weekly": "7:30"}, follow=True)
    alice_on_project.refresh_from_db()
    assert alice_on_project.expected_weekly_minutes == 450


def test_my_projects_shows_the_forecast(clock, client, alice, alice_on_project, manager):
    clock.set(NOW)
    client.force_login(alice)
    body = client.get(reverse("projects:my_projects")).content.decode()
    assert "Expected, next four weeks" in body
    assert "About 15:00 a week" in body
    services.assignment_forecast_set(
        assignment=alice_on_project, by=manager, expected_weekly_minutes=450
    )
    body = client.get(reverse("projects:my_projects")).content.decode()
    assert "About 7:30 a week" in body
    assert "updated" in body
