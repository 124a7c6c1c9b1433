"""Seed a laptop database with demo people at each stage of the contractor journey.

Everything goes through the services, as a real user's data would, and each
piece is skipped when it is already there, so running the command twice
creates nothing new. The passwords and TOTP secrets are public (the README
lists them), so the command refuses to run with DEBUG off.
"""

from datetime import date, timedelta
from urllib.parse import quote

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts import services
from accounts.models import AgreementVersion, ContractorProfile, ExpertiseArea, User
from accounts.roles import ACCOUNTANTS, VENDOR_MANAGERS
from accounts.selectors import agreement_current
from portal.dates import local_today
from projects import services as project_services
from projects.models import PauseReason, Project, ProjectStatus
from projects.timesheet import EntryChange

DEMO_PASSWORD = "portal-demo-password"  # noqa: S105 - public on purpose, see the README
MANAGER_EMAIL = "manager@demo.example"
ACCOUNTANT_EMAIL = "accountant@demo.example"
CONTRACTOR_EMAIL = "contractor@demo.example"
# A second active contractor who reads the site in Bahasa Indonesia, in Jakarta time.
KONTRAKTOR_EMAIL = "kontraktor@demo.example"
APPLICANT_EMAIL = "applicant@demo.example"
# Fixed base32 secrets so a person can add them to an authenticator app once
# and keep using them after the database is rebuilt.
TOTP_SECRETS = {
    MANAGER_EMAIL: "MANAGERDEMOTOTPSECRETONLYFORDEMO",
    ACCOUNTANT_EMAIL: "ACCOUNTANTDEMOTOTPSECRETONLYDEMO",
}
EXPERTISE_AREAS = {
    "Search relevance rating": "Judging how well results answer a query.",
    "Conversational AI rating": "Comparing and scoring chatbot answers.",
    "Translation review": "Checking machine translations for meaning and fluency.",
    "Software engineering": "Writing and reviewing code for training data.",
    "Medical text review": "Expert review of health-related answers.",
}
AGREEMENT_BODY = (
    "Demo contractor agreement. You work as an independent contractor, set your own "
    "hours, and are paid for every approved hour at the rate shown for the project."
)


def resume_pdf(title: str) -> bytes:
    """A one-page PDF with a line of text: enough for the résumé checks and a viewer."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def _user(
    email: str, *, is_staff: bool = False, language: str = "", time_zone: str = "UTC"
) -> User:
    user = User.objects.create_user(
        email=email,
        password=DEMO_PASSWORD,
        is_staff=is_staff,
        language=language,
        time_zone=time_zone,
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _staff(email: str, group_name: str) -> User:
    user = _user(email, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    TOTP.activate(user, TOTP_SECRETS[email])
    return user


def _agreement() -> AgreementVersion:
    return agreement_current() or AgreementVersion.objects.create(
        version="1.0",
        title="Contractor agreement",
        body=AGREEMENT_BODY,
        published_at=timezone.now(),
    )


def _submit(email: str, details: services.ApplicantDetails, *, language: str = ""):
    # The person reads the site in their language and their profile's time zone.
    user = _user(email, language=language, time_zone=details.time_zone)
    resume = SimpleUploadedFile(
        "resume.pdf", resume_pdf(f"Resume of {details.legal_name}"), "application/pdf"
    )
    return services.application_submit(user=user, details=details, resume=resume)


def _active_contractor(
    email: str,
    details: services.ApplicantDetails,
    *,
    manager: User,
    language: str,
    tax_fields: dict,
    account_identifier: str,
) -> None:
    """Apply, get approved and finish onboarding, as the person would; ends active."""
    application = _submit(email, details, language=language)
    services.application_approve(application=application, by=manager)
    profile = ContractorProfile.objects.get(pk=application.profile_id)
    services.agreement_accept(
        profile=profile, agreement=_agreement(), ip_address="127.0.0.1", user_agent="seed_demo"
    )
    services.tax_form_submit(
        profile=profile, fields={"name_on_form": details.legal_name, **tax_fields}
    )
    services.payout_details_save(
        profile=profile,
        method="bank_transfer",
        account_holder=details.legal_name,
        account_identifier=account_identifier,
    )
    services.identity_verify(profile=profile, by=manager)


def _contractor(*, manager: User, expertise: list[ExpertiseArea]) -> None:
    details = services.ApplicantDetails(
        legal_name="Carmen Demo",
        display_name="Carmen",
        country="ES",
        time_zone="Europe/Madrid",
        hours_per_week=25,
        payout_currency="EUR",
        motivation="I have rated search results and chatbot answers for three years.",
        languages=[("es", "native"), ("en", "C1")],
        expertise=expertise,
    )
    _active_contractor(
        CONTRACTOR_EMAIL,
        details,
        manager=manager,
        language="en",
        tax_fields={
            "tax_id": "X1234567L",
            "address": "Calle Mayor 1, 28013 Madrid",
            "country_of_citizenship": "ES",
            "date_of_birth": date(1992, 5, 17),
        },
        account_identifier="ES91 2100 0418 4502 0005 1332",
    )


def _kontraktor(*, manager: User, expertise: list[ExpertiseArea]) -> None:
    details = services.ApplicantDetails(
        legal_name="Dewi Demo",
        display_name="Dewi",
        country="ID",
        time_zone="Asia/Jakarta",
        hours_per_week=20,
        payout_currency="IDR",
        motivation="Saya sudah dua tahun menilai hasil pencarian dan jawaban chatbot.",
        languages=[("id", "native"), ("en", "B2")],
        expertise=expertise,
    )
    _active_contractor(
        KONTRAKTOR_EMAIL,
        details,
        manager=manager,
        language="id",
        tax_fields={
            "tax_id": "09.254.294.3-407.000",
            "address": "Jalan Sudirman 1, Jakarta 10220",
            "country_of_citizenship": "ID",
            "date_of_birth": date(1995, 8, 17),
        },
        account_identifier="1234567890",
    )


def _applicant(*, expertise: list[ExpertiseArea]) -> None:
    details = services.ApplicantDetails(
        legal_name="Amal Demo",
        display_name="Amal",
        country="EG",
        time_zone="Africa/Cairo",
        hours_per_week=15,
        payout_currency="USD",
        motivation="I translate between Arabic and English and review machine translations.",
        languages=[("ar", "native"), ("en", "B2")],
        expertise=expertise,
    )
    _submit(APPLICANT_EMAIL, details)


def seed() -> list[str]:
    """Create whatever demo data is missing; return what was created."""
    created = []
    for name, description in EXPERTISE_AREAS.items():
        _area, was_created = ExpertiseArea.objects.get_or_create(
            name=name, defaults={"description": description}
        )
        if was_created:
            created.append(f"expertise area {name!r}")
    if agreement_current() is None:
        created.append(f"agreement version {_agreement().version}")
    existing = set(User.objects.filter(email__in=_all_emails()).values_list("email", flat=True))
    if MANAGER_EMAIL not in existing:
        _staff(MANAGER_EMAIL, VENDOR_MANAGERS)
    if ACCOUNTANT_EMAIL not in existing:
        _staff(ACCOUNTANT_EMAIL, ACCOUNTANTS)
    areas = {area.name: area for area in ExpertiseArea.objects.filter(name__in=EXPERTISE_AREAS)}
    manager = User.objects.get(email=MANAGER_EMAIL)
    if CONTRACTOR_EMAIL not in existing:
        _contractor(
            manager=manager,
            expertise=[areas["Search relevance rating"], areas["Conversational AI rating"]],
        )
    if KONTRAKTOR_EMAIL not in existing:
        _kontraktor(
            manager=manager,
            expertise=[areas["Search relevance rating"], areas["Translation review"]],
        )
    if APPLICANT_EMAIL not in existing:
        _applicant(expertise=[areas["Translation review"]])
    created += [f"user {email}" for email in _all_emails() if email not in existing]
    created += _projects(manager=manager, areas=areas)
    created += _kontraktor_assignment(manager=manager)
    return created


DEMO_PROJECTS = {
    "Search relevance — German": {
        "description": "Rate how well search results answer German queries.",
        "guidelines": "Read the rating rubric before every session; when unsure, flag it.",
        "default_rate_minor": 2200,
        "languages": ["de"],
    },
    "Chatbot answer comparison": {
        "description": "Compare two assistant answers and say which is more helpful.",
        "guidelines": "Judge helpfulness first, then accuracy, then tone.",
        "default_rate_minor": 2600,
        "languages": ["en"],
    },
    "Medical answer review": {
        "description": "Expert review of health answers (starts next month).",
        "guidelines": "Only reviewers with a clinical background.",
        "default_rate_minor": 5500,
        "languages": ["en"],
    },
}


def _project(name: str, *, manager: User, expertise: list[ExpertiseArea]) -> Project:
    values = DEMO_PROJECTS[name]
    details = project_services.ProjectDetails(
        name=name,
        currency="EUR",
        expected_hours_per_week=15,
        weekly_cap_minutes=20 * 60,
        start_on=timezone.localdate() - timedelta(days=7),
        manager=manager,
        expertise=expertise,
        **values,
    )
    return project_services.project_create(details=details, by=manager)


def _projects(*, manager: User, areas: dict[str, ExpertiseArea]) -> list[str]:
    """An active project with today's hours in draft, a paused one, and a draft one."""
    if Project.objects.filter(name__in=DEMO_PROJECTS).exists():
        return []
    contractor = User.objects.get(email=CONTRACTOR_EMAIL).contractor_profile
    search = _project(
        "Search relevance — German", manager=manager, expertise=[areas["Search relevance rating"]]
    )
    chat = _project(
        "Chatbot answer comparison", manager=manager, expertise=[areas["Conversational AI rating"]]
    )
    _project("Medical answer review", manager=manager, expertise=[areas["Medical text review"]])
    for project in (search, chat):
        project_services.project_activate(project=project, by=manager)
        project_services.assignment_create(project=project, contractor=contractor, by=manager)
    # "Today" is the contractor's own day, which may differ from UTC's.
    today = local_today(contractor.time_zone)
    project_services.time_entries_save(
        by=contractor.user,
        changes=[EntryChange(search.assignments.get().pk, today, "task", 90)],
    )
    project_services.project_pause(
        project=chat,
        by=manager,
        reason=PauseReason.QUALITY,
        message="The client is reviewing last week's batch; we expect to restart soon.",
        expected_resume_on=timezone.localdate() + timedelta(days=7),
    )
    return [f"project {name!r}" for name in DEMO_PROJECTS]


def _kontraktor_assignment(*, manager: User) -> list[str]:
    """Put the Indonesian-speaking contractor on the active project, once.

    Separate from ``_projects`` so a database seeded before this contractor
    existed gets the assignment too.
    """
    contractor = User.objects.get(email=KONTRAKTOR_EMAIL).contractor_profile
    project = (
        Project.objects.filter(name="Search relevance — German")
        .exclude(status=ProjectStatus.CLOSED)
        .first()
    )
    if project is None or contractor.assignments.exists():
        return []
    project_services.assignment_create(project=project, contractor=contractor, by=manager)
    return [f"assignment of {KONTRAKTOR_EMAIL} to {project.name!r}"]


def _all_emails() -> list[str]:
    return [MANAGER_EMAIL, ACCOUNTANT_EMAIL, CONTRACTOR_EMAIL, KONTRAKTOR_EMAIL, APPLICANT_EMAIL]


def totp_url(email: str) -> str:
    issuer = quote(settings.MFA_TOTP_ISSUER)
    return f"otpauth://totp/{issuer}:{quote(email)}?secret={TOTP_SECRETS[email]}&issuer={issuer}"


class Command(BaseCommand):
    help = "Create demo users and reference data for trying the portal (DEBUG only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Seed even with DEBUG off (the demo passwords are public).",
        )

    def handle(self, *args, allow_without_debug: bool = False, **options) -> None:
        if not (settings.DEBUG or allow_without_debug):
            raise CommandError(
                "seed_demo creates accounts with public passwords; it runs only with DEBUG on."
            )
        with transaction.atomic():
            created = seed()
        if created:
            self.stdout.write(self.style.SUCCESS("Created: " + ", ".join(created) + "."))
        else:
            self.stdout.write("Demo data already present; nothing created.")
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write(
            f"\nDemo logins (demo only, never in production); password for all: {DEMO_PASSWORD}"
        )
        rows = [
            (MANAGER_EMAIL, "vendor manager (admin)"),
            (ACCOUNTANT_EMAIL, "accountant (admin)"),
            (CONTRACTOR_EMAIL, "active contractor"),
            (KONTRAKTOR_EMAIL, "active contractor, reads the site in Bahasa Indonesia"),
            (APPLICANT_EMAIL, "applicant, application submitted"),
        ]
        for email, role in rows:
            self.stdout.write(f"  {email:<26} {role}")
        self.stdout.write("\nStaff sign in with a code from an authenticator app. Setup keys:")
        for email, secret in TOTP_SECRETS.items():
            self.stdout.write(f"  {email:<26} {secret}")
            self.stdout.write(f"  {'':<26} {totp_url(email)}")
