"""Files with a question or a reply through the API: the same checks and limits as the site."""

import pytest
from rest_framework.test import APIClient

from portal.support import services
from portal.support.models import Attachment, Conversation, Message
from tests.portal.support_helpers import JPEG, PNG, ask, pdf, upload

pytestmark = pytest.mark.django_db

LIST = "/api/v1/support/conversations"
SCHEMA = "/api/schema/?format=json"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_question_opened_with_files_keeps_them(alice):
    response = _client(alice).post(
        LIST,
        {
            "category": "pay",
            "subject": "Missing payout",
            "body": "See the statement.",
            "attachments": [pdf(), upload("screen.png", PNG)],
        },
        format="multipart",
    )

    assert response.status_code == 201, response.content
    conversation = Conversation.objects.get(pk=response.data["id"])
    files = Attachment.objects.filter(message__conversation=conversation).order_by("pk")
    assert [(f.original_name, f.content_type) for f in files] == [
        ("statement.pdf", "application/pdf"),
        ("screen.png", "image/png"),
    ]


def test_a_reply_with_a_file_keeps_it_and_restarts_the_clock(alice, manager):
    conversation = ask(alice)
    services.conversation_answer(conversation=conversation, by=manager, body="Which week?")

    response = _client(alice).post(
        f"{LIST}/{conversation.pk}/reply",
        {"body": "This one.", "attachments": [upload("week.jpg", JPEG)]},
        format="multipart",
    )

    assert response.status_code == 200, response.content
    assert response.data["status"] == "support"
    message = Message.objects.filter(conversation=conversation).last()
    assert [a.content_type for a in message.attachments.all()] == ["image/jpeg"]


def test_a_reply_without_files_still_takes_json(alice):
    conversation = ask(alice)
    response = _client(alice).post(
        f"{LIST}/{conversation.pk}/reply", {"body": "And another thing."}, format="json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "files",
    [
        [upload("invoice.pdf", b"<html><script>alert(1)</script></html>")],
        [upload("empty.pdf", b"")],
        [pdf("1.pdf"), pdf("2.pdf"), pdf("3.pdf"), pdf("4.pdf")],
    ],
    ids=["not-really-a-pdf", "empty", "too-many"],
)
def test_files_the_site_would_refuse_are_a_400_and_change_nothing(alice, files):
    conversation = ask(alice)
    response = _client(alice).post(
        f"{LIST}/{conversation.pk}/reply",
        {"body": "Here.", "attachments": files},
        format="multipart",
    )

    assert response.status_code == 400
    assert "attachments" in response.data
    assert Message.objects.filter(conversation=conversation).count() == 1
    assert not Attachment.objects.exists()


def test_a_file_over_the_size_limit_is_refused(alice, settings):
    settings.SUPPORT_ATTACHMENT_MAX_BYTES = 100
    response = _client(alice).post(
        LIST,
        {"category": "pay", "subject": "Big", "body": "x", "attachments": [pdf()]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "attachments" in response.data
    assert not Conversation.objects.exists()


def test_a_file_on_someone_elses_conversation_is_a_404(alice, bob):
    conversation = ask(alice)
    response = _client(bob).post(
        f"{LIST}/{conversation.pk}/reply",
        {"body": "Mine now.", "attachments": [pdf()]},
        format="multipart",
    )
    assert response.status_code == 404
    assert not Attachment.objects.exists()


def test_the_schema_documents_files_as_multipart(alice):
    schema = _client(alice).get(SCHEMA).json()
    for path in ("/api/v1/support/conversations", "/api/v1/support/conversations/{id}/reply"):
        operation = next(op for p, op in _posts(schema) if p == path)
        content = operation["requestBody"]["content"]
        assert set(content) == {"application/json", "multipart/form-data"}
        multipart = _resolve(schema, content["multipart/form-data"]["schema"])
        files = multipart["properties"]["attachments"]
        assert files["type"] == "array" and files["maxItems"] == 3
        assert files["items"]["format"] == "binary"
        json_body = _resolve(schema, content["application/json"]["schema"])
        assert "attachments" not in json_body["properties"]


def _posts(schema):
    for path, item in schema["paths"].items():
        if "post" in item:
            yield path.replace("{conversation_id}", "{id}"), item["post"]


def _resolve(schema, ref):
    name = ref["$ref"].rsplit("/", 1)[1]
    return schema["components"]["schemas"][name]
