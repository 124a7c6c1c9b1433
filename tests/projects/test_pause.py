"""Pause, scheduled pause, resume and close: every assignee is told, at once, with the reason."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal.models import (
    EmailPreference,
    EmailStatus,
    Notification,
    NotificationKind,
    OutboundEmail,
)
from portal.notifications.selectors import with_delivery_counts
from projects import services
from projects.models import (
    EntryStatus,
    PauseReason,
    ProjectStatus,
    ProjectStatusChange,
    ScheduledPause,
    ScheduledPauseStatus,
    TimeEntry,
)
from projects.tasks import project_pauses_apply_due
from tests import factories
from tests.projects.factories import LAST_MONDAY, NOW, SETUP_AT, assign, log

pytestmark = pytest.mark.django_db

MESSAGE = "The client is reviewing last week's batch; no new tasks until then."


@pytest.fixture
def team(clock, project, other_project, manager, alice_on_project, bob_on_project):
    """alice and bob on the project; carol on none; dave taken off it; erin on another one."""
    with clock.back_at(SETUP_AT):
        carol = factories.contractor_create("carol@example.com", by=manager)
        dave = factories.contractor_create("dave@example.com", by=manager)
        on_other = factories.contractor_create("erin@example.com", by=manager)
        assign(other_project, on_other, by=manager)
        removed = assign(project, dave, by=manager)
        services.assignment_remove(
            assignment=removed, by=manager, reason="Left the team.", ground="staffing"
        )
    clock.set(NOW)
    Notification.objects.all().delete()
    OutboundEmail.objects.all().delete()
    return {"carol": carol, "dave": dave, "erin": on_other}


def _pause(project, manager, **overrides):
    values = {
        "project": project,
        "by": manager,
        "reason": PauseReason.CLIENT_REQUEST,
        "message": MESSAGE,
        "expected_resume_on": date(2026, 11, 23),
    }
    values.update(overrides)
    return services.project_pause(**values, short_notice_confirmed=True)


def _recipients(topic: str) -> set[str]:
    return set(Notification.objects.filter(topic=topic).values_list("recipient__email", flat=True))


def test_pause_notifies_every_active_assignee_and_nobody_else(
    team, project, manager, alice, bob, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change = _pause(project, manager)

    assert _recipients(change.topic) == {alice.email, bob.email}
    notice = Notification.objects.get(topic=change.topic, recipient=alice)
    assert notice.kind == NotificationKind.PROJECT_PAUSED
    assert notice.title == "«Search relevance» is paused"
    assert "Reason: Client demand." in notice.body
    assert MESSAGE in notice.body
    assert "Expected to resume: Monday, November 23, 2026." in notice.body
    assert notice.link == f"/projects/{project.pk}/"
    assert sorted(m.to[0] for m in outbox) == [alice.email, bob.email]
    assert MESSAGE in outbox[0].body
    assert f"/projects/{project.pk}/" in outbox[0].body
    for contractor in (team["carol"], team["dave"], team["erin"]):
        assert not Notification.objects.filter(recipient=contractor).exists()
        assert contractor.email not in {m.to[0] for m in outbox}
    change.refresh_from_db()
    assert change.notified_at == NOW


def test_a_change_says_how_many_were_told_and_is_written_once(
    team, project, manager, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14) as queries:
        change = _pause(project, manager)
    assert change.told == 2
    history = [q for q in queries.captured_queries if '"projects_projectstatuschange"' in q["sql"]]
    assert len(history) == 1  # inserted already stamped notified; never updated after
    assert services.project_resume(project=project, by=manager).told == 2
    pause = _schedule(project, manager)
    assert pause.told == 2
    assert services.project_pause_cancel(project=project, by=manager).told == 2


def test_notices_exist_the_moment_the_pause_commits_and_emails_wait_for_the_commit(
    team, project, manager, alice, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        change = _pause(project, manager)
        assert Notification.objects.filter(topic=change.topic).count() == 2
        assert OutboundEmail.objects.filter(topic=change.topic).count() == 2
    assert outbox == []
    for callback in callbacks:
        callback()
    assert len(outbox) == 2


def test_a_failed_pause_tells_nobody(team, project, manager):
    with pytest.raises(ValidationError):
        _pause(project, manager, message="")
    with pytest.raises(RuntimeError), transaction.atomic():
        _pause(project, manager)
        raise RuntimeError("something after the pause failed")

    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE
    assert not Notification.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_pause_emails_ignore_an_opt_out(team, project, manager, alice):
    EmailPreference.objects.create(
        user=alice, kind=NotificationKind.PROJECT_PAUSED, send_email=False
    )
    change = _pause(project, manager)
    assert OutboundEmail.objects.filter(topic=change.topic, to=alice.email).exists()


def test_resume_and_close_tell_everyone_with_the_message(
    team, project, manager, alice, bob, outbox
):
    _pause(project, manager)
    resumed = services.project_resume(project=project, by=manager, message="New batch is in.")
    closed = services.project_close(
        project=project, by=manager, message="The client is done.", short_notice_confirmed=True
    )

    for change, kind, text in (
        (resumed, NotificationKind.PROJECT_RESUMED, "New batch is in."),
        (closed, NotificationKind.PROJECT_CLOSED, "The client is done."),
    ):
        notices = Notification.objects.filter(topic=change.topic)
        assert {n.recipient.email for n in notices} == {alice.email, bob.email}
        assert {n.kind for n in notices} == {kind}
        assert all(text in n.body for n in notices)
    assert "has resumed" in Notification.objects.get(topic=resumed.topic, recipient=alice).title
    assert (
        "still reviewed and paid"
        in Notification.objects.get(topic=closed.topic, recipient=alice).body
    )


def test_resume_without_a_message_still_says_what_happens(team, project, manager, alice):
    _pause(project, manager)
    change = services.project_resume(project=project, by=manager)
    notice = Notification.objects.get(topic=change.topic, recipient=alice)
    assert notice.body == "Work is back on: you can log time for it again."


def test_hours_worked_before_the_pause_stay_payable(
    team, project, manager, alice, alice_on_project, clock
):
    log(alice, alice_on_project, LAST_MONDAY, 120)
    services.time_week_submit(by=alice, week=LAST_MONDAY)
    _pause(project, manager)
    # The day before the pause can still be logged and submitted, and all of it approved.
    log(alice, alice_on_project, LAST_MONDAY + timedelta(days=1), 60)
    services.time_week_submit(by=alice, week=LAST_MONDAY)
    entries = list(TimeEntry.objects.filter(assignment=alice_on_project))
    services.time_entries_approve(entry_ids=[e.pk for e in entries], by=manager)

    assert set(TimeEntry.objects.values_list("status", flat=True)) == {EntryStatus.APPROVED}
    assert sum(e.amount_minor for e in TimeEntry.objects.all()) == 7500  # 3 h at 25.00
    clock.set(NOW + timedelta(days=1))
    with pytest.raises(ValidationError, match="was paused on"):
        log(alice, alice_on_project, NOW.date() + timedelta(days=1), 30)


# --- Scheduled pauses ---------------------------------------------------------------------

AT = NOW + timedelta(days=2)


def _schedule(project, manager, **overrides) -> ScheduledPause:
    values = {
        "project": project,
        "by": manager,
        "reason": PauseReason.BUDGET,
        "message": "The budget for this quarter runs out on Saturday.",
        "effective_at": AT,
        "expected_resume_on": date(2026, 12, 1),
    }
    values.update(overrides)
    return services.project_pause_schedule(**values, short_notice_confirmed=True)


def test_a_scheduled_pause_warns_now_and_leaves_the_project_active(
    team, project, manager, alice, bob
):
    pause = _schedule(project, manager)

    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE
    assert pause.status == ScheduledPauseStatus.PENDING
    assert pause.notified_at == NOW
    notices = Notification.objects.filter(topic=pause.topic)
    assert {n.recipient.email for n in notices} == {alice.email, bob.email}
    notice = notices.get(recipient=alice)
    assert notice.kind == NotificationKind.PROJECT_PAUSING
    # In Alice's own time zone (Europe/Berlin): 12:00 UTC is 1 PM there.
    assert notice.title == "«Search relevance» pauses on Saturday, November 14, 2026, 1:00\u202fPM"
    assert "You can log time as usual until the pause" in notice.body
    assert OutboundEmail.objects.filter(topic=pause.topic).count() == 2
    assert [c.to_status for c in project.status_changes.order_by("pk")] == ["draft", "active"]


def test_a_scheduled_pause_takes_effect_on_time_with_a_second_notice(
    team, project, manager, alice, bob, clock
):
    pause = _schedule(project, manager)

    clock.set(AT - timedelta(seconds=1))
    assert project_pauses_apply_due.delay().get() == 0
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE

    clock.set(AT + timedelta(seconds=20))
    assert project_pauses_apply_due.delay().get() == 1

    project.refresh_from_db()
    pause.refresh_from_db()
    assert (project.status, project.pause_reason, project.paused_at) == (
        ProjectStatus.PAUSED,
        PauseReason.BUDGET,
        AT + timedelta(seconds=20),
    )
    assert project.expected_resume_on == date(2026, 12, 1)
    assert pause.status == ScheduledPauseStatus.APPLIED
    change = pause.change
    assert (change.to_status, change.by, change.effective_at) == ("paused", manager, clock())
    paused = Notification.objects.filter(topic=change.topic)
    assert {n.recipient.email for n in paused} == {alice.email, bob.email}
    assert {n.kind for n in paused} == {NotificationKind.PROJECT_PAUSED}


def test_the_task_run_twice_pauses_and_tells_once(team, project, manager, clock):
    pause = _schedule(project, manager)
    clock.set(AT)

    assert project_pauses_apply_due.delay().get() == 1
    assert project_pauses_apply_due.delay().get() == 0
    assert services.scheduled_pause_apply(pause=pause) is None

    assert ProjectStatusChange.objects.filter(project=project, to_status="paused").count() == 1
    assert Notification.objects.filter(kind=NotificationKind.PROJECT_PAUSED).count() == 2


def test_calling_off_a_scheduled_pause_tells_those_who_were_warned(
    team, project, manager, alice, clock
):
    pause = _schedule(project, manager)
    services.project_pause_cancel(project=project, by=manager, message="Budget was extended.")

    pause.refresh_from_db()
    assert (pause.status, pause.cancelled_at, pause.cancel_message) == (
        ScheduledPauseStatus.CANCELLED,
        NOW,
        "Budget was extended.",
    )
    notice = Notification.objects.get(
        topic=pause.cancel_topic, recipient=alice, kind=NotificationKind.PROJECT_PAUSE_CANCELLED
    )
    assert (
        notice.title
        == "«Search relevance» will not pause on Saturday, November 14, 2026, 1:00\u202fPM"
    )
    assert notice.body == "Budget was extended."
    clock.set(AT + timedelta(hours=1))
    assert project_pauses_apply_due.delay().get() == 0
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE
    with pytest.raises(ValidationError, match="has no pause or close scheduled"):
        services.project_pause_cancel(project=project, by=manager)


def test_pausing_now_supersedes_a_scheduled_pause(team, project, manager, clock):
    pause = _schedule(project, manager)
    _pause(project, manager)

    pause.refresh_from_db()
    assert pause.status == ScheduledPauseStatus.CANCELLED
    assert pause.cancel_message == "The project was paused earlier instead."
    clock.set(AT)
    assert project_pauses_apply_due.delay().get() == 0


def test_closing_calls_off_a_scheduled_pause(team, project, manager):
    pause = _schedule(project, manager)
    services.project_close(
        project=project, by=manager, message="The client is done.", short_notice_confirmed=True
    )
    pause.refresh_from_db()
    assert pause.status == ScheduledPauseStatus.CANCELLED


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"effective_at": NOW}, "effective_at", "in the future"),
        ({"effective_at": NOW + timedelta(days=400)}, "effective_at", "a year ahead"),
        ({"message": "  "}, "message", "Tell the contractors"),
        ({"reason": "bored"}, "reason", "Choose why"),
        (
            {"expected_resume_on": date(2026, 11, 13)},
            "expected_resume_on",
            "before the pause",
        ),
    ],
)
def test_a_scheduled_pause_needs_a_future_time_and_the_details(
    team, project, manager, overrides, field, text
):
    with pytest.raises(ValidationError) as error:
        _schedule(project, manager, **overrides)
    assert text in " ".join(error.value.message_dict[field])
    assert not ScheduledPause.objects.exists()
    assert not Notification.objects.exists()


def test_only_one_pause_can_be_scheduled_and_only_for_an_active_project(
    team, project, manager, other_project
):
    _schedule(project, manager)
    with pytest.raises(ValidationError, match="already pauses at Nov 14, 2026, 12:00"):
        _schedule(project, manager, effective_at=AT + timedelta(days=1))

    _pause(other_project, manager)
    with pytest.raises(ValidationError, match="is paused; only an active project"):
        _schedule(other_project, manager)


def test_the_database_holds_one_pending_pause_per_project(team, project, manager):
    pause = _schedule(project, manager)
    pause.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        pause.save()


def test_a_due_pause_for_a_project_no_longer_active_is_called_off(team, project, manager, clock):
    pause = _schedule(project, manager)
    # A race the services never leave behind: the project stopped without calling it off.
    project.status, project.closed_at = ProjectStatus.CLOSED, NOW
    project.save(update_fields=["status", "closed_at"])
    clock.set(AT)

    assert services.scheduled_pause_apply(pause=pause) is None

    pause.refresh_from_db()
    assert pause.status == ScheduledPauseStatus.CANCELLED
    assert pause.cancel_message == "The project was closed by then."


# --- Delivery counts -------------------------------------------------------------------------


def test_each_change_counts_who_was_told_and_what_the_emails_did(
    team, project, manager, alice, bob, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        paused = _pause(project, manager)
    resumed = services.project_resume(project=project, by=manager, message="Back.")
    OutboundEmail.objects.filter(topic=resumed.topic, to=bob.email).update(
        status=EmailStatus.FAILED, attempts=5
    )

    counts = {
        change.pk: (
            change.notified,
            change.emails_sent,
            change.emails_failed,
            change.emails_waiting,
        )
        for change in with_delivery_counts(
            ProjectStatusChange.objects.filter(project=project),
            topic_prefix=ProjectStatusChange.TOPIC_PREFIX,
        )
    }
    assert counts[paused.pk] == (2, 2, 0, 0)
    assert counts[resumed.pk] == (2, 0, 1, 1)
    first = project.status_changes.order_by("pk").first()
    assert counts[first.pk] == (0, 0, 0, 0)
