"""A contractor hears of every change to their own assignment and of every review of their hours."""

from datetime import date

import pytest

from portal.models import Notification, NotificationKind, OutboundEmail
from projects import services
from projects.models import TimeEntry
from tests.projects.factories import LAST_MONDAY, NOW, assign, log

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh(clock, alice, bob):
    """Forget the notices set-up sent, so each test sees only its own (request it last)."""
    Notification.objects.all().delete()
    OutboundEmail.objects.all().delete()
    clock.set(NOW)


def _notices(user) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", "title")
    )


def test_being_assigned_is_a_notice_with_the_rate(fresh, project, alice, bob, manager):
    assignment = assign(project, alice, by=manager, start_on=date(2026, 11, 16))

    notice = Notification.objects.get(recipient=alice)
    assert (notice.kind, notice.title) == (
        NotificationKind.ASSIGNMENT_ADDED,
        "You are on «Search relevance»",
    )
    assert notice.body.startswith("From Monday, November 16, 2026 at €25.00 an hour.")
    assert notice.link == f"/projects/assignments/{assignment.pk}/"
    assert _notices(bob) == []
    assert OutboundEmail.objects.get().to == alice.email


def test_a_rate_change_end_removal_and_return_are_each_told(
    alice_on_project, alice, manager, fresh
):
    services.assignment_rate_set(
        assignment=alice_on_project,
        by=manager,
        rate_minor=2800,
        currency="EUR",
        effective_on=date(2026, 11, 16),
    )
    services.assignment_end(assignment=alice_on_project, by=manager)
    services.assignment_reinstate(assignment=alice_on_project, by=manager)
    services.assignment_remove(
        assignment=alice_on_project,
        by=manager,
        reason="The language pair closed.",
        ground="staffing",
    )

    assert _notices(alice) == [
        (NotificationKind.RATE_CHANGED, "New rate on «Search relevance»"),
        (NotificationKind.ASSIGNMENT_ENDED, "Your assignment to «Search relevance» ends"),
        (NotificationKind.ASSIGNMENT_ADDED, "You are on «Search relevance»"),
        (NotificationKind.ASSIGNMENT_REMOVED, "You were removed from «Search relevance»"),
    ]
    bodies = list(Notification.objects.filter(recipient=alice).order_by("pk"))
    assert "€28.00 an hour for work from Monday, November 16, 2026" in bodies[0].body
    assert "The language pair closed." in bodies[3].body
    assert OutboundEmail.objects.filter(to=alice.email).count() == 4


def test_a_corrected_rate_is_told_in_the_contractors_language(
    alice_on_project, alice, bob, manager, fresh
):
    alice.language = "id"
    alice.save(update_fields=["language"])
    rate = services.assignment_rate_set(
        assignment=alice_on_project,
        by=manager,
        rate_minor=26,
        currency="JPY",
        effective_on=date(2026, 11, 16),
        currency_change_confirmed=True,
    )
    Notification.objects.all().delete()

    services.assignment_rate_correct(
        rate=rate, by=manager, rate_minor=2600, currency="EUR", reason="Wrong currency typed."
    )

    notice = Notification.objects.get(recipient=alice)
    assert (notice.kind, notice.language) == (NotificationKind.RATE_CHANGED, "id")
    assert "Search relevance" in notice.title
    assert "Wrong currency typed." in notice.body
    assert "¥26" in notice.body and "€26" in notice.body.replace("\xa0", "")
    assert _notices(bob) == []
    assert OutboundEmail.objects.filter(to=alice.email).exists()


def test_reviewed_hours_are_told_once_per_contractor_with_the_reason(
    alice_on_project, bob_on_project, alice, bob, manager, fresh
):
    log(alice, alice_on_project, LAST_MONDAY, 90)
    log(bob, bob_on_project, LAST_MONDAY, 60)
    for person in (alice, bob):
        services.time_week_submit(by=person, week=LAST_MONDAY)
    alice_entry = TimeEntry.objects.get(assignment=alice_on_project)
    bob_entry = TimeEntry.objects.get(assignment=bob_on_project)
    services.time_entries_approve(entry_ids=[alice_entry.pk], by=manager)
    services.time_entries_reject(
        entry_ids=[bob_entry.pk], by=manager, reason="Monday looks doubled."
    )

    approved = Notification.objects.get(recipient=alice)
    assert (approved.kind, approved.title) == (
        NotificationKind.HOURS_APPROVED,
        "Your hours were approved (1:30)",
    )
    assert approved.link == f"/projects/timesheet/?week={LAST_MONDAY.isoformat()}"
    rejected = Notification.objects.get(recipient=bob)
    assert rejected.kind == NotificationKind.HOURS_REJECTED
    assert "Monday looks doubled." in rejected.body
    assert OutboundEmail.objects.get(to=bob.email).subject == (
        "Some of your hours need a correction (1:00)"
    )
