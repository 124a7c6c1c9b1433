"""Invitations: a manager invites, the contractor reads the project's page and accepts or
declines; a project with a content warning takes nobody any other way."""

from datetime import date

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ContractorStatus
from portal.models import MANDATORY_EMAIL_KINDS, Notification, NotificationKind, OutboundEmail
from projects import services
from projects.models import (
    Assignment,
    Case,
    ContentWarning,
    FloorBasis,
    FloorUnit,
    InvitationStatus,
    ProjectInvitation,
    WageFloor,
)
from projects.services.floors import wage_floor_add
from tests.projects.factories import SETUP_AT, assign, project_create, project_details
from tests.projects.test_admin import _empty_inlines
from tests.sanctions import sanction

pytestmark = pytest.mark.django_db

PROJECTS = reverse("admin:projects_project_changelist")


@pytest.fixture
def warned(clock, manager):
    with clock.back_at(SETUP_AT):
        return project_create(manager, name="Safety review", content_warning=ContentWarning.GRAPHIC)


@pytest.fixture
def invitation(warned, alice, manager):
    return services.project_invite(project=warned, contractor=alice.contractor_profile, by=manager)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def _action(client, action, objects, **data):
    payload = {"action": action, ACTION_CHECKBOX_NAME: [obj.pk for obj in objects], **data}
    return client.post(PROJECTS, payload, follow=True)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- Inviting ----------------------------------------------------------------------


def test_an_invitation_is_a_notice_and_an_email_linking_the_projects_page(warned, alice, manager):
    Notification.objects.all().delete()
    OutboundEmail.objects.all().delete()

    invitation = services.project_invite(
        project=warned, contractor=alice.contractor_profile, by=manager, rate_minor=2700
    )

    assert (invitation.status, invitation.rate_minor, invitation.currency) == (
        InvitationStatus.PENDING,
        2700,
        "EUR",
    )
    notice = Notification.objects.get(recipient=alice)
    assert notice.kind == NotificationKind.PROJECT_INVITED
    assert notice.title == "You are invited to «Safety review»"
    assert "content warning (Graphic violence or injury)" in notice.body
    assert "never held against you" in notice.body
    assert notice.link == reverse("projects:project_about", args=[warned.pk])
    assert OutboundEmail.objects.get().to == alice.email


def test_nobody_is_invited_twice_or_when_already_on_it(
    warned, project, alice, alice_on_project, invitation, manager
):
    with pytest.raises(ValidationError, match="already invited"):
        services.project_invite(project=warned, contractor=alice.contractor_profile, by=manager)
    with pytest.raises(ValidationError, match="already on"):
        services.project_invite(project=project, contractor=alice.contractor_profile, by=manager)


def test_a_suspended_contractor_is_not_invited(warned, bob, manager):
    sanction(bob.contractor_profile, by=manager)
    bob.contractor_profile.refresh_from_db()
    assert bob.contractor_profile.status == ContractorStatus.SUSPENDED

    with pytest.raises(ValidationError, match="suspended or offboarded"):
        services.project_invite(project=warned, contractor=bob.contractor_profile, by=manager)


def test_an_invitation_never_offers_a_rate_below_the_contractors_floor(warned, alice, manager):
    wage_floor_add(
        by=None,
        floor=WageFloor(
            country="DE",
            basis=FloorBasis.STATUTORY,
            amount_minor=2600,
            currency="EUR",
            unit=FloorUnit.HOUR,
            valid_from=date(2026, 1, 1),
            source_name="Mindestlohnkommission",
            source_url="https://example.org/mindestlohn",
            licence="public domain",
            retrieved_on=date(2026, 1, 5),
        ),
    )

    with pytest.raises(ValidationError) as refused:
        services.project_invite(project=warned, contractor=alice.contractor_profile, by=manager)

    assert "below the floor of €26.00 an hour" in refused.value.message_dict["rate"][0]
    assert not ProjectInvitation.objects.exists()


# --- A content warning refuses direct assignment ----------------------------------


def test_the_service_refuses_to_assign_directly_to_a_project_with_a_warning(
    clock, warned, alice, manager
):
    with pytest.raises(ValidationError) as refused, clock.back_at(SETUP_AT):
        assign(warned, alice, by=manager)

    assert "invite the contractor instead" in refused.value.messages[0]
    assert not Assignment.objects.exists()


def test_the_admin_assign_action_refuses_and_says_to_invite(manager_client, warned, alice):
    done = _action(
        manager_client,
        "assign_contractors",
        [warned],
        apply="1",
        contractors=[alice.contractor_profile.pk],
        start_on="2026-11-12",
        rate="25.00",
        currency="EUR",
        weekly_cap="",
    )

    # The form comes back with what was typed and the refusal on it.
    form = done.context["form"]
    [message] = [error for field_errors in form.errors.values() for error in field_errors]
    assert "carries a content warning" in message
    assert "invite the contractor instead" in message
    assert form["rate"].value() == "25.00"
    assert not Assignment.objects.exists()


def test_the_admin_invite_action_asks_for_the_rate_then_invites(
    manager_client, warned, alice, bob, manager
):
    services.project_invite(project=warned, contractor=bob.contractor_profile, by=manager)

    page = _action(manager_client, "invite_contractors", [warned])

    assert page.templates[0].name == "admin/action_form.html"
    offered = set(page.context["form"].fields["contractors"].queryset)
    assert alice.contractor_profile in offered
    assert bob.contractor_profile not in offered  # invited already

    done = _action(
        manager_client,
        "invite_contractors",
        [warned],
        apply="1",
        contractors=[alice.contractor_profile.pk],
        rate="26.00",
        currency="EUR",
    )

    assert _messages(done) == ["Invited Alice Example to «Safety review»."]
    invitation = ProjectInvitation.objects.get(contractor=alice.contractor_profile)
    assert invitation.rate_minor == 2600
    change = manager_client.get(reverse("admin:projects_project_change", args=[warned.pk]))
    assert "Alice Example" in change.content.decode()


def test_a_manager_sets_the_warning_and_quality_review_in_the_admin(
    manager_client, warned, manager
):
    response = manager_client.post(
        reverse("admin:projects_project_change", args=[warned.pk]),
        {
            "name": warned.name,
            "description": warned.description,
            "guidelines": warned.guidelines,
            "guidelines_url": "",
            "languages": ["de"],
            "purpose": "work",
            "default_rate": "25.00",
            "currency": "EUR",
            "expected_hours_per_week": "15",
            "weekly_cap": "20",
            "start_on": "2026-09-01",
            "end_on": "",
            "manager": manager.pk,
            "content_warning": ContentWarning.SELF_HARM,
            "quality_review": "Two raters per item.",
            **_empty_inlines(),
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    warned.refresh_from_db()
    assert (warned.content_warning, warned.quality_review) == (
        ContentWarning.SELF_HARM,
        "Two raters per item.",
    )
    assert warned.quality_review_written_in == "en"


def test_a_warning_added_to_a_project_people_are_on_tells_each_of_them(
    project, alice_on_project, bob_on_project, alice, bob, manager
):
    Notification.objects.all().delete()
    OutboundEmail.objects.all().delete()

    services.project_update(
        project=project,
        details=project_details(manager, content_warning=ContentWarning.GRAPHIC),
        by=manager,
    )

    told = Notification.objects.filter(kind=NotificationKind.PROJECT_CONTENT_WARNING)
    assert sorted(told.values_list("recipient__email", flat=True)) == [
        "alice@example.com",
        "bob@example.com",
    ]
    notice = told.get(recipient=alice)
    assert notice.title == "«Search relevance» now carries a content warning"
    assert "Graphic violence or injury" in notice.body
    assert "You may ask to leave the project; that is never held against you" in notice.body
    assert f"{reverse('rules')}#never-title" in notice.body
    assert notice.link == reverse("projects:project_about", args=[project.pk])
    assert NotificationKind.PROJECT_CONTENT_WARNING in MANDATORY_EMAIL_KINDS
    email = OutboundEmail.objects.get(to="alice@example.com")
    assert "Graphic violence or injury" in email.body
    assert reverse("projects:project_about", args=[project.pk]) in email.body


def test_a_stronger_warning_tells_them_again_and_other_edits_tell_nobody(
    project, alice_on_project, manager
):
    def update(**overrides):
        services.project_update(
            project=project, details=project_details(manager, **overrides), by=manager
        )

    told = Notification.objects.filter(kind=NotificationKind.PROJECT_CONTENT_WARNING)
    update(content_warning=ContentWarning.DISTURBING)
    update(content_warning=ContentWarning.DISTURBING, description="Rate every result.")
    assert told.count() == 1
    update(content_warning=ContentWarning.SELF_HARM)
    assert told.count() == 2
    assert "Self-harm or suicide" in told.latest("pk").body
    # Taking the warning off is no warning.
    update(content_warning=ContentWarning.NONE)
    assert told.count() == 2


def test_a_warning_on_a_project_nobody_is_on_tells_nobody(project, manager):
    services.project_update(
        project=project,
        details=project_details(manager, content_warning=ContentWarning.GRAPHIC),
        by=manager,
    )

    assert not Notification.objects.filter(kind=NotificationKind.PROJECT_CONTENT_WARNING).exists()


# --- Answering ---------------------------------------------------------------------


def test_accepting_needs_the_warning_read_then_assigns_at_the_rate_offered(
    warned, alice, invitation
):
    with pytest.raises(ValidationError) as refused:
        services.invitation_accept(invitation=invitation, by=alice)
    assert "warning_read" in refused.value.message_dict
    assert not Assignment.objects.exists()

    assignment = services.invitation_accept(invitation=invitation, by=alice, warning_read=True)

    assert assignment.contractor == alice.contractor_profile
    assert assignment.rates.get().rate_minor == 2500
    invitation.refresh_from_db()
    assert (invitation.status, invitation.assignment, invitation.warning_read) == (
        InvitationStatus.ACCEPTED,
        assignment,
        ContentWarning.GRAPHIC,
    )
    assert invitation.answered_at is not None


def test_a_project_without_a_warning_is_accepted_without_the_box(project, alice, manager):
    invitation = services.project_invite(
        project=project, contractor=alice.contractor_profile, by=manager
    )

    assignment = services.invitation_accept(invitation=invitation, by=alice)

    assert assignment.project == project


def test_only_the_invited_person_answers_and_only_once(warned, alice, bob, invitation):
    with pytest.raises(ValidationError, match="Only the person invited"):
        services.invitation_accept(invitation=invitation, by=bob, warning_read=True)
    with pytest.raises(ValidationError, match="Only the person invited"):
        services.invitation_decline(invitation=invitation, by=bob)

    services.invitation_decline(invitation=invitation, by=alice)

    with pytest.raises(ValidationError, match="answered already"):
        services.invitation_accept(invitation=invitation, by=alice, warning_read=True)


def test_decline_is_recorded_and_not_a_sanction(warned, alice, manager, invitation):
    Notification.objects.all().delete()

    declined = services.invitation_decline(invitation=invitation, by=alice)

    assert declined.status == InvitationStatus.DECLINED
    assert declined.answered_at is not None
    profile = alice.contractor_profile
    profile.refresh_from_db()
    assert profile.status == ContractorStatus.ACTIVE
    assert not Case.objects.filter(contractor=profile).exists()
    assert not Notification.objects.filter(recipient=alice).exists()
    # Nothing stands in the way of the next invitation, to this project or any other.
    again = services.project_invite(project=warned, contractor=profile, by=manager)
    assert again.status == InvitationStatus.PENDING


# --- The pages ---------------------------------------------------------------------


def test_my_projects_lists_the_invitation_with_its_warning(client, alice, warned, invitation):
    client.force_login(alice)

    page = client.get(reverse("projects:my_projects")).content.decode()

    assert reverse("projects:project_about", args=[warned.pk]) in page
    assert "Content warning" in page
    assert "never held against you" in page


def test_accepting_without_ticking_the_box_changes_nothing(client, alice, invitation):
    client.force_login(alice)

    response = client.post(reverse("projects:invitation_accept", args=[invitation.pk]))

    assert response.status_code == 400
    assert "Confirm that you have read the content warning" in response.content.decode()
    assert not Assignment.objects.exists()


def test_accepting_with_the_box_ticked_opens_the_assignment(client, alice, invitation):
    client.force_login(alice)

    response = client.post(
        reverse("projects:invitation_accept", args=[invitation.pk]), {"warning_read": "on"}
    )

    assignment = Assignment.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("projects:assignment_detail", args=[assignment.pk])


def test_declining_says_it_is_never_held_against_them(client, alice, invitation):
    client.force_login(alice)

    response = client.post(
        reverse("projects:invitation_decline", args=[invitation.pk]), follow=True
    )

    assert _messages(response) == [
        "You declined «Safety review». Your answer is recorded, and it is never held against you."
    ]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED


def test_another_contractor_cannot_answer_someone_elses_invitation(client, bob, invitation):
    client.force_login(bob)

    for name in ("projects:invitation_accept", "projects:invitation_decline"):
        response = client.post(reverse(name, args=[invitation.pk]), {"warning_read": "on"})
        assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


# --- The API -----------------------------------------------------------------------


def test_the_api_gives_the_projects_page_to_the_invited_and_404_to_others(
    warned, alice, bob, invitation
):
    url = f"/api/v1/projects/{warned.pk}/about"

    data = _api(alice).get(url).json()

    assert data["content_warning"] == "graphic"
    assert data["pay_basis"] == "hourly"
    assert data["rate_ranges"] == [{"low_minor": 2500, "high_minor": 2500, "currency": "EUR"}]
    assert data["rates_from_default"] is True
    assert data["floor_bases"] == ["statutory", "living", "vendor"]
    assert data["paid_activity_kinds"] == ["task", "training", "assessment", "meeting", "review"]
    assert data["expected_minutes_per_week"] == 15 * 60
    assert data["invitation"] == invitation.pk
    assert data["assignment"] is None
    assert _api(bob).get(url).status_code == 404


def test_the_assignment_list_names_the_content_warning(alice, alice_on_project):
    [item] = _api(alice).get("/api/v1/assignments").json()["results"]

    assert item["project"]["content_warning"] == "none"


def test_the_api_lists_accepts_and_declines_invitations(
    warned, project, alice, manager, invitation
):
    api = _api(alice)
    [listed] = api.get("/api/v1/invitations").json()["results"]
    assert (listed["id"], listed["content_warning"]) == (invitation.pk, "graphic")

    refused = api.post(f"/api/v1/invitations/{invitation.pk}/accept", {}, format="json")
    assert refused.status_code == 400
    assert "warning_read" in refused.json()

    accepted = api.post(
        f"/api/v1/invitations/{invitation.pk}/accept", {"warning_read": True}, format="json"
    )
    assert accepted.status_code == 201
    assert accepted.json()["project"]["id"] == warned.pk

    other = services.project_invite(
        project=project, contractor=alice.contractor_profile, by=manager
    )
    declined = api.post(f"/api/v1/invitations/{other.pk}/decline")
    assert (declined.status_code, declined.json()["status"]) == (200, "declined")
    assert api.get("/api/v1/invitations").json()["results"] == []


def test_another_contractors_invitation_is_404_in_the_api(bob, invitation):
    api = _api(bob)

    assert api.post(f"/api/v1/invitations/{invitation.pk}/decline").status_code == 404
    assert api.post(f"/api/v1/invitations/{invitation.pk}/accept").status_code == 404
    assert api.get("/api/v1/invitations").json()["results"] == []


def test_the_schema_lists_the_invitation_endpoints(client):
    schema = client.get("/api/schema/").content.decode()

    for path in (
        "/api/v1/projects/{project_id}/about:",
        "/api/v1/invitations:",
        "/api/v1/invitations/{invitation_id}/accept:",
        "/api/v1/invitations/{invitation_id}/decline:",
    ):
        assert path in schema


def test_my_projects_queries_do_not_grow_with_invitations(clock, client, alice, manager):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("projects:my_projects")).status_code == 200
        return len(queries)

    def invite(n: int) -> None:
        with clock.back_at(SETUP_AT):
            other = project_create(manager, name=f"Project {n}")
        services.project_invite(project=other, contractor=alice.contractor_profile, by=manager)

    client.force_login(alice)
    invite(0)
    client.get(reverse("projects:my_projects"))
    one = count()
    for n in range(1, 15):
        invite(n)

    assert count() == one
    assert one <= 12
