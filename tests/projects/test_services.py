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
from tests.sanctions import sanction

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
    services.project_close(
        project=project,
        by=manager,
        message="Client ended the contract.",
        short_notice_confirmed=True,
    )
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
        short_notice_confirmed=True,
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
            project=project,
            by=manager,
            reason="",
            message=" ",
            expected_resume_on=date(2026, 1, 1),
            short_notice_confirmed=True,
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
    services.project_close(
        project=project, by=manager, message="Done.", short_notice_confirmed=True
    )
    with pytest.raises(ValidationError, match="is closed and can't become paused"):
        services.project_pause(
            project=project, by=manager, reason="other", message="x", short_notice_confirmed=True
        )
    project.refresh_from_db()
    assert project.closed_at is not None
    assert project.status_changes.count() == 3


def test_close_needs_a_message(clock, project, manager):
    with pytest.raises(ValidationError) as error:
        services.project_close(project=project, by=manager, message="", short_notice_confirmed=True)
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
    services.project_close(
        project=project, by=manager, message="Done.", short_notice_confirmed=True
    )
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
        services.assignment_remove(
            assignment=alice_on_project, by=manager, reason=" ", ground="staffing"
        )
    assert "reason" in error.value.message_dict
    clock.set(NOW)
    removed = services.assignment_remove(
        assignment=alice_on_project, by=manager, reason="Quality below the bar.", ground="staffing"
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
    services.assignment_remove(
        assignment=alice_on_project, by=manager, reason="Mistake.", ground="staffing"
    )
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


def test_a_back_dated_raise_reprices_submitted_hours_but_not_approved_ones(
    clock, alice_on_project, alice, manager
):
    clock.set(NOW)
    [approved] = log(alice, alice_on_project, date(2026, 11, 4), 60)
    services.time_week_submit(by=alice, week=LAST_MONDAY)
    services.time_entries_approve(entry_ids=[approved.pk], by=manager)
    log(alice, alice_on_project, date(2026, 11, 5), 60)
    services.time_week_submit(by=alice, week=LAST_MONDAY)
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
    assert rates == {date(2026, 11, 4): 2500, date(2026, 11, 5): 3000}


def test_rate_rows_are_never_rewritten(clock, alice_on_project, manager):
    with pytest.raises(ValidationError, match="A rate already starts on that day"):
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


def test_a_new_rate_keeps_the_assignments_currency_unless_a_change_is_confirmed(
    clock, alice_on_project, manager
):
    with pytest.raises(ValidationError) as error:
        services.assignment_rate_set(
            assignment=alice_on_project,
            by=manager,
            rate_minor=2600,
            currency="USD",
            effective_on=date(2026, 11, 16),
        )
    assert error.value.message_dict == {
        "currency": [
            "This assignment is paid in EUR. To pay it in USD instead, confirm the change "
            "of currency."
        ]
    }
    assert alice_on_project.rates.count() == 1
    rate = services.assignment_rate_set(
        assignment=alice_on_project,
        by=manager,
        rate_minor=2600,
        currency="USD",
        effective_on=date(2026, 11, 16),
        currency_change_confirmed=True,
    )
    assert (rate.rate_minor, rate.currency) == (2600, "USD")
    # From then on the assignment is paid in USD: the next USD rate needs no confirming.
    services.assignment_rate_set(
        assignment=alice_on_project,
        by=manager,
        rate_minor=2700,
        currency="USD",
        effective_on=date(2026, 11, 23),
    )


@pytest.mark.parametrize("code", ["ADP", "XAU", "XTS", "XXX", "DEM"])
def test_a_rate_in_a_currency_not_in_use_is_refused(clock, alice_on_project, manager, code):
    with pytest.raises(ValidationError, match=f"{code} is not a currency in use today"):
        services.assignment_rate_set(
            assignment=alice_on_project,
            by=manager,
            rate_minor=26,
            currency=code,
            effective_on=date(2026, 11, 16),
            currency_change_confirmed=True,
        )
    assert alice_on_project.rates.count() == 1


@pytest.fixture
def mistaken_rate(clock, alice_on_project, manager):
    """A rate set in the wrong currency (confirmed by mistake) from LAST_MONDAY on."""
    return services.assignment_rate_set(
        assignment=alice_on_project,
        by=manager,
        rate_minor=26,
        currency="JPY",
        effective_on=LAST_MONDAY,
        currency_change_confirmed=True,
    )


def test_a_rate_that_priced_no_approved_hours_is_corrected_with_its_history(
    clock, alice_on_project, mistaken_rate, alice, manager
):
    clock.set(NOW)
    log(alice, alice_on_project, LAST_MONDAY, 60)
    services.time_week_submit(by=alice, week=LAST_MONDAY)
    log(alice, alice_on_project, date(2026, 11, 10), 30)
    log(alice, alice_on_project, date(2026, 10, 30), 30)

    correction = services.assignment_rate_correct(
        rate=mistaken_rate,
        by=manager,
        rate_minor=2600,
        currency="EUR",
        reason="Typed in the wrong currency.",
    )

    mistaken_rate.refresh_from_db()
    assert (mistaken_rate.rate_minor, mistaken_rate.currency) == (2600, "EUR")
    assert mistaken_rate.effective_on == LAST_MONDAY
    assert (
        correction.from_rate_minor,
        correction.from_currency,
        correction.to_rate_minor,
        correction.to_currency,
        correction.reason,
        correction.by,
        correction.at,
    ) == (26, "JPY", 2600, "EUR", "Typed in the wrong currency.", manager, NOW)
    assert list(mistaken_rate.corrections.all()) == [correction]
    # Submitted and draft hours at the mistaken rate carry the corrected one;
    # hours before it keep theirs.
    prices = {
        (entry.work_on, entry.status): (entry.rate_minor, entry.currency)
        for entry in TimeEntry.objects.filter(assignment=alice_on_project)
    }
    assert prices == {
        (LAST_MONDAY, "submitted"): (2600, "EUR"),
        (date(2026, 11, 10), "draft"): (2600, "EUR"),
        (date(2026, 10, 30), "draft"): (2500, "EUR"),
    }


def test_a_rate_that_priced_approved_hours_cannot_be_corrected(
    clock, alice_on_project, mistaken_rate, alice, manager
):
    clock.set(NOW)
    log(alice, alice_on_project, LAST_MONDAY, 60)
    [entry] = services.time_week_submit(by=alice, week=LAST_MONDAY)
    services.time_entries_approve(entry_ids=[entry.pk], by=manager)

    with pytest.raises(ValidationError) as error:
        services.assignment_rate_correct(
            rate=mistaken_rate, by=manager, rate_minor=2600, currency="EUR", reason="Wrong."
        )
    assert error.value.message_dict == {
        "rate": [
            "Hours at this rate are already approved, so it can't be corrected: they are "
            "paid at it. Set a new rate from a later day instead."
        ]
    }
    mistaken_rate.refresh_from_db()
    assert (mistaken_rate.rate_minor, mistaken_rate.currency) == (26, "JPY")
    assert not mistaken_rate.corrections.exists()
    entry.refresh_from_db()
    assert (entry.rate_minor, entry.currency) == (26, "JPY")


def test_approved_hours_under_a_later_rate_do_not_block_a_correction(
    clock, alice_on_project, mistaken_rate, alice, manager
):
    clock.set(NOW)
    services.assignment_rate_set(
        assignment=alice_on_project,
        by=manager,
        rate_minor=2700,
        currency="EUR",
        effective_on=date(2026, 11, 9),
        currency_change_confirmed=True,
    )
    log(alice, alice_on_project, date(2026, 11, 9), 60)
    [entry] = services.time_week_submit(by=alice, week=date(2026, 11, 9))
    services.time_entries_approve(entry_ids=[entry.pk], by=manager)

    services.assignment_rate_correct(
        rate=mistaken_rate, by=manager, rate_minor=2600, currency="EUR", reason="Wrong."
    )
    entry.refresh_from_db()
    assert (entry.rate_minor, entry.currency) == (2700, "EUR")


def test_a_correction_needs_a_reason_a_change_and_a_confirmed_new_currency(
    clock, alice_on_project, manager
):
    [rate] = alice_on_project.rates.all()
    with pytest.raises(ValidationError) as error:
        services.assignment_rate_correct(
            rate=rate, by=manager, rate_minor=2600, currency="EUR", reason="  "
        )
    assert list(error.value.message_dict) == ["reason"]
    with pytest.raises(ValidationError, match="That is the rate already"):
        services.assignment_rate_correct(
            rate=rate, by=manager, rate_minor=2500, currency="EUR", reason="Oops."
        )
    with pytest.raises(ValidationError) as error:
        services.assignment_rate_correct(
            rate=rate, by=manager, rate_minor=2500, currency="USD", reason="Oops."
        )
    assert list(error.value.message_dict) == ["currency"]
    with pytest.raises(ValidationError, match="XAU is not a currency in use"):
        services.assignment_rate_correct(
            rate=rate,
            by=manager,
            rate_minor=2500,
            currency="XAU",
            reason="Oops.",
            currency_change_confirmed=True,
        )
    rate.refresh_from_db()
    assert (rate.rate_minor, rate.currency) == (2500, "EUR")
    services.assignment_rate_correct(
        rate=rate,
        by=manager,
        rate_minor=2500,
        currency="USD",
        reason="Paid in dollars, as agreed.",
        currency_change_confirmed=True,
    )
    rate.refresh_from_db()
    assert rate.currency == "USD"


def test_suspended_contractor_cannot_be_assigned(clock, project, alice, manager):

    sanction(ContractorProfile.objects.get(user=alice), by=manager, reasons="Checking.")
    with pytest.raises(ValidationError, match="is suspended"):
        assign(project, alice, by=manager)


def test_only_a_vendor_manager_can_be_responsible_for_a_project(manager, accountant):
    with pytest.raises(ValidationError, match="must be a vendor manager"):
        services.project_create(details=project_details(accountant), by=manager)
    assert services.project_create(details=project_details(manager), by=manager).manager == manager
