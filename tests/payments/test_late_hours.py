"""Hours still unsubmitted when their pay period closes go in late and are paid once, later."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from payments.models import PayoutLine
from projects import services as project_services
from projects.models import EntryStatus, TimeEntry
from tests.payments import factories
from tests.projects.factories import LAST_MONDAY, THIS_MONDAY, log

# THIS_MONDAY's week has ended and may be closed.
AFTER_THIS_WEEK = datetime(2026, 11, 17, 12, 0, tzinfo=UTC)


def _close_this_week_and_generate(clock, manager):
    clock.set(AFTER_THIS_WEEK)
    period = factories.closed_period(THIS_MONDAY, by=manager)
    return period, factories.generate(period, by=manager)


def test_a_draft_left_at_the_close_is_submitted_late_and_paid_once_in_the_next_payout(
    clock, client, manager, alice, alice_on_project
):
    late_draft = log(alice, alice_on_project, LAST_MONDAY, 90)[0]
    factories.approved_week(alice_on_project, manager=manager, minutes=[60], monday=THIS_MONDAY)
    last_week = factories.closed_period(LAST_MONDAY, by=manager)
    assert factories.generate(last_week, by=manager).lines_added == 0

    # The closed period's days stay locked against new time and draft edits…
    with pytest.raises(ValidationError, match="is closed"):
        log(alice, alice_on_project, LAST_MONDAY + timedelta(days=1), 30)
    with pytest.raises(ValidationError, match="is closed"):
        log(alice, alice_on_project, LAST_MONDAY, 30)
    # …but the draft itself can still be sent, as late hours, and reviewed like others.
    [submitted] = project_services.time_week_submit(by=alice, week=LAST_MONDAY)
    assert (submitted.pk, submitted.status, submitted.late) == (
        late_draft.pk,
        EntryStatus.SUBMITTED,
        True,
    )
    factories.approve([submitted], by=manager)

    # The closed period's payouts are not reopened for it.
    assert factories.generate(last_week, by=manager).lines_added == 0
    assert not PayoutLine.objects.filter(time_entry=late_draft).exists()

    this_week, result = _close_this_week_and_generate(clock, manager)
    payout = alice.contractor_profile.payouts.get(period=this_week)
    assert sorted(payout.lines.values_list("work_on", "minutes")) == [
        (LAST_MONDAY, 90),
        (THIS_MONDAY, 60),
    ]
    assert payout.gross_minor == 2500 * 150 // 60
    client.force_login(alice)
    page = client.get(reverse("payments:payout", args=[payout.pk])).content.decode()
    assert page.count("late hours of the week of") == 1
    assert "late hours of the week of Nov 2, 2026" in page

    # Never twice: no later generation, of either period, pays it again.
    assert factories.generate(this_week, by=manager).lines_added == 0
    assert factories.generate(last_week, by=manager).lines_added == 0
    assert PayoutLine.objects.filter(time_entry=late_draft).count() == 1


def test_hours_rejected_after_the_close_are_corrected_and_paid_in_the_next_payout(
    clock, manager, alice, alice_on_project
):
    entries = factories.submitted_week(alice_on_project, minutes=[120], monday=LAST_MONDAY)
    last_week = factories.closed_period(LAST_MONDAY, by=manager)
    project_services.time_entries_reject(
        entry_ids=[e.pk for e in entries], by=manager, reason="It was 1:30."
    )

    log(alice, alice_on_project, LAST_MONDAY, 90)
    project_services.time_week_submit(by=alice, week=LAST_MONDAY)
    entry = TimeEntry.objects.get()
    assert (entry.minutes, entry.status, entry.late) == (90, EntryStatus.SUBMITTED, True)
    factories.approve([entry], by=manager)
    assert factories.generate(last_week, by=manager).lines_added == 0

    this_week, result = _close_this_week_and_generate(clock, manager)
    assert result.lines_added == 1
    line = PayoutLine.objects.get(time_entry=entry)
    assert (line.payout.period, line.work_on, line.minutes) == (this_week, LAST_MONDAY, 90)


def test_hours_submitted_on_time_stay_with_their_own_period(
    clock, manager, alice, alice_on_project
):
    entries = factories.submitted_week(alice_on_project, minutes=[60], monday=LAST_MONDAY)
    last_week = factories.closed_period(LAST_MONDAY, by=manager)
    assert not entries[0].late
    factories.approve(entries, by=manager)

    assert factories.generate(last_week, by=manager).lines_added == 1
    _this_week, result = _close_this_week_and_generate(clock, manager)
    assert result.lines_added == 0


def test_the_approval_notice_of_late_hours_says_they_are_paid_in_the_next_payout(
    manager, alice, alice_on_project, outbox, django_capture_on_commit_callbacks
):
    from portal.models import Notification, NotificationKind

    log(alice, alice_on_project, LAST_MONDAY, 90)
    factories.closed_period(LAST_MONDAY, by=manager)
    submitted = project_services.time_week_submit(by=alice, week=LAST_MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        factories.approve(submitted, by=manager)

    notice = Notification.objects.get(recipient=alice, kind=NotificationKind.HOURS_APPROVED)
    assert "late entry (1:30)" in notice.body
    assert "paid in the next payout" in notice.body
    assert "with its pay period" not in notice.body
    assert "are paid in the next payout" in outbox[-1].body
