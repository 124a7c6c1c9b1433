"""Contractors read staff by the name they chose, never by their email address: on case pages,
the case file, the API, notices, support answers and the project page."""

import pytest
from django.contrib import messages
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import user_preferences_set
from portal.models import Notification
from portal.support import services as support
from projects.cases.api import StaffCaseSerializer
from projects.services import cases
from tests import factories
from tests.portal.support_helpers import ask
from tests.projects.cases_setup import rule_book, second_manager

pytestmark = pytest.mark.django_db

NEUTRAL = "A member of the vendor team"


def _named(user, name: str) -> None:
    user.display_name = name
    user.save(update_fields=["display_name"])


@pytest.fixture
def appeal_heard(clock, manager, alice, alice_on_project):
    """A case decided by ``manager`` and its appeal heard by a second manager."""
    rule = rule_book(manager, clock)
    case = cases.case_open(
        contractor=alice.contractor_profile,
        rule=rule,
        by=manager,
        evidence_summary="Three days logged with no task activity.",
        assignment=alice_on_project,
    )
    case = cases.case_notice(case=case, by=manager, proposed_outcome="warning")
    cases.case_respond(case=case, by=alice, text="I worked offline.")
    cases.case_decide(
        case=case, by=manager, decision=cases.Decision(outcome="warning", reasons="Log daily.")
    )
    cases.case_appeal(case=case, by=alice, text="Please look again.")
    hearer = second_manager()
    cases.case_appeal_decide(
        case=case,
        by=hearer,
        decision=cases.AppealDecision(outcome="upheld", reasons="The log is clear."),
    )
    case.refresh_from_db()
    return case, hearer


def _case_pages(client, case) -> str:
    pages = [
        client.get(reverse(name, args=[case.pk])).content.decode()
        for name in ("cases:detail", "cases:print", "cases:json")
    ]
    api = APIClient()
    api.force_authenticate(case.contractor.user)
    pages.append(api.get(f"/api/v1/cases/{case.pk}").content.decode())
    return "\n".join(pages)


def test_the_contractor_reads_the_deciders_chosen_names_and_never_their_emails(
    client, alice, manager, appeal_heard
):
    case, hearer = appeal_heard
    _named(manager, "Mina Hartono")
    _named(hearer, "Arief Wibowo")
    client.force_login(alice)
    seen = _case_pages(client, case)
    assert "decided by Mina Hartono" in client.get(case.get_absolute_url()).content.decode()
    assert "Mina Hartono" in seen and "Arief Wibowo" in seen
    assert manager.email not in seen and hearer.email not in seen
    assert NEUTRAL not in seen


def test_staff_without_a_display_name_are_a_member_of_the_vendor_team(
    client, alice, manager, appeal_heard
):
    case, hearer = appeal_heard
    client.force_login(alice)
    seen = _case_pages(client, case)
    assert NEUTRAL in seen
    assert manager.email not in seen and hearer.email not in seen
    notices = " ".join(n.title + n.body for n in Notification.objects.filter(recipient=alice))
    assert "heard your appeal" in notices
    assert manager.email not in notices and hearer.email not in notices


def test_the_contractor_is_named_in_their_own_words_in_the_timeline(client, alice, appeal_heard):
    case, _hearer = appeal_heard
    client.force_login(alice)
    html = client.get(case.get_absolute_url()).content.decode()
    timeline = html.split('id="timeline-title"', 1)[1].split("</section>", 1)[0]
    assert "Contractor responded" in timeline and " · You" in timeline
    assert alice.email not in timeline
    data = client.get(reverse("cases:json", args=[case.pk])).json()
    responder = next(step["by"] for step in data["timeline"] if step["step"] == "response")
    assert responder == case.contractor.legal_name


def test_managers_still_read_emails_in_the_staff_api(manager, appeal_heard):
    case, hearer = appeal_heard
    data = StaffCaseSerializer(case).data
    assert (data["decided_by"], data["appeal_decided_by"]) == (manager.email, hearer.email)


def test_support_answers_carry_the_chosen_name_and_never_the_email(client, alice, manager):
    conversation = ask(alice)
    support.conversation_answer(conversation=conversation, by=manager, body="It is on its way.")
    client.force_login(alice)
    page = client.get(reverse("support:conversation", args=[conversation.pk])).content.decode()
    assert NEUTRAL in page and manager.email not in page

    _named(manager, "Mina Hartono")
    other = ask(alice, subject="And my rate?")
    support.conversation_answer(conversation=other, by=manager, body="It went up.")
    page = client.get(reverse("support:conversation", args=[other.pk])).content.decode()
    assert "Mina Hartono, support team" in page and "Answered by Mina Hartono" in page
    assert manager.email not in page
    api = APIClient()
    api.force_authenticate(alice)
    data = api.get(f"/api/v1/support/conversations/{other.pk}")
    assert data.json()["answered_by"] == "Mina Hartono"
    assert [m["author_name"] for m in data.json()["messages"]] == ["", "Mina Hartono"]
    assert manager.email not in data.content.decode()
    told = Notification.objects.filter(recipient=alice).order_by("-pk").first()
    assert told.title.startswith("Mina Hartono answered")


def test_the_project_page_names_the_manager_and_keeps_the_contact(
    client, alice, manager, alice_on_project
):
    _named(manager, "Mina Hartono")
    client.force_login(alice)
    html = client.get(
        reverse("projects:assignment_detail", args=[alice_on_project.pk])
    ).content.decode()
    assert f'<a href="mailto:{manager.email}">Mina Hartono</a>' in html
    api = APIClient()
    api.force_authenticate(alice)
    assert "Mina Hartono" in api.get("/api/v1/assignments").content.decode()


def test_staff_choose_their_name_on_their_preferences_page(client, manager, alice):
    client.force_login(manager)
    assert 'name="display_name"' in client.get(reverse("accounts:preferences")).content.decode()
    response = client.post(
        reverse("accounts:preferences"),
        {"language": "en", "time_zone": "UTC", "display_name": "  Mina Hartono "},
    )
    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.display_name == "Mina Hartono"
    assert manager.public_name == "Mina Hartono"


def test_contractors_have_no_name_to_choose(client, alice):
    client.force_login(alice)
    assert 'name="display_name"' not in client.get(reverse("accounts:preferences")).content.decode()
    client.post(reverse("accounts:preferences"), {"language": "en", "display_name": "Boss"})
    alice.refresh_from_db()
    assert alice.display_name == ""
    with pytest.raises(Exception, match="Only staff members"):
        user_preferences_set(user=alice, language="en", display_name="Boss")


def test_the_user_list_warns_of_managers_without_a_display_name(client, manager):
    boss = factories.manager_create("boss@example.com")
    boss.is_superuser = True
    boss.save(update_fields=["is_superuser"])
    _named(boss, "Sari Dewanti")
    client.force_login(boss)
    admin_client = client
    response = admin_client.get(reverse("admin:accounts_user_changelist"))
    warned = [str(m) for m in response.context["messages"] if m.level == messages.WARNING]
    assert any(manager.email in text for text in warned)
    form = admin_client.get(reverse("admin:accounts_user_change", args=[manager.pk]))
    assert 'name="display_name"' in form.content.decode()
    _named(manager, "Mina Hartono")
    response = admin_client.get(reverse("admin:accounts_user_changelist"))
    warned = [str(m) for m in response.context["messages"] if m.level == messages.WARNING]
    assert not any(manager.email in text for text in warned)
