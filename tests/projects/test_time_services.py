from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from payments.services import pay_period_close, pay_period_for
from projects import services
from projects.models import EntryStatus, PauseReason, TimeEntry, TimeEntryStatusChange
from projects.timesheet import EntryChange
from tests.projects.factories import LAST_MONDAY, NOW, THIS_MONDAY, assign, log, project_create
from tests.sanctions import sanction

pytestmark = pytest.mark.django_db

MON, TUE, WED, THU, FRI, SAT, SUN = (date(2026, 11, 2 + offset) for offset in range(7))


def _messages(error: pytest.ExceptionInfo) -> list[str]:
    return [message for messages in error.value.message_dict.values() for message in messages]


def _cell(assignment, day, minutes, *, kind="task", note=""):
    return EntryChange(
        assignment.pk, day, kind, minutes, note, key=f"{assignment.pk}-{kind}-{day.isoformat()}"
    )


@pytest.fixture
def now(clock):
    clock.set(NOW)
    return NOW


# --- Drafts ------------------------------------------------------------------------


def test_a_draft_keeps_the_rate_in_force_and_its_note(alice_on_project, alice, now):
    [entry] = log(alice, alice_on_project, MON, 90, kind="training", note="Rubric v2")
    assert (entry.status, entry.minutes, entry.kind, entry.note) == (
        "draft",
        90,
        "training",
        "Rubric v2",
    )
    assert (entry.rate_minor, entry.currency, entry.amount_minor) == (2500, "EUR", 3750)


def test_a_grid_changes_updates_and_removes_cells(alice_on_project, alice, now):
    log(alice, alice_on_project, MON, 60)
    log(alice, alice_on_project, TUE, 60)
    services.time_entries_save(
        by=alice,
        changes=[
            _cell(alice_on_project, MON, 120),
            _cell(alice_on_project, TUE, 0),
            _cell(alice_on_project, WED, 30),
        ],
    )
    assert dict(TimeEntry.objects.values_list("work_on", "minutes")) == {MON: 120, WED: 30}


def test_future_dates_are_refused(alice_on_project, alice, now):
    with pytest.raises(ValidationError) as error:
        log(alice, alice_on_project, date(2026, 11, 13), 60)
    assert _messages(error) == [
        "Fri, Nov 13 hasn't happened yet in your time zone: Germany (Berlin)."
    ]
    assert not TimeEntry.objects.exists()


def test_today_depends_on_the_contractors_time_zone_not_utc(clock, project, manager, contractor_in):
    tokyo = contractor_in("tokyo@example.com", "Asia/Tokyo")
    los_angeles = contractor_in("la@example.com", "America/Los_Angeles")
    in_tokyo = assign(project, tokyo, by=manager)
    in_la = assign(project, los_angeles, by=manager)
    # 23:30 UTC on Thu 12 Nov: already Friday 08:30 in Tokyo, still Thursday 15:30 in LA.
    clock.set(datetime(2026, 11, 12, 23, 30, tzinfo=UTC))
    friday = date(2026, 11, 13)
    log(tokyo, in_tokyo, friday, 60)
    with pytest.raises(ValidationError, match="Fri, Nov 13 hasn't happened yet"):
        log(los_angeles, in_la, friday, 60)
    log(los_angeles, in_la, date(2026, 11, 12), 60)


def test_dates_outside_the_assignment_are_refused(clock, project, alice, manager):
    assignment = assign(project, alice, by=manager, start_on=WED)
    clock.set(NOW)
    with pytest.raises(ValidationError, match="starts on Wed, Nov 4"):
        log(alice, assignment, TUE, 60)
    services.assignment_end(assignment=assignment, by=manager, end_on=THU)
    with pytest.raises(ValidationError, match="ended on Thu, Nov 5"):
        log(alice, assignment, FRI, 60)
    log(alice, assignment, THU, 60)


def test_removed_contractor_sees_the_reason_for_days_after_removal(
    clock, alice_on_project, alice, manager
):
    clock.set(datetime(2026, 11, 4, 12, tzinfo=UTC))
    services.assignment_remove(
        assignment=alice_on_project, by=manager, reason="Quality review.", ground="staffing"
    )
    clock.set(NOW)
    log(alice, alice_on_project, WED, 60)
    with pytest.raises(
        ValidationError,
        match="You were removed from «Search relevance» on Wed, Nov 4: Quality review.",
    ):
        log(alice, alice_on_project, THU, 60)


def test_a_day_holds_24_hours_across_two_projects(alice_on_project, alice_on_other, alice, now):
    log(alice, alice_on_project, MON, 14 * 60)
    with pytest.raises(ValidationError) as error:
        log(alice, alice_on_other, MON, 10 * 60 + 1)
    assert _messages(error) == [
        "Mon, Nov 2 would add up to 24:01 across your projects; a day has 24 hours."
    ]
    log(alice, alice_on_other, MON, 10 * 60)
    assert sum(TimeEntry.objects.values_list("minutes", flat=True)) == 24 * 60


def test_the_weekly_cap_counts_every_kind_and_day(alice_on_project, alice, now):
    services.time_entries_save(
        by=alice,
        changes=[_cell(alice_on_project, day, 4 * 60) for day in (MON, TUE, WED, THU)]
        + [_cell(alice_on_project, FRI, 3 * 60, kind="meeting")],
    )
    with pytest.raises(ValidationError) as error:
        services.time_entries_save(
            by=alice, changes=[_cell(alice_on_project, SAT, 61, kind="review")]
        )
    key = f"{alice_on_project.pk}-review-{SAT.isoformat()}"
    assert error.value.message_dict == {
        key: ["This week on «Search relevance» would come to 20:01, over the weekly cap of 20:00."]
    }
    log(alice, alice_on_project, SAT, 60, kind="review")


def test_an_assignment_cap_overrides_the_project_cap(alice_on_project, alice, manager, now):
    services.assignment_update(
        assignment=alice_on_project, by=manager, weekly_cap_minutes=120, end_on=None
    )
    with pytest.raises(ValidationError, match="over the weekly cap of 2:00"):
        log(alice, alice_on_project, MON, 121)


def test_one_bad_cell_saves_nothing(alice_on_project, alice, now):
    with pytest.raises(ValidationError) as error:
        services.time_entries_save(
            by=alice,
            changes=[
                _cell(alice_on_project, MON, 60),
                _cell(alice_on_project, date(2026, 11, 20), 60),
            ],
        )
    assert list(error.value.message_dict) == [f"{alice_on_project.pk}-task-2026-11-20"]
    assert not TimeEntry.objects.exists()


def test_a_note_without_hours_is_refused(alice_on_project, alice, now):
    with pytest.raises(ValidationError, match="Add the hours this note is about"):
        log(alice, alice_on_project, MON, 0, note="forgot the hours")


def test_another_contractors_assignment_is_not_found(alice_on_project, bob, now):
    with pytest.raises(ValidationError, match="No such assignment"):
        log(bob, alice_on_project, MON, 60)


# --- Project status ----------------------------------------------------------------


def test_pause_mid_week_keeps_the_days_before_and_closes_the_days_after(
    clock, alice_on_project, alice, manager
):
    # Paused at 15:00 Berlin time on Wednesday: the morning's work still counts.
    clock.set(datetime(2026, 11, 4, 14, 0, tzinfo=UTC))
    services.project_pause(
        project=alice_on_project.project,
        by=manager,
        reason=PauseReason.NO_WORK,
        message="Queue empty.",
        short_notice_confirmed=True,
    )
    clock.set(NOW)
    services.time_entries_save(
        by=alice, changes=[_cell(alice_on_project, day, 60) for day in (MON, TUE, WED)]
    )
    with pytest.raises(ValidationError) as error:
        log(alice, alice_on_project, THU, 60)
    assert _messages(error) == [
        "«Search relevance» was paused on Wed, Nov 4; no time can be logged for it after that."
    ]


def test_a_pause_at_local_midnight_closes_that_whole_day(clock, alice_on_project, alice, manager):
    # 23:00 UTC on Tuesday is midnight starting Wednesday in Berlin.
    clock.set(datetime(2026, 11, 3, 23, 0, tzinfo=UTC))
    services.project_pause(
        project=alice_on_project.project,
        by=manager,
        reason=PauseReason.BUDGET,
        message="Budget.",
        short_notice_confirmed=True,
    )
    clock.set(NOW)
    log(alice, alice_on_project, TUE, 60)
    with pytest.raises(ValidationError, match="was paused on Wed, Nov 4"):
        log(alice, alice_on_project, WED, 60)


def test_resuming_reopens_days_from_the_resume_on(clock, alice_on_project, alice, manager):
    project = alice_on_project.project
    clock.set(datetime(2026, 11, 2, 22, 0, tzinfo=UTC))  # 23:00 Mon in Berlin
    services.project_pause(
        project=project,
        by=manager,
        reason=PauseReason.OTHER,
        message="Hold.",
        short_notice_confirmed=True,
    )
    clock.set(datetime(2026, 11, 5, 8, 0, tzinfo=UTC))  # Thursday morning
    services.project_resume(project=project, by=manager)
    clock.set(NOW)
    log(alice, alice_on_project, MON, 60)
    for day in (TUE, WED):
        with pytest.raises(ValidationError, match="was paused on Mon, Nov 2"):
            log(alice, alice_on_project, day, 60)
    log(alice, alice_on_project, THU, 60)


def test_closed_projects_take_no_new_time(clock, alice_on_project, alice, manager):
    clock.set(datetime(2026, 11, 6, 0, 0, tzinfo=UTC))
    services.project_close(
        project=alice_on_project.project,
        by=manager,
        message="Finished.",
        short_notice_confirmed=True,
    )
    clock.set(NOW)
    log(alice, alice_on_project, THU, 60)
    with pytest.raises(ValidationError, match="was closed on Fri, Nov 6"):
        log(alice, alice_on_project, SAT, 60)


def test_a_project_not_yet_started_takes_no_time(clock, alice, manager):
    draft = project_create(manager, name="Not yet", activate=False)
    assignment = assign(draft, alice, by=manager)
    clock.set(NOW)
    with pytest.raises(ValidationError, match="«Not yet» had not started on Mon, Nov 2"):
        log(alice, assignment, MON, 60)


def test_a_suspended_contractor_logs_only_the_days_before(clock, alice_on_project, alice, manager):
    clock.set(datetime(2026, 11, 4, 10, 0, tzinfo=UTC))
    sanction(alice.contractor_profile, by=manager, reasons="Identity recheck.")
    clock.set(NOW)
    log(alice, alice_on_project, TUE, 60)
    with pytest.raises(ValidationError, match="Your account is suspended since Wed, Nov 4"):
        log(alice, alice_on_project, WED, 60)


def test_closed_pay_periods_lock_their_days(alice_on_project, alice, manager, now):
    log(alice, alice_on_project, MON, 60)
    pay_period_close(period=pay_period_for(MON), by=manager, today=NOW.date())
    with pytest.raises(ValidationError, match="The pay period with Mon, Nov 2 is closed"):
        log(alice, alice_on_project, MON, 30)
    with pytest.raises(ValidationError, match="The pay period with Tue, Nov 3 is closed"):
        log(alice, alice_on_project, TUE, 30)
    log(alice, alice_on_project, date(2026, 11, 9), 30)


def test_closing_the_real_pay_period_locks_its_entries(alice_on_project, alice, manager, now):
    log(alice, alice_on_project, MON, 60)
    pay_period_close(period=pay_period_for(MON), by=manager, today=NOW.date())
    with pytest.raises(ValidationError, match="The pay period with Mon, Nov 2 is closed"):
        log(alice, alice_on_project, MON, 30)
    assert TimeEntry.objects.get().minutes == 60


# --- Submitting --------------------------------------------------------------------


def test_submitting_a_week_sends_its_drafts_and_records_history(
    alice_on_project, alice_on_other, alice, now
):
    log(alice, alice_on_project, MON, 60)
    log(alice, alice_on_other, TUE, 90)
    log(alice, alice_on_project, THIS_MONDAY, 30)
    submitted = services.time_week_submit(by=alice, week=WED)
    assert {entry.work_on for entry in submitted} == {MON, TUE}
    assert set(TimeEntry.objects.values_list("work_on", "status")) == {
        (MON, "submitted"),
        (TUE, "submitted"),
        (THIS_MONDAY, "draft"),
    }
    assert TimeEntryStatusChange.objects.filter(to_status="submitted", by=alice).count() == 2


def test_submitting_the_grid_locks_and_reads_the_week_once(
    alice_on_project, alice, now, django_assert_max_num_queries
):
    log(alice, alice_on_project, MON, 60)
    grid = [_cell(alice_on_project, TUE, 90), _cell(alice_on_project, WED, 30, note="Calibration")]
    with django_assert_max_num_queries(12) as queries:
        submitted = services.time_week_submit(by=alice, week=MON, changes=grid)
    assert {(entry.work_on, entry.minutes) for entry in submitted} == {
        (MON, 60),
        (TUE, 90),
        (WED, 30),
    }
    assert set(TimeEntry.objects.values_list("work_on", "status", "rate_minor", "note")) == {
        (MON, "submitted", 2500, ""),
        (TUE, "submitted", 2500, ""),
        (WED, "submitted", 2500, "Calibration"),
    }
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    for table in ("accounts_contractorprofile", "projects_timeentry", "projects_assignment"):
        assert sum(f'FROM "{table}"' in sql for sql in reads) == 1, table


def test_nothing_to_submit_is_said_plainly(alice_on_project, alice, now):
    with pytest.raises(ValidationError, match="nothing to submit"):
        services.time_week_submit(by=alice, week=LAST_MONDAY)


def test_submitted_entries_cannot_be_edited(alice_on_project, alice, now):
    log(alice, alice_on_project, MON, 60)
    services.time_week_submit(by=alice, week=MON)
    with pytest.raises(ValidationError, match="This entry is submitted; it can't be changed."):
        log(alice, alice_on_project, MON, 30)
    with pytest.raises(ValidationError, match="submitted; it can't be changed"):
        log(alice, alice_on_project, MON, 0)
    assert TimeEntry.objects.get().minutes == 60


def test_submit_rechecks_rules_that_changed_since_the_draft(
    clock, alice_on_project, alice, manager
):
    clock.set(datetime(2026, 11, 9, 9, tzinfo=UTC))
    log(alice, alice_on_project, THIS_MONDAY, 60)
    services.assignment_update(
        assignment=alice_on_project, by=manager, weekly_cap_minutes=30, end_on=None
    )
    clock.set(NOW)
    with pytest.raises(ValidationError, match="over the weekly cap of 0:30"):
        services.time_week_submit(by=alice, week=THIS_MONDAY)
    assert TimeEntry.objects.get().status == EntryStatus.DRAFT


# --- Review ------------------------------------------------------------------------


def _submitted_week(alice, alice_on_project, alice_on_other):
    log(alice, alice_on_project, MON, 60)
    log(alice, alice_on_project, TUE, 120)
    log(alice, alice_on_other, TUE, 30)
    return services.time_week_submit(by=alice, week=MON)


def test_approving_makes_entries_read_only_and_emails_after_commit(
    alice_on_project,
    alice_on_other,
    alice,
    manager,
    now,
    outbox,
    django_capture_on_commit_callbacks,
):
    entries = _submitted_week(alice, alice_on_project, alice_on_other)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.time_entries_approve(entry_ids=[e.pk for e in entries], by=manager)
    assert outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {"approved"}
    assert [m.to for m in outbox] == [["alice@example.com"]]
    assert "approved 3:30" in outbox[0].body
    with pytest.raises(ValidationError, match="approved; it can't be changed"):
        log(alice, alice_on_project, MON, 30)


def test_rejecting_needs_a_reason_which_the_contractor_gets(
    alice_on_project,
    alice_on_other,
    alice,
    manager,
    now,
    outbox,
    django_capture_on_commit_callbacks,
):
    entries = _submitted_week(alice, alice_on_project, alice_on_other)
    ids = [e.pk for e in entries if e.assignment_id == alice_on_project.pk]
    with pytest.raises(ValidationError) as error:
        services.time_entries_reject(entry_ids=ids, by=manager, reason="  ")
    assert "reason" in error.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        services.time_entries_reject(entry_ids=ids, by=manager, reason="Tuesday looks doubled.")
    rejected = TimeEntry.objects.filter(status="rejected")
    assert set(rejected.values_list("rejection_reason", flat=True)) == {"Tuesday looks doubled."}
    assert "Tuesday looks doubled." in outbox[0].body


def test_a_rejected_entry_can_be_fixed_and_resubmitted(
    alice_on_project, alice_on_other, alice, manager, now
):
    entries = _submitted_week(alice, alice_on_project, alice_on_other)
    tuesday = next(
        e for e in entries if e.work_on == TUE and e.assignment_id == alice_on_project.pk
    )
    services.time_entries_reject(entry_ids=[tuesday.pk], by=manager, reason="Too long.")
    log(alice, alice_on_project, TUE, 60)
    tuesday.refresh_from_db()
    assert (tuesday.status, tuesday.minutes) == ("rejected", 60)
    [resubmitted] = services.time_week_submit(by=alice, week=MON)
    assert (resubmitted.pk, resubmitted.status, resubmitted.rejection_reason) == (
        tuesday.pk,
        "submitted",
        "",
    )
    assert [c.to_status for c in tuesday.status_changes.order_by("pk")] == [
        "submitted",
        "rejected",
        "submitted",
    ]


def test_only_submitted_entries_are_reviewed_and_nothing_changes_otherwise(
    alice_on_project, alice_on_other, alice, manager, now
):
    entries = _submitted_week(alice, alice_on_project, alice_on_other)
    draft = log(alice, alice_on_project, WED, 60)[0]
    with pytest.raises(ValidationError, match="the selection includes 1 draft"):
        services.time_entries_approve(entry_ids=[entries[0].pk, draft.pk], by=manager)
    assert TimeEntry.objects.filter(status="approved").count() == 0
    with pytest.raises(ValidationError, match="Select at least one"):
        services.time_entries_approve(entry_ids=[], by=manager)


def test_contractor_services_only_touch_their_own_entries(
    alice_on_project, bob_on_project, alice, bob, now
):
    [entry] = log(alice, alice_on_project, MON, 60)
    with pytest.raises(ValidationError, match="No such time entry"):
        services.time_entry_update(
            by=bob, entry=entry, work_on=MON, kind="task", minutes=30, note=""
        )
    with pytest.raises(ValidationError, match="No such time entry"):
        services.time_entry_delete(by=bob, entry=entry)
    assert TimeEntry.objects.get().minutes == 60


def test_staff_without_a_profile_cannot_log_time(alice_on_project, manager, now):
    with pytest.raises(ValidationError, match="Only contractors log time"):
        log(manager, alice_on_project, MON, 60)


def test_api_style_create_update_delete(alice_on_project, alice, now):
    entry = services.time_entry_create(
        by=alice, assignment=alice_on_project, work_on=MON, kind="task", minutes=60
    )
    with pytest.raises(ValidationError) as error:
        services.time_entry_create(
            by=alice, assignment=alice_on_project, work_on=MON, kind="task", minutes=30
        )
    assert "kind" in error.value.message_dict
    moved = services.time_entry_update(
        by=alice, entry=entry, work_on=TUE, kind="meeting", minutes=45, note="Kick-off"
    )
    assert (moved.pk, moved.work_on, moved.kind, moved.minutes) == (entry.pk, TUE, "meeting", 45)
    with pytest.raises(ValidationError) as error:
        services.time_entry_update(
            by=alice, entry=entry, work_on=date(2026, 12, 1), kind="meeting", minutes=45, note=""
        )
    assert "work_on" in error.value.message_dict
    services.time_entry_delete(by=alice, entry=entry)
    assert not TimeEntry.objects.exists()


def test_hours_of_a_closed_pay_period_are_rejected_and_corrected_as_late_hours(
    alice_on_project, alice, manager, now
):
    log(alice, alice_on_project, MON, 60)
    entries = services.time_week_submit(by=alice, week=MON)
    pay_period_close(period=pay_period_for(MON), by=manager, today=NOW.date())
    services.time_entries_reject(entry_ids=[e.pk for e in entries], by=manager, reason="No")
    assert TimeEntry.objects.get().status == EntryStatus.REJECTED
    log(alice, alice_on_project, MON, 45)
    resubmitted = services.time_week_submit(by=alice, week=MON)
    assert [(e.minutes, e.status, e.late) for e in resubmitted] == [
        (45, EntryStatus.SUBMITTED, True)
    ]
    services.time_entries_approve(entry_ids=[e.pk for e in resubmitted], by=manager)
    assert TimeEntry.objects.get().status == EntryStatus.APPROVED


def test_nobody_reviews_their_own_hours(alice_on_project, alice, now):
    log(alice, alice_on_project, MON, 60)
    entries = services.time_week_submit(by=alice, week=MON)
    with pytest.raises(ValidationError, match="their own hours"):
        services.time_entries_approve(entry_ids=[e.pk for e in entries], by=alice)
