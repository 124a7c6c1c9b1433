"""The seed_demo command behind `make run`."""

import contextlib
import io
import time
from datetime import UTC, datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

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
from payments.models import Payout, PayoutLine, PayoutStatus
from portal.dates import local_today
from portal.management.commands import seed_demo
from portal.models import Notification
from projects import services as project_services
from projects.models import (
    Assignment,
    ContentWarning,
    EntryStatus,
    InvitationStatus,
    PayPeriod,
    PeriodStatus,
    Project,
    ProjectInvitation,
    ProjectStatus,
    ProjectStatusChange,
    ScheduledPause,
    ScheduledPauseStatus,
    TimeEntry,
    TimeEntryStatusChange,
)
from projects.pay_periods import closed_pay_period_dates
from projects.time_rules import assignment_day_problem
from projects.timesheet import EntryChange, week_days, week_start

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
        ProjectStatusChange,
        ScheduledPause,
        Assignment,
        TimeEntry,
        TimeEntryStatusChange,
        PayPeriod,
        Payout,
        PayoutLine,
        Notification,
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
    assert dict(Project.objects.values_list("name", "status")) == {
        seed_demo.SEARCH: ProjectStatus.ACTIVE,
        seed_demo.CHAT: ProjectStatus.PAUSED,
        seed_demo.MEDICAL: ProjectStatus.DRAFT,
        seed_demo.SUPPORT: ProjectStatus.ACTIVE,
        seed_demo.ONBOARDING_ASSESSMENT: ProjectStatus.ACTIVE,
        seed_demo.WARNED: ProjectStatus.ACTIVE,
    }
    # Three projects and one paid onboarding assessment.
    assert Assignment.objects.filter(contractor=contractor).count() == 4
    assert Assignment.objects.get(
        contractor=contractor, project__name=seed_demo.ONBOARDING_ASSESSMENT
    ).project.is_paid_activity
    for user in User.objects.all():
        assert user.check_password(seed_demo.DEMO_PASSWORD)
        assert EmailAddress.objects.get(user=user).verified


def _carmen_entries():
    return TimeEntry.objects.filter(assignment__contractor__user__email=seed_demo.CONTRACTOR_EMAIL)


def _assert_every_journey_can_be_tried() -> None:
    """The states issue 10 lists, each where a newcomer can reach it."""
    carmen = User.objects.get(email=seed_demo.CONTRACTOR_EMAIL)
    today = local_today(carmen.time_zone)
    this_monday = week_start(today)
    last_monday = this_monday - timedelta(weeks=1)

    # An applicant waiting for review.
    assert Application.objects.get(
        profile__user__email=seed_demo.APPLICANT_EMAIL, status=ApplicationStatus.SUBMITTED
    )

    # Closed pay periods before last week, each with approved hours and a payout in
    # each state; last week's period ended but is still open, for a manager to close.
    closed = PayPeriod.objects.filter(status=PeriodStatus.CLOSED).order_by("start_on")
    assert [period.start_on for period in closed] == [
        this_monday - timedelta(weeks=weeks) for weeks in (5, 4, 3, 2)
    ]
    fates = dict(
        Payout.objects.filter(contractor__user=carmen).values_list("period__start_on", "status")
    )
    assert fates == {
        this_monday - timedelta(weeks=5): PayoutStatus.PAID,
        this_monday - timedelta(weeks=4): PayoutStatus.FAILED,
        this_monday - timedelta(weeks=3): PayoutStatus.APPROVED,
        this_monday - timedelta(weeks=2): PayoutStatus.DRAFT,
    }
    paid = Payout.objects.get(status=PayoutStatus.PAID)
    assert paid.reference and paid.paid_on < today and paid.net_minor > 0
    assert Payout.objects.get(status=PayoutStatus.FAILED).failure_reason
    for payout in Payout.objects.all():
        assert payout.lines.count() > 0
    assert PayPeriod.objects.get(start_on=last_monday).status == PeriodStatus.OPEN

    # Last week: approved hours, one entry sent back with a reason, still correctable,
    # and the second contractor's hours waiting for review.
    last_week = _carmen_entries().filter(work_on__range=(last_monday, this_monday))
    assert last_week.filter(status=EntryStatus.APPROVED).count() == 4
    rejected = last_week.get(status=EntryStatus.REJECTED)
    assert rejected.rejection_reason == seed_demo.REJECTION_REASON
    assert not closed_pay_period_dates({rejected.work_on})
    waiting = TimeEntry.objects.filter(status=EntryStatus.SUBMITTED)
    assert {entry.assignment.contractor.user.email for entry in waiting} == {
        seed_demo.KONTRAKTOR_EMAIL
    }
    assert {entry.work_on for entry in waiting} <= set(week_days(last_monday))

    # A project paused with a reason and a message, and one with a pause announced
    # for after this week.
    chat = Project.objects.get(name=seed_demo.CHAT)
    pause = chat.status_changes.get(to_status=ProjectStatus.PAUSED)
    assert (pause.reason, pause.message) == ("quality", seed_demo.PAUSE_MESSAGE)
    scheduled = ScheduledPause.objects.get(status=ScheduledPauseStatus.PENDING)
    assert scheduled.project.name == seed_demo.SUPPORT
    assert scheduled.project.status == ProjectStatus.ACTIVE
    assert scheduled.effective_at > datetime.combine(
        this_monday + timedelta(days=7), datetime.min.time(), tzinfo=UTC
    )
    assert scheduled.message == seed_demo.SCHEDULED_PAUSE_MESSAGE

    # The search project was active all week: every day of it up to today takes time.
    search = Assignment.objects.select_related("project").get(
        contractor__user=carmen, project__name=seed_demo.SEARCH
    )
    for day in week_days(this_monday):
        if day <= today:
            assert (
                assignment_day_problem(search, day, today=today, time_zone=carmen.time_zone) is None
            )


def test_every_journey_can_be_tried_at_once(settings):
    _seed(settings)

    _assert_every_journey_can_be_tried()
    carmen = User.objects.get(email=seed_demo.CONTRACTOR_EMAIL)
    this_monday = week_start(local_today(carmen.time_zone))
    search = Assignment.objects.get(contractor__user=carmen, project__name=seed_demo.SEARCH)
    # The contractor logs this week's Monday and submits; last week's rejected entry is
    # corrected and sent again.
    project_services.time_week_submit(
        by=carmen,
        week=this_monday,
        changes=[EntryChange(search.pk, this_monday, "task", 60)],
    )
    rejected = _carmen_entries().get(status=EntryStatus.REJECTED)
    project_services.time_entry_update(
        by=carmen, entry=rejected, work_on=rejected.work_on, kind="review", minutes=240, note=""
    )
    project_services.time_week_submit(by=carmen, week=rejected.work_on)
    assert not _carmen_entries().filter(status=EntryStatus.REJECTED).exists()


@pytest.mark.parametrize(
    "moment",
    [
        # Half past midnight on a Monday in Madrid: still Sunday in UTC.
        datetime(2026, 11, 29, 23, 30, tzinfo=UTC),
        # Late on a Sunday in Madrid: already Monday in Jakarta.
        datetime(2026, 11, 29, 22, 0, tzinfo=UTC),
        # Midweek, in summer time.
        datetime(2026, 7, 15, 12, 0, tzinfo=UTC),
    ],
    ids=["monday-just-begun", "sunday-night", "midweek"],
)
def test_the_demo_is_whole_whenever_it_is_seeded(settings, monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)

    _seed(settings)

    _assert_every_journey_can_be_tried()
    assert timezone.now() == moment  # the command's clock is put back


def test_the_past_is_dated_when_it_happened(settings):
    _seed(settings)

    carmen = User.objects.get(email=seed_demo.CONTRACTOR_EMAIL)
    this_monday = week_start(local_today(carmen.time_zone))
    paid = Payout.objects.get(status=PayoutStatus.PAID)
    assert paid.period.closed_at.date() == paid.period.end_on + timedelta(days=3)
    assert paid.paid_on == paid.period.end_on + timedelta(days=5)
    search = Project.objects.get(name=seed_demo.SEARCH)
    activated = search.status_changes.get(to_status=ProjectStatus.ACTIVE).effective_at
    assert activated.date() < this_monday - timedelta(weeks=5)
    for entry in TimeEntry.objects.exclude(submitted_at=None):
        assert timezone.localdate(entry.submitted_at) > entry.work_on


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


def test_a_database_whose_projects_started_lately_keeps_what_it_has(settings, monkeypatch):
    with monkeypatch.context() as earlier:  # every step today, as an older version did it
        earlier.setattr(seed_demo, "_as_of", lambda moment: contextlib.nullcontext())
        _seed(settings)
    assert not Payout.objects.exists()
    before = _counts()

    output = _seed(settings)

    assert "nothing created" in output
    assert _counts() == before


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


def test_the_contractor_is_invited_to_a_project_with_a_content_warning(settings, client):
    _seed(settings)
    carmen = User.objects.get(email=seed_demo.CONTRACTOR_EMAIL)
    invitation = ProjectInvitation.objects.get(contractor__user=carmen)
    assert invitation.status == InvitationStatus.PENDING
    assert invitation.project.content_warning == ContentWarning.DISTURBING
    client.force_login(carmen)

    page = client.get(reverse("projects:project_about", args=[invitation.project_id]))

    assert "I have read the content warning" in page.content.decode()
    assignment = project_services.invitation_accept(
        invitation=invitation, by=carmen, warning_read=True
    )
    assert assignment.project == invitation.project
