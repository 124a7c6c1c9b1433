"""Seed a laptop database with demo people at each stage of the contractor journey.

Everything goes through the services, as a real user's data would: the weeks
of work behind the demo are made on a clock set back to when they happened
(see ``_as_of``). Each piece is skipped when it is already there, so running
the command twice creates nothing new. The passwords and TOTP secrets are
public (the README lists them), so the command refuses to run with DEBUG off.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import quote

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts import services
from accounts.models import (
    AgreementVersion,
    ConductRule,
    ConductRuleText,
    ContractorProfile,
    ExpertiseArea,
    RuleBook,
    RuleCategory,
    RuleSeverity,
    Sanction,
    User,
)
from accounts.roles import ACCOUNTANTS, VENDOR_MANAGERS
from accounts.selectors import agreement_current
from accounts.services.rules import RULE_BOOK_NOTICE_DAYS, rule_book_publish
from payments import services as payment_services
from payments.models import Payout, PayoutStatus
from portal.dates import local_date, local_today
from portal.models import ExchangeRate
from portal.money import exchange_rate_add
from portal.support import services as support_services
from portal.support.models import AboutKind, Category, Conversation
from projects import services as project_services
from projects.models import (
    Assignment,
    Case,
    ContentWarning,
    PauseReason,
    Project,
    ProjectPurpose,
    ProjectStatus,
    TimeEntry,
)
from projects.timesheet import EntryChange, week_start

DEMO_PASSWORD = "portal-demo-password"  # noqa: S105 - public on purpose, see the README
MANAGER_EMAIL = "manager@demo.example"
ACCOUNTANT_EMAIL = "accountant@demo.example"
CONTRACTOR_EMAIL = "contractor@demo.example"
# Carmen lives in Madrid; the demo's weeks are laid out on her calendar.
CONTRACTOR_TIME_ZONE = "Europe/Madrid"
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


def _staff(email: str, group_name: str, *, display_name: str = "") -> User:
    user = _user(email, is_staff=True)
    if display_name:
        # The name contractors read on the manager's decisions and answers.
        user.display_name = display_name
        user.save(update_fields=["display_name"])
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
        time_zone=CONTRACTOR_TIME_ZONE,
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
        subdivision="ID-JK",
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
    now = timezone.now()
    calendar = DemoCalendar.around(now)
    # People and projects date from before the weeks of work, so those weeks can be logged.
    with _as_of(calendar.began - timedelta(days=3)):
        created = _reference_data()
        existing = _people()
    # The applicant applied just now: their application is the newest one waiting.
    if APPLICANT_EMAIL not in existing:
        areas = {area.name: area for area in ExpertiseArea.objects.filter(name__in=EXPERTISE_AREAS)}
        _applicant(expertise=[areas["Translation review"]])
    created += [f"user {email}" for email in _all_emails() if email not in existing]
    manager = User.objects.get(email=MANAGER_EMAIL)
    with _as_of(calendar.began):
        created += _projects(manager=manager)
        created += _kontraktor_assignment(manager=manager)
        created += _invitation(manager=manager)
        created += _onboarding_assessment(manager=manager)
    created += _pay_history(manager=manager, calendar=calendar)
    created += _scheduled_pause(manager=manager, calendar=calendar)
    created += _help_conversation(manager=manager)
    created += _noticed_case(manager=manager, calendar=calendar)
    return created


def _reference_data() -> list[str]:
    created = []
    for name, description in EXPERTISE_AREAS.items():
        _area, was_created = ExpertiseArea.objects.get_or_create(
            name=name, defaults={"description": description}
        )
        if was_created:
            created.append(f"expertise area {name!r}")
    if agreement_current() is None:
        created.append(f"agreement version {_agreement().version}")
    # The Jakarta contractor's floor is in rupiah and the demo projects pay in euro:
    # every rate is checked against the floor, which needs a rate between the two.
    if not ExchangeRate.objects.filter(from_currency="EUR", to_currency="IDR").exists():
        exchange_rate_add(
            by=None,
            rate=ExchangeRate(
                from_currency="EUR",
                to_currency="IDR",
                rate=Decimal("18500"),
                on=timezone.localdate(),
                source="Demo figure, not a market rate",
            ),
        )
        created.append("exchange rate EUR → IDR")
    return created


def _people() -> set[str]:
    """Staff and the two active contractors; returns the demo emails that already existed."""
    existing = set(User.objects.filter(email__in=_all_emails()).values_list("email", flat=True))
    if MANAGER_EMAIL not in existing:
        _staff(MANAGER_EMAIL, VENDOR_MANAGERS, display_name="Mina Hartono")
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
    return existing


# --- The clock ----------------------------------------------------------------------


@contextmanager
def _as_of(moment: datetime) -> Iterator[None]:
    """Run the services as if it were ``moment``.

    The demo's past is made the way it would have happened, through the same
    services, each step at its own time: a week is submitted after it was
    worked, a period closed after it ended, a payout paid after it was approved.
    Every service reads the time through ``timezone.now``. The clock is the
    whole process's, which suits a one-off command and nothing else.
    """
    real_now = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real_now


@dataclass(frozen=True)
class DemoCalendar:
    """The weeks the demo is laid out on, counted back from the contractor's current week."""

    now: datetime
    this_monday: date

    @classmethod
    def around(cls, now: datetime) -> "DemoCalendar":
        return cls(now=now, this_monday=week_start(local_date(now, CONTRACTOR_TIME_ZONE)))

    def monday(self, weeks_ago: int) -> date:
        return self.this_monday - timedelta(weeks=weeks_ago)

    def at(self, day: date, hour: int) -> datetime:
        """``hour`` o'clock UTC on ``day``, but never later than now."""
        return min(datetime.combine(day, time(hour), tzinfo=UTC), self.now - timedelta(minutes=5))

    @property
    def began(self) -> datetime:
        """When the projects started: a week before the oldest week of work."""
        return self.at(self.monday(HISTORY_WEEKS + 1), 9)


# --- Projects -----------------------------------------------------------------------

SEARCH = "Search relevance — German"
CHAT = "Chatbot answer comparison"
MEDICAL = "Medical answer review"
SUPPORT = "Support chat rating — Spanish"
DEMO_PROJECTS = {
    SEARCH: {
        "description": "Rate how well search results answer German queries.",
        "guidelines": "Read the rating rubric before every session; when unsure, flag it.",
        "default_rate_minor": 2200,
        "languages": ["de"],
        "expertise": "Search relevance rating",
    },
    CHAT: {
        "description": "Compare two assistant answers and say which is more helpful.",
        "guidelines": "Judge helpfulness first, then accuracy, then tone.",
        "default_rate_minor": 2600,
        "languages": ["en"],
        "expertise": "Conversational AI rating",
    },
    MEDICAL: {
        "description": "Expert review of health answers (starts next month).",
        "guidelines": "Only reviewers with a clinical background.",
        "default_rate_minor": 5500,
        "languages": ["en"],
        "expertise": "Medical text review",
    },
    SUPPORT: {
        "description": "Rate a support chatbot's Spanish answers for accuracy and tone.",
        "guidelines": "Score each answer against the style guide; note any wrong facts.",
        "default_rate_minor": 2400,
        "languages": ["es"],
        "expertise": "Conversational AI rating",
    },
}
# Weeks of work before the current one: four paid runs (one per payout state) and last week.
HISTORY_WEEKS = 5
PAUSE_MESSAGE = "The client is reviewing last week's batch; we expect to restart soon."
SCHEDULED_PAUSE_MESSAGE = (
    "The client's budget for this quarter runs out; work stops for two weeks, then resumes."
)
REJECTION_REASON = (
    "Tuesday's review shows 6:00, but the batch log has about 4:00 of review. "
    "Please check it against your notes and correct the hours."
)
FAILURE_REASON = "The bank returned the transfer: the beneficiary's name did not match."


def _project(name: str, *, manager: User) -> Project:
    values = dict(DEMO_PROJECTS[name])
    area = ExpertiseArea.objects.get(name=values.pop("expertise"))
    details = project_services.ProjectDetails(
        name=name,
        currency="EUR",
        expected_hours_per_week=15,
        weekly_cap_minutes=20 * 60,
        start_on=timezone.localdate(),
        manager=manager,
        expertise=[area],
        **values,
    )
    return project_services.project_create(details=details, by=manager)


def _projects(*, manager: User) -> list[str]:
    """Active projects the contractor joined weeks ago, and a draft one; run on the past clock."""
    existing = set(Project.objects.filter(name__in=DEMO_PROJECTS).values_list("name", flat=True))
    missing = [name for name in DEMO_PROJECTS if name not in existing]
    contractor = User.objects.get(email=CONTRACTOR_EMAIL).contractor_profile
    for name in missing:
        project = _project(name, manager=manager)
        if name == MEDICAL:
            continue
        project_services.project_activate(project=project, by=manager)
        project_services.assignment_create(
            project=project, contractor=contractor, by=manager, start_on=project.start_on
        )
    return [f"project {name!r}" for name in missing]


WARNED = "Safety review — flagged chatbot answers"


def _invitation(*, manager: User) -> list[str]:
    """A project with a content warning, and the contractor invited to it, not yet answered:
    its page shows the warning before they accept or decline."""
    if Project.objects.filter(name=WARNED).exists():
        return []
    details = project_services.ProjectDetails(
        name=WARNED,
        description="Label chatbot answers that users reported as harmful, by the policy's kind.",
        guidelines="Follow the harm policy; skip any item you would rather not see.",
        default_rate_minor=2800,
        currency="EUR",
        expected_hours_per_week=10,
        weekly_cap_minutes=15 * 60,
        start_on=timezone.localdate(),
        end_on=timezone.localdate() + timedelta(weeks=12),
        manager=manager,
        content_warning=ContentWarning.DISTURBING,
        quality_review=(
            "A second rater labels one answer in ten; the manager goes through the "
            "disagreements with you each week."
        ),
    )
    project = project_services.project_create(details=details, by=manager)
    project_services.project_activate(project=project, by=manager)
    contractor = User.objects.get(email=CONTRACTOR_EMAIL).contractor_profile
    project_services.project_invite(project=project, contractor=contractor, by=manager)
    return [f"project {WARNED!r}", f"invitation of {CONTRACTOR_EMAIL} to {WARNED!r}"]


def _kontraktor_assignment(*, manager: User) -> list[str]:
    """Put the Indonesian-speaking contractor on the search project, once.

    Separate from ``_projects`` so a database seeded before this contractor
    existed gets the assignment too.
    """
    contractor = User.objects.get(email=KONTRAKTOR_EMAIL).contractor_profile
    project = Project.objects.filter(name=SEARCH).exclude(status=ProjectStatus.CLOSED).first()
    if project is None or contractor.assignments.exists():
        return []
    project_services.assignment_create(project=project, contractor=contractor, by=manager)
    return [f"assignment of {KONTRAKTOR_EMAIL} to {project.name!r}"]


def _scheduled_pause(*, manager: User, calendar: DemoCalendar) -> list[str]:
    """A pause announced for after this week, so its notice and banner can be seen now."""
    project = Project.objects.filter(name=SUPPORT, status=ProjectStatus.ACTIVE).first()
    if project is None or project.scheduled_pauses.exists():
        return []
    pauses_on = calendar.this_monday + timedelta(weeks=2)
    project_services.project_pause_schedule(
        project=project,
        by=manager,
        reason=PauseReason.BUDGET,
        message=SCHEDULED_PAUSE_MESSAGE,
        effective_at=datetime.combine(pauses_on, time(8), tzinfo=UTC),
        expected_resume_on=pauses_on + timedelta(weeks=2),
        short_notice_confirmed=True,
    )
    return [f"pause of {SUPPORT!r} scheduled for {pauses_on}"]


# --- Weeks of work and their pay ----------------------------------------------------

# A week's work: (weekday, project, kind, minutes, note) for each entry.
Plan = list[tuple[int, str, str, int, str]]
# Carmen's usual week.
USUAL_WEEK: Plan = [
    (0, SEARCH, "task", 120, "Batch of German shopping queries"),
    (1, SEARCH, "review", 90, ""),
    (2, CHAT, "task", 150, ""),
    (3, SEARCH, "task", 105, ""),
    (4, CHAT, "meeting", 30, "Weekly calibration call"),
]
# Dewi's: (weekday, minutes) on the search project.
DEWI_WEEK = [(0, 180), (2, 120)]
# What became of each past week's payout, oldest first; the last week is still being reviewed.
PAYOUT_FATES = ("paid", "failed", "approved", "draft")


ONBOARDING_ASSESSMENT = "Onboarding assessment — rating guidelines"


def _onboarding_assessment(*, manager: User) -> list[str]:
    """A paid hour-long assessment, with the demo contractor enrolled in it, once."""
    if Project.objects.filter(name=ONBOARDING_ASSESSMENT).exists():
        return []
    details = project_services.ProjectDetails(
        name=ONBOARDING_ASSESSMENT,
        description="Rate twenty sample items against the guidelines; paid at your rate.",
        guidelines="Work through the samples in order; the assessment has no trick questions.",
        default_rate_minor=1500,
        currency="EUR",
        expected_hours_per_week=1,
        weekly_cap_minutes=60,
        time_limit_minutes=60,
        purpose=ProjectPurpose.ASSESSMENT,
        start_on=timezone.localdate(),
        manager=manager,
    )
    project = project_services.project_create(details=details, by=manager)
    project_services.project_activate(project=project, by=manager)
    contractor = User.objects.get(email=CONTRACTOR_EMAIL).contractor_profile
    project_services.paid_activity_enrol(project=project, contractor=contractor, by=manager)
    return [f"project {ONBOARDING_ASSESSMENT!r}, with {CONTRACTOR_EMAIL} enrolled"]


def _assignments(email: str) -> dict[str, int]:
    return dict(
        Assignment.objects.filter(contractor__user__email=email).values_list("project__name", "pk")
    )


def _week(email: str, monday: date, plan: Plan) -> list[EntryChange]:
    assignments = _assignments(email)
    return [
        EntryChange(assignments[project], monday + timedelta(days=day), kind, minutes, note)
        for day, project, kind, minutes, note in plan
    ]


def _submit_week(email: str, monday: date, plan: Plan) -> list[int]:
    user = User.objects.get(email=email)
    changes = _week(email, monday, plan)
    entries = project_services.time_week_submit(by=user, week=monday, changes=changes)
    return [entry.pk for entry in entries]


def _history_possible(calendar: DemoCalendar) -> bool:
    """Whether the weeks of work can be laid out: not twice, and not in a database seeded by
    an older version of this command, whose projects started too late for them."""
    search = Project.objects.filter(name=SEARCH).first()
    if search is None or Payout.objects.filter(contractor__user__email=CONTRACTOR_EMAIL).exists():
        return False
    first_monday = calendar.monday(HISTORY_WEEKS)
    return (
        search.start_on <= first_monday
        and set(_assignments(CONTRACTOR_EMAIL)) >= {SEARCH, CHAT}
        and KONTRAKTOR_EMAIL
        in {
            a.contractor.user.email
            for a in search.assignments.select_related("contractor__user")
            if a.start_on <= first_monday
        }
    )


def _pay_history(*, manager: User, calendar: DemoCalendar) -> list[str]:
    """Past weeks worked, reviewed and paid, last week waiting, and this week begun."""
    if not _history_possible(calendar):
        return []
    for weeks_ago, fate in zip(range(HISTORY_WEEKS, 1, -1), PAYOUT_FATES, strict=True):
        _paid_week(manager=manager, calendar=calendar, weeks_ago=weeks_ago, fate=fate)
    _last_week(manager=manager, calendar=calendar)
    _this_week(manager=manager, calendar=calendar)
    return [f"{HISTORY_WEEKS} weeks of hours and payouts"]


def _paid_week(*, manager: User, calendar: DemoCalendar, weeks_ago: int, fate: str) -> None:
    """A week submitted the Monday after, approved, closed on Wednesday, and paid (or not)."""
    monday = calendar.monday(weeks_ago)
    after = calendar.monday(weeks_ago - 1)
    with _as_of(calendar.at(after, 8)):
        ids = _submit_week(CONTRACTOR_EMAIL, monday, USUAL_WEEK)
        if fate == "draft":  # Dewi's hours join this run: the admin has two drafts to approve.
            ids += _submit_week(KONTRAKTOR_EMAIL, monday, _dewi_plan())
    with _as_of(calendar.at(after, 11)):
        project_services.time_entries_approve(entry_ids=ids, by=manager)
    with _as_of(calendar.at(after + timedelta(days=2), 9)):
        period = payment_services.pay_period_for(monday)
        payment_services.pay_period_close(period=period, by=manager)
        payment_services.payouts_generate(period=period, by=manager)
    payout = Payout.objects.get(period=period, contractor__user__email=CONTRACTOR_EMAIL)
    if fate == "draft":
        return
    with _as_of(calendar.at(after + timedelta(days=3), 10)):
        payment_services.payout_approve(payout=payout, by=manager)
    paid_on = after + timedelta(days=4)
    with _as_of(calendar.at(paid_on, 15)):
        if fate == "paid":
            payment_services.payout_mark_paid(
                payout=payout,
                by=manager,
                reference=f"SEPA-{monday.isoformat()}-CARMEN",
                paid_on=paid_on,
            )
        elif fate == "failed":
            payment_services.payout_mark_failed(payout=payout, by=manager, reason=FAILURE_REASON)


def _dewi_plan() -> Plan:
    return [(day, SEARCH, "task", minutes, "") for day, minutes in DEWI_WEEK]


def _last_week(*, manager: User, calendar: DemoCalendar) -> None:
    """Carmen's week reviewed with one entry sent back; Dewi's still waiting for review."""
    monday = calendar.monday(1)
    plan = [
        (day, project, kind, 360 if (day, kind) == (1, "review") else minutes, note)
        for day, project, kind, minutes, note in USUAL_WEEK
    ]
    with _as_of(calendar.at(calendar.this_monday, 7)):
        ids = _submit_week(CONTRACTOR_EMAIL, monday, plan)
        _submit_week(KONTRAKTOR_EMAIL, monday, _dewi_plan())
    rejected = TimeEntry.objects.get(pk__in=ids, work_on=monday + timedelta(days=1), kind="review")
    with _as_of(calendar.at(calendar.this_monday, 8)):
        project_services.time_entries_approve(
            entry_ids=[pk for pk in ids if pk != rejected.pk], by=manager
        )
        project_services.time_entries_reject(
            entry_ids=[rejected.pk], by=manager, reason=REJECTION_REASON
        )


def _this_week(*, manager: User, calendar: DemoCalendar) -> None:
    """Today's first hours as a draft, then the comparison project paused with its reason."""
    contractor = User.objects.get(email=CONTRACTOR_EMAIL)
    # "Today" is the contractor's own day, which may differ from UTC's.
    today = local_today(CONTRACTOR_TIME_ZONE)
    project_services.time_entries_save(
        by=contractor,
        changes=[EntryChange(_assignments(CONTRACTOR_EMAIL)[SEARCH], today, "task", 90)],
    )
    project_services.project_pause(
        project=Project.objects.get(name=CHAT),
        by=manager,
        reason=PauseReason.QUALITY,
        message=PAUSE_MESSAGE,
        expected_resume_on=timezone.localdate() + timedelta(days=7),
        short_notice_confirmed=True,
    )
    # The schedule keeps a period for every week with time, last week's and this one's
    # among them, so a manager finds last week's period in the admin, ready to close.
    payment_services.pay_periods_ensure(until=timezone.localdate())


# --- Help and due process ---------------------------------------------------------------


def _help_conversation(*, manager: User) -> list[str]:
    """Carmen asked about her failed payout and the manager answered, once."""
    carmen = User.objects.get(email=CONTRACTOR_EMAIL)
    if Conversation.objects.filter(contractor=carmen).exists():
        return []
    failed = Payout.objects.filter(contractor__user=carmen, status=PayoutStatus.FAILED).first()
    conversation = support_services.conversation_open(
        by=carmen,
        category=Category.PAY,
        subject="My payout failed",
        body="The payout for this week says it failed. Will I still be paid?",
        about_kind=AboutKind.PAYOUT if failed else AboutKind.NOTHING,
        about_id=failed.pk if failed else None,
    )
    support_services.conversation_answer(
        conversation=conversation,
        by=manager,
        body=(
            "Yes: the bank refused the transfer because the account name did not match. "
            "Check your payout details; we retry as soon as they are right."
        ),
    )
    return [f"help conversation of {CONTRACTOR_EMAIL}"]


def _demo_rule(*, manager: User, calendar: DemoCalendar) -> ConductRule | None:
    """The demo's rule book: version 1, announced before the projects began, long in force."""
    book = RuleBook.objects.filter(published_at__isnull=False, effective_at__lte=timezone.now())
    rule = ConductRule.objects.filter(book__in=book).order_by("-book__effective_at").first()
    if rule is not None or RuleBook.objects.exists():
        # Rules someone wrote (or a draft under way) are theirs; use one in force if any.
        return rule
    with _as_of(calendar.began - timedelta(days=3)):
        book = RuleBook.objects.create(version="1")
        rule = ConductRule.objects.create(
            book=book,
            code="T1",
            severity=RuleSeverity.SERIOUS,
            category=RuleCategory.QUALITY,
            max_sanction=Sanction.REMOVAL,
            warning_first=False,
        )
        ConductRuleText.objects.create(
            rule=rule,
            language="en",
            title="Honest time",
            text="Log only the time you worked on the project's tasks.",
            examples="Time the task tool shows no activity for is not logged as task time.",
        )
        ConductRuleText.objects.create(
            rule=rule,
            language="id",
            title="Waktu yang jujur",
            text="Catat hanya waktu yang Anda gunakan untuk tugas proyek.",
        )
        book = rule_book_publish(
            book=book,
            by=manager,
            effective_at=timezone.now() + timedelta(days=RULE_BOOK_NOTICE_DAYS, minutes=1),
        )
    # On a database whose demo began too late, the rules apply only in two weeks: no case yet.
    return rule if book.effective_at <= timezone.now() else None


def _noticed_case(*, manager: User, calendar: DemoCalendar) -> list[str]:
    """A case at the notice stage for Carmen: the evidence, the proposal, 7 days to answer."""
    profile = ContractorProfile.objects.get(user__email=CONTRACTOR_EMAIL)
    if Case.objects.filter(contractor=profile).exists():
        return []
    rule = _demo_rule(manager=manager, calendar=calendar)
    assignment = profile.assignments.filter(project__name=SEARCH).first()
    if rule is None or assignment is None:
        return []
    case = project_services.case_open(
        contractor=profile,
        rule=rule,
        by=manager,
        evidence_summary=(
            "On three days last week the hours logged on this project are longer than the "
            "activity the task tool recorded."
        ),
        assignment=assignment,
    )
    project_services.case_evidence_add(
        case=case,
        by=manager,
        kind="text",
        text="Task tool export: 1:10 of activity on a day logged as 6:00.",
    )
    if rule.warning_first:
        project_services.case_warn(
            case=case,
            by=manager,
            what_to_change="Log only the time the task tool shows you working.",
            change_by=timezone.localdate() + timedelta(days=7),
        )
    project_services.case_notice(case=case, by=manager, proposed_outcome=Sanction.WARNING)
    return [f"case {case.pk} at the notice stage for {CONTRACTOR_EMAIL}"]


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
        # The shipped statutory minimums first: they name the provinces the demo
        # contractors live in. Loading them again changes nothing.
        call_command("load_wage_floors", stdout=self.stdout)
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
            (
                MANAGER_EMAIL,
                "vendor manager (admin): an application and last week's hours to review, "
                "last week's pay period to close, payouts to approve and mark paid",
            ),
            (ACCOUNTANT_EMAIL, "accountant (admin): payroll CSVs of four closed pay periods"),
            (
                CONTRACTOR_EMAIL,
                "active contractor: this week to log, last week's rejected entry to correct, "
                "payouts paid, failed, approved and draft, a paused project, a pause scheduled, "
                "a help answer to read, a case notice to answer",
            ),
            (
                KONTRAKTOR_EMAIL,
                "active contractor in Bahasa Indonesia: last week's hours waiting for review",
            ),
            (APPLICANT_EMAIL, "applicant: application waiting for review"),
        ]
        for email, role in rows:
            self.stdout.write(f"  {email:<26} {role}")
        self.stdout.write("\nStaff sign in with a code from an authenticator app. Setup keys:")
        for email, secret in TOTP_SECRETS.items():
            self.stdout.write(f"  {email:<26} {secret}")
            self.stdout.write(f"  {'':<26} {totp_url(email)}")
