"""Due process: sanctions only from a case decision, each step's rules, reinstatement."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import services as accounts_services
from accounts.models import ContractorStatus
from portal.models import Notification, NotificationKind
from projects.models import AssignmentStatus, Case, CaseEventKind, CaseStatus
from projects.services import cases
from projects.services.assignments import assignment_remove, remove_for_cause
from tests.projects.cases_setup import rule_book

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(manager, clock):
    return rule_book(manager, clock)


def _noticed(alice, manager, rule, assignment=None, proposed="removal") -> Case:
    case = cases.case_open(
        contractor=alice.contractor_profile,
        rule=rule,
        by=manager,
        evidence_summary="Hours logged on days with no activity in the tool.",
        assignment=assignment,
    )
    return cases.case_notice(case=case, by=manager, proposed_outcome=proposed)


def _decided(alice, manager, rule, assignment, outcome="removal") -> Case:
    case = _noticed(alice, manager, rule, assignment, proposed=outcome)
    cases.case_respond(case=case, by=alice, text="I worked offline those days.")
    return cases.case_decide(
        case=case,
        by=manager,
        decision=cases.Decision(outcome=outcome, reasons="The offline work is not shown."),
    )


def test_suspend_and_offboard_are_refused_without_a_case_decision(alice, manager):
    for action in (accounts_services.contractor_suspend, accounts_services.contractor_offboard):
        with pytest.raises(ValidationError, match="only by a case decision"):
            action(profile=alice.contractor_profile, by=manager, reason="Bad work.", case=None)
    alice.contractor_profile.refresh_from_db()
    assert alice.contractor_profile.status == ContractorStatus.ACTIVE


def test_an_undecided_case_does_not_allow_a_suspension(alice, manager, rule):
    case = _noticed(alice, manager, rule, proposed="suspension")
    with pytest.raises(ValidationError):
        accounts_services.contractor_suspend(
            profile=alice.contractor_profile, by=manager, reason="x", case=case
        )


def test_removal_for_cause_needs_a_case_and_other_removals_say_not_about_you(
    alice_on_project, alice, manager, rule
):
    case = _noticed(alice, manager, rule, alice_on_project)
    with pytest.raises(ValidationError):
        remove_for_cause(assignment=alice_on_project, by=manager, case=case)
    with pytest.raises(ValidationError):
        assignment_remove(assignment=alice_on_project, by=manager, reason="Bad work.", ground="")
    assignment_remove(
        assignment=alice_on_project, by=manager, reason="The client cut the batch.", ground="budget"
    )
    notice = Notification.objects.filter(recipient=alice).latest("pk")
    assert "not about you" in notice.body


def test_a_decision_before_the_response_deadline_is_refused_unless_answered(
    alice_on_project, alice, manager, rule
):
    case = _noticed(alice, manager, rule, alice_on_project)
    decision = cases.Decision(outcome="removal", reasons="Evidence stands.")
    with pytest.raises(ValidationError, match="has until"):
        cases.case_decide(case=case, by=manager, decision=decision)
    cases.case_respond(case=case, by=alice, text="I disagree.")
    case = cases.case_decide(case=case, by=manager, decision=decision)
    alice_on_project.refresh_from_db()
    assert alice_on_project.status == AssignmentStatus.REMOVED
    assert case.decided_by == manager


def test_a_decision_after_the_deadline_passes_without_an_answer(
    clock, alice_on_project, alice, manager, rule
):
    case = _noticed(alice, manager, rule, alice_on_project)
    clock.set(case.response_due_at + timedelta(minutes=1))
    cases.case_decide(
        case=case, by=manager, decision=cases.Decision(outcome="warning", reasons="Noted.")
    )


def test_warning_first_rules_refuse_a_notice_without_a_warning(alice, manager, clock):
    rule = rule_book(manager, clock, warning_first=True)
    case = cases.case_open(
        contractor=alice.contractor_profile, rule=rule, by=manager, evidence_summary="Late."
    )
    with pytest.raises(ValidationError, match="warning before"):
        cases.case_notice(case=case, by=manager, proposed_outcome="warning")
    cases.case_warn(case=case, by=manager, what_to_change="Be on time.", change_by=clock().date())
    assert cases.case_notice(case=case, by=manager, proposed_outcome="warning").status == "noticed"


def test_offboarding_takes_effect_no_sooner_than_14_days(alice, manager, rule):
    case = _noticed(alice, manager, rule, proposed="offboarding")
    cases.case_respond(case=case, by=alice, text="No.")
    with pytest.raises(ValidationError, match="14 days"):
        cases.case_decide(
            case=case, by=manager, decision=cases.Decision(outcome="offboarding", reasons="R.")
        )
    case = cases.case_decide(
        case=case,
        by=manager,
        decision=cases.Decision(
            outcome="offboarding", reasons="R.", effective_at=timezone.now() + timedelta(days=14)
        ),
    )
    alice.contractor_profile.refresh_from_db()
    assert alice.contractor_profile.status == ContractorStatus.ACTIVE
    assert cases.cases_apply_due() == 0


def test_the_appeal_is_refused_when_heard_by_the_first_decider(
    alice_on_project, alice, manager, rule
):
    case = _decided(alice, manager, rule, alice_on_project)
    cases.case_appeal(case=case, by=alice, text="Please look again.")
    with pytest.raises(ValidationError, match="someone other"):
        cases.case_appeal_decide(
            case=case,
            by=manager,
            decision=cases.AppealDecision(outcome="overturned", reasons="Fine."),
        )


def test_an_automated_signal_changes_no_status_and_waits_for_a_person(
    alice_on_project, alice, manager, rule
):
    case = cases.case_signal(
        contractor=alice.contractor_profile,
        rule=rule,
        by=manager,
        source="labelling-platform",
        summary="Accuracy dropped below 60%.",
        assignment=alice_on_project,
    )
    alice.contractor_profile.refresh_from_db()
    alice_on_project.refresh_from_db()
    assert case.status == CaseStatus.SIGNALLED
    assert alice.contractor_profile.status == ContractorStatus.ACTIVE
    assert alice_on_project.status == AssignmentStatus.ACTIVE
    assert not Notification.objects.filter(recipient=alice, kind__startswith="case").exists()
    with pytest.raises(ValidationError):
        cases.case_notice(case=case, by=manager, proposed_outcome="warning")
    assert cases.case_take(case=case, by=manager).handler == manager


def test_interim_suspension_only_for_safety_or_fraud_and_it_ends_by_itself(
    clock, alice, manager, rule
):
    case = cases.case_open(
        contractor=alice.contractor_profile, rule=rule, by=manager, evidence_summary="E."
    )
    manager.user_permissions.add(
        *__import__("django.contrib.auth.models").contrib.auth.models.Permission.objects.filter(
            codename="interim_suspend_case"
        )
    )
    manager = type(manager).objects.get(pk=manager.pk)
    with pytest.raises(ValidationError, match="safety or fraud"):
        cases.case_interim_suspend(case=case, by=manager, reason="Risk.")
    rule.category = "fraud"
    rule.save()
    case = cases.case_interim_suspend(case=case, by=manager, reason="Possible fraud.")
    alice.contractor_profile.refresh_from_db()
    assert alice.contractor_profile.status == ContractorStatus.SUSPENDED
    assert case.interim_until <= clock() + timedelta(days=11)
    clock.set(case.interim_until + timedelta(minutes=1))
    assert cases.cases_apply_due() == 1
    alice.contractor_profile.refresh_from_db()
    assert alice.contractor_profile.status == ContractorStatus.ACTIVE
    assert case.events.filter(kind=CaseEventKind.INTERIM_ENDED).exists()


def test_interim_suspension_needs_its_own_permission(alice, manager, clock):
    rule = rule_book(manager, clock, category="safety")
    case = cases.case_open(
        contractor=alice.contractor_profile, rule=rule, by=manager, evidence_summary="E."
    )
    with pytest.raises(ValidationError, match="permission"):
        cases.case_interim_suspend(case=case, by=manager, reason="Risk.")


def test_every_step_notifies_the_contractor_in_their_language(
    alice_on_project, alice, manager, rule
):
    alice.language = "id"
    alice.save(update_fields=["language"])
    _decided(alice, manager, rule, alice_on_project)
    kinds = set(Notification.objects.filter(recipient=alice).values_list("kind", flat=True))
    assert {
        NotificationKind.CASE_OPENED,
        NotificationKind.CASE_NOTICE,
        NotificationKind.CASE_DECIDED,
    } <= kinds


def test_a_named_representative_gets_the_cases_messages(
    alice_on_project, alice, manager, rule, outbox, django_capture_on_commit_callbacks
):
    manager.display_name = "Mina Hartono"
    manager.save(update_fields=["display_name"])
    case = _noticed(alice, manager, rule, alice_on_project)
    cases.case_respond(
        case=case,
        by=alice,
        text="I worked offline.",
        representative_name="Rina",
        representative_email="rina@example.org",
    )
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_decide(
            case=case,
            by=manager,
            decision=cases.Decision(outcome="warning", reasons="Log daily from now on."),
        )
    to_rep = [m for m in outbox if m.to == ["rina@example.org"]]
    assert len(to_rep) == 1
    assert "Log daily from now on." in to_rep[0].body
    assert "Mina Hartono decided" in to_rep[0].body
    assert manager.email not in to_rep[0].body


def test_a_sanction_decided_ahead_applies_on_its_date_and_a_suspension_ends_on_its_own(
    clock, alice, manager, rule
):
    case = _noticed(alice, manager, rule, proposed="suspension")
    cases.case_respond(case=case, by=alice, text="No.")
    start = clock() + timedelta(days=2)
    cases.case_decide(
        case=case,
        by=manager,
        decision=cases.Decision(
            outcome="suspension",
            reasons="Repeated.",
            effective_at=start,
            suspended_until=(start + timedelta(days=5)).date(),
        ),
    )
    profile = alice.contractor_profile
    assert cases.cases_apply_due() == 0
    clock.set(start + timedelta(minutes=1))
    assert cases.cases_apply_due() == 1
    profile.refresh_from_db()
    assert profile.status == ContractorStatus.SUSPENDED
    clock.set(start + timedelta(days=6))
    assert cases.cases_apply_due() == 1
    profile.refresh_from_db()
    assert profile.status == ContractorStatus.ACTIVE
    assert cases.cases_apply_due() == 0
