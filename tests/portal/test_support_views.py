"""The asker's help pages, the nav link and the public answer-time record."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.support import services
from portal.support.models import Attachment, Category, Conversation, ConversationStatus
from tests.portal.support_helpers import PNG, Clock, ask, at, pdf, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def test_help_is_in_every_signed_in_non_staff_nav(client, alice, applicant):
    for person in (alice, applicant):
        client.force_login(person)
        page = client.get(reverse("home"), follow=True)
        assert f'href="{reverse("support:index")}"' in page.content.decode()


def test_help_needs_signing_in(client):
    response = client.get(reverse("support:index"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_asking_with_an_attachment_shows_the_clock(client, alice, clock):
    clock.now = at(2026, 11, 27, 16, 0)
    client.force_login(alice)
    response = client.post(
        reverse("support:ask"),
        {
            "category": Category.PAY,
            "subject": "Payout missing",
            "body": "Nothing arrived for the week of 16 Nov.",
            "attachments": [upload("bank.png", PNG)],
        },
        follow=True,
    )
    conversation = Conversation.objects.get()
    assert response.redirect_chain[-1][0] == f"/help/{conversation.pk}/"
    page = response.content.decode()
    assert "Answer promised by" in page
    assert "Nov 30, 2026" in page  # Monday 16:00, one business day later
    assert "bank.png" in page
    assert Attachment.objects.get().content_type == "image/png"


def test_a_file_that_is_not_what_it_says_is_refused_next_to_the_field(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("support:ask"),
        {
            "category": Category.PAY,
            "subject": "Payout missing",
            "body": "See the file.",
            "attachments": [upload("bank.pdf", b"<html><script>alert(1)</script></html>")],
        },
    )
    assert response.status_code == 200
    assert "not a PDF, PNG or JPEG" in str(response.context["form"].errors["attachments"])
    assert not Conversation.objects.exists()


def test_another_contractors_conversation_and_attachment_are_404(client, alice, bob, manager):
    conversation = ask(alice, attachments=[pdf()])
    attachment = Attachment.objects.get()
    client.force_login(bob)
    assert client.get(reverse("support:conversation", args=[conversation.pk])).status_code == 404
    assert client.get(reverse("support:attachment", args=[attachment.pk])).status_code == 404
    assert client.post(reverse("support:close", args=[conversation.pk])).status_code == 404

    client.force_login(alice)
    own = client.get(reverse("support:attachment", args=[attachment.pk]))
    assert own.status_code == 200 and b"".join(own.streaming_content).startswith(b"%PDF-")
    client.force_login(manager)
    assert client.get(reverse("support:attachment", args=[attachment.pk])).status_code == 200


def test_internal_notes_never_reach_the_askers_page(client, alice, manager):
    conversation = ask(alice)
    services.conversation_note(conversation=conversation, by=manager, body="Bank file 4411 late")
    services.conversation_answer(conversation=conversation, by=manager, body="It is on its way.")
    client.force_login(alice)
    page = client.get(reverse("support:conversation", args=[conversation.pk])).content.decode()
    assert "It is on its way." in page
    assert "A member of the vendor team" in page
    assert manager.email not in page
    assert "Bank file 4411" not in page


def test_the_asker_replies_closes_reopens_and_rates(client, alice, manager):
    conversation = ask(alice)
    services.conversation_answer(conversation=conversation, by=manager, body="Which week?")
    client.force_login(alice)
    client.post(reverse("support:reply", args=[conversation.pk]), {"body": "16 Nov."})
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.WAITING_ON_SUPPORT
    services.conversation_answer(conversation=conversation, by=manager, body="Paid now.")
    client.post(reverse("support:rate", args=[conversation.pk]), {"score": "5"})
    client.post(reverse("support:close", args=[conversation.pk]))
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.CLOSED
    assert conversation.rating.score == 5
    page = client.get(reverse("support:conversation", args=[conversation.pk])).content.decode()
    assert "You can reopen this conversation until" in page
    client.post(reverse("support:reopen", args=[conversation.pk]), {"body": "Bounced."})
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.WAITING_ON_SUPPORT


def test_an_empty_reply_is_refused_next_to_the_field(client, alice):
    conversation = ask(alice)
    client.force_login(alice)
    response = client.post(reverse("support:reply", args=[conversation.pk]), {"body": ""})
    assert response.status_code == 200
    assert response.context["reply_form"].errors["body"]


def test_the_help_page_queries_stay_flat(client, alice, django_assert_max_num_queries):
    ask(alice)
    client.force_login(alice)
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("support:index"))
    for number in range(30):
        ask(alice, subject=f"Question {number}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("support:index"))
    assert "Question 29" in page.content.decode()


def test_the_conversation_page_queries_stay_flat(
    client, alice, manager, django_assert_max_num_queries
):
    conversation = ask(alice, attachments=[pdf()])
    client.force_login(alice)
    url = reverse("support:conversation", args=[conversation.pk])
    with django_assert_max_num_queries(14) as one:
        client.get(url)
    for number in range(10):
        services.conversation_answer(conversation=conversation, by=manager, body=f"A{number}")
        services.conversation_reply(
            conversation=conversation, by=alice, body=f"Q{number}", attachments=[pdf()]
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


def test_the_public_record_shows_figures_computed_from_a_seeded_history(
    client, alice, bob, manager, clock
):
    # October: three pay questions, answered in 1 h, 3 h and (late) 10 business hours.
    for day, hours in ((5, 1), (6, 3), (7, 10)):
        clock.now = at(2026, 10, day, 9, 0)
        conversation = ask(alice)
        clock.now = at(2026, 10, day, 9, 0) + timedelta(
            hours=hours if hours < 8 else 24 + hours - 8
        )
        services.conversation_answer(conversation=conversation, by=manager, body="Done.")
    # A November question still within its time is not counted yet.
    clock.now = at(2026, 11, 2, 9, 0)
    ask(bob, category=Category.OTHER)
    clock.now = at(2026, 11, 2, 10, 0)

    response = client.get(reverse("transparency"))
    assert response.status_code == 200
    (row,) = response.context["record"]
    assert (row.category, row.asked, row.answered, row.within_target) == ("pay", 3, 3, 2)
    assert row.median_minutes == 180
    page = response.content.decode()
    assert "67%" in page and "3:00" in page and "October 2026" in page


def test_the_ask_form_offers_only_the_askers_own_payouts_weeks_and_projects(
    client, alice, bob, manager, monkeypatch
):
    from projects import services as project_services
    from projects.timesheet import EntryChange, week_start
    from tests.projects.factories import assign, project_create

    started = timezone.now() - timedelta(days=30)
    with monkeypatch.context() as past:
        past.setattr(timezone, "now", lambda: started)
        project = project_create(manager, name="Search relevance", start_on=started.date())
        assignment = assign(project, alice, by=manager, start_on=started.date())
        assign(
            project_create(manager, name="Bob only", start_on=started.date()),
            bob,
            by=manager,
            start_on=started.date(),
        )
    monday = week_start(timezone.localdate()) - timedelta(days=7)
    project_services.time_week_submit(
        by=alice, week=monday, changes=[EntryChange(assignment.pk, monday, "task", 60, "")]
    )

    client.force_login(alice)
    form = client.get(reverse("support:ask")).context["form"]
    labels = dict(form.fields["about"].choices)
    assert labels[f"project:{project.pk}"] == "Search relevance"
    assert "Bob only" not in labels.values()
    (week,) = [key for key in labels if key.startswith("week:")]
    response = client.post(
        reverse("support:ask"),
        {"category": Category.HOURS, "about": week, "subject": "Hours", "body": "Rejected?"},
        follow=True,
    )
    page = response.content.decode()
    assert f'href="/projects/timesheet/?week={monday.isoformat()}"' in page
