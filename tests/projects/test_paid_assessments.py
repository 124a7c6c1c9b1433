"""Paid assessments and training: enrolled before any project, paid at least at the floor,
outside the weekly caps, and all the way to a payout line."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import ContractorStatus
from payments.models import AdjustmentKind, PayoutLine
from portal.models import ExchangeRate
from projects import services
from projects.models import (
    Assignment,
    EntryKind,
    EntryStatus,
    FloorBasis,
    FloorUnit,
    InvitationStatus,
    Project,
    ProjectInvitation,
    ProjectPurpose,
    TimeEntry,
    WageFloor,
)
from projects.services.floors import wage_floor_add
from tests import factories
from tests.payments import factories as pay
from tests.projects.factories import LAST_MONDAY, SETUP_AT, THIS_MONDAY, log, project_create
from tests.projects.test_admin import _empty_inlines

pytestmark = pytest.mark.django_db

PROJECTS = reverse("admin:projects_project_changelist")
SOURCE = {
    "source_name": "Mindestlohnkommission",
    "source_url": "https://example.org/mindestlohn",
    "licence": "public domain — official figure",
    "retrieved_on": date(2026, 1, 5),
}


def _floor(amount_minor: int, *, valid_from: date = date(2026, 1, 1), currency: str = "EUR"):
    return wage_floor_add(
        by=None,
        floor=WageFloor(
            country="DE",
            basis=FloorBasis.STATUTORY,
            amount_minor=amount_minor,
            currency=currency,
            unit=FloorUnit.HOUR,
            valid_from=valid_from,
            **SOURCE,
        ),
    )


@pytest.fixture
def assessment(clock, manager):
    """An hour-long paid onboarding assessment, at 20.00 EUR an hour unless floored."""
    with clock.back_at(SETUP_AT):
        return project_create(
            manager,
            name="Onboarding assessment",
            purpose=ProjectPurpose.ASSESSMENT,
            time_limit_minutes=60,
            default_rate_minor=2000,
            languages=[],
        )


@pytest.fixture
def newcomer(clock, manager):
    """Approved on SETUP_AT and still onboarding: no agreement, no tax form, no payout details."""
    with clock.back_at(SETUP_AT):
        user, application = factories.applicant_create(
            "olga@example.com", legal_name="Olga Newcomer", display_name="Olga"
        )
        account_services.application_approve(application=application, by=manager)
    user.refresh_from_db()
    assert user.contractor_profile.status == ContractorStatus.ONBOARDING
    return user


def _enrol(project, user, *, by, clock, rate_minor=None):
    with clock.back_at(SETUP_AT):
        return services.paid_activity_enrol(
            project=project, contractor=user.contractor_profile, by=by, rate_minor=rate_minor
        )


# --- Enrolment -------------------------------------------------------------------------


def test_a_contractor_still_onboarding_is_enrolled_with_no_other_assignment(
    clock, assessment, newcomer, manager
):
    enrolment = _enrol(assessment, newcomer, by=manager, clock=clock)
    assert list(Assignment.objects.filter(contractor__user=newcomer)) == [enrolment.assignment]
    assert enrolment.assignment.weekly_cap_minutes is None
    assert (enrolment.rate.rate_minor, enrolment.rate.currency) == (2000, "EUR")
    assert enrolment.raised_from_minor is None
    # Project work still waits for onboarding to finish.
    work = project_create(manager, name="Search relevance")
    with pytest.raises(ValidationError, match="still onboarding"):
        services.assignment_create(project=work, contractor=newcomer.contractor_profile, by=manager)


def test_applicants_and_work_projects_are_not_enrolled(
    clock, assessment, project, applicant, alice, manager
):
    with pytest.raises(ValidationError, match="only contractors whose application is approved"):
        _enrol(assessment, applicant, by=manager, clock=clock)
    with pytest.raises(ValidationError, match="is project work"):
        _enrol(project, alice, by=manager, clock=clock)
    _enrol(assessment, alice, by=manager, clock=clock)
    with pytest.raises(ValidationError, match="already enrolled"):
        _enrol(assessment, alice, by=manager, clock=clock)


def test_assigning_to_an_assessment_is_refused_in_favour_of_enrolment(
    clock, assessment, alice, manager
):
    with pytest.raises(ValidationError, match="enrol contractors in it instead"):
        services.assignment_create(
            project=assessment, contractor=alice.contractor_profile, by=manager
        )
    assert not Assignment.objects.exists()


def test_a_rate_below_the_floor_is_raised_to_the_floor(clock, assessment, alice, bob, manager):
    _floor(2600)
    low = _enrol(assessment, alice, by=manager, clock=clock, rate_minor=1000)
    assert (low.rate.rate_minor, low.raised_from_minor) == (2600, 1000)
    # No rate given: the project's default (20.00) is below the floor too.
    default = _enrol(assessment, bob, by=manager, clock=clock)
    assert (default.rate.rate_minor, default.raised_from_minor) == (2600, 2000)


def test_a_rate_above_the_floor_is_kept(clock, assessment, alice, manager):
    _floor(2600)
    enrolment = _enrol(assessment, alice, by=manager, clock=clock, rate_minor=3000)
    assert (enrolment.rate.rate_minor, enrolment.raised_from_minor) == (3000, None)


def test_a_floor_in_another_currency_is_converted_and_rounded_up(clock, assessment, alice, manager):
    _floor(3000, currency="USD")
    ExchangeRate.objects.create(
        from_currency="EUR", to_currency="USD", rate=Decimal("1.1"), on=date(2026, 1, 1), source="T"
    )
    enrolment = _enrol(assessment, alice, by=manager, clock=clock)
    # $30.00 ÷ 1.1 = €27.2727…, rounded up.
    assert (enrolment.rate.rate_minor, enrolment.rate.currency) == (2728, "EUR")


def test_without_an_exchange_rate_to_the_floor_nobody_is_enrolled(
    clock, assessment, alice, manager
):
    _floor(1000, currency="USD")
    with pytest.raises(ValidationError) as refused:
        _enrol(assessment, alice, by=manager, clock=clock)
    assert "No exchange rate from USD to EUR" in refused.value.message_dict["rate"][0]
    assert not Assignment.objects.exists()


def test_an_assessment_needs_a_time_limit_and_work_has_none(manager):
    with pytest.raises(ValidationError, match="needs a time limit"):
        project_create(manager, name="No limit", purpose=ProjectPurpose.TRAINING)
    with pytest.raises(ValidationError, match="needs a time limit"):
        project_create(manager, name="Work with a limit", time_limit_minutes=60)


def test_the_admin_action_enrols_and_says_the_rate_was_raised(
    clock, client, assessment, newcomer, manager
):
    _floor(2600)
    client.force_login(manager)
    payload = {
        "action": "enrol_contractors",
        ACTION_CHECKBOX_NAME: [assessment.pk],
        "apply": "1",
        "contractors": [newcomer.contractor_profile.pk],
        "rate": "10",
    }
    done = client.post(PROJECTS, payload, follow=True)
    messages = [str(message) for message in done.context["messages"]]
    assert any("raised to their wage floor" in message for message in messages), messages
    assignment = Assignment.objects.get(contractor__user=newcomer)
    assert assignment.rates.get().rate_minor == 2600


def _project_form(manager, **overrides) -> dict:
    return {
        "name": "Rating guidelines assessment",
        "description": "Rate twenty samples.",
        "guidelines": "",
        "guidelines_url": "",
        "purpose": "assessment",
        "default_rate": "20.00",
        "currency": "EUR",
        "expected_hours_per_week": "1",
        "weekly_cap": "",
        "time_limit": "1:00",
        "start_on": "2026-10-01",
        "end_on": "",
        "manager": manager.pk,
        **_empty_inlines(),
        **overrides,
    }


def test_a_manager_sets_up_an_assessment_with_a_time_limit_instead_of_a_cap(clock, client, manager):
    client.force_login(manager)
    missing = client.post(
        reverse("admin:projects_project_add"), _project_form(manager, time_limit="")
    )
    assert missing.status_code == 200
    assert "time_limit" in missing.context["adminform"].form.errors
    done = client.post(reverse("admin:projects_project_add"), _project_form(manager))
    assert done.status_code == 302, done.context["adminform"].form.errors
    project = Project.objects.get()
    assert (project.purpose, project.time_limit_minutes) == (ProjectPurpose.ASSESSMENT, 60)


# --- Logging time -----------------------------------------------------------------------


def test_assessment_time_does_not_count_against_a_work_projects_cap(
    clock, assessment, alice_on_project, alice, manager
):
    enrolment = _enrol(assessment, alice, by=manager, clock=clock)
    for offset in range(5):  # the work project's weekly cap: 20:00
        log(alice, alice_on_project, LAST_MONDAY + timedelta(days=offset), 4 * 60)
    log(alice, enrolment.assignment, LAST_MONDAY, 60, kind=EntryKind.ASSESSMENT)
    with pytest.raises(ValidationError, match="over the weekly cap of 20:00"):
        log(alice, alice_on_project, LAST_MONDAY + timedelta(days=5), 30)


def test_the_assessments_limit_counts_every_week(clock, assessment, alice, manager):
    enrolment = _enrol(assessment, alice, by=manager, clock=clock)
    log(alice, enrolment.assignment, LAST_MONDAY - timedelta(days=7), 45, kind="assessment")
    with pytest.raises(ValidationError) as refused:
        log(alice, enrolment.assignment, LAST_MONDAY, 30, kind="assessment")
    assert "would come to 1:15, over its limit of 1:00" in str(refused.value)
    log(alice, enrolment.assignment, LAST_MONDAY, 15, kind="assessment")
    assert sum(TimeEntry.objects.values_list("minutes", flat=True)) == 60


def test_an_assessment_takes_time_of_its_own_kind_only(clock, assessment, alice, manager):
    enrolment = _enrol(assessment, alice, by=manager, clock=clock)
    with pytest.raises(ValidationError, match="is logged as assessment"):
        log(alice, enrolment.assignment, LAST_MONDAY, 30, kind=EntryKind.TASK)


def test_the_time_entries_api_takes_the_assessment_like_any_assignment(
    clock, assessment, newcomer, manager
):
    enrolment = _enrol(assessment, newcomer, by=manager, clock=clock)
    api = APIClient()
    api.force_authenticate(newcomer)
    listed = api.get("/api/v1/assignments").json()["results"]
    assert [(a["project"]["purpose"], a["project"]["time_limit_minutes"]) for a in listed] == [
        ("assessment", 60)
    ]
    created = api.post(
        "/api/v1/time-entries",
        {
            "assignment": enrolment.assignment.pk,
            "work_on": LAST_MONDAY.isoformat(),
            "kind": "assessment",
            "minutes": 50,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    over = api.post(
        "/api/v1/time-entries",
        {
            "assignment": enrolment.assignment.pk,
            "work_on": (LAST_MONDAY + timedelta(days=1)).isoformat(),
            "kind": "assessment",
            "minutes": 20,
        },
        format="json",
    )
    assert over.status_code == 400
    assert "over its limit of 1:00" in str(over.json())


# --- All the way to a payout -----------------------------------------------------------


def test_a_paid_assessment_logged_before_any_assignment_reaches_a_payout(
    clock, client, assessment, newcomer, manager
):
    _floor(2600)
    enrolment = _enrol(assessment, newcomer, by=manager, clock=clock, rate_minor=1500)
    [entry] = pay.approved_week(
        enrolment.assignment, manager=manager, minutes=[45], kind=EntryKind.ASSESSMENT
    )
    assert (entry.status, entry.rate_minor) == (EntryStatus.APPROVED, 2600)
    pay.generate(pay.closed_period(LAST_MONDAY, by=manager), by=manager)

    line = PayoutLine.objects.select_related("payout").get(time_entry=entry)
    assert (line.kind, line.project_id, line.minutes) == ("assessment", assessment.pk, 45)
    assert line.amount_minor == 1950  # 45 minutes at 26.00 an hour
    assert line.payout.contractor.user == newcomer
    # Still onboarding, with no payout details yet: the payout is drafted all the same.
    assert newcomer.contractor_profile.status == ContractorStatus.ONBOARDING

    client.force_login(newcomer)
    body = client.get(reverse("payments:payout", args=[line.payout.pk])).content.decode()
    assert "Onboarding assessment" in body
    assert "Assessment" in body
    assert "€19.50" in body


def test_a_floor_that_rises_before_the_work_day_is_topped_up(clock, assessment, alice, manager):
    _floor(2600)
    enrolment = _enrol(assessment, alice, by=manager, clock=clock)
    _floor(3000, valid_from=LAST_MONDAY)
    pay.approved_week(enrolment.assignment, manager=manager, minutes=[60], kind="assessment")
    pay.generate(pay.closed_period(LAST_MONDAY, by=manager), by=manager)
    payout = alice.contractor_profile.payouts.get()
    top_up = payout.adjustments.get(kind=AdjustmentKind.FLOOR_TOP_UP)
    assert (payout.gross_minor, top_up.amount_minor) == (2600, 400)


# --- Pages --------------------------------------------------------------------------


def test_the_timesheet_of_a_contractor_still_onboarding_offers_the_assessment(
    clock, client, assessment, newcomer, manager
):
    enrolment = _enrol(assessment, newcomer, by=manager, clock=clock)
    client.force_login(newcomer)
    body = client.get(reverse("projects:timesheet"), {"week": THIS_MONDAY.isoformat()})
    html = body.content.decode()
    assert f'name="m-{enrolment.assignment.pk}-assessment-{THIS_MONDAY.isoformat()}"' in html
    assert f'name="m-{enrolment.assignment.pk}-task-' not in html
    assert "Paid assessments and training" in html
    assert "0:00 logged of 1:00" in html
    assert reverse("projects:timesheet") in html  # in the navigation while onboarding


def _home(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("home")).content.decode()
    return html, len(queries)


def test_home_keeps_assessments_apart_from_projects(clock, client, assessment, alice, manager):
    enrolment = _enrol(assessment, alice, by=manager, clock=clock)
    log(alice, enrolment.assignment, LAST_MONDAY, 20, kind="assessment")
    client.force_login(alice)
    html, _count = _home(client)
    assert "You are not on a project yet" in html
    assert "Your projects this week" not in html
    assert "Paid assessments and training" in html
    assert "0:20 logged of 1:00" in html


def test_an_assessment_adds_no_query_to_home(
    clock, client, assessment, alice_on_project, alice, manager
):
    log(alice, alice_on_project, LAST_MONDAY, 60)
    client.force_login(alice)
    _home(client)  # warm the per-process caches first
    _html, without = _home(client)
    enrolment = _enrol(assessment, alice, by=manager, clock=clock)
    log(alice, enrolment.assignment, LAST_MONDAY, 20, kind="assessment")
    html, with_assessment = _home(client)
    assert "Your projects this week" in html
    assert "You are not on a project yet" not in html
    assert "Paid assessments and training" in html
    assert with_assessment == without
    assert with_assessment <= 12


# --- Content warnings ------------------------------------------------------------------


def test_an_assessment_with_a_content_warning_is_joined_only_by_reading_it(
    clock, assessment, newcomer, manager
):
    Project.objects.filter(pk=assessment.pk).update(content_warning="disturbing")
    assessment.refresh_from_db()

    with pytest.raises(ValidationError, match="content warning"):
        _enrol(assessment, newcomer, by=manager, clock=clock)
    assert not Assignment.objects.filter(project=assessment).exists()

    with clock.back_at(SETUP_AT):
        invitation = services.project_invite(
            project=assessment, contractor=newcomer.contractor_profile, by=manager
        )
        with pytest.raises(ValidationError, match="content warning"):
            services.invitation_accept(invitation=invitation, by=newcomer)
        # Still onboarding, the newcomer joins the assessment once the warning is read.
        assignment = services.invitation_accept(
            invitation=invitation, by=newcomer, warning_read=True
        )
    assert assignment.project == assessment
    assert assignment.contractor == newcomer.contractor_profile


# --- Invitations: the project's currency only ----------------------------------------


def test_an_invitation_to_an_assessment_in_another_currency_is_refused(
    clock, assessment, newcomer, manager
):
    with clock.back_at(SETUP_AT), pytest.raises(ValidationError) as refused:
        services.project_invite(
            project=assessment,
            contractor=newcomer.contractor_profile,
            by=manager,
            rate_minor=1_500_000,
            currency="IDR",
        )
    assert "EUR only" in refused.value.message_dict["currency"][0]
    assert not ProjectInvitation.objects.filter(project=assessment).exists()


def test_an_invitation_in_another_currency_is_never_accepted_as_the_projects(
    clock, assessment, newcomer, manager
):
    with clock.back_at(SETUP_AT):
        invitation = services.project_invite(
            project=assessment, contractor=newcomer.contractor_profile, by=manager
        )
    # An invitation written before the currency was held to the project's.
    ProjectInvitation.objects.filter(pk=invitation.pk).update(rate_minor=1_500_000, currency="IDR")
    invitation.refresh_from_db()

    with clock.back_at(SETUP_AT), pytest.raises(ValidationError, match="offers a rate in IDR"):
        services.invitation_accept(invitation=invitation, by=newcomer)

    assert not Assignment.objects.filter(project=assessment).exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_the_admin_invite_form_refuses_another_currency_next_to_the_field(
    clock, client, assessment, newcomer, manager
):
    client.force_login(manager)
    with clock.back_at(SETUP_AT):
        response = client.post(
            PROJECTS,
            {
                "action": "invite_contractors",
                ACTION_CHECKBOX_NAME: [assessment.pk],
                "apply": "1",
                "contractors": [newcomer.contractor_profile.pk],
                "rate": "15000.00",
                "currency": "IDR",
            },
        )
    assert response.status_code == 200
    assert "EUR only" in " ".join(response.context["form"].errors["currency"])
    assert not ProjectInvitation.objects.filter(project=assessment).exists()
