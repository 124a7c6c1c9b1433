"""The seed_demo command behind `make run`."""

import io
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.management import CommandError, call_command

from accounts.models import (
    AgreementVersion,
    Application,
    ApplicationStatus,
    ContractorProfile,
    ContractorStatus,
    ExpertiseArea,
    User,
)
from accounts.roles import ACCOUNTANTS, VENDOR_MANAGERS
from accounts.uploads import PDF
from portal.management.commands import seed_demo
from projects.models import Assignment, Project, ProjectStatus, TimeEntry

pytestmark = pytest.mark.django_db


def _seed(settings) -> str:
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    models = [
        User,
        EmailAddress,
        Authenticator,
        ExpertiseArea,
        AgreementVersion,
        Application,
        Project,
        Assignment,
        TimeEntry,
    ]
    return {model.__name__: model.objects.count() for model in models}


def test_seeding_twice_creates_nothing_new(settings):
    _seed(settings)
    before = _counts()

    output = _seed(settings)

    assert _counts() == before
    assert "nothing created" in output


def test_the_demo_people_stand_where_the_readme_says(settings):
    _seed(settings)

    contractor = ContractorProfile.objects.get(user__email=seed_demo.CONTRACTOR_EMAIL)
    assert contractor.status == ContractorStatus.ACTIVE
    application = Application.objects.get(profile__user__email=seed_demo.APPLICANT_EMAIL)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.resume_content_type == PDF
    assert application.resume.read().startswith(b"%PDF-")
    assert AgreementVersion.objects.filter(published_at__isnull=False).exists()
    assert ExpertiseArea.objects.count() >= 3
    statuses = dict(Project.objects.values_list("name", "status"))
    assert sorted(statuses.values()) == [
        ProjectStatus.ACTIVE,
        ProjectStatus.DRAFT,
        ProjectStatus.PAUSED,
    ]
    paused = Project.objects.get(status=ProjectStatus.PAUSED)
    assert paused.status_changes.filter(to_status=ProjectStatus.PAUSED).get().message
    assert Assignment.objects.filter(contractor=contractor).count() == 2
    assert TimeEntry.objects.filter(assignment__contractor=contractor).count() == 1
    for user in User.objects.all():
        assert user.check_password(seed_demo.DEMO_PASSWORD)
        assert EmailAddress.objects.get(user=user).verified


def test_each_demo_contractor_reads_the_site_in_their_language_and_zone(settings, client):
    _seed(settings)

    carmen = User.objects.get(email=seed_demo.CONTRACTOR_EMAIL)
    assert (carmen.language, carmen.time_zone) == ("en", "Europe/Madrid")
    dewi = User.objects.get(email=seed_demo.KONTRAKTOR_EMAIL)
    assert (dewi.language, dewi.time_zone) == ("id", "Asia/Jakarta")
    assert dewi.contractor_profile.status == ContractorStatus.ACTIVE
    assert dewi.contractor_profile.time_zone == "Asia/Jakarta"
    assignment = Assignment.objects.get(contractor=dewi.contractor_profile)
    assert assignment.project.status == ProjectStatus.ACTIVE
    client.force_login(dewi)
    assert '<html lang="id">' in client.get("/").content.decode()


def test_a_database_seeded_before_the_second_contractor_gets_them(settings, monkeypatch):
    with monkeypatch.context() as earlier:  # the command as it was before the second contractor
        emails = [e for e in seed_demo._all_emails() if e != seed_demo.KONTRAKTOR_EMAIL]
        earlier.setattr(seed_demo, "_all_emails", lambda: emails)
        earlier.setattr(seed_demo, "_kontraktor", lambda **kwargs: None)
        earlier.setattr(seed_demo, "_kontraktor_assignment", lambda **kwargs: [])
        _seed(settings)
    assert not User.objects.filter(email=seed_demo.KONTRAKTOR_EMAIL).exists()

    output = _seed(settings)

    assert f"user {seed_demo.KONTRAKTOR_EMAIL}" in output
    dewi = ContractorProfile.objects.get(user__email=seed_demo.KONTRAKTOR_EMAIL)
    assert Assignment.objects.filter(contractor=dewi).count() == 1
    assert "nothing created" in _seed(settings)


@pytest.mark.parametrize(
    ("email", "group"),
    [(seed_demo.MANAGER_EMAIL, VENDOR_MANAGERS), (seed_demo.ACCOUNTANT_EMAIL, ACCOUNTANTS)],
)
def test_demo_staff_sign_in_with_the_printed_totp_secret(settings, email, group):
    output = _seed(settings)
    secret = seed_demo.TOTP_SECRETS[email]

    user = User.objects.get(email=email)
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [group]
    assert secret in output
    totp = TOTP(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP))
    assert totp.validate_code(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))


def test_the_command_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("seed_demo", stdout=io.StringIO())

    assert not User.objects.exists()


def test_the_generated_resume_is_a_one_page_pdf():
    pdf = seed_demo.resume_pdf("Resume of (someone)")

    assert pdf.startswith(b"%PDF-1.4")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"/Count 1" in pdf
    assert b"(Resume of [someone])" in pdf
