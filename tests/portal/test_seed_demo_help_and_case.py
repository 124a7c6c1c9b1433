"""The demo's help conversation and case: made through the services, once."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import RuleBook
from portal.management.commands import seed_demo
from portal.support.models import Conversation, ConversationStatus, Message
from projects.models import Case, CaseStatus

pytestmark = pytest.mark.django_db


def _seed(settings) -> str:
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_contractor_has_an_answered_question_and_a_case_to_answer(settings):
    _seed(settings)

    conversation = Conversation.objects.get(contractor__email=seed_demo.CONTRACTOR_EMAIL)
    assert conversation.status == ConversationStatus.WAITING_ON_CONTRACTOR
    assert conversation.assignee.email == seed_demo.MANAGER_EMAIL
    assert conversation.about_kind == "payout"
    assert list(conversation.messages.values_list("from_staff", flat=True)) == [False, True]

    case = Case.objects.get(contractor__user__email=seed_demo.CONTRACTOR_EMAIL)
    assert case.status == CaseStatus.NOTICED
    assert case.rule.book.effective_at <= timezone.now()
    assert case.response_due_at > timezone.now()
    assert case.assignment.project.name == seed_demo.SEARCH
    assert case.evidence.filter(withheld_reason="").count() == 1


def test_seeding_again_adds_no_second_question_case_or_rule_book(settings):
    _seed(settings)
    before = [Conversation.objects.count(), Message.objects.count(), Case.objects.count()]
    assert RuleBook.objects.count() == 1

    _seed(settings)

    assert [Conversation.objects.count(), Message.objects.count(), Case.objects.count()] == before
    assert RuleBook.objects.count() == 1
