"""The site's languages on the accounts side: the agreement per language, the
preferences page, and the language and time zone an application stores."""

import json
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from rest_framework.test import APIClient

from accounts import selectors, services
from accounts.models import AgreementAcceptance, AgreementVersion, ContractorProfile, User
from tests import factories

pytestmark = pytest.mark.django_db

NOT_IN_YOUR_LANGUAGE = (
    "This agreement is not yet available in your language; this is the English text."
)


def page(response) -> str:
    return response.content.decode()


def translated(language: str, message: str) -> str:
    """``message`` as a page in ``language`` shows it, whether or not it is translated yet."""
    with translation.override(language):
        return escape(translation.gettext(message))


def select_of(html: str, field_id: str) -> str:
    """The markup of one select (the base page may hold another language menu)."""
    match = re.search(rf'<select[^>]*id="{field_id}"[^>]*>.*?</select>', html, re.S)
    assert match, f"no select #{field_id}"
    return match.group(0)


def publish_text(version: str, language: str, body: str) -> AgreementVersion:
    return AgreementVersion.objects.create(
        version=version,
        language=language,
        title=f"Agreement ({language})",
        body=body,
        published_at=timezone.now(),
    )


def speaks(user: User, language: str) -> User:
    user.language = language
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def dora(db, manager):
    """A US contractor whose application was just approved: onboarding, nothing done."""
    user, application = factories.applicant_create(
        "dora@example.com",
        legal_name="Dora Example",
        country="US",
        time_zone="America/New_York",
        payout_currency="USD",
        languages=[("en", "native"), ("vi", "native")],
    )
    services.application_approve(application=application, by=manager)
    return user


@pytest.fixture
def carol(db):
    """Signed up, has not applied: no contractor profile."""
    return factories.user_create("carol@example.com")


# --- The agreement, per language -----------------------------------------------------


def test_an_agreement_accepted_in_vietnamese_records_vietnamese(client, dora):
    factories.agreement_publish("2.0")
    vietnamese = publish_text("2.0", "vi", "Bạn đồng ý làm việc tốt.")
    client.force_login(speaks(dora, "vi"))

    response = client.get(reverse("accounts:agreement"))
    assert "Bạn đồng ý làm việc tốt." in page(response)
    assert "You agree to do good work." not in page(response)
    assert response.context["agreement"] == vietnamese
    assert not response.context["in_other_language"]

    response = client.post(
        reverse("accounts:agreement"), {"agreement": vietnamese.pk, "accept": "on"}
    )

    assert response["Location"] == reverse("accounts:onboarding")
    acceptance = AgreementAcceptance.objects.get(profile__user=dora)
    assert (acceptance.agreement, acceptance.language) == (vietnamese, "vi")
    # Accepting any language's text accepts the version, English readers' view included.
    profile = ContractorProfile.objects.get(user=dora)
    with translation.override("en"):
        assert selectors.onboarding_checklist(profile)[0].done
    listed = selectors.contractor_list_for_manager().get(pk=profile.pk)
    assert listed.accepted_current_agreement


def test_a_reader_without_a_text_in_their_language_reads_the_english_one_and_is_told(client, dora):
    english = factories.agreement_publish("2.0")
    publish_text("2.0", "vi", "Bạn đồng ý làm việc tốt.")
    client.force_login(speaks(dora, "id"))

    response = client.get(reverse("accounts:agreement"))

    html = page(response)
    assert response.context["agreement"] == english
    assert "You agree to do good work." in html
    assert "Bạn đồng ý làm việc tốt." not in html
    assert translated("id", NOT_IN_YOUR_LANGUAGE) in html
    assert 'lang="en"' in html

    client.post(reverse("accounts:agreement"), {"agreement": english.pk, "accept": "on"})
    assert AgreementAcceptance.objects.get(profile__user=dora).language == "en"


def test_an_english_reader_is_not_told_the_text_is_english(client, dora):
    factories.agreement_publish("2.0")
    client.force_login(dora)

    html = page(client.get(reverse("accounts:agreement")))

    assert "You agree to do good work." in html
    assert NOT_IN_YOUR_LANGUAGE not in html


def test_accepting_the_version_again_in_another_language_keeps_the_first_acceptance(dora):
    english = factories.agreement_publish("2.0")
    vietnamese = publish_text("2.0", "vi", "Bạn đồng ý làm việc tốt.")
    profile = ContractorProfile.objects.get(user=dora)

    first = services.agreement_accept(profile=profile, agreement=english, ip_address=None)
    again = services.agreement_accept(profile=profile, agreement=vietnamese, ip_address=None)

    assert again == first
    assert profile.agreement_acceptances.count() == 1


def test_a_translation_published_later_does_not_bring_back_an_older_version(dora):
    factories.agreement_publish("1.0")
    newest = factories.agreement_publish("2.0")
    late_translation = publish_text("1.0", "vi", "Bản cũ.")
    profile = ContractorProfile.objects.get(user=dora)

    assert selectors.agreement_current_version() == "2.0"
    assert selectors.agreement_current("vi") == newest
    with pytest.raises(ValidationError, match="not the current version"):
        services.agreement_accept(profile=profile, agreement=late_translation, ip_address=None)


def test_one_version_has_one_text_per_language():
    factories.agreement_publish("1.0")
    publish_text("1.0", "vi", "Một.")
    duplicate = AgreementVersion(version="1.0", language="vi", body="Hai.")
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    with pytest.raises(ValidationError):
        AgreementVersion(version="1.1", language="fr", body="Non.").full_clean()


# --- The preferences page ------------------------------------------------------------


def test_preferences_store_the_language_and_the_next_visit_speaks_it(client, carol):
    client.force_login(carol)

    response = client.post(
        reverse("accounts:preferences"), {"language": "id", "time_zone": "Asia/Jakarta"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:preferences")
    assert response.headers["Content-Language"] == "id"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "id"
    assert cookie["samesite"] == settings.LANGUAGE_COOKIE_SAMESITE
    carol.refresh_from_db()
    assert (carol.language, carol.time_zone) == ("id", "Asia/Jakarta")

    # Another browser, no cookie: the account's language wins.
    elsewhere = Client()
    elsewhere.force_login(carol)
    response = elsewhere.get(reverse("accounts:preferences"))
    assert response.headers["Content-Language"] == "id"
    assert response.context["LANGUAGE_CODE"] == "id"
    menu = select_of(page(response), "id_language")
    assert '<option value="id" selected lang="id">Bahasa Indonesia</option>' in menu


def test_the_preferences_success_message_is_in_the_new_language(client, carol):
    client.force_login(carol)
    response = client.post(
        reverse("accounts:preferences"), {"language": "vi", "time_zone": "UTC"}, follow=True
    )
    expected = translated("vi", "Your preferences are saved.")
    assert expected in page(response)


def test_preferences_offer_each_site_language_by_its_own_name(client, carol):
    client.force_login(carol)
    html = page(client.get(reverse("accounts:preferences")))
    menu = select_of(html, "id_language")
    for code, name in settings.LANGUAGES:
        assert re.search(rf'<option value="{code}"[^>]* lang="{code}">{name}</option>', menu)
    assert '<label for="id_language">' in html
    assert '<label for="id_time_zone">' in html
    assert 'value="Asia/Jakarta"' in select_of(html, "id_time_zone")


def test_a_contractors_times_follow_their_application(client, dora):
    client.force_login(dora)

    html = page(client.get(reverse("accounts:preferences")))
    assert 'name="time_zone"' not in html
    assert "United States (New York)" in html

    response = client.post(
        reverse("accounts:preferences"), {"language": "vi", "time_zone": "Asia/Tokyo"}
    )
    assert response.status_code == 302
    dora.refresh_from_db()
    assert (dora.language, dora.time_zone) == ("vi", "America/New_York")


def test_preferences_refuse_what_is_not_a_site_language_or_a_time_zone(client, carol):
    client.force_login(carol)
    response = client.post(
        reverse("accounts:preferences"), {"language": "fr", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"language", "time_zone"}
    carol.refresh_from_db()
    assert (carol.language, carol.time_zone) == ("", "UTC")


def test_the_preferences_service_checks_what_it_stores(carol, dora):
    with pytest.raises(ValidationError) as refused:
        services.user_preferences_set(user=carol, language="xx", time_zone="Nowhere/Town")
    assert set(refused.value.error_dict) == {"language", "time_zone"}

    with pytest.raises(ValidationError) as refused:
        services.user_preferences_set(user=dora, language="vi", time_zone="Asia/Tokyo")
    assert set(refused.value.error_dict) == {"time_zone"}

    services.user_preferences_set(user=carol, language="zh-hant", time_zone="Asia/Taipei")
    carol.refresh_from_db()
    assert (carol.language, carol.time_zone) == ("zh-hant", "Asia/Taipei")


def test_preferences_need_a_signed_in_user(client):
    response = client.get(reverse("accounts:preferences"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- The application's language and time zone -------------------------------------------


def _application_post(**overrides) -> dict:
    data = {
        "legal_name": "Carol Example",
        "display_name": "Carol",
        "country": "VN",
        "time_zone": "Asia/Ho_Chi_Minh",
        "site_language": "vi",
        "hours_per_week": "25",
        "payout_currency": "VND",
        "motivation": "I have labelled medical images for two years.",
        "languages-TOTAL_FORMS": "1",
        "languages-INITIAL_FORMS": "0",
        "languages-MIN_NUM_FORMS": "1",
        "languages-MAX_NUM_FORMS": "8",
        "languages-0-language": "vi",
        "languages-0-level": "native",
        "resume": factories.resume_upload("cv.pdf"),
    }
    data.update(overrides)
    return data


def test_the_application_form_sets_the_sites_language_and_time_zone(client, carol):
    client.force_login(carol)
    html = page(client.get(reverse("accounts:apply")))
    # It starts at the language the page is in.
    menu = select_of(html, "id_site_language")
    assert '<option value="en" selected lang="en">English</option>' in menu

    response = client.post(reverse("accounts:apply"), _application_post())

    assert response["Location"] == reverse("accounts:application_status")
    carol.refresh_from_db()
    assert (carol.language, carol.time_zone) == ("vi", "Asia/Ho_Chi_Minh")
    assert client.get(reverse("accounts:application_status"))["Content-Language"] == "vi"


def test_the_application_form_starts_at_the_language_the_visitor_reads(client, carol):
    client.force_login(carol)
    html = page(client.get(reverse("accounts:apply"), HTTP_ACCEPT_LANGUAGE="zh-hant"))
    assert '<option value="zh-hant" selected lang="zh-hant">' in select_of(html, "id_site_language")


def test_an_application_without_a_site_language_keeps_the_accounts(carol):
    speaks(carol, "id")
    services.application_submit(
        user=carol,
        details=factories.applicant_details(time_zone="Asia/Jakarta"),
        resume=factories.resume_upload(),
    )
    carol.refresh_from_db()
    assert (carol.language, carol.time_zone) == ("id", "Asia/Jakarta")


def test_an_application_refuses_a_language_the_site_does_not_speak(carol):
    with pytest.raises(ValidationError) as refused:
        services.application_submit(
            user=carol,
            details=factories.applicant_details(site_language="fr"),
            resume=factories.resume_upload(),
        )
    assert set(refused.value.error_dict) == {"site_language"}


def test_the_api_application_may_set_the_sites_language(carol):
    client = APIClient()
    client.force_login(carol)
    form = {
        "legal_name": "Carol Example",
        "display_name": "Carol",
        "country": "TW",
        "time_zone": "Asia/Taipei",
        "site_language": "zh-hant",
        "languages": json.dumps([{"language": "zh", "level": "native"}]),
        "hours_per_week": "25",
        "payout_currency": "TWD",
        "motivation": "Five years of translation review.",
        "resume": factories.resume_upload("cv.pdf"),
    }

    response = client.post("/api/v1/application", form, format="multipart")

    assert response.status_code == 201, response.json()
    carol.refresh_from_db()
    assert (carol.language, carol.time_zone) == ("zh-hant", "Asia/Taipei")
    refused = client.patch("/api/v1/application", {"site_language": "fr"}, format="json")
    assert refused.status_code == 400
    assert "site_language" in refused.json()
