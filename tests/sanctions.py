"""A decided case ordering a sanction, for tests that need a suspended or offboarded contractor.

Suspension and offboarding follow only a case decision, so tests reach them the
same way: a rule in force, a case with a notice, the contractor's answer, a
decision. ``sanction_order`` decides with a later effective date and leaves the
sanction for the test to apply with the service it is testing; ``sanction``
applies it now, as a decision that takes effect at once does.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import (
    ConductRule,
    ConductRuleText,
    ContractorProfile,
    RuleBook,
    RuleSeverity,
    User,
)
from projects.models import Case
from projects.services import cases


def rule_in_force() -> ConductRule:
    """Rule T1, egregious (offboarding needs no 14 days' wait), in a book already in force.

    The book is written as if published long ago: publishing now would only
    take effect after the notice period.
    """
    rule = ConductRule.objects.filter(book__version="test", code="T1").first()
    if rule is not None:
        return rule
    long_ago = timezone.now() - timedelta(days=365)
    book = RuleBook.objects.create(version="test", published_at=long_ago, effective_at=long_ago)
    rule = ConductRule.objects.create(
        book=book,
        code="T1",
        severity=RuleSeverity.EGREGIOUS,
        warning_first=False,
        max_sanction="offboarding",
    )
    ConductRuleText.objects.create(rule=rule, title="Test rule", text="A rule for tests.")
    return rule


def _decide(profile: ContractorProfile, *, by: User, outcome: str, reasons: str, later: bool):
    case = cases.case_open(
        contractor=profile, rule=rule_in_force(), by=by, evidence_summary="Test evidence."
    )
    case = cases.case_notice(case=case, by=by, proposed_outcome=outcome)
    cases.case_respond(case=case, by=profile.user, text="My answer.")
    now = timezone.now()
    start = now + timedelta(days=15) if later else now
    return cases.case_decide(
        case=case,
        by=by,
        decision=cases.Decision(
            outcome=outcome,
            reasons=reasons,
            effective_at=start,
            suspended_until=(start + timedelta(days=30)).date()
            if outcome == "suspension"
            else None,
        ),
    )


def sanction_order(
    profile: ContractorProfile, *, by: User, outcome: str = "suspension", reasons: str = "R."
) -> Case:
    """A decision ordering ``outcome`` from a later date: nothing applied yet."""
    return _decide(profile, by=by, outcome=outcome, reasons=reasons, later=True)


def sanction(
    profile: ContractorProfile, *, by: User, outcome: str = "suspension", reasons: str = "R."
) -> Case:
    """A decision ordering ``outcome`` at once: the contractor is suspended or offboarded."""
    return _decide(profile, by=by, outcome=outcome, reasons=reasons, later=False)
