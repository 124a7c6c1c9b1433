"""Staff names stored as the local part of an email address, from before display names,
are put right: the display name, or the neutral name."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from rest_framework.test import APIClient

from portal.support import services
from portal.support.models import Conversation, Message
from tests import factories
from tests.portal.support_helpers import ask

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("portal.support.migrations.0006_projsec_staff_names_not_emails")
NEUTRAL = "A member of the vendor team"


def _answered(asker, by, *, old_name: str) -> Conversation:
    """A conversation answered by ``by``, its names stored as they were before display names."""
    conversation = ask(asker)
    message = services.conversation_answer(conversation=conversation, by=by, body="Sent today.")
    Conversation.objects.filter(pk=conversation.pk).update(assignee_name=old_name)
    Message.objects.filter(pk=message.pk).update(author_name=old_name)
    return conversation


def _names(conversation: Conversation) -> tuple[str, list[str]]:
    conversation.refresh_from_db()
    authors = conversation.messages.filter(from_staff=True).values_list("author_name", flat=True)
    return conversation.assignee_name, list(authors)


def test_an_email_local_part_becomes_the_display_name_or_blank(alice, bob, manager):
    mira = factories.manager_create("mira.k@example.com")
    mira.display_name = "Mira"
    mira.save(update_fields=["display_name"])
    by_mira = _answered(alice, mira, old_name="mira.k")
    by_manager = _answered(bob, manager, old_name="manager")
    chosen = _answered(alice, manager, old_name="Payroll desk")

    MIGRATION.names_from_emails_forget(apps, None)

    assert _names(by_mira) == ("Mira", ["Mira"])
    assert _names(by_manager) == ("", [""])
    # A name someone chose is nobody's address: it stays.
    assert _names(chosen) == ("Payroll desk", ["Payroll desk"])


def test_a_message_written_under_a_colleagues_address_loses_it_too(alice, manager):
    colleague = factories.manager_create("sam.w@example.com")
    conversation = _answered(alice, manager, old_name="sam.w")
    Conversation.objects.filter(pk=conversation.pk).update(assignee=colleague)

    MIGRATION.names_from_emails_forget(apps, None)

    assert _names(conversation) == ("", [""])


def test_after_the_fix_the_asker_reads_the_neutral_name_and_no_address(client, alice, manager):
    conversation = _answered(alice, manager, old_name="manager")
    MIGRATION.names_from_emails_forget(apps, None)
    client.force_login(alice)
    api = APIClient()
    api.force_authenticate(alice)

    page = client.get(reverse("support:conversation", args=[conversation.pk])).content.decode()
    data = api.get(f"/api/v1/support/conversations/{conversation.pk}").json()

    assert f"Answered by {NEUTRAL}" in page
    assert ">manager<" not in page
    assert "manager@example.com" not in page
    staff = [message for message in data["messages"] if message["from_staff"]]
    assert [message["author_name"] for message in staff] == [NEUTRAL]
    assert data["answered_by"] == NEUTRAL
