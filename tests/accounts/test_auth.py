"""Sign-up, verification, login limits and the MFA step, through allauth's real views."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.urls import reverse

from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _signup(client, email="new@example.com"):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": factories.PASSWORD, "password2": factories.PASSWORD},
    )


def test_signup_requires_email_verification_before_use(client, mailoutbox):
    response = _signup(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new@example.com")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1

    login = client.post(
        reverse("account_login"), {"login": "new@example.com", "password": factories.PASSWORD}
    )
    assert login["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_signing_up_keeps_the_language_the_visitor_read_the_site_in(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "budi@example.com",
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
        },
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert response.status_code == 302
    assert User.objects.get(email="budi@example.com").language == "id"


def test_verification_link_verifies_and_signs_in(client, mailoutbox):
    _signup(client)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.post("/" + path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new@example.com").verified
    assert client.get(reverse("home")).status_code == 200
    assert int(client.session["_auth_user_id"]) == User.objects.get(email="new@example.com").pk


def test_signing_up_with_a_taken_email_creates_nobody_and_tells_only_the_owner(client, mailoutbox):
    factories.user_create("taken@example.com")
    response = _signup(client, email="TAKEN@example.com")
    # The response looks like any sign-up, so addresses can't be enumerated.
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    assert [m.to for m in mailoutbox] == [["taken@example.com"]]


def test_repeated_failed_logins_lock_the_account_even_for_the_right_password(client):
    factories.user_create("victim@example.com")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "victim@example.com", "password": "wrong"})
    right = client.post(
        reverse("account_login"),
        {"login": "victim@example.com", "password": factories.PASSWORD},
    )
    assert right.status_code == 200
    assert "Too many failed login attempts" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_flood_from_one_address_gets_429(client):
    statuses = {
        client.post(
            reverse("account_login"), {"login": f"x{i}@example.com", "password": "nope"}
        ).status_code
        for i in range(35)
    }
    assert 429 in statuses


def test_password_reset_sends_a_link(client, mailoutbox):
    factories.user_create("forgot@example.com")
    response = client.post(reverse("account_reset_password"), {"email": "forgot@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


def test_staff_with_mfa_must_enter_a_code_to_log_in(client):
    manager = factories.manager_create()
    response = client.post(
        reverse("account_login"), {"login": manager.email, "password": factories.PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    code = factories.totp_code(manager.totp_secret)
    ok = client.post(reverse("mfa_authenticate"), {"code": code})
    assert ok.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_admin_login_page_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
