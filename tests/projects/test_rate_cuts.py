"""Rate cuts never reach hours already worked: notice, a reason, and raises that may look back."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.models import Notification, NotificationKind
from projects import services
from projects.models import EntryStatus, TimeEntry
from tests.projects.factories import LAST_MONDAY, NOW, THIS_MONDAY, log

pytestmark = pytest.mark.django_db

TODAY = NOW.date()  # Thursday 12 November 2026
FULL_NOTICE = TODAY + timedelta(days=7)


def _set(assignment, by, *, rate_minor, effective_on, reason=""):
    return services.assignment_rate_set(
        assignment=assignment,
        by=by,
        rate_minor=rate_minor,
        currency="EUR",
        effective_on=effective_on,
        reason=reason,
    )


def test_a_back_dated_cut_is_refused_and_changes_nothing(clock, alice_on_project, alice, manager):
    clock.set(NOW)
    [entry] = log(alice, alice_on_project, date(2026, 11, 10), 60)
    with pytest.raises(ValidationError) as error:
        _set(
            alice_on_project, manager, rate_minor=2000, effective_on=date(2026, 11, 10), reason="x"
        )
    assert error.value.message_dict == {
        "effective_on": [
            "A lower rate can't reach hours already worked. It can start on Thu, Nov 19 "
            "at the earliest."
        ]
    }
    assert alice_on_project.rates.count() == 1
    entry.refresh_from_db()
    assert entry.rate_minor == 2500


def test_a_cut_from_today_still_needs_the_notice_period(clock, alice_on_project, manager):
    clock.set(NOW)
    with pytest.raises(ValidationError) as error:
        _set(alice_on_project, manager, rate_minor=2000, effective_on=TODAY, reason="Budget.")
    assert error.value.message_dict == {
        "effective_on": [
            "A lower rate needs 7 days' notice: it can start on Thu, Nov 19 at the earliest."
        ]
    }
    with pytest.raises(ValidationError, match="7 days' notice"):
        _set(
            alice_on_project,
            manager,
            rate_minor=2000,
            effective_on=FULL_NOTICE - timedelta(days=1),
            reason="Budget.",
        )
    assert alice_on_project.rates.count() == 1


def test_a_cut_needs_a_reason(clock, alice_on_project, manager):
    clock.set(NOW)
    with pytest.raises(ValidationError) as error:
        _set(alice_on_project, manager, rate_minor=2000, effective_on=FULL_NOTICE, reason="  ")
    assert error.value.message_dict == {
        "reason": ["Say why the rate goes down; the contractor will read it."]
    }
    assert alice_on_project.rates.count() == 1


def test_the_notice_period_is_a_setting(clock, settings, alice_on_project, manager):
    settings.RATE_CUT_NOTICE_DAYS = 0
    clock.set(NOW)
    rate = _set(alice_on_project, manager, rate_minor=2000, effective_on=TODAY, reason="Budget.")
    assert rate.effective_on == TODAY


def test_today_is_the_contractors_today(clock, settings, alice_on_project, manager):
    """At noon UTC it is already Friday on Kiritimati: Thursday is in the past there."""
    settings.RATE_CUT_NOTICE_DAYS = 0
    contractor = alice_on_project.contractor
    contractor.time_zone = "Pacific/Kiritimati"
    contractor.save(update_fields=["time_zone"])
    clock.set(NOW)
    with pytest.raises(ValidationError, match="can't reach hours already worked"):
        _set(alice_on_project, manager, rate_minor=2000, effective_on=TODAY, reason="Budget.")
    _set(
        alice_on_project,
        manager,
        rate_minor=2000,
        effective_on=TODAY + timedelta(days=1),
        reason="Budget.",
    )


def test_a_cut_with_notice_applies_from_its_day_and_tells_the_reason(
    clock, alice_on_project, alice, manager
):
    clock.set(NOW)
    [before] = log(alice, alice_on_project, THIS_MONDAY, 60)
    rate = _set(
        alice_on_project,
        manager,
        rate_minor=2000,
        effective_on=FULL_NOTICE,
        reason="The client lowered the budget for this batch.",
    )
    assert (rate.reason, rate.written_in) == ("The client lowered the budget for this batch.", "en")
    notice = Notification.objects.filter(kind=NotificationKind.RATE_CHANGED).latest("pk")
    assert notice.recipient == alice
    assert "€20.00 an hour for work from Thursday, November 19, 2026" in notice.body
    assert "The reason your manager gave: The client lowered the budget" in notice.body

    clock.set(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    [eve] = log(alice, alice_on_project, FULL_NOTICE - timedelta(days=1), 60)
    [after] = log(alice, alice_on_project, FULL_NOTICE, 60)
    before.refresh_from_db()
    assert (before.rate_minor, eve.rate_minor, after.rate_minor) == (2500, 2500, 2000)


def test_a_back_dated_raise_reprices_drafts_submitted_and_rejected_hours(
    clock, alice_on_project, alice, manager
):
    clock.set(NOW)
    [rejected] = log(alice, alice_on_project, date(2026, 11, 3), 60)
    [submitted] = log(alice, alice_on_project, date(2026, 11, 4), 60)
    services.time_week_submit(by=alice, week=LAST_MONDAY)
    services.time_entries_reject(entry_ids=[rejected.pk], by=manager, reason="Wrong batch.")
    [draft] = log(alice, alice_on_project, THIS_MONDAY, 60)
    [earlier] = log(alice, alice_on_project, date(2026, 10, 30), 60)

    rate = _set(alice_on_project, manager, rate_minor=3000, effective_on=date(2026, 11, 2))

    assert rate.reason == ""
    prices = {
        entry.pk: (entry.status, entry.rate_minor)
        for entry in TimeEntry.objects.filter(assignment=alice_on_project)
    }
    assert prices == {
        rejected.pk: (EntryStatus.REJECTED, 3000),
        submitted.pk: (EntryStatus.SUBMITTED, 3000),
        draft.pk: (EntryStatus.DRAFT, 3000),
        earlier.pk: (EntryStatus.DRAFT, 2500),
    }


def test_a_cut_after_a_raise_is_judged_against_the_rate_then(clock, alice_on_project, manager):
    clock.set(NOW)
    _set(alice_on_project, manager, rate_minor=3000, effective_on=FULL_NOTICE)
    # 2800 is more than today's 2500 but less than the 3000 in force from FULL_NOTICE on.
    with pytest.raises(ValidationError, match="Say why the rate goes down"):
        _set(alice_on_project, manager, rate_minor=2800, effective_on=FULL_NOTICE + timedelta(1))


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_the_admin_asks_for_notice_and_a_reason_next_to_the_fields(
    clock, manager_client, alice_on_project
):
    clock.set(NOW)
    url = reverse("admin:projects_assignment_changelist")
    data = {
        "action": "set_rate",
        ACTION_CHECKBOX_NAME: [alice_on_project.pk],
        "apply": "1",
        "rate": "20",
        "currency": "EUR",
        "effective_on": "2026-11-13",
    }
    page = manager_client.post(url, data, follow=True)
    assert page.context["form"].errors == {
        "effective_on": [
            "A lower rate needs 7 days' notice: it can start on Thu, Nov 19 at the earliest."
        ],
        "reason": ["Say why the rate goes down; the contractor will read it."],
    }
    assert alice_on_project.rates.count() == 1

    data.update(effective_on="2026-11-19", reason="Smaller batches from December.")
    manager_client.post(url, data, follow=True)
    assert alice_on_project.rates.first().reason == "Smaller batches from December."


def test_the_contractor_reads_the_reason_in_the_rate_history(
    clock, alice_client, alice_on_project, manager
):
    clock.set(NOW)
    _set(alice_on_project, manager, rate_minor=2000, effective_on=FULL_NOTICE, reason="Budget cut.")
    url = reverse("projects:assignment_detail", args=[alice_on_project.pk])
    body = alice_client.get(url).content.decode()
    assert "€20.00" in body
    assert "Budget cut." in body
