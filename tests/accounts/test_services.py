"""Every service in accounts/services/: what it changes, and what it refuses."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile

from accounts import services
from accounts.models import (
    AgreementAcceptance,
    AgreementVersion,
    ApiToken,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    ContractorProfile,
    ContractorStatus,
    ContractorStatusChange,
    ExpertiseArea,
    PayoutDetails,
    TaxForm,
    TaxFormType,
)
from accounts.tokens import token_hash
from accounts.uploads import PDF
from portal.models import EmailStatus, OutboundEmail
from tests import factories
from tests.sanctions import sanction, sanction_order

pytestmark = pytest.mark.django_db

W8BEN_FIELDS = {
    "name_on_form": "Alice Example",
    "tax_id": "DE123456789",
    "address": "Hauptstraße 1, Berlin",
    "country_of_citizenship": "DE",
    "date_of_birth": date(1990, 1, 1),
}


def _approved_profile(manager, email: str = "onboarding@example.com", **overrides):
    _user, application = factories.applicant_create(email, **overrides)
    services.application_approve(application=application, by=manager)
    return ContractorProfile.objects.get(pk=application.profile_id)


def _assert_not_served(client, stored: FieldFile) -> None:
    """Private uploads have no URL, or one that nothing answers."""
    try:
        url = stored.url
    except ValueError:
        return
    assert client.get(url).status_code == 404


def _history(application: Application) -> list[tuple[str, str]]:
    return list(application.status_changes.order_by("pk").values_list("from_status", "to_status"))


# --- Submitting and editing an application ------------------------------------------


def test_submit_creates_profile_languages_expertise_and_history():
    user = factories.user_create("new@example.com")
    rating = ExpertiseArea.objects.create(name="Search rating")
    details = factories.applicant_details(expertise=[rating])

    application = services.application_submit(
        user=user, details=details, resume=factories.resume_upload()
    )

    profile = ContractorProfile.objects.get(user=user)
    assert application.profile == profile
    assert application.status == ApplicationStatus.SUBMITTED
    assert profile.status == ContractorStatus.APPLICANT
    assert (profile.legal_name, profile.country.code, profile.time_zone) == (
        "Alice Example",
        "DE",
        "Europe/Berlin",
    )
    assert (profile.hours_per_week, profile.payout_currency) == (20, "EUR")
    assert list(profile.languages.values_list("language", "level")) == [
        ("de", "native"),
        ("en", "C1"),
    ]
    assert list(profile.expertise.all()) == [rating]
    change = ApplicationStatusChange.objects.get(application=application)
    assert (change.from_status, change.to_status, change.by) == ("", "submitted", user)


def test_submit_stores_the_resume_privately_under_a_name_of_its_own(client):
    user = factories.user_create("new@example.com")
    upload = factories.resume_upload(name="../../static/evil name.pdf")

    application = services.application_submit(
        user=user, details=factories.applicant_details(), resume=upload
    )

    stored = Path(application.resume.path).resolve()
    assert stored.is_relative_to(Path(application.resume.storage.location).resolve())
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert not stored.is_relative_to(Path(settings.BASE_DIR / "portal" / "static").resolve())
    assert application.resume.name.startswith("resumes/")
    assert "evil" not in application.resume.name
    assert stored.suffix == ".pdf"
    assert stored.read_bytes() == factories.pdf_bytes()
    _assert_not_served(client, application.resume)
    assert application.resume_original_name == "evil name.pdf"
    assert application.resume_content_type == PDF


def test_submit_refuses_a_file_that_only_claims_to_be_a_pdf():
    user = factories.user_create("new@example.com")
    fake = SimpleUploadedFile("resume.pdf", b"<html><body>not a pdf</body></html>")

    with pytest.raises(ValidationError, match="not a PDF"):
        services.application_submit(user=user, details=factories.applicant_details(), resume=fake)

    assert not ContractorProfile.objects.filter(user=user).exists()
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"languages": []}, "languages"),
        ({"languages": [("de", "native"), ("de", "C1")]}, "languages"),
        ({"hours_per_week": 0}, "hours_per_week"),
        ({"hours_per_week": 81}, "hours_per_week"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"payout_currency": "XXY"}, "payout_currency"),
    ],
)
def test_submit_refuses_bad_details_and_changes_nothing(overrides, field):
    user = factories.user_create("new@example.com")

    with pytest.raises(ValidationError) as excinfo:
        services.application_submit(
            user=user,
            details=factories.applicant_details(**overrides),
            resume=factories.resume_upload(),
        )

    assert field in excinfo.value.message_dict
    assert not ContractorProfile.objects.filter(user=user).exists()
    assert not Application.objects.exists()


def test_only_one_open_application_at_a_time(applicant):
    with pytest.raises(ValidationError, match="already have an open application"):
        services.application_submit(
            user=applicant,
            details=factories.applicant_details(legal_name="Changed"),
            resume=factories.resume_upload(),
        )

    assert Application.objects.filter(profile__user=applicant).count() == 1
    assert ContractorProfile.objects.get(user=applicant).legal_name == "Alice Example"


def test_an_application_in_review_still_blocks_a_new_one(applicant, manager):
    application = Application.objects.get(profile__user=applicant)
    services.application_start_review(application=application, by=manager)

    with pytest.raises(ValidationError):
        services.application_submit(
            user=applicant, details=factories.applicant_details(), resume=factories.resume_upload()
        )


def test_reapplying_after_a_rejection_opens_a_new_application(applicant, manager):
    first = Application.objects.get(profile__user=applicant)
    services.application_reject(application=first, by=manager, reason="Not enough experience.")

    second = services.application_submit(
        user=applicant,
        details=factories.applicant_details(hours_per_week=30),
        resume=factories.resume_upload(),
    )

    assert second.pk != first.pk
    assert second.status == ApplicationStatus.SUBMITTED
    assert second.profile_id == first.profile_id
    assert second.profile.hours_per_week == 30
    first.refresh_from_db()
    assert first.status == ApplicationStatus.REJECTED


def test_a_contractor_past_the_application_stage_cannot_apply_again(alice):
    with pytest.raises(ValidationError, match="already past the application stage"):
        services.application_submit(
            user=alice, details=factories.applicant_details(), resume=factories.resume_upload()
        )


def test_update_changes_details_and_replaces_the_resume_after_commit(
    applicant, django_capture_on_commit_callbacks
):
    application = Application.objects.get(profile__user=applicant)
    old_path = Path(application.resume.path)
    details = factories.applicant_details(
        legal_name="Alice Renamed", motivation="Updated.", languages=[("fr", "B2")]
    )

    with django_capture_on_commit_callbacks(execute=True):
        updated = services.application_update(
            application=application,
            by=applicant,
            details=details,
            resume=factories.resume_upload(content=factories.docx_bytes(), name="cv.docx"),
        )

    updated.refresh_from_db()
    assert updated.motivation == "Updated."
    assert updated.profile.legal_name == "Alice Renamed"
    assert list(updated.profile.languages.values_list("language", flat=True)) == ["fr"]
    assert updated.resume.name.endswith(".docx")
    assert updated.resume_original_name == "cv.docx"
    assert Path(updated.resume.path).exists()
    assert not old_path.exists()


def test_update_is_refused_once_the_review_has_started(applicant, manager):
    application = Application.objects.get(profile__user=applicant)
    services.application_start_review(application=application, by=manager)

    with pytest.raises(ValidationError, match="already being reviewed"):
        services.application_update(
            application=application,
            by=applicant,
            details=factories.applicant_details(motivation="Too late."),
        )

    application.refresh_from_db()
    assert application.motivation == "I have rated search results for three years."


# --- Application status: the transitions table ---------------------------------------


def _application_in(status: str, manager) -> Application:
    _user, application = factories.applicant_create()
    moves = {
        ApplicationStatus.SUBMITTED: lambda: None,
        ApplicationStatus.IN_REVIEW: lambda: services.application_start_review(
            application=application, by=manager
        ),
        ApplicationStatus.APPROVED: lambda: services.application_approve(
            application=application, by=manager
        ),
        ApplicationStatus.REJECTED: lambda: services.application_reject(
            application=application, by=manager, reason="Not now."
        ),
        ApplicationStatus.WITHDRAWN: lambda: services.application_withdraw(
            application=application, by=application.profile.user
        ),
    }
    moves[status]()
    application.refresh_from_db()
    assert application.status == status
    return application


ACTIONS = {
    ApplicationStatus.IN_REVIEW: lambda app, by: services.application_start_review(
        application=app, by=by
    ),
    ApplicationStatus.APPROVED: lambda app, by: services.application_approve(
        application=app, by=by
    ),
    ApplicationStatus.REJECTED: lambda app, by: services.application_reject(
        application=app, by=by, reason="Not a fit."
    ),
    ApplicationStatus.WITHDRAWN: lambda app, by: services.application_withdraw(
        application=app, by=by
    ),
}


@pytest.mark.parametrize("from_status", ApplicationStatus.values)
@pytest.mark.parametrize("to_status", list(ACTIONS))
def test_application_moves_follow_the_transitions_table(manager, from_status, to_status):
    application = _application_in(from_status, manager)
    history_before = _history(application)
    allowed = to_status in Application.TRANSITIONS[from_status]

    if allowed:
        ACTIONS[to_status](application, manager)
    else:
        with pytest.raises(ValidationError, match="can't become"):
            ACTIONS[to_status](application, manager)

    application.refresh_from_db()
    if allowed:
        assert application.status == to_status
        assert _history(application) == [*history_before, (from_status, to_status)]
    else:
        assert application.status == from_status
        assert _history(application) == history_before


def test_approve_starts_onboarding_and_emails_only_after_commit(
    applicant, manager, outbox, django_capture_on_commit_callbacks
):
    application = Application.objects.get(profile__user=applicant)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_approve(application=application, by=manager)
    assert OutboundEmail.objects.get().status == EmailStatus.QUEUED
    assert outbox == []

    for callback in callbacks:
        callback()

    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.reviewed_by == manager
    assert application.decided_at is not None
    profile = application.profile
    assert profile.status == ContractorStatus.ONBOARDING
    change = profile.status_changes.get()
    assert (change.from_status, change.to_status, change.by) == ("applicant", "onboarding", manager)
    assert [message.to for message in outbox] == [["applicant@example.com"]]
    assert OutboundEmail.objects.get().status == EmailStatus.SENT


def test_reject_requires_a_reason(applicant, manager):
    application = Application.objects.get(profile__user=applicant)

    with pytest.raises(ValidationError) as excinfo:
        services.application_reject(application=application, by=manager, reason="   ")

    assert "reason" in excinfo.value.message_dict
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not OutboundEmail.objects.exists()


def test_reject_records_the_reason_and_tells_the_applicant(
    applicant, manager, outbox, django_capture_on_commit_callbacks
):
    application = Application.objects.get(profile__user=applicant)

    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(
            application=application, by=manager, reason="  We need native Japanese.  "
        )

    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.decision_reason == "We need native Japanese."
    assert application.status_changes.first().reason == "We need native Japanese."
    assert application.profile.status == ContractorStatus.APPLICANT
    assert len(outbox) == 1
    assert "We need native Japanese." in outbox[0].body


def test_withdraw_is_recorded_as_done_by_the_applicant(applicant):
    application = Application.objects.get(profile__user=applicant)

    services.application_withdraw(application=application, by=applicant)

    change = application.status_changes.first()
    assert (change.to_status, change.by) == ("withdrawn", applicant)


# --- Onboarding checklist ----------------------------------------------------------


def test_onboarding_steps_wait_for_an_approved_application(applicant):
    profile = ContractorProfile.objects.get(user=applicant)
    agreement = factories.agreement_publish()

    with pytest.raises(ValidationError, match="once your application is approved"):
        services.agreement_accept(profile=profile, agreement=agreement, ip_address="192.0.2.1")
    with pytest.raises(ValidationError):
        services.tax_form_submit(profile=profile, fields=W8BEN_FIELDS)
    with pytest.raises(ValidationError):
        services.payout_details_save(
            profile=profile, method="paypal", account_holder="A", account_identifier="a@b.example"
        )

    assert not AgreementAcceptance.objects.exists()
    assert not TaxForm.objects.exists()
    assert not PayoutDetails.objects.exists()


def _do_step(step: str, profile: ContractorProfile, manager) -> None:
    if step == "agreement":
        services.agreement_accept(
            profile=profile, agreement=factories.agreement_publish(), ip_address="192.0.2.1"
        )
    elif step == "tax_form":
        services.tax_form_submit(profile=profile, fields=W8BEN_FIELDS)
    elif step == "payout":
        services.payout_details_save(
            profile=profile,
            method="wise",
            account_holder="Alice Example",
            account_identifier="alice@example.com",
        )
    else:
        services.identity_verify(profile=profile, by=manager)


STEPS = ["agreement", "tax_form", "payout", "identity"]


@pytest.mark.parametrize("last_step", STEPS)
def test_activation_happens_only_when_all_four_steps_are_done(
    manager, outbox, last_step, django_capture_on_commit_callbacks
):
    factories.agreement_publish()
    profile = _approved_profile(manager)
    for step in STEPS:
        if step != last_step:
            _do_step(step, profile, manager)
    profile.refresh_from_db()
    assert profile.status == ContractorStatus.ONBOARDING

    with django_capture_on_commit_callbacks(execute=True):
        _do_step(last_step, profile, manager)

    profile.refresh_from_db()
    assert profile.status == ContractorStatus.ACTIVE
    change = profile.status_changes.first()
    assert (change.from_status, change.to_status, change.reason) == (
        "onboarding",
        "active",
        "Onboarding complete.",
    )
    assert outbox[-1].subject.startswith("You are all set")


def test_identity_verification_keeps_the_first_verifier(manager):
    profile = _approved_profile(manager)
    other = factories.manager_create("other-manager@example.com")
    services.identity_verify(profile=profile, by=manager)
    first_at = ContractorProfile.objects.get(pk=profile.pk).identity_verified_at

    services.identity_verify(profile=profile, by=other)

    profile.refresh_from_db()
    assert (profile.identity_verified_at, profile.identity_verified_by) == (first_at, manager)


# --- Agreement ------------------------------------------------------------------------


def test_accepting_the_agreement_records_version_time_and_ip(manager):
    agreement = factories.agreement_publish("2.1")
    profile = _approved_profile(manager)

    acceptance = services.agreement_accept(
        profile=profile, agreement=agreement, ip_address="203.0.113.9", user_agent="Firefox " * 50
    )
    again = services.agreement_accept(
        profile=profile, agreement=agreement, ip_address="198.51.100.1"
    )

    assert again.pk == acceptance.pk
    acceptance.refresh_from_db()
    assert acceptance.agreement.version == "2.1"
    assert acceptance.ip_address == "203.0.113.9"
    assert acceptance.accepted_at is not None
    assert len(acceptance.user_agent) == 255


def test_only_the_current_agreement_can_be_accepted(manager):
    old = factories.agreement_publish("1.0")
    factories.agreement_publish("2.0")
    AgreementVersion.objects.create(version="3.0-draft", body="Not published yet.")
    profile = _approved_profile(manager)

    with pytest.raises(ValidationError, match="not the current version"):
        services.agreement_accept(profile=profile, agreement=old, ip_address="192.0.2.1")

    assert not AgreementAcceptance.objects.exists()


def test_no_agreement_can_be_accepted_before_one_is_published(manager):
    draft = AgreementVersion.objects.create(version="0.9", body="Draft.")
    profile = _approved_profile(manager)

    with pytest.raises(ValidationError):
        services.agreement_accept(profile=profile, agreement=draft, ip_address=None)


# --- Tax form --------------------------------------------------------------------------


def test_a_us_contractor_files_a_w9(manager):
    profile = _approved_profile(manager, country="US", time_zone="America/New_York")

    tax_form = services.tax_form_submit(
        profile=profile,
        fields={"name_on_form": "Alice Example", "tax_id": "123-45-6789", "address": "1 Main St"},
    )

    assert tax_form.form_type == TaxFormType.W9
    assert tax_form.masked_tax_id == "••••6789"
    assert tax_form.certified_at is not None


def test_everyone_else_files_a_w8ben(manager):
    profile = _approved_profile(manager)

    tax_form = services.tax_form_submit(profile=profile, fields=W8BEN_FIELDS)

    assert tax_form.form_type == TaxFormType.W8BEN
    assert tax_form.date_of_birth == date(1990, 1, 1)
    assert tax_form.country_of_citizenship.code == "DE"


@pytest.mark.parametrize(
    ("country", "time_zone", "missing"),
    [
        ("US", "America/Chicago", {"name_on_form", "tax_id", "address"}),
        (
            "DE",
            "Europe/Berlin",
            {"name_on_form", "tax_id", "address", "country_of_citizenship", "date_of_birth"},
        ),
    ],
)
def test_a_typed_in_tax_form_needs_every_required_field(manager, country, time_zone, missing):
    profile = _approved_profile(manager, country=country, time_zone=time_zone)

    with pytest.raises(ValidationError) as excinfo:
        services.tax_form_submit(profile=profile, fields={})

    assert set(excinfo.value.message_dict) == missing
    assert not TaxForm.objects.exists()


def test_a_signed_pdf_can_stand_in_for_the_fields(manager, client):
    profile = _approved_profile(manager)
    upload = SimpleUploadedFile("my W-8BEN.pdf", factories.pdf_bytes())

    tax_form = services.tax_form_submit(profile=profile, fields={}, document=upload)

    assert tax_form.document.name.startswith("tax-forms/")
    assert "W-8BEN" not in tax_form.document.name
    _assert_not_served(client, tax_form.document)


def test_a_tax_document_must_be_a_pdf(manager):
    profile = _approved_profile(manager)
    upload = SimpleUploadedFile("form.docx", factories.docx_bytes())

    with pytest.raises(ValidationError, match="not a PDF"):
        services.tax_form_submit(profile=profile, fields={}, document=upload)

    assert not TaxForm.objects.exists()


def test_filing_again_replaces_the_form(manager):
    profile = _approved_profile(manager)
    services.tax_form_submit(profile=profile, fields=W8BEN_FIELDS)

    services.tax_form_submit(profile=profile, fields={**W8BEN_FIELDS, "tax_id": "DE999999999"})

    assert TaxForm.objects.get(profile=profile).tax_id == "DE999999999"


# --- Payout details ----------------------------------------------------------------------


def test_payout_details_are_stored_compact_and_shown_masked(manager):
    profile = _approved_profile(manager)

    details = services.payout_details_save(
        profile=profile,
        method="bank_transfer",
        account_holder="  Alice Example ",
        account_identifier="DE89 3704 0044 0532 0130 00",
    )

    details.refresh_from_db()
    assert details.account_identifier == "DE89370400440532013000"
    assert details.account_holder == "Alice Example"
    assert details.masked_account == "••••3000"
    assert "0532" not in str(details)


def test_saving_payout_details_again_updates_them(manager):
    profile = _approved_profile(manager)
    _do_step("payout", profile, manager)

    services.payout_details_save(
        profile=profile, method="paypal", account_holder="Alice", account_identifier="a@b.example"
    )

    assert PayoutDetails.objects.get(profile=profile).method == "paypal"


# --- Suspend, reinstate, offboard ---------------------------------------------------


def test_suspend_records_the_reason_and_tells_the_contractor(
    alice, manager, outbox, django_capture_on_commit_callbacks
):
    profile = alice.contractor_profile

    order = sanction_order(profile, by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.contractor_suspend(
            profile=profile, by=manager, reason="Quality review.", case=order
        )

    profile.refresh_from_db()
    assert profile.status == ContractorStatus.SUSPENDED
    assert profile.status_reason == "Quality review."
    change = profile.status_changes.first()
    assert (change.from_status, change.to_status, change.reason, change.by) == (
        "active",
        "suspended",
        "Quality review.",
        manager,
    )
    assert outbox[-1].to == ["alice@example.com"]
    assert "Quality review." in outbox[-1].body


@pytest.mark.parametrize(
    "service",
    [services.contractor_suspend, services.contractor_reinstate, services.contractor_offboard],
)
def test_status_changes_require_a_reason(alice, manager, service):
    profile = alice.contractor_profile
    before = profile.status_changes.count()

    with pytest.raises(ValidationError) as excinfo:
        service(profile=profile, by=manager, reason="", case=None)

    assert "reason" in excinfo.value.message_dict
    profile.refresh_from_db()
    assert profile.status == ContractorStatus.ACTIVE
    assert profile.status_changes.count() == before


def test_reinstate_brings_a_suspended_contractor_back(alice, manager):
    profile = alice.contractor_profile
    sanction(profile, by=manager)

    services.contractor_reinstate(profile=profile, by=manager, reason="Review passed.")

    profile.refresh_from_db()
    assert profile.status == ContractorStatus.ACTIVE
    assert profile.status_changes.first().to_status == "active"


def test_only_a_suspended_contractor_can_be_reinstated(alice, manager):
    with pytest.raises(ValidationError, match="Only a suspended contractor"):
        services.contractor_reinstate(
            profile=alice.contractor_profile, by=manager, reason="Just because."
        )


def test_reinstate_waits_for_a_new_agreement_to_be_accepted(alice, manager):
    profile = alice.contractor_profile
    sanction(profile, by=manager)
    factories.agreement_publish("2.0")

    with pytest.raises(ValidationError, match="onboarding is not complete"):
        services.contractor_reinstate(profile=profile, by=manager, reason="Review passed.")

    profile.refresh_from_db()
    assert profile.status == ContractorStatus.SUSPENDED


@pytest.mark.parametrize("suspended_first", [False, True])
def test_offboard_ends_the_relationship_for_good(alice, manager, suspended_first):
    profile = alice.contractor_profile
    if suspended_first:
        sanction(profile, by=manager)

    services.contractor_offboard(
        profile=profile,
        by=manager,
        reason="Contract ended.",
        case=sanction_order(profile, by=manager, outcome="offboarding"),
    )

    profile.refresh_from_db()
    assert profile.status == ContractorStatus.OFFBOARDED
    assert profile.status_changes.first().reason == "Contract ended."
    with pytest.raises(ValidationError, match="can't become"):
        services.contractor_suspend(
            profile=profile,
            by=manager,
            reason="Again.",
            case=sanction_order(profile, by=manager),
        )
    with pytest.raises(ValidationError):
        services.contractor_reinstate(profile=profile, by=manager, reason="Again.")


def test_an_onboarding_contractor_can_be_offboarded_but_not_suspended(manager):
    profile = _approved_profile(manager)
    before = ContractorStatusChange.objects.filter(profile=profile).count()

    with pytest.raises(ValidationError, match="can't become suspended"):
        services.contractor_suspend(
            profile=profile, by=manager, reason="No.", case=sanction_order(profile, by=manager)
        )
    assert ContractorStatusChange.objects.filter(profile=profile).count() == before

    services.contractor_offboard(
        profile=profile,
        by=manager,
        reason="Never finished.",
        case=sanction_order(profile, by=manager, outcome="offboarding"),
    )
    profile.refresh_from_db()
    assert profile.status == ContractorStatus.OFFBOARDED


def test_an_applicant_cannot_be_offboarded(applicant, manager):
    profile = ContractorProfile.objects.get(user=applicant)

    with pytest.raises(ValidationError, match="can't become offboarded"):
        services.contractor_offboard(
            profile=profile,
            by=manager,
            reason="No.",
            case=sanction_order(profile, by=manager, outcome="offboarding"),
        )

    assert not profile.status_changes.exists()


# --- API tokens --------------------------------------------------------------------------


def test_a_token_is_stored_only_as_a_hash(alice):
    token, key = services.api_token_create(user=alice, name="  labelling script  ")

    token.refresh_from_db()
    assert token.name == "labelling script"
    assert key.startswith(token.prefix + ".")
    assert token.key_hash == token_hash(key)
    assert key not in token.key_hash
    assert token.is_active


def test_a_token_needs_a_name(alice):
    with pytest.raises(ValidationError) as excinfo:
        services.api_token_create(user=alice, name=" ")

    assert "name" in excinfo.value.message_dict
    assert not ApiToken.objects.exists()


def test_revoking_a_token_is_permanent_and_idempotent(alice):
    token, _key = services.api_token_create(user=alice, name="script")

    services.api_token_revoke(token=token, by=alice)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    services.api_token_revoke(token=token, by=alice)

    token.refresh_from_db()
    assert not token.is_active
    assert token.revoked_at == first
