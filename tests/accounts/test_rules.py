"""The rule book: publishing with notice, and the public /rules/ page in each language."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import ConductRule, ConductRuleText, RuleBook
from accounts.services.rules import rule_book_publish
from portal.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def _draft(version: str = "1") -> RuleBook:
    book = RuleBook.objects.create(version=version)
    rule = ConductRule.objects.create(book=book, code="Q1", max_sanction="removal")
    for language, title in [
        ("en", "Honest time"),
        ("id", "Waktu jujur"),
        ("vi", "Thời gian trung thực"),
        ("zh-hant", "誠實記錄時間"),
    ]:
        ConductRuleText.objects.create(rule=rule, language=language, title=title, text=title)
    return book


def test_publishing_needs_notice_and_tells_every_contractor(alice, bob, manager):
    book = _draft()
    with pytest.raises(ValidationError, match="14 days"):
        rule_book_publish(book=book, by=manager, effective_at=timezone.now() + timedelta(days=3))
    rule_book_publish(book=book, by=manager, effective_at=timezone.now() + timedelta(days=15))
    told = Notification.objects.filter(kind=NotificationKind.RULES_CHANGED)
    assert set(told.values_list("recipient__email", flat=True)) == {
        "alice@example.com",
        "bob@example.com",
    }
    with pytest.raises(ValidationError, match="published already"):
        rule_book_publish(book=book, by=manager, effective_at=timezone.now() + timedelta(days=30))


def _in_force() -> RuleBook:
    book = _draft()
    long_ago = timezone.now() - timedelta(days=30)
    RuleBook.objects.filter(pk=book.pk).update(published_at=long_ago, effective_at=long_ago)
    return book


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Honest time"),
        ("id", "Waktu jujur"),
        ("vi", "Thời gian trung thực"),
        ("zh-hant", "誠實記錄時間"),
    ],
)
def test_the_rules_page_is_public_and_in_the_readers_language(client, language, title):
    _in_force()
    response = client.get("/rules/", HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}"' in html
    assert title in html
    assert 'id="never-title"' in html


def test_the_rules_page_lists_what_is_never_sanctioned(client):
    html = client.get("/rules/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for words in ("other workers", "Organising", "complaint", "disturbing content"):
        assert words in html


def test_a_draft_or_future_book_is_not_in_force(client, manager):
    book = _draft()
    rule_book_publish(book=book, by=manager, effective_at=timezone.now() + timedelta(days=15))
    html = client.get("/rules/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No rule book is in force yet" in html
    assert "applies from" in html


def test_the_rules_page_costs_the_same_queries_for_one_rule_or_many(
    client, django_assert_max_num_queries
):
    book = _in_force()
    with django_assert_max_num_queries(6):
        client.get("/rules/")
    for number in range(2, 30):
        rule = ConductRule.objects.create(book=book, code=f"R{number}")
        ConductRuleText.objects.create(rule=rule, title=f"Rule {number}", text="Text.")
    with django_assert_max_num_queries(6):
        client.get("/rules/")
