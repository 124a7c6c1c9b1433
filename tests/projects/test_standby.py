"""Told in time: minimum notice for a pause or close, or standby pay for the days missing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from portal.models import Notification, NotificationKind
from projects import services
from projects.models import (
    PauseReason,
    ProjectStatus,
    ScheduledKind,
    ScheduledPauseStatus,
    StandbyPay,
    StandbyStatus,
)
from projects.services.standby import standby_amount
from tests.projects.factories import NOW, THIS_MONDAY, log

pytestmark = pytest.mark.django_db

# Four Mondays inside the four weeks before NOW (Thursday 12 November 2026).
MONDAYS = [THIS_MONDAY - timedelta(weeks=n) for n in range(4)]


def _approve(user, assignment, manager, minutes_each: int) -> None:
    """One approved entry of ``minutes_each`` on each of the last four Mondays."""
    for monday in MONDAYS:
        [entry] = log(user, assignment, monday, minutes_each)
        services.time_week_submit(by=user, week=monday)
        services.time_entries_approve(entry_ids=[entry.pk], by=manager)


@pytest.fixture
def worked(clock, project, alice_on_project, bob_on_project, alice, bob, manager):
    """Alice averaged 10 h a week over the last four weeks, Bob 5 h; the project expects 15 h."""
    clock.set(NOW)
    _approve(alice, alice_on_project, manager, 600)
    _approve(bob, bob_on_project, manager, 300)
    return project


def _schedule(project, manager, *, days: float, confirmed: bool = True, **overrides):
    values = {
        "project": project,
        "by": manager,
        "reason": PauseReason.BUDGET,
        "message": "The budget runs out.",
        "effective_at": NOW + timedelta(days=days),
        "short_notice_confirmed": confirmed,
    }
    values.update(overrides)
    return services.project_pause_schedule(**values)


def _owed(**filters) -> dict[str, tuple[int, str, int]]:
    return {
        standby.assignment.contractor.legal_name: (
            standby.amount_minor,
            standby.currency,
            standby.days_missing,
        )
        for standby in StandbyPay.objects.filter(**filters).select_related("assignment__contractor")
    }


def test_a_pause_with_two_days_notice_owes_each_assignee_five_days(worked, manager):
    pause = _schedule(worked, manager, days=2)
    # 600 min × €25/h × 5 / 7 = €178.571…; 300 min × €25/h × 5 / 7 = €89.285…
    assert _owed(scheduled=pause, status=StandbyStatus.OWED) == {
        "Alice Example": (17857, "EUR", 5),
        "Bob Example": (8929, "EUR", 5),
    }
    standby = StandbyPay.objects.get(assignment__contractor__legal_name="Alice Example")
    assert (standby.kind, standby.weekly_minutes, standby.rate_minor) == ("pause", 600, 2500)
    assert standby.reason == "«Search relevance» paused with 5 days less notice than the minimum."


def test_a_short_notice_pause_needs_the_managers_confirmation(worked, manager):
    with pytest.raises(ValidationError) as error:
        _schedule(worked, manager, days=2, confirmed=False)
    assert error.value.message_dict == {
        "short_notice_confirmed": [
            "A pause needs 7 days' notice. To pause with less, confirm it: every active "
            "assignee is then owed standby pay."
        ]
    }
    with pytest.raises(ValidationError, match="A pause needs 7 days' notice"):
        services.project_pause(
            project=worked, by=manager, reason=PauseReason.BUDGET, message="Now."
        )
    assert not StandbyPay.objects.exists()
    assert not Notification.objects.filter(kind__startswith="project_").exists()


def test_a_pause_with_full_notice_owes_nothing_and_needs_no_confirmation(worked, manager):
    pause = _schedule(worked, manager, days=7, confirmed=False)
    assert pause.status == ScheduledPauseStatus.PENDING
    assert not StandbyPay.objects.exists()


def test_a_pause_called_off_before_it_starts_owes_nothing(worked, manager):
    pause = _schedule(worked, manager, days=2)
    services.project_pause_cancel(project=worked, by=manager, message="Budget found.")
    assert _owed(status=StandbyStatus.OWED) == {}
    assert _owed(scheduled=pause, status=StandbyStatus.CANCELLED).keys() == {
        "Alice Example",
        "Bob Example",
    }


def test_a_pause_at_once_owes_the_whole_minimum_notice(worked, manager):
    change = services.project_pause(
        project=worked,
        by=manager,
        reason=PauseReason.NO_WORK,
        message="The queue is empty.",
        short_notice_confirmed=True,
    )
    # 600 min × €25/h × 7 / 7 = €250.00
    assert _owed(change=change) == {
        "Alice Example": (25000, "EUR", 7),
        "Bob Example": (12500, "EUR", 7),
    }


def test_standby_uses_the_lower_of_the_forecast_and_the_recent_average(
    worked, alice_on_project, manager
):
    services.assignment_forecast_set(
        assignment=alice_on_project, by=manager, expected_weekly_minutes=120
    )
    _schedule(worked, manager, days=6)
    # 120 min × €25/h × 1 / 7 = €7.142…
    assert _owed()["Alice Example"] == (714, "EUR", 1)


def test_the_contractor_is_told_the_standby_pay_and_why(worked, alice, manager):
    _schedule(worked, manager, days=2)
    notice = Notification.objects.get(recipient=alice, title__startswith="Standby pay")
    assert notice.title == "Standby pay of €178.57 for «Search relevance»"
    assert notice.body == (
        "«Search relevance» paused with 5 days less notice than the minimum. You are owed "
        "€178.57 standby pay for the 5 days of notice missing; it is added to your next payout."
    )


def test_a_scheduled_close_takes_effect_on_time_and_notifies(worked, clock, alice, manager):
    close = services.project_close_schedule(
        project=worked,
        by=manager,
        message="The client ends the contract.",
        effective_at=NOW + timedelta(days=10),
        short_notice_confirmed=True,
    )
    assert close.kind == ScheduledKind.CLOSE
    assert close.told == 2
    told = Notification.objects.get(recipient=alice, topic=close.topic)
    assert told.title.startswith("«Search relevance» closes on Sunday, November 22, 2026")
    assert told.body.startswith("The client ends the contract.\nYou can log time as usual")
    # Fourteen days' notice owed, ten given.
    assert _owed(scheduled=close)["Alice Example"] == (14286, "EUR", 4)

    clock.set(NOW + timedelta(days=9, hours=23))
    assert services.project_pauses_apply_due() == 0
    clock.set(NOW + timedelta(days=10))
    assert services.project_pauses_apply_due() == 1
    assert services.project_pauses_apply_due() == 0
    worked.refresh_from_db()
    assert worked.status == ProjectStatus.CLOSED
    close.refresh_from_db()
    assert close.status == ScheduledPauseStatus.APPLIED
    assert Notification.objects.filter(
        recipient=alice, kind=NotificationKind.PROJECT_CLOSED, topic=close.change.topic
    ).exists()


def test_a_close_at_once_needs_confirmation_and_owes_fourteen_days(worked, manager):
    with pytest.raises(ValidationError, match="A close needs 14 days' notice"):
        services.project_close(project=worked, by=manager, message="Done.")
    change = services.project_close(
        project=worked, by=manager, message="Done.", short_notice_confirmed=True
    )
    assert _owed(change=change)["Alice Example"] == (50000, "EUR", 14)


def test_the_minimum_notice_is_a_setting(worked, settings, manager):
    settings.PAUSE_MIN_NOTICE_DAYS = 2
    _schedule(worked, manager, days=2, confirmed=False)
    assert not StandbyPay.objects.exists()


@pytest.mark.parametrize(
    ("currency", "weekly", "rate_minor", "days", "expected"),
    [
        # 600 min × ¥2,500/h × 5 / 7 = ¥17,857.14…
        ("JPY", 600, 2500, 5, 17857),
        # 600 min × 12.345 KWD/h × 3 / 7 = 52.907142… KWD
        ("KWD", 600, 12345, 3, 52907),
        # 210 min × 0.001 KWD/h × 1 / 7 = 0.0005 KWD: half a minor unit rounds up, once.
        ("KWD", 210, 1, 1, 1),
        ("JPY", 209, 1, 1, 0),
    ],
)
def test_standby_is_rounded_once_in_the_currencys_minor_unit(
    currency, weekly, rate_minor, days, expected
):
    amount = standby_amount(
        weekly_minutes=weekly, rate_minor=rate_minor, currency=currency, days=days
    )
    assert amount == expected


def test_a_scheduled_close_is_refused_while_a_pause_is_pending(worked, manager):
    _schedule(worked, manager, days=8)
    with pytest.raises(ValidationError, match="already pauses at"):
        services.project_close_schedule(
            project=worked,
            by=manager,
            message="Done.",
            effective_at=datetime(2026, 12, 31, 9, tzinfo=UTC),
        )
