"""Builders for test data. State is set up through the services, not by poking fields."""

import io
import time
import zipfile
from datetime import date

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts import services
from accounts.models import AgreementVersion, ContractorProfile, User
from accounts.roles import ACCOUNTANTS, VENDOR_MANAGERS
from accounts.selectors import agreement_current

PASSWORD = "correct-horse-battery-staple"


def pdf_bytes(extra: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        + extra
        + b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def resume_upload(name: str = "resume.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content)


def user_create(email: str, *, verified: bool = True, **extra) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def applicant_details(**overrides) -> services.ApplicantDetails:
    values = {
        "legal_name": "Alice Example",
        "display_name": "Alice",
        "country": "DE",
        "time_zone": "Europe/Berlin",
        "hours_per_week": 20,
        "payout_currency": "EUR",
        "motivation": "I have rated search results for three years.",
        "languages": [("de", "native"), ("en", "C1")],
        "expertise": [],
    }
    values.update(overrides)
    return services.ApplicantDetails(**values)


def applicant_create(email: str = "applicant@example.com", **overrides):
    user = user_create(email)
    application = services.application_submit(
        user=user, details=applicant_details(**overrides), resume=resume_upload()
    )
    return user, application


def agreement_publish(version: str = "1.0") -> AgreementVersion:
    current = agreement_current()
    if current is not None and current.version == version:
        return current
    return AgreementVersion.objects.create(
        version=version, body="You agree to do good work.", published_at=timezone.now()
    )


def staff_create(email: str, group_name: str, *, mfa: bool = True) -> User:
    user = user_create(email, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    if mfa:
        user.totp_secret = generate_totp_secret()
        TOTP.activate(user, user.totp_secret)
    return user


def totp_code(secret: str) -> str:
    return f"{hotp_value(secret, int(time.time()) // 30):06d}"


def manager_create(email: str = "manager@example.com", **kwargs) -> User:
    return staff_create(email, VENDOR_MANAGERS, **kwargs)


def accountant_create(email: str = "accountant@example.com", **kwargs) -> User:
    return staff_create(email, ACCOUNTANTS, **kwargs)


def contractor_onboard(profile: ContractorProfile, *, by: User) -> ContractorProfile:
    """Take an approved contractor through every checklist step."""
    agreement = agreement_publish()
    services.agreement_accept(profile=profile, agreement=agreement, ip_address="203.0.113.5")
    services.tax_form_submit(
        profile=profile,
        fields={
            "name_on_form": profile.legal_name,
            "tax_id": "DE123456789",
            "address": "Hauptstraße 1, Berlin",
            "country_of_citizenship": profile.country,
            "date_of_birth": date(1990, 1, 1),
        },
    )
    services.payout_details_save(
        profile=profile,
        method="bank_transfer",
        account_holder=profile.legal_name,
        account_identifier="DE89 3704 0044 0532 0130 00",
    )
    return services.identity_verify(profile=profile, by=by)


def contractor_create(email: str, *, by: User, **overrides) -> User:
    user, application = applicant_create(email, **overrides)
    services.application_approve(application=application, by=by)
    contractor_onboard(ContractorProfile.objects.get(user=user), by=by)
    user.refresh_from_db()
    return user
