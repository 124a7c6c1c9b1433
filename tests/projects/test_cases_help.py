"""A help question can be about one of the contractor's own cases."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.support import services as support
from portal.support.models import AboutKind, Category, Conversation
from projects.services import cases
from tests.projects.cases_setup import rule_book

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(clock, manager):
    return rule_book(manager, clock)


def _open(contractor, manager, rule):
    return cases.case_open(
        contractor=contractor.contractor_profile,
        rule=rule,
        by=manager,
        evidence_summary="Hours logged with no activity.",
    )


def test_the_ask_form_offers_the_askers_own_cases_and_the_question_links_to_it(
    client, alice, bob, manager, rule
):
    mine = _open(alice, manager, rule)
    theirs = _open(bob, manager, rule)
    waiting = cases.case_signal(
        contractor=alice.contractor_profile, rule=rule, by=manager, source="p", summary="s"
    )
    client.force_login(alice)
    labels = dict(client.get(reverse("support:ask")).context["form"].fields["about"].choices)
    assert f"{AboutKind.CASE}:{mine.pk}" in labels
    assert labels[f"case:{mine.pk}"].startswith(f"Case {mine.pk}, opened ")
    # Not another person's case, nor a signal no person has taken up.
    assert f"case:{theirs.pk}" not in labels and f"case:{waiting.pk}" not in labels

    response = client.post(
        reverse("support:ask"),
        {
            "category": Category.ACCOUNT,
            "about": f"case:{mine.pk}",
            "subject": "My case",
            "body": "What does the evidence mean?",
        },
        follow=True,
    )
    conversation = Conversation.objects.get()
    assert (conversation.about_kind, conversation.about_id) == ("case", mine.pk)
    page = response.content.decode()
    assert f'href="{reverse("cases:detail", args=[mine.pk])}"' in page


def test_a_question_about_someone_elses_case_is_refused(alice, bob, manager, rule):
    theirs = _open(bob, manager, rule)
    with pytest.raises(ValidationError, match="cases"):
        support.conversation_open(
            by=alice,
            category=Category.ACCOUNT,
            subject="Their case",
            body="?",
            about_kind=AboutKind.CASE,
            about_id=theirs.pk,
        )
    assert not Conversation.objects.exists()
