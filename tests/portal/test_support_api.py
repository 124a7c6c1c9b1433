"""Support through the API: the asker's conversations and the staff queue, same services."""

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from portal.support import services
from portal.support.models import Conversation, ConversationStatus, Message
from tests.factories import manager_create
from tests.portal.support_helpers import ask

pytestmark = pytest.mark.django_db

LIST = "/api/v1/support/conversations"
QUEUE = "/api/v1/support/queue"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_contractor_opens_replies_and_closes(alice, manager):
    api = _client(alice)
    opened = api.post(
        LIST,
        {"category": "pay", "subject": "Missing payout", "body": "Week of 16 Nov."},
        format="json",
    )
    assert opened.status_code == 201, opened.content
    pk = opened.data["id"]
    assert opened.data["status"] == ConversationStatus.WAITING_ON_SUPPORT
    assert opened.data["due_at"]
    assert [m["body"] for m in opened.data["messages"]] == ["Week of 16 Nov."]

    services.conversation_note(
        conversation=Conversation.objects.get(pk=pk), by=manager, body="secret"
    )
    services.conversation_answer(
        conversation=Conversation.objects.get(pk=pk), by=manager, body="Paid."
    )
    replied = api.post(f"{LIST}/{pk}/reply", {"body": "Thanks, not yet."}, format="json")
    assert replied.status_code == 200
    assert [m["from_staff"] for m in replied.data["messages"]] == [False, True, False]
    assert "secret" not in replied.content.decode()

    closed = api.post(f"{LIST}/{pk}/close")
    assert closed.data["status"] == ConversationStatus.CLOSED
    assert api.get(LIST).data["count"] == 1


def test_bad_input_is_a_400_and_changes_nothing(alice):
    api = _client(alice)
    refused = api.post(LIST, {"category": "pay", "subject": " ", "body": "x"}, format="json")
    assert refused.status_code == 400
    about = api.post(
        LIST,
        {"category": "pay", "subject": "A", "body": "x", "about_kind": "payout", "about_id": 9},
        format="json",
    )
    assert about.status_code == 400 and "about" in about.data
    assert not Message.objects.exists()


def test_another_contractors_conversation_is_a_404(alice, bob):
    conversation = ask(alice)
    api = _client(bob)
    assert api.get(f"{LIST}/{conversation.pk}").status_code == 404
    assert (
        api.post(f"{LIST}/{conversation.pk}/reply", {"body": "x"}, format="json").status_code == 404
    )
    assert api.post(f"{LIST}/{conversation.pk}/close").status_code == 404
    assert api.get(LIST).data["count"] == 0


def test_staff_list_by_clock_answer_and_assign(alice, bob, manager):
    first = ask(alice, category="other", subject="Later")
    second = ask(bob, category="pay", subject="Sooner")
    api = _client(manager)
    queue = api.get(QUEUE)
    assert [row["id"] for row in queue.data["results"]] == [second.pk, first.pk]

    dewi = manager_create("dewi@example.com")
    assigned = api.post(
        f"{QUEUE}/{first.pk}/assign", {"to": dewi.email, "shown_name": "Dewi"}, format="json"
    )
    assert (assigned.data["assignee"], assigned.data["answered_by"]) == (dewi.email, "Dewi")
    answered = api.post(f"{QUEUE}/{first.pk}/answer", {"body": "Here you go."}, format="json")
    assert answered.data["status"] == ConversationStatus.WAITING_ON_CONTRACTOR
    assert (
        api.post(f"{QUEUE}/{first.pk}/assign", {"to": bob.email}, format="json").status_code == 400
    )


def test_contractors_cannot_use_the_queue(alice):
    conversation = ask(alice)
    api = _client(alice)
    assert api.get(QUEUE).status_code == 403
    assert (
        api.post(f"{QUEUE}/{conversation.pk}/answer", {"body": "x"}, format="json").status_code
        == 403
    )


def test_the_support_api_is_in_the_schema(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    paths = set(yaml.safe_load(target.read_text())["paths"])
    assert paths >= {
        "/api/v1/support/conversations",
        "/api/v1/support/conversations/{conversation_id}",
        "/api/v1/support/conversations/{conversation_id}/reply",
        "/api/v1/support/conversations/{conversation_id}/close",
        "/api/v1/support/queue",
        "/api/v1/support/queue/{conversation_id}/answer",
        "/api/v1/support/queue/{conversation_id}/assign",
    }
