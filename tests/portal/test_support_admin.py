"""The support queue in the admin: order, filters, actions, notes, canned answers, links."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from portal.support.models import (
    CannedAnswer,
    Category,
    ConversationStatus,
    InternalNote,
    Message,
)
from tests import factories
from tests.portal.support_helpers import Clock, ask, at

pytestmark = pytest.mark.django_db
QUEUE = reverse("admin:support_conversation_changelist")


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def _act(client, action, objects, **data):
    return client.post(
        QUEUE,
        {"action": action, ACTION_CHECKBOX_NAME: [obj.pk for obj in objects], **data},
        follow=True,
    )


def test_the_queue_is_sorted_by_time_left_and_filters(manager_client, alice, bob, clock):
    clock.now = at(2026, 11, 30, 9, 0)
    later = ask(alice, category=Category.OTHER, subject="Later one")
    sooner = ask(bob, category=Category.PAY, subject="Sooner one")
    clock.now = at(2026, 11, 30, 10, 0)

    page = manager_client.get(QUEUE).content.decode()
    assert page.index("Sooner one") < page.index("Later one")
    assert "7:00 business hours" in page

    filtered = manager_client.get(QUEUE, {"category__exact": "other"}).content.decode()
    assert "Later one" in filtered and "Sooner one" not in filtered
    by_language = manager_client.get(QUEUE, {"language": "en"})
    assert by_language.status_code == 200
    assert later.pk != sooner.pk


def test_the_queue_queries_stay_flat(manager_client, alice, django_assert_max_num_queries):
    ask(alice)
    with django_assert_max_num_queries(20) as one:
        manager_client.get(QUEUE)
    for number in range(49):
        ask(alice, subject=f"Question {number}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = manager_client.get(QUEUE)
    assert "50 support conversations" in page.content.decode()


def test_a_manager_answers_with_a_canned_answer_in_the_askers_language(
    manager_client, alice, outbox, django_capture_on_commit_callbacks
):
    alice.language = "vi"
    alice.save(update_fields=["language"])
    conversation = ask(alice)
    canned = CannedAnswer.objects.create(title="Paid", language="vi", body="Đã thanh toán.")
    CannedAnswer.objects.create(title="Paid", language="id", body="Sudah dibayar.")

    form = _act(manager_client, "answer", [conversation], index=0).content.decode()
    assert "Đã thanh toán" not in form and ">[vi] Paid<" in form and "[id] Paid" not in form
    with django_capture_on_commit_callbacks(execute=True):
        done = _act(manager_client, "answer", [conversation], index=0, apply="1", canned=canned.pk)
    assert "Answered 1 conversation" in done.content.decode()
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.WAITING_ON_CONTRACTOR
    assert Message.objects.filter(from_staff=True).get().body == "Đã thanh toán."
    assert len(outbox) == 1


def test_an_empty_answer_is_refused_on_the_form(manager_client, alice):
    conversation = ask(alice)
    page = _act(manager_client, "answer", [conversation], index=0, apply="1", body="")
    assert "Write an answer or choose a canned one." in page.content.decode()
    assert not Message.objects.filter(from_staff=True).exists()


def test_assignment_to_a_named_staff_member_is_what_the_asker_sees(manager_client, alice, client):
    dewi = factories.manager_create("dewi@example.com")
    conversation = ask(alice)
    _act(
        manager_client, "assign", [conversation], index=0, apply="1", to=dewi.pk, shown_name="Dewi"
    )
    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.assignee_name) == (dewi, "Dewi")
    client.force_login(alice)
    page = client.get(conversation.get_absolute_url()).content.decode()
    assert "Answered by Dewi" in page


def test_internal_notes_are_written_from_the_queue_and_shown_to_staff(manager_client, alice):
    conversation = ask(alice)
    _act(manager_client, "add_note", [conversation], index=0, apply="1", body="Bank file late")
    assert InternalNote.objects.get().body == "Bank file late"
    change = manager_client.get(
        reverse("admin:support_conversation_change", args=[conversation.pk])
    )
    assert "Bank file late" in change.content.decode()


def test_a_contractor_cannot_reach_the_queue(client, alice):
    client.force_login(alice)
    assert client.get(QUEUE).status_code in (302, 403)


def test_the_linked_project_is_one_click_away_and_only_the_askers_own(
    manager_client, client, alice, bob, manager, monkeypatch
):
    from datetime import timedelta

    from django.core.exceptions import ValidationError

    from tests.projects.factories import assign, project_create

    started = timezone.now() - timedelta(days=30)
    with monkeypatch.context() as past:
        past.setattr(timezone, "now", lambda: started)
        project = project_create(manager, name="Search relevance", start_on=started.date())
        assign(project, alice, by=manager, start_on=started.date())
    conversation = ask(alice, category=Category.PROJECT, about_kind="project", about_id=project.pk)
    with pytest.raises(ValidationError):
        ask(bob, category=Category.PROJECT, about_kind="project", about_id=project.pk)

    change = manager_client.get(
        reverse("admin:support_conversation_change", args=[conversation.pk])
    )
    admin_link = reverse("admin:projects_project_change", args=[project.pk])
    assert f'<a href="{admin_link}">Search relevance</a>' in change.content.decode()
    client.force_login(alice)
    page = client.get(conversation.get_absolute_url()).content.decode()
    assert f'href="{reverse("projects:project", args=[project.pk])}"' in page


def test_a_manager_answers_from_the_conversations_own_page(manager_client, alice):
    conversation = ask(alice)
    change = reverse("admin:support_conversation_change", args=[conversation.pk])
    act = reverse("admin:support_conversation_act", args=[conversation.pk, "answer"])
    assert f'action="{act}"' in manager_client.get(change).content.decode()

    form = manager_client.post(act, {"action": "answer"})
    assert 'name="body"' in form.content.decode()
    done = manager_client.post(
        act,
        {
            "action": "answer",
            ACTION_CHECKBOX_NAME: [conversation.pk],
            "apply": "1",
            "body": "Paid.",
        },
        follow=True,
    )
    assert done.redirect_chain[-1][0] == change
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.WAITING_ON_CONTRACTOR
