import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts import services
from accounts.models import (
    ApiToken,
    Application,
    ApplicationStatus,
    ContractorProfile,
    ExpertiseArea,
)
from accounts.tokens import token_hash
from tests import factories

ME = "/api/v1/me"
APPLICATION = "/api/v1/application"
WITHDRAW = "/api/v1/application/withdraw"
TOKENS = "/api/v1/tokens"


def token_client(user) -> APIClient:
    _token, key = services.api_token_create(user=user, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def application_form(**overrides) -> dict:
    """What a script sends to apply, multipart-encoded: languages as one JSON field."""
    values = {
        "legal_name": "Dana Example",
        "display_name": "Dana",
        "country": "PT",
        "time_zone": "Europe/Lisbon",
        "languages": json.dumps(
            [
                {"language": "pt", "level": "native"},
                {"language": "en", "level": "C1"},
            ]
        ),
        "hours_per_week": "25",
        "payout_currency": "EUR",
        "motivation": "Five years of translation review.",
        "resume": factories.resume_upload("cv.pdf"),
    }
    values.update(overrides)
    return values


@pytest.fixture
def dana(db):
    """A signed-up user who has not applied yet."""
    return factories.user_create("dana@example.com")


# --- Token authentication -------------------------------------------------------


def test_token_in_authorization_header_authenticates(alice):
    token, key = services.api_token_create(user=alice, name="labeller")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get(ME)

    assert response.status_code == 200
    assert response.json()["email"] == "alice@example.com"
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("header", ["Token abcd1234.not-the-key", "Token not-a-key", "Token"])
def test_wrong_key_is_401(alice, header):
    services.api_token_create(user=alice, name="labeller")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(ME)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_right_prefix_with_wrong_secret_is_401(alice):
    token, key = services.api_token_create(user=alice, name="labeller")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.prefix}.{'x' * 43}")

    assert client.get(ME).status_code == 401


def test_revoked_token_is_401(alice):
    token, key = services.api_token_create(user=alice, name="labeller")
    services.api_token_revoke(token=token, by=alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert client.get(ME).status_code == 401


def test_only_the_hash_of_a_new_key_is_stored(alice):
    response = session_client(alice).post(TOKENS, {"name": "labeller"}, format="json")

    assert response.status_code == 201
    key = response.json()["key"]
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert token.key_hash == token_hash(key)
    assert key not in {token.key_hash, token.prefix, token.name}
    assert key.startswith(token.prefix)


def test_created_key_works_and_list_never_shows_key_or_hash(alice):
    session = session_client(alice)
    key = session.post(TOKENS, {"name": "labeller"}, format="json").json()["key"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    listing = client.get(TOKENS)

    assert listing.status_code == 200
    [entry] = listing.json()
    assert set(entry) == {"id", "name", "prefix", "created_at", "last_used_at", "revoked_at"}
    assert entry["name"] == "labeller"
    assert key not in listing.content.decode()
    assert ApiToken.objects.get().key_hash not in listing.content.decode()


def test_a_token_cannot_create_another_token(alice):
    response = token_client(alice).post(TOKENS, {"name": "successor"}, format="json")

    assert response.status_code == 403
    assert ApiToken.objects.filter(user=alice).count() == 1


def test_token_create_from_a_session_needs_the_csrf_token(alice):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(TOKENS, {"name": "labeller"}, format="json")

    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_token_without_a_name_gets_the_services_message(alice):
    response = session_client(alice).post(TOKENS, {"name": "   "}, format="json")

    assert response.status_code == 400
    assert response.json() == {"name": ["Name the token so you can tell it apart later."]}
    assert not ApiToken.objects.exists()


def test_revoking_own_token_stops_it_working(alice):
    token, key = services.api_token_create(user=alice, name="labeller")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = session_client(alice).delete(f"{TOKENS}/{token.pk}")

    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(ME).status_code == 401


def test_bob_cannot_revoke_alices_token(alice, bob):
    alice_token, alice_key = services.api_token_create(user=alice, name="labeller")

    response = token_client(bob).delete(f"{TOKENS}/{alice_token.pk}")

    assert response.status_code == 404
    alice_token.refresh_from_db()
    assert alice_token.revoked_at is None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {alice_key}")
    assert client.get(ME).status_code == 200


def test_bob_lists_only_his_tokens(alice, bob):
    services.api_token_create(user=alice, name="alice's script")

    names = [entry["name"] for entry in token_client(bob).get(TOKENS).json()]

    assert names == ["script"]


# --- Me ----------------------------------------------------------------------------


def test_me_for_a_contractor_includes_profile_summary(alice):
    area = ExpertiseArea.objects.create(name="Search relevance")
    profile = ContractorProfile.objects.get(user=alice)
    profile.expertise.add(area)

    body = token_client(alice).get(ME).json()

    assert body["email"] == "alice@example.com"
    assert body["is_staff"] is False
    assert body["groups"] == []
    contractor = body["contractor"]
    assert contractor["status"] == "active"
    assert contractor["legal_name"] == "Alice Example"
    assert contractor["country"] == "DE"
    assert contractor["time_zone"] == "Europe/Berlin"
    assert contractor["hours_per_week"] == 20
    assert contractor["payout_currency"] == "EUR"
    assert contractor["languages"] == [
        {"language": "de", "name": "German", "level": "native"},
        {"language": "en", "name": "English", "level": "C1"},
    ]
    assert contractor["expertise"] == [{"id": area.pk, "name": "Search relevance"}]
    assert contractor["status_reason"] == "Onboarding complete."


def test_me_for_staff_has_groups_and_no_contractor(manager):
    body = session_client(manager).get(ME).json()

    assert body["is_staff"] is True
    assert body["groups"] == ["Vendor managers"]
    assert body["contractor"] is None


def test_me_anonymous_is_401():
    assert APIClient().get(ME).status_code == 401


def _me_queries(user) -> int:
    client = token_client(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(ME).status_code == 200
    return len(queries)


def test_me_query_count_does_not_grow_with_languages_and_expertise(alice, manager):
    areas = [ExpertiseArea.objects.create(name=f"Area {n}") for n in range(8)]
    polyglot = factories.contractor_create(
        "polyglot@example.com",
        by=manager,
        languages=[(code, "C1") for code in ["de", "en", "fr", "es", "it", "pt", "nl", "pl"]],
        expertise=areas,
    )

    assert _me_queries(alice) == _me_queries(polyglot) <= 12


# --- Application -------------------------------------------------------------------


def test_apply_with_multipart_form_and_a_real_pdf(dana):
    area = ExpertiseArea.objects.create(name="Translation")

    response = token_client(dana).post(
        APPLICATION, application_form(expertise=[area.pk]), format="multipart"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["editable"] is True
    assert body["resume_name"] == "cv.pdf"
    assert body["resume_content_type"] == "application/pdf"
    assert [(h["from_status"], h["to_status"]) for h in body["history"]] == [("", "submitted")]
    profile = ContractorProfile.objects.get(user=dana)
    assert profile.legal_name == "Dana Example"
    assert str(profile.country) == "PT"
    assert [(lang.language, lang.level) for lang in profile.languages.all()] == [
        ("pt", "native"),
        ("en", "C1"),
    ]
    assert list(profile.expertise.all()) == [area]
    assert Application.objects.get(profile=profile).resume.read().startswith(b"%PDF-")


def test_apply_with_a_json_body_has_no_resume_and_is_400(dana):
    form = application_form()
    del form["resume"]
    form["languages"] = json.loads(form["languages"])

    response = token_client(dana).post(APPLICATION, form, format="json")

    assert response.status_code == 400
    assert response.json() == {"resume": ["No file was submitted."]}
    assert not Application.objects.exists()


def test_apply_with_html_renamed_pdf_is_400_and_creates_nothing(dana):
    fake = factories.resume_upload("cv.pdf", b"<html><body>not a pdf</body></html>")

    response = token_client(dana).post(
        APPLICATION, application_form(resume=fake), format="multipart"
    )

    assert response.status_code == 400
    assert "not a PDF" in response.json()["resume"][0]
    assert not ContractorProfile.objects.filter(user=dana).exists()
    assert not Application.objects.exists()


def test_apply_with_oversize_resume_is_400(dana, settings):
    big = factories.resume_upload("cv.pdf", factories.pdf_bytes(b"0" * settings.RESUME_MAX_BYTES))

    response = token_client(dana).post(
        APPLICATION, application_form(resume=big), format="multipart"
    )

    assert response.status_code == 400
    assert "the limit is 5 MB" in response.json()["resume"][0]
    assert not Application.objects.exists()


def test_apply_with_unknown_codes_gets_field_errors(dana):
    form = application_form(
        country="XX",
        time_zone="Mars/Olympus",
        payout_currency="XYZ",
        languages=json.dumps([{"language": "zz", "level": "fluent"}]),
    )

    response = token_client(dana).post(APPLICATION, form, format="multipart")

    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"country", "time_zone", "payout_currency", "languages"}
    assert errors["time_zone"] == ["Mars/Olympus is not a known time zone."]
    assert errors["payout_currency"] == ["XYZ is not an ISO 4217 currency code."]
    assert errors["languages"]["0"]["language"] == ["zz is not an ISO 639-1 language code."]
    assert "level" in errors["languages"]["0"]
    assert not ContractorProfile.objects.filter(user=dana).exists()


def test_apply_with_malformed_languages_json_is_400(dana):
    response = token_client(dana).post(
        APPLICATION, application_form(languages="de:native"), format="multipart"
    )

    assert response.status_code == 400
    assert response.json() == {"languages": ["Send the languages as a JSON list."]}


def test_service_rules_come_back_as_field_errors(dana):
    form = application_form(
        hours_per_week="0",
        languages=json.dumps(
            [
                {"language": "pt", "level": "native"},
                {"language": "pt", "level": "C1"},
            ]
        ),
    )

    response = token_client(dana).post(APPLICATION, form, format="multipart")

    assert response.status_code == 400
    assert response.json() == {
        "languages": ["Each language can be listed once."],
        "hours_per_week": ["Hours a week must be between 1 and 80."],
    }
    assert not ContractorProfile.objects.filter(user=dana).exists()


def test_second_open_application_is_400(applicant):
    response = token_client(applicant).post(APPLICATION, application_form(), format="multipart")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["You already have an open application."]}
    assert Application.objects.filter(profile__user=applicant).count() == 1


def test_active_contractor_cannot_apply_again(alice):
    response = token_client(alice).post(APPLICATION, application_form(), format="multipart")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["You are already past the application stage."]}


def test_get_application_without_one_is_404(dana):
    assert token_client(dana).get(APPLICATION).status_code == 404


def test_get_application_shows_status_and_history(applicant, manager):
    application = Application.objects.get(profile__user=applicant)
    services.application_reject(application=application, by=manager, reason="Need more German.")

    body = token_client(applicant).get(APPLICATION).json()

    assert body["id"] == application.pk
    assert body["status"] == "rejected"
    assert body["editable"] is False
    assert body["decision_reason"] == "Need more German."
    assert body["decided_at"] is not None
    assert [(h["from_status"], h["to_status"], h["reason"]) for h in body["history"]] == [
        ("submitted", "rejected", "Need more German."),
        ("", "submitted", ""),
    ]


def test_update_while_submitted_changes_only_what_is_sent(applicant):
    response = token_client(applicant).patch(
        APPLICATION, {"hours_per_week": 35, "motivation": "Now full time."}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["motivation"] == "Now full time."
    profile = ContractorProfile.objects.get(user=applicant)
    assert profile.hours_per_week == 35
    assert profile.legal_name == "Alice Example"
    assert [(lang.language, lang.level) for lang in profile.languages.all()] == [
        ("de", "native"),
        ("en", "C1"),
    ]


def test_update_with_a_new_resume_via_multipart(applicant):
    form = {
        "resume": factories.resume_upload("new.docx", factories.docx_bytes()),
        "languages": json.dumps([{"language": "fr", "level": "B2"}]),
    }

    response = token_client(applicant).patch(APPLICATION, form, format="multipart")

    assert response.status_code == 200, response.json()
    assert response.json()["resume_name"] == "new.docx"
    assert response.json()["resume_content_type"].endswith("wordprocessingml.document")
    profile = ContractorProfile.objects.get(user=applicant)
    assert [(lang.language, lang.level) for lang in profile.languages.all()] == [("fr", "B2")]


def test_update_after_review_started_is_400(applicant, manager):
    application = Application.objects.get(profile__user=applicant)
    services.application_start_review(application=application, by=manager)

    response = token_client(applicant).patch(APPLICATION, {"hours_per_week": 35}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This application is already being reviewed and can't be edited."]
    }
    assert ContractorProfile.objects.get(user=applicant).hours_per_week == 20


def test_update_with_bad_values_changes_nothing(applicant):
    response = token_client(applicant).patch(
        APPLICATION, {"hours_per_week": 81, "legal_name": "New Name"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"hours_per_week": ["Hours a week must be between 1 and 80."]}
    assert ContractorProfile.objects.get(user=applicant).legal_name == "Alice Example"


def test_withdraw_then_withdraw_again(applicant):
    client = token_client(applicant)

    response = client.post(WITHDRAW)

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["history"][0]["to_status"] == "withdrawn"
    application = Application.objects.get(profile__user=applicant)
    assert application.status == ApplicationStatus.WITHDRAWN
    again = client.post(WITHDRAW)
    assert again.status_code == 400
    assert "non_field_errors" in again.json()


def test_apply_again_after_withdrawing(applicant):
    client = token_client(applicant)
    client.post(WITHDRAW)

    response = client.post(APPLICATION, application_form(), format="multipart")

    assert response.status_code == 201
    assert client.get(APPLICATION).json()["id"] == response.json()["id"]


def test_each_applicant_reaches_only_their_own_application(applicant):
    carol, carol_application = factories.applicant_create(
        "carol@example.com", legal_name="Carol Example"
    )
    theirs = Application.objects.get(profile__user=applicant)
    client = token_client(carol)

    assert client.get(APPLICATION).json()["id"] == carol_application.pk
    client.patch(APPLICATION, {"legal_name": "Carol Changed"}, format="json")
    client.post(WITHDRAW)

    theirs.refresh_from_db()
    assert theirs.status == ApplicationStatus.SUBMITTED
    assert ContractorProfile.objects.get(user=applicant).legal_name == "Alice Example"
    assert ContractorProfile.objects.get(user=carol).legal_name == "Carol Changed"
    carol_application.refresh_from_db()
    assert carol_application.status == ApplicationStatus.WITHDRAWN


def test_bob_sees_his_own_application_not_alices(alice, bob):
    alice_application = Application.objects.get(profile__user=alice)

    body = token_client(bob).get(APPLICATION).json()

    assert body["id"] == Application.objects.get(profile__user=bob).pk
    assert body["id"] != alice_application.pk


@pytest.mark.parametrize("code", ["XAU", "ADP"])
def test_apply_with_a_currency_not_in_use_is_refused(dana, code):
    response = token_client(dana).post(
        APPLICATION, application_form(payout_currency=code), format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["payout_currency"] == [
        f"{code} is not a currency in use today; choose a current one."
    ]
    assert not ContractorProfile.objects.filter(user=dana).exists()
