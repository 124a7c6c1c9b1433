from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import ContractorProfile
from projects import services
from projects.models import (
    Assignment,
    AssignmentStatus,
    PauseReason,
    Project,
    ProjectStatus,
    TimeEntry,
)
from tests.projects.factories import (
    LAST_MONDAY,
    NOW,
    assign,
    log,
    project_create,
    project_details,
)

pytestmark = pytest.mark.django_db


# --- Projects ----------------------------------------------------------------------


def test_a_new_project_is_a_draft_with_its_first_history_row(clock, manager):
    project = project_create(manager, activate=False)
    assert project.status == ProjectStatus.DRAFT
    change = project.status_changes.get()
    assert (change.from_status, change.to_status, change.by) == ("", "draft", manager)
    assert change.effective_at == clock()


def test_responsible_manager_must_be_staff(clock, manager, alice):
    with pytest.raises(ValidationError) as error:
        services.project_create(details=project_details(alice), by=manager)
    assert "manager" in error.value.message_dict
    assert not Project.objects.exists()


def test_project_update_refuses_bad_languages_and_closed_projects(clock, project, manager):
    with pytest.raises(ValidationError) as error:
        services.project_update(
            project=project, details=project_details(manager, languages=["xx"]), by=manager
        )
    assert "languages" in error.value.message_dict
    services.project_close(project=project, by=manager, message="Client ended the contract.")
    with pytest.raises(ValidationError, match="closed project can't be changed"):
        services.project_update(project=project, details=project_details(manager), by=manager)


def test_pause_records_reason_message_and_resume_date_then_resume_clears_them(
    clock, project, manager
):
    clock.set(NOW)
    change = services.project_pause(
        project=project,
        by=manager,
        reason=PauseReason.GUIDELINES,
        message="The rubric is being rewritten.",
        expected_resume_on=date(2026, 11, 30),
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.PAUSED
    assert project.paused_at == NOW
    assert project.pause_message == "The rubric is being rewritten."
    assert project.expected_resume_on == date(2026, 11, 30)
    assert (change.from_status, change.to_status, change.reason) == (
        "active",
        "paused",
        "guidelines",
    )

    services.project_resume(project=project, by=manager, message="New rubric is live.")
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE
    assert (project.paused_at, project.pause_reason, project.expected_resume_on) == (None, "", None)
    assert [c.to_status for c in project.status_changes.order_by("pk")] == [
        "draft",
        "active",
        "paused",
        "active",
    ]


def test_pause_needs_a_reason_a_message_and_a_future_resume_date(clock, project, manager):
    clock.set(NOW)
    with pytest.raises(ValidationError) as error:
        services.project_pause(
            project=project, by=manager, reason="", message=" ", expected_resume_on=date(2026, 1, 1)
        )
    assert set(error.value.message_dict) == {"reason", "message", "expected_resume_on"}
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("activate", "is not a draft"),
        ("resume", "is not paused"),
    ],
)
def test_transitions_outside_the_table_are_refused(clock, project, manager, action, message):
    with pytest.raises(ValidationError, match=message):
        getattr(services, f"project_{action}")(project=project, by=manager)


def test_closed_is_final(clock, project, manager):
    services.project_close(project=project, by=manager, message="Done.")
    with pytest.raises(ValidationError, match="is closed and can't become paused"):
        services.project_pause(project=project, by=manager, reason="other", message="x")
    project.refresh_from_db()
    assert project.closed_at is not None
    assert project.status_changes.count() == 3


def test_close_needs_a_message(clock, project, manager):
    with pytest.raises(ValidationError) as error:
        services.project_close(project=project, by=manager, message="")
    assert "message" in error.value.message_dict


def test_database_refuses_a_paused_project_without_pause_details(clock, project):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(status=ProjectStatus.PAUSED)


def test_database_refuses_an_unknown_status(clock, project):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(status="archived")


# --- Assignments -------------------------------------------------------------------


def test_assigning_creates_the_first_rate_from_the_project_default(clock, project, alice, manager):
    assignment = assign(project, alice, by=manager)
    rate = assignment.rates.get()
    assert (rate.rate_minor, rate.currency, rate.effective_on) == (2500, "EUR", assignment.start_on)
    assert assignment.status_changes.get().to_status == AssignmentStatus.ACTIVE


def test_only_active_contractors_can_be_assigned(clock, project, applicant, manager):
    with pytest.raises(ValidationError, match="only active contractors can be assigned"):
        services.assignment_create(
            project=project, contractor=applicant.contractor_profile, by=manager
        )
    assert not Assignment.objects.exists()


def test_the_same_contractor_twice_on_a_project_is_refused(clock, alice_on_project, alice, manager):
    with pytest.raises(ValidationError, match="already on «Search relevance»"):
        assign(alice_on_project.project, alice, by=manager)
    assert Assignment.objects.count() == 1


def test_database_constraint_holds_the_one_assignment_rule(clock, alice_on_project, manager):
    duplicate = Assignment(
        project=alice_on_project.project,
        contractor=alice_on_project.contractor,
        start_on=alice_on_project.start_on,
        assigned_by=manager,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_closed_projects_take_no_assignments(clock, project, alice, manager):
    services.project_close(project=project, by=manager, message="Done.")
    with pytest.raises(ValidationError, match="is closed"):
        assign(project, alice, by=manager)


def test_assignment_must_start_within_the_project(clock, project, alice, manager):
    with pytest.raises(ValidationError) as error:
        assign(project, alice, by=manager, start_on=date(2026, 1, 1))
    assert "start_on" in error.value.message_dict


def test_removing_needs_a_reason_and_stops_at_the_contractors_today(
    clock, alice_on_project, manager
):
    with pytest.raises(ValidationError) as error:
        services.assignment_remove(assignment=alice_on_project, by=manager, reason=" ")
    assert "reason" in error.value.message_dict
    clock.set(NOW)
    removed = services.assignment_remove(
        assignment=alice_on_project, by=manager, reason="Quality below the bar."
    )
    assert removed.status == AssignmentStatus.REMOVED
    assert removed.end_on == date(2026, 11, 12)
    assert removed.removal_reason == "Quality below the bar."
    assert removed.status_changes.first().reason == "Quality below the bar."


def test_ending_before_logged_time_is_refused(clock, alice_on_project, alice, manager):
    clock.set(NOW)
    log(alice, alice_on_project, date(2026, 11, 5), 60)
    with pytest.raises(ValidationError, match="time logged up to Thu, Nov 5"):
        services.assignment_end(assignment=alice_on_project, by=manager, end_on=date(2026, 11, 4))
    ended = services.assignment_end(
        assignment=alice_on_project, by=manager, end_on=date(2026, 11, 5)
    )
    assert ended.status == AssignmentStatus.ENDED
    assert ended.ended_at == NOW


def test_reinstating_a_removed_assignment_clears_the_reason(clock, alice_on_project, manager):
    services.assignment_remove(assignment=alice_on_project, by=manager, reason="Mistake.")
    active = services.assignment_reinstate(assignment=alice_on_project, by=manager)
    assert (active.status, active.removal_reason, active.end_on) == ("active", "", None)
    with pytest.raises(ValidationError, match="active already"):
        services.assignment_reinstate(assignment=alice_on_project, by=manager)


def test_cap_override_is_validated(clock, alice_on_project, manager):
    with pytest.raises(ValidationError):
        services.assignment_update(
            assignment=alice_on_project, by=manager, weekly_cap_minutes=0, end_on=None
        )
    updated = services.assignment_update(
        assignment=alice_on_project, by=manager, weekly_cap_minutes=300, end_on=None
    )
    assert updated.cap_minutes == 300


# --- Rates -------------------------------------------------------------------------


def test_rate_change_mid_week_prices_each_day_by_the_rate_in_force(
    clock, alice_on_project, alice, manager
):
    clock.set(NOW)
    for offset in range(5):
        log(alice, alice_on_project, date(2026, 11, 2 + offset), 60)
    services.assignment_rate_set(
        assignment=alice_on_project,
        by=manager,
        rate_minor=3000,
        currency="EUR",
        effective_on=date(2026, 11, 4),
    )
    rates = dict(
        TimeEntry.objects.filter(assignment=alice_on_project).values_list("work_on", "rate_minor")
    )
    assert rates == {
        date(2026, 11, 2): 2500,
        date(2026, 11, 3): 2500,
        date(2026, 11, 4): 3000,
        date(2026, 11, 5): 3000,
        date(2026, 11, 6): 3000,
    }
    assert [r.rate_minor for r in alice_on_project.rates.all()] == [3000, 2500]


def test_rate_change_never_reprices_submitted_hours(clock, alice_on_project, alice, manager):
    clock.set(NOW)
    log(alice, alice_on_project, date(2026, 11, 5), 60)
    services.time_week_submit(by=alice, week=LAST_MONDAY)
    with pytest.raises(ValidationError, match="already submitted or approved"):
        services.assignment_rate_set(
            assignment=alice_on_project,
            by=manager,
            rate_minor=3000,
            currency="EUR",
            effective_on=date(2026, 11, 4),
        )
    assert TimeEntry.objects.get().rate_minor == 2500
    services.assignment_rate_set(
        assignment=alice_on_project,
        by=manager,
        rate_minor=3000,
        currency="EUR",
        effective_on=date(2026, 11, 9),
    )
    assert TimeEntry.objects.get().rate_minor == 2500


def test_rate_rows_are_never_rewritten(clock, alice_on_project, manager):
    with pytest.raises(ValidationError, match="rates are never edited"):
        services.assignment_rate_set(
            assignment=alice_on_project,
            by=manager,
            rate_minor=9999,
            currency="EUR",
            effective_on=alice_on_project.start_on,
        )
    with pytest.raises(ValidationError, match="The assignment starts on"):
        services.assignment_rate_set(
            assignment=alice_on_project,
            by=manager,
            rate_minor=9999,
            currency="EUR",
            effective_on=date(2026, 9, 1),
        )
    with pytest.raises(ValidationError):
        services.assignment_rate_set(
            assignment=alice_on_project,
            by=manager,
            rate_minor=100,
            currency="ZZZ",
            effective_on=date(2026, 11, 1),
        )
    assert alice_on_project.rates.count() == 1


def test_suspended_contractor_cannot_be_assigned(clock, project, alice, manager):
    from accounts import services as account_services

    account_services.contractor_suspend(
        profile=ContractorProfile.objects.get(user=alice), by=manager, reason="Checking."
    )
    with pytest.raises(ValidationError, match="is suspended"):
        assign(project, alice, by=manager)


def test_only_a_vendor_manager_can_be_responsible_for_a_project(manager, accountant):
    with pytest.raises(ValidationError, match="must be a vendor manager"):
        services.project_create(details=project_details(accountant), by=manager)
    assert services.project_create(details=project_details(manager), by=manager).manager == manager
