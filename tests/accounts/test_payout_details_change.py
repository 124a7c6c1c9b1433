"""Changing payout details takes the password (or an authenticator) again, and the
contractor is emailed, in their language, what changed."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ContractorProfile, PayoutDetails
from portal.models import Notification, NotificationKind
from tests import factories

pytestmark = pytest.mark.django_db

PAYOUT = reverse("accounts:payout_details")
REAUTH = reverse("account_reauthenticate")
NEW = {
    "method": "bank_transfer",
    "account_holder": "Alice Example",
    "account_identifier": "NL91 ABNA 0417 1643 00",
}


def _account(user) -> str:
    return PayoutDetails.objects.get(profile__user=user).masked_account


def test_a_session_without_recent_authentication_is_sent_to_reauthenticate(client, alice):
    client.force_login(alice)

    shown = client.get(PAYOUT)
    posted = client.post(PAYOUT, NEW)

    assert shown.status_code == 302 and shown["Location"].startswith(REAUTH)
    assert posted.status_code == 302 and posted["Location"].startswith(REAUTH)
    assert _account(alice) == "••••3000"
    assert not Notification.objects.filter(kind=NotificationKind.PAYOUT_DETAILS_CHANGED).exists()


def test_a_wrong_password_changes_nothing(client, alice):
    client.force_login(alice)
    client.post(PAYOUT, NEW)

    client.post(f"{REAUTH}?next={PAYOUT}", {"password": "not-my-password"})
    again = client.post(PAYOUT, NEW)

    assert again["Location"].startswith(REAUTH)
    assert _account(alice) == "••••3000"


def test_after_the_password_again_the_change_is_saved(client, alice):
    client.force_login(alice)
    client.get(PAYOUT)

    back = client.post(f"{REAUTH}?next={PAYOUT}", {"password": factories.PASSWORD})
    assert back.status_code == 302 and back["Location"] == PAYOUT
    assert client.get(PAYOUT).status_code == 200
    saved = client.post(PAYOUT, NEW)

    assert saved.status_code == 302
    assert _account(alice) == "••••4300"


def test_an_authenticator_code_does_as_well_as_the_password(client, alice):
    secret = generate_totp_secret()
    TOTP.activate(alice, secret)
    client.force_login(alice)
    assert client.post(PAYOUT, NEW)["Location"].startswith(REAUTH)

    client.post(
        f"{reverse('mfa_reauthenticate')}?next={PAYOUT}", {"code": factories.totp_code(secret)}
    )
    saved = client.post(PAYOUT, NEW)

    assert Authenticator.objects.filter(user=alice).exists()
    assert saved.status_code == 302
    assert _account(alice) == "••••4300"


def test_the_first_payout_details_need_no_second_password(client, manager):
    user, application = factories.applicant_create("onboarding@example.com")
    services.application_approve(application=application, by=manager)
    client.force_login(user)

    response = client.post(PAYOUT, {**NEW, "account_holder": "New Person"})

    assert response.status_code == 302
    assert _account(user) == "••••4300"
    assert not Notification.objects.filter(kind=NotificationKind.PAYOUT_DETAILS_CHANGED).exists()


def test_a_change_emails_the_contractor_once_in_their_language(
    alice, outbox, django_capture_on_commit_callbacks
):
    services.user_preferences_set(user=alice, language="id")
    profile = ContractorProfile.objects.get(user=alice)

    with django_capture_on_commit_callbacks(execute=True):
        services.payout_details_save(profile=profile, **NEW)
        services.payout_details_save(profile=profile, **NEW)

    mails = [mail for mail in outbox if alice.email in mail.to]
    assert len(mails) == 1
    body = mails[0].body
    assert "Transfer bank (IBAN atau nomor rekening)" in body
    assert "••••3000" in body and "••••4300" in body
    assert "NL91" not in body and "DE89" not in body
    assert reverse("account_reset_password") in body
    notice = Notification.objects.get(kind=NotificationKind.PAYOUT_DETAILS_CHANGED)
    assert (notice.recipient, notice.language) == (alice, "id")


def test_payout_details_cannot_be_changed_through_the_api(alice):
    """The API has no way to read or change payout details: a token alone, without the
    password, must never redirect pay."""
    _token, key = services.api_token_create(user=alice, name="script")
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]

    assert not [path for path in paths if "payout-details" in path or "payout_details" in path]
    for method in ("get", "post", "put", "patch"):
        response = getattr(client, method)("/api/v1/payout-details", NEW, format="json")
        assert response.status_code == 404
    me = client.get("/api/v1/me").json()
    assert "account_identifier" not in str(me)
    assert _account(alice) == "••••3000"
