"""Nothing earned is lost, in a browser: the contractor is reminded before the close, sends
the forgotten hours late, a manager approves them, they are paid with the next period's
payout, which is paid late, and the contractor sees the due date and the compensation."""

import os
import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from payments import services
from payments.models import Payout, PayoutStatus
from payments.services.reminders import pay_period_remind
from portal.dates import format_day, local_today
from projects.models import EntryStatus, TimeEntry
from projects.timesheet import week_start
from tests.factories import PASSWORD, totp_code
from tests.payments import factories
from tests.projects.factories import assign, log, project_create

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_late_hours_are_reminded_sent_approved_and_paid_late_with_compensation(
    live_server, new_page, monkeypatch, alice, manager
):
    base = live_server.url
    this_monday = week_start(local_today(alice.contractor_profile.time_zone))
    # Four weeks ago alice forgot a draft; the week after is when late hours are paid.
    forgotten, next_week = this_monday - timedelta(days=28), this_monday - timedelta(days=21)
    zone = timezone.get_current_timezone()

    def moment(day, hour=12):
        return datetime.combine(day, time(hour), tzinfo=zone)

    with monkeypatch.context() as past:
        past.setattr(timezone, "now", lambda: moment(forgotten - timedelta(days=30)))
        project = project_create(manager, start_on=(forgotten - timedelta(days=30)))
        assignment = assign(project, alice, by=manager, start_on=forgotten - timedelta(days=30))
    with monkeypatch.context() as past:
        past.setattr(timezone, "now", lambda: moment(forgotten + timedelta(days=2)))
        log(alice, assignment, forgotten, 90)
    with monkeypatch.context() as past:
        # The day before the close: the reminder goes out.
        past.setattr(timezone, "now", lambda: moment(forgotten + timedelta(days=8)))
        period = factories.period(forgotten)
        assert pay_period_remind(period=period) >= 1
    with monkeypatch.context() as past:
        past.setattr(timezone, "now", lambda: moment(forgotten + timedelta(days=9)))
        factories.closed_period(forgotten, by=manager)

    page = new_page()
    _log_in(page, base, alice.email)
    page.goto(f"{base}/notifications/")
    expect(page.get_by_text(re.compile("Submit your hours of")).first).to_be_visible()

    # After the close, the draft is sent as late hours.
    page.goto(f"{base}/projects/timesheet/?week={forgotten.isoformat()}")
    page.get_by_role("button", name=re.compile("Submit week")).click()
    entry = TimeEntry.objects.get()
    assert (entry.status, entry.late) == (EntryStatus.SUBMITTED, True)

    admin = new_page()
    _log_in(admin, base, manager.email)
    admin.get_by_label("Code").fill(totp_code(manager.totp_secret))
    admin.get_by_role("button", name="Sign In").click()
    expect(admin).to_have_url(f"{base}/admin/")
    admin.goto(f"{base}/admin/projects/timeentry/?status__exact=submitted")
    admin.locator("#action-toggle").check()
    admin.locator('select[name="action"]').select_option("approve")
    admin.locator('button[name="index"]').click()
    expect(admin.get_by_text("Approved 1 entry.")).to_be_visible()
    page.goto(f"{base}/notifications/")
    expect(page.get_by_text(re.compile("will be paid in the next payout")).first).to_be_visible()

    # The next period closes and is generated; its payout is paid today, past its due date.
    with monkeypatch.context() as past:
        past.setattr(timezone, "now", lambda: moment(next_week + timedelta(days=9)))
        factories.generate(factories.closed_period(next_week, by=manager), by=manager)
        payout = factories.approve_payout(Payout.objects.get(), by=manager)
    assert payout.period.start_on == next_week
    services.payout_mark_paid(
        payout=payout, by=manager, reference="WISE-LATE", paid_on=timezone.localdate()
    )
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID and payout.paid_on > payout.due_on

    page.goto(f"{base}/earnings/payouts/{payout.pk}/")
    body = page.locator("main")
    expect(body).to_contain_text("Paid")
    expect(body).to_contain_text("Due by")
    expect(body).to_contain_text(format_day(payout.due_on))
    expect(body).to_contain_text("late hours of the week of")
    compensation = Payout.objects.exclude(pk=payout.pk).get()
    page.goto(f"{base}/earnings/payouts/{compensation.pk}/")
    expect(page.locator("main")).to_contain_text("Late-payment compensation")
