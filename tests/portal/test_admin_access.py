"""Who reaches the admin, and what each staff role may see and do there."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import Application, ApplicationStatus, ContractorProfile
from portal.notifications.outbox import outbox_enqueue
from tests import factories

pytestmark = pytest.mark.django_db

APPLICATIONS = reverse("admin:accounts_application_changelist")
CONTRACTORS = reverse("admin:accounts_contractorprofile_changelist")


def _admin_urls() -> list[str]:
    urls = [reverse("admin:index"), reverse("admin:app_list", args=["accounts"])]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    return urls


def test_anonymous_visitor_is_sent_to_the_allauth_login(client):
    response = client.get(reverse("admin:index"), follow=True)

    final_url, _status = response.redirect_chain[-1]
    assert final_url.startswith("/accounts/login/?next=")
    assert response.status_code == 200


def test_admin_login_page_hands_anonymous_visitors_to_allauth(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_without_mfa_is_sent_to_set_it_up_from_every_admin_url(client):
    staff = factories.manager_create("nomfa@example.com", mfa=False)
    client.force_login(staff)
    setup = reverse("mfa_activate_totp")

    for url in [*_admin_urls(), reverse("admin:login")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{setup}?next="), url


def test_staff_without_mfa_cannot_run_actions(client, applicant):
    staff = factories.manager_create("nomfa@example.com", mfa=False)
    client.force_login(staff)
    application = Application.objects.get(profile__user=applicant)

    response = client.post(
        APPLICATIONS, {"action": "approve", "_selected_action": [application.pk]}
    )

    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_contractor_cannot_reach_the_admin(client, alice):
    client.force_login(alice)

    for url in (reverse("admin:index"), APPLICATIONS, CONTRACTORS, reverse("admin:login")):
        response = client.get(url, follow=True)
        assert response.status_code == 403, url


def test_accountant_cannot_see_applications_or_run_review_actions(client, accountant, applicant):
    client.force_login(accountant)
    application = Application.objects.get(profile__user=applicant)

    listing = client.get(APPLICATIONS)
    change = client.get(reverse("admin:accounts_application_change", args=[application.pk]))
    approve = client.post(APPLICATIONS, {"action": "approve", "_selected_action": [application.pk]})

    assert listing.status_code == 403
    assert change.status_code == 403
    assert approve.status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_accountant_sees_contractors_but_is_offered_no_actions(client, accountant, alice):
    client.force_login(accountant)
    profile = alice.contractor_profile

    listing = client.get(CONTRACTORS)
    suspend = client.post(
        CONTRACTORS,
        {"action": "suspend", "_selected_action": [profile.pk], "apply": "1", "reason": "x"},
    )

    assert listing.status_code == 200
    assert listing.context["action_form"] is None
    assert suspend.status_code == 200
    assert ContractorProfile.objects.get(pk=profile.pk).status == "active"


def test_manager_reads_the_outbox_filtered_by_status(client, manager):
    outbox_enqueue(to="queued@example.com", subject="Still waiting", body="…")
    client.force_login(manager)
    url = reverse("admin:portal_outboundemail_changelist")

    everything = client.get(url)
    sent_only = client.get(url, {"status__exact": "sent"})
    add = client.get(reverse("admin:portal_outboundemail_add"))

    assert everything.status_code == 200
    assert "queued@example.com" in everything.content.decode()
    assert "queued@example.com" not in sent_only.content.decode()
    assert add.status_code == 403


def test_accountant_cannot_read_the_outbox(client, accountant):
    client.force_login(accountant)

    assert client.get(reverse("admin:portal_outboundemail_changelist")).status_code == 403
