"""A published rule book and cases set up through the services, for the case tests."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import ConductRule, ConductRuleText, RuleBook, RuleCategory, RuleSeverity
from accounts.services.rules import rule_book_publish
from tests import factories


def rule_book(manager, clock, **rule_overrides) -> ConductRule:
    """Version 1 with one rule, published and in force (published back in time)."""
    book = RuleBook.objects.create(version="1")
    rule = ConductRule.objects.create(
        book=book,
        code=rule_overrides.pop("code", "Q1"),
        severity=rule_overrides.pop("severity", RuleSeverity.SERIOUS),
        category=rule_overrides.pop("category", RuleCategory.QUALITY),
        warning_first=rule_overrides.pop("warning_first", False),
        max_sanction=rule_overrides.pop("max_sanction", "offboarding"),
    )
    ConductRuleText.objects.create(
        rule=rule, language="en", title="Honest time", text="Log only the time you worked."
    )
    ConductRuleText.objects.create(
        rule=rule, language="id", title="Waktu jujur", text="Catat hanya waktu kerja Anda."
    )
    with clock.back_at(timezone.now() - timedelta(days=60)):
        rule_book_publish(book=book, by=manager, effective_at=timezone.now() + timedelta(days=14))
    return rule


def second_manager():
    return factories.manager_create("second@example.com")
