"""The representative the contractor names receives every case message from then on."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission

from portal.models import Notification
from projects.services import cases
from tests import factories
from tests.projects.cases_setup import rule_book, second_manager

pytestmark = pytest.mark.django_db

REP = "rina@example.org"


def _responded(alice, manager, rule, assignment=None, proposed="removal", rep=REP):
    case = cases.case_open(
        contractor=alice.contractor_profile,
        rule=rule,
        by=manager,
        evidence_summary="Hours logged on days with no activity in the tool.",
        assignment=assignment,
    )
    case = cases.case_notice(case=case, by=manager, proposed_outcome=proposed)
    cases.case_respond(
        case=case,
        by=alice,
        text="I worked offline.",
        representative_name="Rina",
        representative_email=rep,
    )
    return case


def _to(outbox, address):
    return [m for m in outbox if m.to == [address]]


def test_every_message_after_the_response_reaches_the_representative_by_email(
    clock, alice, manager, alice_on_project, outbox, django_capture_on_commit_callbacks
):
    rule = rule_book(manager, clock)
    case = _responded(alice, manager, rule, alice_on_project)
    with django_capture_on_commit_callbacks(execute=True):
        # Decided with immediate effect: the decision and the sanction applying.
        cases.case_decide(
            case=case,
            by=manager,
            decision=cases.Decision(outcome="removal", reasons="Hours without activity."),
        )
    assert len(_to(outbox, REP)) == 2
    cases.case_appeal(case=case, by=alice, text="The tool was down; here is the log.")
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_appeal_decide(
            case=case,
            by=second_manager(),
            decision=cases.AppealDecision(outcome="overturned", reasons="The tool was down."),
        )
    to_rep = _to(outbox, REP)
    assert len(to_rep) == 3
    assert all("You are named as the representative" in m.body for m in to_rep)
    assert "The tool was down." in to_rep[-1].body
    # Not a user here: email only, nothing in anyone else's bell.
    assert not Notification.objects.exclude(recipient=alice).exists()


def test_the_representative_hears_of_an_interim_suspension_and_its_end(
    clock, alice, manager, outbox, django_capture_on_commit_callbacks
):
    rule = rule_book(manager, clock, category="fraud")
    manager.user_permissions.add(Permission.objects.get(codename="interim_suspend_case"))
    manager = type(manager).objects.get(pk=manager.pk)
    case = _responded(alice, manager, rule, proposed="suspension")
    with django_capture_on_commit_callbacks(execute=True):
        case = cases.case_interim_suspend(case=case, by=manager, reason="Possible fraud.")
    clock.set(case.interim_until + timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert cases.cases_apply_due() == 1
    subjects = [m.subject for m in _to(outbox, REP)]
    assert subjects == [
        f"Interim suspension in case {case.pk}",
        f"The interim suspension in case {case.pk} ended",
    ]


def test_a_representative_with_an_account_also_gets_it_in_the_app_in_their_language(
    clock, alice, manager, outbox, django_capture_on_commit_callbacks
):
    rule = rule_book(manager, clock)
    rep = factories.user_create("Rep@Example.org", language="id")
    case = _responded(alice, manager, rule, proposed="warning", rep="rep@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_decide(
            case=case,
            by=manager,
            decision=cases.Decision(outcome="warning", reasons="Log daily from now on."),
        )
    notice = Notification.objects.get(recipient=rep)
    assert notice.language == "id"
    assert notice.link == ""  # The case page is the contractor's alone.
    assert "Log daily from now on." in notice.body
    assert len(_to(outbox, rep.email)) == 1
