"""The contractor's pages: applying, onboarding, documents and API tokens."""

import re
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import services
from accounts.models import (
    AgreementAcceptance,
    ApiToken,
    Application,
    ApplicationStatus,
    ContractorProfile,
    ContractorStatus,
    ExpertiseArea,
    PayoutDetails,
    TaxForm,
)
from accounts.uploads import DOCX
from tests import factories
from tests.sanctions import sanction

pytestmark = pytest.mark.django_db

HTML_PAGE = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


# --- Helpers and personas ----------------------------------------------------------


def application_post(*languages: tuple[str, str], resume=None, **overrides) -> dict:
    data = {
        "legal_name": "Carol Example",
        "display_name": "Carol",
        "country": "FR",
        "time_zone": "Europe/Paris",
        "hours_per_week": "25",
        "payout_currency": "EUR",
        "motivation": "I have labelled medical images for two years.",
        "languages-TOTAL_FORMS": "3",
        "languages-INITIAL_FORMS": "0",
        "languages-MIN_NUM_FORMS": "1",
        "languages-MAX_NUM_FORMS": "8",
    }
    rows = list(languages or [("fr", "native"), ("en", "C1")])
    for index in range(3):
        language, level = rows[index] if index < len(rows) else ("", "")
        data[f"languages-{index}-language"] = language
        data[f"languages-{index}-level"] = level
    data["resume"] = factories.resume_upload("Carol CV.pdf") if resume is None else resume
    data.update(overrides)
    return data


def content_disposition_filename(header: str) -> str:
    """The file name a browser saves under, from either form Django writes."""
    if encoded := re.search(r"filename\*=utf-8''(\S+)", header):
        return unquote(encoded[1])
    return re.search(r'filename="([^"]*)"', header)[1]


def application_of(user) -> Application:
    return Application.objects.filter(profile__user=user).latest("submitted_at")


def profile_of(user) -> ContractorProfile:
    return ContractorProfile.objects.get(user=user)


def page(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


@pytest.fixture
def carol(db):
    """Signed up and verified, has not applied."""
    return factories.user_create("carol@example.com")


@pytest.fixture
def dora(db, manager):
    """A US contractor whose application was just approved: onboarding, nothing done."""
    user, application = factories.applicant_create(
        "dora@example.com",
        legal_name="Dora Example",
        display_name="Dora",
        country="US",
        time_zone="America/New_York",
        payout_currency="USD",
        languages=[("en", "native")],
    )
    services.application_approve(application=application, by=manager)
    return user


@pytest.fixture
def erik(db, manager):
    """A non-US contractor in onboarding."""
    user, application = factories.applicant_create("erik@example.com", legal_name="Erik Example")
    services.application_approve(application=application, by=manager)
    return user


# --- Anonymous visitors ---------------------------------------------------------------

PAGES = [
    ("accounts:apply", {}),
    ("accounts:application_status", {}),
    ("accounts:application_edit", {}),
    ("accounts:resume", {"pk": 1}),
    ("accounts:onboarding", {}),
    ("accounts:agreement", {}),
    ("accounts:tax_form", {}),
    ("accounts:tax_document", {}),
    ("accounts:payout_details", {}),
    ("accounts:api_tokens", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_anonymous_visitor_is_sent_to_log_in(client, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('account_login')}?next=")


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [("accounts:application_withdraw", {}), ("accounts:api_token_revoke", {"pk": 1})],
)
def test_anonymous_post_is_sent_to_log_in_and_changes_nothing(client, applicant, name, kwargs):
    response = client.post(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert application_of(applicant).status == ApplicationStatus.SUBMITTED


# --- Applying ---------------------------------------------------------------------------


def test_apply_form_lists_every_field_with_a_label(client, carol):
    ExpertiseArea.objects.create(name="Law")
    client.force_login(carol)
    response = client.get(reverse("accounts:apply"))
    html = page(response)
    assert response.status_code == 200
    for field in ("legal_name", "country", "time_zone", "hours_per_week", "resume"):
        assert f'<label for="id_{field}"' in html
    assert 'for="id_languages-0-language"' in html
    assert 'type="checkbox" name="expertise"' in html
    assert 'enctype="multipart/form-data"' in html


def test_apply_submits_the_application_and_shows_its_status(client, carol):
    area = ExpertiseArea.objects.create(name="Medicine")
    client.force_login(carol)
    response = client.post(reverse("accounts:apply"), application_post(expertise=[area.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:application_status")

    application = application_of(carol)
    profile = application.profile
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.resume_original_name == "Carol CV.pdf"
    assert (profile.legal_name, str(profile.country), profile.hours_per_week) == (
        "Carol Example",
        "FR",
        25,
    )
    assert [(row.language, row.level) for row in profile.languages.all()] == [
        ("fr", "native"),
        ("en", "C1"),
    ]
    assert list(profile.expertise.all()) == [area]
    status_page = page(client.get(response["Location"]))
    assert "Submitted" in status_page
    assert "Thank you: your application is submitted." in status_page


def test_apply_with_bad_input_keeps_values_saves_nothing_and_asks_for_the_file_again(client, carol):
    client.force_login(carol)
    response = client.post(reverse("accounts:apply"), application_post(hours_per_week="99"))
    html = page(response)

    assert response.status_code == 200
    assert not ContractorProfile.objects.filter(user=carol).exists()
    assert not Application.objects.exists()
    assert 'value="Carol Example"' in html
    assert "I have labelled medical images for two years." in html
    assert '<option value="fr" selected>' in html
    assert 'id="id_hours_per_week_error"' in html
    assert re.search(r'aria-describedby="[^"]*id_hours_per_week_error', html)
    assert 'aria-invalid="true"' in html
    assert "choose your résumé again" in html


def test_apply_with_a_language_listed_twice_saves_nothing(client, carol):
    client.force_login(carol)
    response = client.post(
        reverse("accounts:apply"), application_post(("fr", "native"), ("fr", "C1"))
    )
    assert "Each language can be listed once." in page(response)
    assert not Application.objects.exists()


def test_apply_with_an_html_file_named_pdf_shows_the_error_next_to_the_resume(client, carol):
    client.force_login(carol)
    fake = SimpleUploadedFile("cv.pdf", HTML_PAGE, content_type="application/pdf")
    response = client.post(reverse("accounts:apply"), application_post(resume=fake))
    html = page(response)
    assert '<ul class="errorlist" id="id_resume_error">' in html
    assert "whatever its name says" in html
    assert not Application.objects.exists()


def test_apply_accepts_a_docx_resume(client, carol):
    client.force_login(carol)
    docx = SimpleUploadedFile("cv.docx", factories.docx_bytes(), content_type=DOCX)
    client.post(reverse("accounts:apply"), application_post(resume=docx))
    assert application_of(carol).resume_content_type == DOCX


def test_one_open_application_at_a_time(client, applicant):
    client.force_login(applicant)
    assert client.get(reverse("accounts:apply"))["Location"] == reverse(
        "accounts:application_status"
    )
    response = client.post(reverse("accounts:apply"), application_post(), follow=True)
    assert "You already have an open application." in page(response)
    assert Application.objects.filter(profile__user=applicant).count() == 1


def test_contractor_past_the_application_stage_is_sent_to_the_status_page(client, alice):
    client.force_login(alice)
    response = client.get(reverse("accounts:apply"))
    assert response["Location"] == reverse("accounts:application_status")


def test_rejected_applicant_can_apply_again_with_their_details_prefilled(
    client, applicant, manager
):
    services.application_reject(
        application=application_of(applicant), by=manager, reason="Not enough experience."
    )
    client.force_login(applicant)
    status_page = page(client.get(reverse("accounts:application_status")))
    assert "Not enough experience." in status_page
    assert reverse("accounts:apply") in status_page

    form_page = page(client.get(reverse("accounts:apply")))
    assert 'value="Alice Example"' in form_page
    response = client.post(reverse("accounts:apply"), application_post())
    assert response.status_code == 302
    assert Application.objects.filter(profile__user=applicant).count() == 2
    assert application_of(applicant).status == ApplicationStatus.SUBMITTED


# --- The status page --------------------------------------------------------------------


def test_status_page_without_an_application_invites_to_apply(client, carol):
    client.force_login(carol)
    html = page(client.get(reverse("accounts:application_status")))
    assert "You have not applied yet" in html
    assert reverse("accounts:apply") in html


def _move_to(application, status, manager, applicant):
    if status == ApplicationStatus.IN_REVIEW:
        services.application_start_review(application=application, by=manager)
    elif status == ApplicationStatus.APPROVED:
        services.application_approve(application=application, by=manager)
    elif status == ApplicationStatus.REJECTED:
        services.application_reject(application=application, by=manager, reason="No C1 English.")
    elif status == ApplicationStatus.WITHDRAWN:
        services.application_withdraw(application=application, by=applicant)


@pytest.mark.parametrize(
    ("status", "label", "next_step"),
    [
        ("submitted", "Submitted", "you can still change it"),
        ("in_review", "In review", "reviewing your application now"),
        ("approved", "Approved", "Go to onboarding"),
        ("rejected", "Rejected", "No C1 English."),
        ("withdrawn", "Withdrawn", "You withdrew this application"),
    ],
)
def test_status_page_shows_the_status_and_what_happens_next(
    client, applicant, manager, status, label, next_step
):
    _move_to(application_of(applicant), status, manager, applicant)
    client.force_login(applicant)
    html = page(client.get(reverse("accounts:application_status")))
    assert f'<span class="badge badge--{status}">{label}</span>' in html
    assert next_step in html


def test_status_page_offers_edit_only_while_submitted(client, applicant, manager):
    client.force_login(applicant)
    edit_url = reverse("accounts:application_edit")
    assert edit_url in page(client.get(reverse("accounts:application_status")))
    services.application_start_review(application=application_of(applicant), by=manager)
    assert edit_url not in page(client.get(reverse("accounts:application_status")))


def test_status_page_shows_the_history(client, applicant, manager):
    services.application_start_review(application=application_of(applicant), by=manager)
    client.force_login(applicant)
    html = page(client.get(reverse("accounts:application_status")))
    history = html.split('id="history-title"')[1]
    assert history.index("In review") < history.index("Submitted")
    assert "by a manager" in history and "by you" in history
    assert manager.email not in html


def test_status_page_query_count_does_not_grow_with_languages_or_history(
    client, applicant, manager, django_assert_max_num_queries
):
    client.force_login(applicant)
    with django_assert_max_num_queries(8):
        client.get(reverse("accounts:application_status"))
    services.application_withdraw(application=application_of(applicant), by=applicant)
    services.application_submit(
        user=applicant,
        details=factories.applicant_details(
            languages=[("de", "native"), ("en", "C1"), ("fr", "B2"), ("it", "A2"), ("es", "A1")],
            expertise=[ExpertiseArea.objects.create(name=f"Area {n}") for n in range(5)],
        ),
        resume=factories.resume_upload(),
    )
    services.application_start_review(application=application_of(applicant), by=manager)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("accounts:application_status"))
    assert "Area 4" in page(response)


def test_applicant_sees_only_their_own_application(client, applicant, alice):
    client.force_login(applicant)
    html = page(client.get(reverse("accounts:application_status")))
    assert reverse("accounts:resume", args=[application_of(applicant).pk]) in html
    assert reverse("accounts:resume", args=[application_of(alice).pk]) not in html
    assert (
        client.get(reverse("accounts:resume", args=[application_of(alice).pk])).status_code == 404
    )


# --- Editing and withdrawing ------------------------------------------------------------


def test_edit_form_is_prefilled_and_saving_keeps_the_resume(client, applicant):
    client.force_login(applicant)
    application = application_of(applicant)
    html = page(client.get(reverse("accounts:application_edit")))
    assert 'value="Alice Example"' in html
    assert "I have rated search results for three years." in html
    assert '<option value="de" selected>' in html

    data = application_post(("de", "native"), legal_name="Alice Changed", resume="")
    response = client.post(reverse("accounts:application_edit"), data)

    assert response["Location"] == reverse("accounts:application_status")
    application.refresh_from_db()
    assert application.profile.legal_name == "Alice Changed"
    assert application.resume_original_name == "resume.pdf"
    assert [row.language for row in application.profile.languages.all()] == ["de"]


def test_edit_can_replace_the_resume(client, applicant):
    client.force_login(applicant)
    docx = SimpleUploadedFile("new.docx", factories.docx_bytes(), content_type=DOCX)
    client.post(reverse("accounts:application_edit"), application_post(resume=docx))
    application = application_of(applicant)
    assert (application.resume_original_name, application.resume_content_type) == (
        "new.docx",
        DOCX,
    )


def test_edit_with_bad_input_changes_nothing(client, applicant):
    client.force_login(applicant)
    response = client.post(
        reverse("accounts:application_edit"),
        application_post(legal_name="", motivation="Changed", resume=""),
    )
    assert 'id="id_legal_name_error"' in page(response)
    application = application_of(applicant)
    assert application.motivation == "I have rated search results for three years."
    assert application.profile.legal_name == "Alice Example"


def test_edit_after_review_started_is_refused(client, applicant, manager):
    services.application_start_review(application=application_of(applicant), by=manager)
    client.force_login(applicant)

    shown = client.get(reverse("accounts:application_edit"))
    sent = client.post(
        reverse("accounts:application_edit"), application_post(legal_name="Too Late", resume="")
    )

    for response in (shown, sent):
        assert response["Location"] == reverse("accounts:application_status")
    assert "can't be edited" in messages_of(sent)[0]
    assert application_of(applicant).profile.legal_name == "Alice Example"


def test_edit_without_an_application_sends_to_apply(client, carol):
    client.force_login(carol)
    assert client.get(reverse("accounts:application_edit"))["Location"] == reverse("accounts:apply")


def test_withdraw_withdraws_the_open_application(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("accounts:application_withdraw"), follow=True)
    assert application_of(applicant).status == ApplicationStatus.WITHDRAWN
    assert "Your application is withdrawn." in page(response)
    assert reverse("accounts:apply") in page(response)


def test_withdraw_needs_a_post(client, applicant):
    client.force_login(applicant)
    assert client.get(reverse("accounts:application_withdraw")).status_code == 405
    assert application_of(applicant).status == ApplicationStatus.SUBMITTED


def test_withdraw_of_a_decided_application_is_refused_with_a_message(client, applicant, manager):
    services.application_reject(application=application_of(applicant), by=manager, reason="No.")
    client.force_login(applicant)
    response = client.post(reverse("accounts:application_withdraw"))
    assert "can't become withdrawn" in messages_of(response)[0]
    assert application_of(applicant).status == ApplicationStatus.REJECTED


def test_withdraw_without_an_application_is_404(client, carol):
    client.force_login(carol)
    assert client.post(reverse("accounts:application_withdraw")).status_code == 404


# --- Résumé download --------------------------------------------------------------------


def test_resume_downloads_as_an_attachment_with_nosniff_and_its_type(client, applicant):
    client.force_login(applicant)
    application = application_of(applicant)
    response = client.get(reverse("accounts:resume", args=[application.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="resume.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("uploaded_as", "content", "saved_as"),
    [
        pytest.param("résumé\u202efdp.exe", None, "résuméfdp.pdf", id="rtl-override-exe"),
        pytest.param("cv.exe", None, "cv.pdf", id="pdf-named-exe"),
        pytest.param("cv.pdf", factories.docx_bytes(), "cv.docx", id="docx-named-pdf"),
        pytest.param("\u202e.exe", None, "résumé.pdf", id="no-name-left"),
    ],
)
def test_a_resume_downloads_with_the_extension_of_its_detected_type(
    client, carol, uploaded_as, content, saved_as
):
    services.application_submit(
        user=carol,
        details=factories.applicant_details(),
        resume=factories.resume_upload(uploaded_as, content),
    )
    client.force_login(carol)

    response = client.get(reverse("accounts:resume", args=[application_of(carol).pk]))

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert content_disposition_filename(disposition) == saved_as
    assert ".exe" not in disposition and "\u202e" not in unquote(disposition)


def test_docx_resume_keeps_its_stored_content_type(client, carol):
    client.force_login(carol)
    docx = SimpleUploadedFile("cv.docx", factories.docx_bytes(), content_type="text/html")
    client.post(reverse("accounts:apply"), application_post(resume=docx))
    response = client.get(reverse("accounts:resume", args=[application_of(carol).pk]))
    assert response["Content-Type"] == DOCX


def test_manager_with_view_permission_can_download_any_resume(client, manager, applicant):
    client.force_login(manager)
    response = client.get(reverse("accounts:resume", args=[application_of(applicant).pk]))
    assert response.status_code == 200


def test_accountant_without_view_application_gets_404_for_a_resume(client, accountant, applicant):
    client.force_login(accountant)
    response = client.get(reverse("accounts:resume", args=[application_of(applicant).pk]))
    assert response.status_code == 404


# --- Another contractor's things are a 404 ----------------------------------------------


def test_bob_gets_404_on_every_url_of_alices_objects(client, alice, bob):
    token, _key = services.api_token_create(user=alice, name="alice's script")
    services.tax_form_submit(
        profile=profile_of(alice), fields={}, document=factories.resume_upload("w8.pdf")
    )
    client.force_login(bob)

    resume = client.get(reverse("accounts:resume", args=[application_of(alice).pk]))
    tax_doc = client.get(reverse("accounts:tax_document"), {"profile": profile_of(alice).pk})
    own_tax_doc = client.get(reverse("accounts:tax_document"))
    revoke = client.post(reverse("accounts:api_token_revoke", args=[token.pk]))

    assert [resume.status_code, tax_doc.status_code, own_tax_doc.status_code] == [404] * 3
    assert revoke.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "alice's script" not in page(client.get(reverse("accounts:api_tokens")))


# --- Onboarding -----------------------------------------------------------------------


def test_onboarding_lists_each_step_with_its_state(client, dora):
    factories.agreement_publish()
    client.force_login(dora)
    html = page(client.get(reverse("accounts:onboarding")))
    assert html.count("checklist__item--done") == 0
    for title in ("Accept the contractor agreement", "File your tax form", "Add payout details"):
        assert title in html
    assert "A manager checks this for you" in html
    assert reverse("accounts:agreement") in html
    assert reverse("accounts:tax_form") in html
    assert reverse("accounts:payout_details") in html


@pytest.mark.parametrize(
    ("persona", "target"),
    [("carol", "accounts:apply"), ("applicant", "accounts:application_status")],
)
def test_onboarding_pages_send_people_who_are_not_yet_approved_back(
    request, client, persona, target
):
    client.force_login(request.getfixturevalue(persona))
    for name in ("accounts:onboarding", "accounts:agreement", "accounts:tax_form"):
        assert client.get(reverse(name))["Location"] == reverse(target)


def test_onboarding_query_count_stays_the_same_when_steps_are_done(
    client, dora, manager, django_assert_max_num_queries
):
    factories.agreement_publish()
    client.force_login(dora)
    with django_assert_max_num_queries(8):
        client.get(reverse("accounts:onboarding"))
    factories.contractor_onboard(profile_of(dora), by=manager)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("accounts:onboarding"))
    assert page(response).count("checklist__item--done") == 4


def test_accepting_the_agreement_records_version_time_ip_and_browser(client, dora):
    agreement = factories.agreement_publish("2.1")
    client.force_login(dora)
    form = page(client.get(reverse("accounts:agreement")))
    assert "You agree to do good work." in form
    assert "Version 2.1" in form

    response = client.post(
        reverse("accounts:agreement"),
        {"agreement": agreement.pk, "accept": "on"},
        REMOTE_ADDR="198.51.100.7",
        HTTP_USER_AGENT="TestBrowser/1.0",
    )

    assert response["Location"] == reverse("accounts:onboarding")
    acceptance = AgreementAcceptance.objects.get(profile__user=dora)
    assert (acceptance.agreement, acceptance.ip_address, acceptance.user_agent) == (
        agreement,
        "198.51.100.7",
        "TestBrowser/1.0",
    )
    accepted_page = page(client.get(reverse("accounts:agreement")))
    assert "You accepted this version" in accepted_page
    assert "Version 2.1 accepted" in accepted_page


def test_agreement_needs_the_box_ticked_and_saves_nothing(client, dora):
    agreement = factories.agreement_publish()
    client.force_login(dora)
    response = client.post(reverse("accounts:agreement"), {"agreement": agreement.pk})
    assert "Tick the box to accept the agreement." in page(response)
    assert not AgreementAcceptance.objects.exists()


def test_accepting_an_agreement_that_was_replaced_meanwhile_is_refused(client, dora):
    old = factories.agreement_publish("1.0")
    factories.agreement_publish("2.0")
    client.force_login(dora)
    response = client.post(reverse("accounts:agreement"), {"agreement": old.pk, "accept": "on"})
    assert "not the current version" in page(response)
    assert not AgreementAcceptance.objects.exists()


def test_agreement_page_says_when_none_is_published(client, dora):
    client.force_login(dora)
    assert "No agreement has been published yet" in page(client.get(reverse("accounts:agreement")))


def test_us_contractor_files_a_w9_and_sees_the_tin_only_masked(client, dora):
    client.force_login(dora)
    form = page(client.get(reverse("accounts:tax_form")))
    assert "Tax form W-9" in form and "SSN or EIN" in form

    response = client.post(
        reverse("accounts:tax_form"),
        {"name_on_form": "Dora Example", "tax_id": "123-45-6789", "address": "1 Main St, Albany"},
    )

    assert response["Location"] == reverse("accounts:onboarding")
    filed = TaxForm.objects.get(profile__user=dora)
    assert (filed.form_type, filed.tax_id) == ("W-9", "123456789")
    html = page(client.get(reverse("accounts:tax_form")))
    assert "••••6789" in html
    assert "123456789" not in html and "123-45-6789" not in html


def test_non_us_contractor_files_a_w8ben(client, erik):
    client.force_login(erik)
    assert "Tax form W-8BEN" in page(client.get(reverse("accounts:tax_form")))
    client.post(
        reverse("accounts:tax_form"),
        {
            "name_on_form": "Erik Example",
            "country_of_citizenship": "DE",
            "address": "Hauptstraße 1, Berlin",
            "tax_id": "DE 1234 5678",
            "date_of_birth": "1988-04-02",
        },
    )
    filed = TaxForm.objects.get(profile__user=erik)
    assert (filed.form_type, str(filed.country_of_citizenship)) == ("W-8BEN", "DE")


def test_tax_form_with_missing_fields_shows_errors_next_to_them_and_saves_nothing(client, erik):
    client.force_login(erik)
    response = client.post(reverse("accounts:tax_form"), {"name_on_form": "Erik Example"})
    html = page(response)
    for field in ("tax_id", "address", "date_of_birth", "country_of_citizenship"):
        assert f'id="id_{field}_error"' in html
    assert 'value="Erik Example"' in html
    assert not TaxForm.objects.exists()


def test_signed_pdf_can_replace_the_typed_fields_and_its_owner_downloads_it(client, erik):
    client.force_login(erik)
    pdf = SimpleUploadedFile("signed.pdf", factories.pdf_bytes(), content_type="application/pdf")
    client.post(reverse("accounts:tax_form"), {"document": pdf})
    assert TaxForm.objects.get(profile__user=erik).document

    response = client.get(reverse("accounts:tax_document"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_tax_form_refuses_an_html_file_named_pdf(client, erik):
    client.force_login(erik)
    fake = SimpleUploadedFile("signed.pdf", HTML_PAGE, content_type="application/pdf")
    response = client.post(reverse("accounts:tax_form"), {"document": fake})
    assert 'id="id_document_error"' in page(response)
    assert not TaxForm.objects.exists()


def test_staff_with_view_taxform_can_download_a_contractors_tax_document(client, erik, accountant):
    services.tax_form_submit(
        profile=profile_of(erik), fields={}, document=factories.resume_upload("w8.pdf")
    )
    client.force_login(accountant)
    url = reverse("accounts:tax_document")
    assert client.get(url, {"profile": profile_of(erik).pk}).status_code == 200
    assert client.get(url, {"profile": "nope"}).status_code == 404


def test_leaving_the_tin_empty_keeps_the_number_on_file(client, alice):
    client.force_login(alice)
    html = page(client.get(reverse("accounts:tax_form")))
    assert "DE123456789" not in html and "••••6789" in html
    client.post(
        reverse("accounts:tax_form"),
        {
            "name_on_form": "Alice Example",
            "country_of_citizenship": "DE",
            "address": "Neue Straße 2, Berlin",
            "tax_id": "",
            "date_of_birth": "1990-01-01",
        },
    )
    filed = TaxForm.objects.get(profile__user=alice)
    assert (filed.tax_id, filed.address) == ("DE123456789", "Neue Straße 2, Berlin")


def test_payout_details_are_saved_and_shown_only_masked(client, erik):
    client.force_login(erik)
    response = client.post(
        reverse("accounts:payout_details"),
        {
            "method": "bank_transfer",
            "account_holder": "Erik Example",
            "account_identifier": "DE89 3704 0044 0532 0130 00",
        },
    )
    assert response["Location"] == reverse("accounts:onboarding")
    assert PayoutDetails.objects.get(profile__user=erik).account_identifier == (
        "DE89370400440532013000"
    )
    # Once details are on file, the page that changes them asks for the password again.
    assert client.get(reverse("accounts:payout_details")).status_code == 302
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    html = page(client.get(reverse("accounts:payout_details")))
    assert "••••3000" in html
    assert "DE89" not in html
    assert 'value="Erik Example"' in html


def test_payout_details_with_bad_input_save_nothing(client, erik):
    client.force_login(erik)
    response = client.post(
        reverse("accounts:payout_details"),
        {"method": "paypal", "account_holder": "Erik", "account_identifier": "not-an-email"},
    )
    assert "PayPal pays to an email address." in page(response)
    assert not PayoutDetails.objects.exists()


def test_finishing_the_last_step_makes_the_contractor_active(client, erik, manager):
    agreement = factories.agreement_publish()
    services.identity_verify(profile=profile_of(erik), by=manager)
    client.force_login(erik)
    client.post(reverse("accounts:agreement"), {"agreement": agreement.pk, "accept": "on"})
    client.post(reverse("accounts:tax_form"), {"document": factories.resume_upload("w8.pdf")})
    client.post(
        reverse("accounts:payout_details"),
        {"method": "wise", "account_holder": "Erik", "account_identifier": "erik@example.com"},
    )

    assert profile_of(erik).status == ContractorStatus.ACTIVE
    html = page(client.get(reverse("accounts:onboarding")))
    assert "You are all set" in html
    assert f'href="{reverse("home")}"' in html


def test_suspended_contractor_sees_the_reason_on_dashboard_and_onboarding(client, alice, manager):
    sanction(profile_of(alice), by=manager, reasons="Quality checks failed twice.")
    client.force_login(alice)
    for url in (reverse("home"), reverse("accounts:onboarding")):
        html = page(client.get(url))
        assert "Your account is suspended" in html
        assert "Quality checks failed twice." in html


def test_offboarded_contractor_sees_the_checklist_but_cannot_change_steps(client, alice, manager):
    sanction(profile_of(alice), by=manager, outcome="offboarding", reasons="Contract ended.")
    client.force_login(alice)
    html = page(client.get(reverse("accounts:onboarding")))
    assert "Your account is closed" in html and "Contract ended." in html
    assert reverse("accounts:payout_details") not in html
    response = client.post(
        reverse("accounts:payout_details"),
        {"method": "wise", "account_holder": "A", "account_identifier": "a@example.com"},
    )
    assert response["Location"] == reverse("accounts:onboarding")
    assert PayoutDetails.objects.get(profile__user=alice).method == "bank_transfer"


# --- API tokens ---------------------------------------------------------------------------


def test_new_token_key_is_shown_once_and_never_stored_in_clear(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:api_tokens"), {"name": "labelling tool"})
    html = page(response)
    key = re.search(r'id="new-key"[^>]*value="([^"]+)"', html).group(1)
    token = ApiToken.objects.get(user=alice)

    assert response.status_code == 200
    assert key.startswith(token.prefix + ".")
    assert "no-store" in response["Cache-Control"]
    assert all(key not in message for message in messages_of(response))
    assert key not in str(dict(client.session))
    later = page(client.get(reverse("accounts:api_tokens")))
    assert key not in later
    assert "labelling tool" in later and token.prefix in later


def test_token_needs_a_name(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:api_tokens"), {"name": "  "})
    assert 'id="id_name_error"' in page(response)
    assert not ApiToken.objects.exists()


def test_contractor_revokes_their_own_token(client, alice):
    token, _key = services.api_token_create(user=alice, name="old script")
    client.force_login(alice)
    response = client.post(reverse("accounts:api_token_revoke", args=[token.pk]), follow=True)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "is revoked" in page(response)
    assert "Revoked" in page(response)


def test_revoke_needs_a_post(client, alice):
    token, _key = services.api_token_create(user=alice, name="script")
    client.force_login(alice)
    assert client.get(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_tokens_page_query_count_does_not_grow_with_tokens(
    client, alice, django_assert_max_num_queries
):
    client.force_login(alice)
    services.api_token_create(user=alice, name="first")
    with django_assert_max_num_queries(5):
        client.get(reverse("accounts:api_tokens"))
    for number in range(30):
        services.api_token_create(user=alice, name=f"token {number}")
    with django_assert_max_num_queries(5):
        client.get(reverse("accounts:api_tokens"))


def test_behind_a_trusted_proxy_the_agreement_records_the_forwarded_address(client, dora, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    agreement = factories.agreement_publish()
    client.force_login(dora)
    client.post(
        reverse("accounts:agreement"),
        {"agreement": agreement.pk, "accept": "on"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert AgreementAcceptance.objects.get().ip_address == "203.0.113.9"


def test_staff_without_mfa_cannot_download_resumes_or_tax_forms(client, applicant):
    manager = factories.manager_create("nomfa@example.com", mfa=False)
    application = applicant.contractor_profile.applications.get()
    client.force_login(manager)
    for url in (
        reverse("accounts:resume", kwargs={"pk": application.pk}),
        reverse("accounts:tax_document") + f"?profile={applicant.contractor_profile.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_activate_totp"))
