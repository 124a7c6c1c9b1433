"""The vendor managers' admin: the application queue, onboarding and reference data."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services
from accounts.models import (
    AgreementVersion,
    ApiToken,
    Application,
    ApplicationStatus,
    ContractorProfile,
    ContractorStatus,
    ExpertiseArea,
    User,
)
from portal.models import OutboundEmail
from tests import factories
from tests.sanctions import sanction

pytestmark = pytest.mark.django_db

APPLICATIONS = reverse("admin:accounts_application_changelist")
CONTRACTORS = reverse("admin:accounts_contractorprofile_changelist")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def superuser(db):
    user = User.objects.create_superuser(email="root@example.com", password=factories.PASSWORD)
    TOTP.activate(user, generate_totp_secret())
    return user


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _act(client, url: str, action: str, objects, **extra):
    data = {"action": action, "_selected_action": [obj.pk for obj in objects], **extra}
    return client.post(url, data)


def _application(email: str, **overrides) -> Application:
    _user, application = factories.applicant_create(email, **overrides)
    return application


def _onboarding_profile(email: str, manager: User, *, with_identity_steps: bool = True):
    """An approved contractor who has done every step except the manager's identity check."""
    application = _application(email)
    services.application_approve(application=application, by=manager)
    profile = ContractorProfile.objects.get(pk=application.profile_id)
    if with_identity_steps:
        agreement = factories.agreement_publish()
        services.agreement_accept(profile=profile, agreement=agreement, ip_address="203.0.113.9")
        services.tax_form_submit(
            profile=profile,
            fields={},
            document=SimpleUploadedFile("w8.pdf", factories.pdf_bytes()),
        )
        services.payout_details_save(
            profile=profile, method="paypal", account_holder="Ann", account_identifier="ann@x.io"
        )
    return profile


# --- The application queue ----------------------------------------------------------


def test_approve_moves_profile_to_onboarding_and_emails_the_applicant(
    manager_client, manager, django_capture_on_commit_callbacks
):
    application = _application("ann@example.com")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = _act(manager_client, APPLICATIONS, "approve", [application])

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.reviewed_by == manager
    assert application.profile.status == ContractorStatus.ONBOARDING
    email = OutboundEmail.objects.get(to="ann@example.com")
    assert email.status == "sent"
    assert [message.to for message in mail.outbox] == [["ann@example.com"]]
    assert any(message.startswith("Approved 1") for message in _messages(response))


def test_start_review_puts_the_application_in_review(manager_client, manager):
    application = _application("ann@example.com")

    _act(manager_client, APPLICATIONS, "start_review", [application])

    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assert application.reviewed_by == manager


def test_reject_asks_for_a_reason_first(manager_client):
    application = _application("ann@example.com")

    response = _act(manager_client, APPLICATIONS, "reject", [application])

    assert response.status_code == 200
    assert "admin/action_form.html" in [t.name for t in response.templates]
    assert f'name="_selected_action" value="{application.pk}"' in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_without_reason_changes_nothing_and_shows_the_error(manager_client, reason):
    application = _application("ann@example.com")

    response = _act(manager_client, APPLICATIONS, "reject", [application], apply="1", reason=reason)

    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["This field is required."]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.status_changes.count() == 1
    assert not OutboundEmail.objects.exists()


def test_reject_with_reason_stores_it_and_emails_it(
    manager_client, manager, django_capture_on_commit_callbacks
):
    application = _application("ann@example.com")
    mail.outbox.clear()
    reason = "We need native Finnish speakers for now."

    with django_capture_on_commit_callbacks(execute=True):
        response = _act(
            manager_client, APPLICATIONS, "reject", [application], apply="1", reason=reason
        )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.decision_reason == reason
    assert application.status_changes.first().reason == reason
    assert reason in OutboundEmail.objects.get(to="ann@example.com").body
    assert reason in mail.outbox[0].body


def test_bulk_approve_reports_the_decided_one_and_processes_the_rest(manager_client, manager):
    first = _application("ann@example.com", legal_name="Ann First")
    decided = _application("ben@example.com", legal_name="Ben Decided")
    third = _application("cat@example.com", legal_name="Cat Third")
    services.application_reject(application=decided, by=manager, reason="Not now.")

    response = _act(manager_client, APPLICATIONS, "approve", [first, decided, third])

    statuses = dict(Application.objects.values_list("profile__legal_name", "status"))
    assert statuses == {
        "Ann First": ApplicationStatus.APPROVED,
        "Ben Decided": ApplicationStatus.REJECTED,
        "Cat Third": ApplicationStatus.APPROVED,
    }
    reported = _messages(response)
    assert any("Ben Decided" in m and "rejected and can't become approved" in m for m in reported)
    assert any(m.startswith("Approved 2") for m in reported)


def test_bulk_reject_applies_one_reason_to_every_open_application(manager_client, manager):
    first = _application("ann@example.com")
    withdrawn = _application("ben@example.com", legal_name="Ben Gone")
    services.application_withdraw(application=withdrawn, by=withdrawn.profile.user)

    response = _act(
        manager_client, APPLICATIONS, "reject", [first, withdrawn], apply="1", reason="Full."
    )

    first.refresh_from_db()
    assert first.decision_reason == "Full."
    withdrawn.refresh_from_db()
    assert withdrawn.status == ApplicationStatus.WITHDRAWN
    assert any("Ben Gone" in m for m in _messages(response))


def test_changelist_shows_the_queue_with_resume_links(manager_client):
    ExpertiseArea.objects.create(name="Medicine")
    application = _application(
        "ann@example.com", expertise=list(ExpertiseArea.objects.all()), country="FI"
    )

    response = manager_client.get(APPLICATIONS)

    page = response.content.decode()
    assert response.status_code == 200
    for text in ("Alice Example", "ann@example.com", "Finland", "German (native)", "Medicine"):
        assert text in page
    assert reverse("accounts:resume", kwargs={"pk": application.pk}) in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"language": "fi"}, {"Fay Finnish"}),
        ({"profile__country": "FI"}, {"Fay Finnish"}),
        ({"status__exact": "in_review"}, {"Gus German"}),
        ({"q": "gus@example"}, {"Gus German"}),
        ({"q": "Fay"}, {"Fay Finnish"}),
    ],
)
def test_changelist_filters_and_search(manager_client, manager, query, expected):
    _application(
        "fay@example.com", legal_name="Fay Finnish", country="FI", languages=[("fi", "native")]
    )
    gus = _application("gus@example.com", legal_name="Gus German")
    services.application_start_review(application=gus, by=manager)

    response = manager_client.get(APPLICATIONS, query)

    assert response.status_code == 200
    shown = {app.profile.legal_name for app in response.context["cl"].result_list}
    assert shown == expected


def test_change_view_is_read_only_with_status_history(manager_client, manager):
    application = _application("ann@example.com")
    services.application_reject(application=application, by=manager, reason="Not a fit.")

    url = reverse("admin:accounts_application_change", args=[application.pk])
    response = manager_client.get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="motivation"' not in page
    assert 'name="_save"' not in page
    assert "I have rated search results" in page
    assert "Not a fit." in page
    assert reverse("accounts:resume", kwargs={"pk": application.pk}) in page
    assert reverse("admin:accounts_contractorprofile_change", args=[application.profile_id]) in page
    assert "manager@example.com" in page
    post = manager_client.post(url, {"motivation": "changed"})
    assert post.status_code == 403


def test_applications_cannot_be_added_or_deleted(manager_client, superuser, client):
    application = _application("ann@example.com")
    assert manager_client.get(reverse("admin:accounts_application_add")).status_code == 403
    client.force_login(superuser)
    delete = reverse("admin:accounts_application_delete", args=[application.pk])
    assert client.get(delete).status_code == 403


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_application_changelist_queries_do_not_grow_with_rows(
    manager_client, manager, django_assert_max_num_queries
):
    areas = [ExpertiseArea.objects.create(name=name) for name in ("Law", "Medicine")]
    _application("applicant0@example.com", expertise=areas)
    baseline = _count_queries(manager_client, APPLICATIONS)
    for n in range(1, 50):
        application = _application(f"applicant{n}@example.com", expertise=areas[: n % 3])
        if n % 2:
            services.application_start_review(application=application, by=manager)

    with django_assert_max_num_queries(baseline):
        response = manager_client.get(APPLICATIONS)
    assert response.context["cl"].result_count == 50


# --- Contractors and onboarding --------------------------------------------------------


def test_identity_verification_completing_the_checklist_activates_the_contractor(
    manager_client, manager, django_capture_on_commit_callbacks
):
    profile = _onboarding_profile("ann@example.com", manager)
    assert profile.status == ContractorStatus.ONBOARDING

    with django_capture_on_commit_callbacks(execute=True):
        response = _act(manager_client, CONTRACTORS, "verify_identity", [profile])

    profile.refresh_from_db()
    assert profile.identity_verified_by == manager
    assert profile.status == ContractorStatus.ACTIVE
    assert profile.status_changes.first().to_status == ContractorStatus.ACTIVE
    assert any(m.startswith("Identity verified for 1") for m in _messages(response))


def test_identity_verification_alone_keeps_the_contractor_onboarding(manager_client, manager):
    profile = _onboarding_profile("ann@example.com", manager, with_identity_steps=False)

    _act(manager_client, CONTRACTORS, "verify_identity", [profile])

    profile.refresh_from_db()
    assert profile.identity_verified_at is not None
    assert profile.status == ContractorStatus.ONBOARDING


@pytest.mark.parametrize("action", ["suspend", "offboard"])
def test_the_admin_can_no_longer_suspend_or_offboard_without_a_case(manager_client, alice, action):
    profile = alice.contractor_profile

    response = _act(manager_client, CONTRACTORS, action, [profile], apply="1", reason="Quality.")

    profile.refresh_from_db()
    assert profile.status == ContractorStatus.ACTIVE
    assert not profile.status_changes.filter(to_status__in=["suspended", "offboarded"]).exists()
    assert response.status_code in (200, 302)


def test_open_case_takes_the_manager_to_a_case_about_the_contractor(manager_client, alice, bob):
    profile = alice.contractor_profile

    response = _act(manager_client, CONTRACTORS, "open_case", [profile])

    assert response.status_code == 302
    assert response["Location"] == (
        reverse("admin:projects_case_add") + f"?contractor={profile.pk}"
    )
    both = _act(manager_client, CONTRACTORS, "open_case", [profile, bob.contractor_profile])
    assert any("one contractor at a time" in m for m in _messages(both))


def test_reinstate_brings_a_suspended_contractor_back_and_refuses_others(
    manager_client, manager, alice, bob
):
    sanction(alice.contractor_profile, by=manager, reasons="Check.")

    response = _act(
        manager_client,
        CONTRACTORS,
        "reinstate",
        [alice.contractor_profile, bob.contractor_profile],
        apply="1",
        reason="All clear.",
    )

    assert ContractorProfile.objects.get(user=alice).status == ContractorStatus.ACTIVE
    assert ContractorProfile.objects.get(user=bob).status == ContractorStatus.ACTIVE
    reported = _messages(response)
    assert any("bob@example.com" in m and "Only a suspended" in m for m in reported)
    assert any(m.startswith("Reinstated 1") for m in reported)


def test_contractor_change_view_shows_checklist_and_masked_details_only(manager_client, alice):
    profile = alice.contractor_profile

    response = manager_client.get(
        reverse("admin:accounts_contractorprofile_change", args=[profile.pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Done: Identity checked by a manager" in page
    assert "Version 1.0 accepted" in page
    assert "203.0.113.5" in page
    assert "German" in page
    assert "Onboarding complete." in page
    assert "••••3000" in page
    assert "••••6789" in page
    assert "DE89370400440532013000" not in page
    assert "DE123456789" not in page
    assert reverse("accounts:tax_document") not in page
    assert 'name="_save"' not in page
    applications = f"{APPLICATIONS}?profile__id__exact={profile.pk}"
    assert applications in page
    assert manager_client.get(applications).context["cl"].result_count == 1


def test_contractor_change_view_links_an_uploaded_tax_document(manager_client, manager):
    profile = _onboarding_profile("ann@example.com", manager)

    response = manager_client.get(
        reverse("admin:accounts_contractorprofile_change", args=[profile.pk])
    )

    page = response.content.decode()
    assert "Not done: Identity checked by a manager" in page
    assert reverse("accounts:tax_document") + f"?profile={profile.pk}" in page


def test_contractor_changelist_shows_checklist_progress(manager_client, manager, alice):
    onboarding = _onboarding_profile("ann@example.com", manager)
    fresh = _onboarding_profile("ben@example.com", manager, with_identity_steps=False)

    response = manager_client.get(CONTRACTORS)

    rows = {profile.pk: profile for profile in response.context["cl"].result_list}
    admin_obj = response.context["cl"].model_admin
    assert admin_obj.checklist_progress(rows[alice.contractor_profile.pk]) == "4/4"
    assert admin_obj.checklist_progress(rows[onboarding.pk]) == "3/4"
    assert admin_obj.checklist_progress(rows[fresh.pk]) == "0/4"


def test_contractor_changelist_queries_do_not_grow_with_rows(
    manager_client, manager, django_assert_max_num_queries
):
    factories.contractor_create("c0@example.com", by=manager)
    baseline = _count_queries(manager_client, CONTRACTORS)
    for n in range(1, 50):
        if n % 5 == 0:
            factories.contractor_create(f"c{n}@example.com", by=manager)
        elif n % 5 == 1:
            _onboarding_profile(f"c{n}@example.com", manager)
        else:
            _application(f"c{n}@example.com")

    with django_assert_max_num_queries(baseline):
        response = manager_client.get(CONTRACTORS)
    assert response.context["cl"].result_count == 50


# --- Agreements, reference data and read-only records -------------------------------


def test_manager_can_write_an_agreement_version(manager_client):
    add = reverse("admin:accounts_agreementversion_add")
    assert manager_client.get(add).status_code == 200

    response = manager_client.post(
        add, {"version": "2.0", "title": "Contractor agreement", "body": "New terms."}
    )

    assert response.status_code == 302
    version = AgreementVersion.objects.get(version="2.0")
    change = reverse("admin:accounts_agreementversion_change", args=[version.pk])
    assert 'name="body"' in manager_client.get(change).content.decode()


def test_an_accepted_agreement_version_can_no_longer_change(manager_client, alice):
    version = AgreementVersion.objects.get(version="1.0")
    change = reverse("admin:accounts_agreementversion_change", args=[version.pk])

    response = manager_client.get(change)
    edit = manager_client.post(change, {"version": "1.0", "title": "x", "body": "Rewritten."})

    assert response.status_code == 200
    assert 'name="body"' not in response.content.decode()
    assert edit.status_code == 403
    version.refresh_from_db()
    assert version.body == "You agree to do good work."


def test_manager_edits_expertise_areas(manager_client):
    add = reverse("admin:accounts_expertisearea_add")
    assert manager_client.get(add).status_code == 200

    manager_client.post(add, {"name": "Law", "description": "Contracts, case law"})

    area = ExpertiseArea.objects.get(name="Law")
    change = reverse("admin:accounts_expertisearea_change", args=[area.pk])
    assert manager_client.get(change).status_code == 200


@pytest.mark.parametrize(
    "model",
    [
        "applicationstatuschange",
        "contractorstatuschange",
        "agreementacceptance",
        "taxform",
        "payoutdetails",
        "apitoken",
    ],
)
def test_records_are_read_only_even_for_a_superuser(client, superuser, alice, model):
    client.force_login(superuser)

    changelist = client.get(reverse(f"admin:accounts_{model}_changelist"))

    assert changelist.status_code == 200
    assert client.get(reverse(f"admin:accounts_{model}_add")).status_code == 403


def test_status_history_cannot_be_edited_or_deleted_even_by_a_superuser(client, superuser, alice):
    change = alice.contractor_profile.status_changes.first()
    client.force_login(superuser)

    edit = client.post(
        reverse("admin:accounts_contractorstatuschange_change", args=[change.pk]),
        {"reason": "rewritten"},
    )
    delete = client.post(
        reverse("admin:accounts_contractorstatuschange_delete", args=[change.pk]), {"post": "yes"}
    )

    assert edit.status_code == 403
    assert delete.status_code == 403
    change.refresh_from_db()
    assert change.reason == "Onboarding complete."


@pytest.mark.parametrize(
    ("model", "related_name"), [("taxform", "tax_form"), ("payoutdetails", "payout_details")]
)
def test_tax_and_payout_admins_show_masked_values_only(manager_client, alice, model, related_name):
    record = getattr(alice.contractor_profile, related_name)

    listing = manager_client.get(reverse(f"admin:accounts_{model}_changelist"))
    detail = manager_client.get(reverse(f"admin:accounts_{model}_change", args=[record.pk]))

    for response in (listing, detail):
        page = response.content.decode()
        assert response.status_code == 200
        assert "DE89370400440532013000" not in page
        assert "DE123456789" not in page
    assert "••••" in detail.content.decode()


def test_status_history_lists_render_for_a_manager(manager_client, alice):
    for model in ("applicationstatuschange", "contractorstatuschange", "agreementacceptance"):
        response = manager_client.get(reverse(f"admin:accounts_{model}_changelist"))
        assert response.status_code == 200
        assert "Alice Example" in response.content.decode()


def test_superuser_adds_a_user_with_email_and_password(client, superuser):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Staff@Example.com",
            "usable_password": "true",
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.staff@example.com")
    assert user.check_password(factories.PASSWORD)
    duplicate = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "NEW.staff@example.com",
            "usable_password": "true",
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
        },
    )
    assert duplicate.context["adminform"].form.errors["email"]


def test_manager_sees_users_but_cannot_add_them(manager_client, manager):
    assert manager_client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    change = reverse("admin:accounts_user_change", args=[manager.pk])
    assert manager_client.get(change).status_code == 200
    assert manager_client.get(reverse("admin:accounts_user_add")).status_code == 403


def test_api_token_revoke_action_never_shows_the_hash(client, superuser, alice):
    token, _key = services.api_token_create(user=alice, name="Labelling platform")
    client.force_login(superuser)
    url = reverse("admin:accounts_apitoken_changelist")

    listing = client.get(url)
    detail = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    _act(client, url, "revoke", [token])

    for response in (listing, detail):
        assert token.key_hash not in response.content.decode()
    assert token.prefix in listing.content.decode()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_publishing_an_agreement_makes_it_the_one_contractors_accept(client, manager):
    from accounts.models import AgreementVersion
    from accounts.selectors import agreement_current

    draft = AgreementVersion.objects.create(version="9.0", body="New terms.")
    client.force_login(manager)
    response = client.post(
        reverse("admin:accounts_agreementversion_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    assert agreement_current() == draft

    again = client.post(
        reverse("admin:accounts_agreementversion_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "already published" in again.content.decode()


def test_a_published_agreement_version_can_no_longer_change_even_unaccepted(manager_client):
    from accounts.models import AgreementVersion

    version = factories.agreement_publish("3.0")
    change = reverse("admin:accounts_agreementversion_change", args=[version.pk])
    edit = manager_client.post(change, {"version": "3.0", "title": "x", "body": "Rewritten."})
    assert edit.status_code == 403
    assert AgreementVersion.objects.get(pk=version.pk).body == "You agree to do good work."


# --- Decisions as buttons on the application's and the contractor's pages ---------------


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _application_page(application: Application) -> str:
    return reverse("admin:accounts_application_change", args=[application.pk])


def _contractor_page(profile_id: int) -> str:
    return reverse("admin:accounts_contractorprofile_change", args=[profile_id])


def _button(model: str, pk: int, action: str) -> str:
    return reverse(f"admin:accounts_{model}_act", args=[pk, action])


def test_the_application_page_offers_the_decisions_its_status_allows(manager_client, manager):
    application = _application("ann@example.com")
    page = _page(manager_client, _application_page(application))
    for action in ("start_review", "approve", "reject"):
        assert f'action="{_button("application", application.pk, action)}"' in page

    services.application_approve(application=application, by=manager)
    page = _page(manager_client, _application_page(application))
    assert _button("application", application.pk, "approve") not in page


def test_approve_button_calls_the_service_and_returns_to_the_page(
    manager_client, django_capture_on_commit_callbacks
):
    application = _application("ann@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            _button("application", application.pk, "approve"), {"action": "approve"}
        )
    assert response.status_code == 302
    assert response["Location"] == _application_page(application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.status_changes.filter(to_status=ApplicationStatus.APPROVED).exists()
    assert _messages(response) == [f"Approved 1 application: #{application.pk} Alice Example."]
    assert len(mail.outbox) == 1


def test_reject_button_asks_for_a_reason_on_the_intermediate_form_first(manager_client):
    application = _application("ann@example.com")
    url = _button("application", application.pk, "reject")

    form = manager_client.post(url, {"action": "reject"})
    assert form.status_code == 200
    assert form.templates[0].name == "admin/action_form.html"
    refused = manager_client.post(url, {"action": "reject", "apply": "1", "reason": ""})
    assert "reason" in refused.context["form"].errors
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    done = manager_client.post(
        url, {"action": "reject", "apply": "1", "reason": "We need native German."}
    )
    assert done.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.decision_reason) == (
        ApplicationStatus.REJECTED,
        "We need native German.",
    )


def test_buttons_only_answer_a_post_and_only_for_those_allowed(client, manager_client, accountant):
    application = _application("ann@example.com")
    url = _button("application", application.pk, "approve")
    assert manager_client.get(url).status_code == 405
    forbidden = _button("application", application.pk, "delete_selected")
    assert manager_client.post(forbidden).status_code == 403

    client.force_login(accountant)
    assert client.post(url, {"action": "approve"}).status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_the_contractor_page_decides_the_open_application_and_comes_back(manager_client, manager):
    application = _application("ann@example.com")
    contractor_page = _contractor_page(application.profile_id)
    page = _page(manager_client, contractor_page)
    assert "Approve the application" in page

    response = manager_client.post(
        _button("application", application.pk, "approve") + f"?next={contractor_page}",
        {"action": "approve"},
    )
    assert response["Location"] == contractor_page
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert "Approve the application" not in _page(manager_client, contractor_page)


def test_a_next_address_off_the_site_is_ignored(manager_client):
    application = _application("ann@example.com")
    response = manager_client.post(
        _button("application", application.pk, "approve") + "?next=https://evil.example/",
        {"action": "approve"},
    )
    assert response["Location"] == _application_page(application)


def test_identity_button_on_the_contractor_page_verifies_and_activates(
    manager_client, manager, django_capture_on_commit_callbacks
):
    profile = _onboarding_profile("ann@example.com", manager)
    button = _button("contractorprofile", profile.pk, "verify_identity")
    assert f'action="{button}"' in _page(manager_client, _contractor_page(profile.pk))

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(button, {"action": "verify_identity"})

    assert response["Location"] == _contractor_page(profile.pk)
    profile.refresh_from_db()
    assert (profile.identity_verified_by, profile.status) == (manager, ContractorStatus.ACTIVE)
    assert button not in _page(manager_client, _contractor_page(profile.pk))


def test_an_accountant_sees_no_decision_buttons(client, accountant, manager):
    profile = _onboarding_profile("ann@example.com", manager)
    client.force_login(accountant)
    page = _page(client, _contractor_page(profile.pk))
    assert "object-actions" not in page
    response = client.post(
        _button("contractorprofile", profile.pk, "verify_identity"), {"action": "verify_identity"}
    )
    assert response.status_code == 403
    profile.refresh_from_db()
    assert profile.identity_verified_at is None
