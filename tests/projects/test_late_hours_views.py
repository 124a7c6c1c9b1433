"""The timesheet of a closed pay period: drafts go in as late hours, rejections are corrected."""

import pytest
from django.urls import reverse

from payments.services import pay_period_close, pay_period_for
from projects import services
from projects.models import EntryStatus, TimeEntry
from tests.projects.factories import LAST_MONDAY, log

TIMESHEET = reverse("projects:timesheet")
WEEK = LAST_MONDAY.isoformat()


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def _close_last_week(manager):
    pay_period_close(period=pay_period_for(LAST_MONDAY), by=manager)


def test_a_draft_of_a_closed_week_is_submitted_late_from_the_timesheet(
    clock, alice_client, alice, manager, alice_on_project
):
    log(alice, alice_on_project, LAST_MONDAY, 60)
    _close_last_week(manager)

    body = alice_client.get(TIMESHEET, {"week": WEEK}).content.decode()
    assert f'name="m-{alice_on_project.pk}-task-{WEEK}"' not in body  # the draft stays as is
    assert "Submit week (1 entry waiting)" in body

    alice_client.post(TIMESHEET, {"week": WEEK, "action": "submit"}, follow=True)
    entry = TimeEntry.objects.get()
    assert (entry.status, entry.late, entry.minutes) == (EntryStatus.SUBMITTED, True, 60)


def test_a_rejected_entry_of_a_closed_week_is_corrected_from_the_timesheet(
    clock, alice_client, alice, manager, alice_on_project
):
    log(alice, alice_on_project, LAST_MONDAY, 60)
    entries = services.time_week_submit(by=alice, week=LAST_MONDAY)
    _close_last_week(manager)
    services.time_entries_reject(entry_ids=[e.pk for e in entries], by=manager, reason="1:30.")

    key = f"{alice_on_project.pk}-task-{WEEK}"
    body = alice_client.get(TIMESHEET, {"week": WEEK}).content.decode()
    assert f'name="m-{key}"' in body
    # The other days of the closed week take no new time.
    assert f'name="m-{alice_on_project.pk}-task-2026-11-03"' not in body

    data = {"week": WEEK, "action": "submit", f"m-{key}": "1:30", f"n-{key}": ""}
    alice_client.post(TIMESHEET, data, follow=True)
    entry = TimeEntry.objects.get()
    assert (entry.status, entry.late, entry.minutes) == (EntryStatus.SUBMITTED, True, 90)
