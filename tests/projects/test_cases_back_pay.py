"""Reinstatement on appeal: status and assignments back, back pay on the next payout,
and hours worked before the sanction paid whatever the outcome."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from payments.models import Adjustment, AdjustmentKind
from projects.models import AssignmentStatus, CaseBackPay, CaseStatus
from projects.services import cases
from tests.payments import factories as pay
from tests.projects.cases_setup import rule_book, second_manager
from tests.projects.factories import LAST_MONDAY, NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def removed(clock, manager, alice, alice_on_project):
    """Alice's approved last week (5 × 2:00 at 25.00 EUR = 250.00), then removed for cause now."""
    pay.approved_week(alice_on_project, manager=manager, minutes=[120] * 5)
    rule = rule_book(manager, clock)
    case = cases.case_open(
        contractor=alice.contractor_profile,
        rule=rule,
        by=manager,
        evidence_summary="Hours logged on days with no activity.",
        assignment=alice_on_project,
    )
    case = cases.case_notice(case=case, by=manager, proposed_outcome="removal")
    cases.case_respond(case=case, by=alice, text="I worked offline; here is my log.")
    case = cases.case_decide(
        case=case, by=manager, decision=cases.Decision(outcome="removal", reasons="Not shown.")
    )
    alice_on_project.refresh_from_db()
    assert alice_on_project.status == AssignmentStatus.REMOVED
    cases.case_appeal(case=case, by=alice, text="The offline log was not read.")
    return case


def test_reinstatement_restores_the_assignment_and_adds_back_pay_to_the_next_payout(
    clock, removed, alice_on_project, manager
):
    clock.set(NOW + timedelta(days=14))
    case = cases.case_appeal_decide(
        case=removed,
        by=second_manager(),
        decision=cases.AppealDecision(outcome="overturned", reasons="The log shows the work."),
    )
    assert case.status == CaseStatus.REINSTATED
    alice_on_project.refresh_from_db()
    assert alice_on_project.status == AssignmentStatus.ACTIVE
    back_pay = CaseBackPay.objects.get(case=case)
    # 250.00 EUR over 8 weeks, for 2 weeks out: a quarter, 62.50.
    assert (back_pay.amount_minor, back_pay.currency, back_pay.days_out) == (6250, "EUR", 14)

    period = pay.closed_period(LAST_MONDAY, by=manager)
    pay.generate(period, by=manager)

    payout = alice_on_project.contractor.payouts.get()
    # The week worked before the removal is paid, and the back pay rides on the same payout.
    assert payout.gross_minor == 25000
    assert payout.net_minor == 25000 + 6250
    adjustment = Adjustment.objects.get(payout=payout)
    assert adjustment.amount_minor == 6250
    # Its own kind, so the contractor and the payroll read it as back pay, not a correction.
    assert adjustment.kind == AdjustmentKind.BACK_PAY
    assert adjustment.get_kind_display() == "Back pay"
    back_pay.refresh_from_db()
    assert back_pay.adjustment_pk == adjustment.pk
    pay.generate(period, by=manager)
    assert Adjustment.objects.filter(payout=payout).count() == 1


def test_a_changed_back_pay_needs_a_reason(clock, removed):
    clock.set(NOW + timedelta(days=14))
    hearer = second_manager()
    decision = cases.AppealDecision(outcome="overturned", reasons="R.", back_pay_minor=10000)
    with pytest.raises(ValidationError, match="differs"):
        cases.case_appeal_decide(case=removed, by=hearer, decision=decision)
    decision = cases.AppealDecision(
        outcome="overturned",
        reasons="R.",
        back_pay_minor=10000,
        back_pay_reason="A project bonus was also lost.",
    )
    cases.case_appeal_decide(case=removed, by=hearer, decision=decision)
    assert CaseBackPay.objects.get(case=removed).amount_minor == 10000


def test_an_upheld_appeal_keeps_the_removal_and_still_pays_the_hours(
    clock, removed, alice_on_project, manager
):
    cases.case_appeal_decide(
        case=removed,
        by=second_manager(),
        decision=cases.AppealDecision(outcome="upheld", reasons="The log was read."),
    )
    alice_on_project.refresh_from_db()
    assert alice_on_project.status == AssignmentStatus.REMOVED
    period = pay.closed_period(LAST_MONDAY, by=manager)
    pay.generate(period, by=manager)
    assert alice_on_project.contractor.payouts.get().gross_minor == 25000
    assert not CaseBackPay.objects.exists()
