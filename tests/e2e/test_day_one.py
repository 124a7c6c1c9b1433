"""Day one with the demo data (issue 10): `seed_demo` on an empty database, then every journey
of DESIGN.md tried in the browser by the demo logins alone, as a newcomer would after
`make run`. Nothing is set up or checked in the database: what the seed made has to be
reachable through the pages."""

import csv
import io
import os
import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from portal.dates import format_day, local_today
from portal.management.commands import seed_demo
from projects.timesheet import week_start
from tests.factories import totp_code

# The live server and this test share one process with Playwright's event loop.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# Serialized rollback brings back what migrations wrote (the staff groups and
# their permissions), which a transactional test before this one flushed away.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def midweek(monkeypatch):
    """Run the seed, the site and the test as if it were the latest Wednesday noon (UTC).

    The demo is laid out on the contractor's calendar (Madrid) and pay periods close on
    the server's (UTC); on a Sunday night the two disagree about which week has ended.
    A clock set back by a fixed amount keeps every step, and their order, as it is.
    """
    real_now = timezone.now
    now = real_now()
    wednesday = week_start(now.date()) + timedelta(days=2)
    noon = datetime.combine(wednesday, time(12), tzinfo=UTC)
    if noon > now:
        noon -= timedelta(weeks=1)
    offset = now - noon
    monkeypatch.setattr(timezone, "now", lambda: real_now() - offset)


@pytest.fixture
def demo(live_server, midweek):
    call_command("seed_demo", allow_without_debug=True, stdout=io.StringIO())
    return live_server.url


def _log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(seed_demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if email in seed_demo.TOTP_SECRETS:
        page.get_by_label("Code").fill(totp_code(seed_demo.TOTP_SECRETS[email]))
        page.get_by_role("button", name="Sign In").click()
        expect(page).to_have_url(re.compile(r"/admin/$"))


def _hours(page: Page, project: str, kind: str, day) -> object:
    with translation.override("en"):
        return page.get_by_label(f"{project}, {kind}, {format_day(day, 'full')}, hours", exact=True)


def _run_action(page: Page, action: str, row: str | None = None) -> None:
    if row is None:
        page.locator("#action-toggle").check()
    else:
        page.get_by_role("row", name=re.compile(row)).locator("input.action-select").check()
    page.locator('select[name="action"]').select_option(action)
    page.locator('button[name="index"]').click()


def _period_label(monday) -> str:
    with translation.override("en"):
        return f"{format_day(monday)} – {format_day(monday + timedelta(days=6))}"


def _applicant_waits(page: Page, base: str) -> None:
    _log_in(page, base, seed_demo.APPLICANT_EMAIL)
    page.goto(f"{base}/me/application/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Submitted")
    expect(main).to_contain_text("A manager will review your application")


def _contractor_sees_the_pauses(page: Page, base: str) -> None:
    page.goto(f"{base}/projects/")
    paused = page.get_by_role("region", name=f"{seed_demo.CHAT} is paused")
    expect(paused).to_contain_text("Quality review")
    expect(paused).to_contain_text(seed_demo.PAUSE_MESSAGE)
    pausing = page.get_by_role("region", name=f"{seed_demo.SUPPORT} pauses soon")
    expect(pausing).to_contain_text("Pausing on")
    expect(pausing).to_contain_text(seed_demo.SCHEDULED_PAUSE_MESSAGE)


def _contractor_logs_this_week(page: Page, base: str, today) -> None:
    monday = week_start(today)
    page.goto(f"{base}/projects/timesheet/")
    # Every day up to today is open on the project that has been active for weeks.
    for offset in range((today - monday).days + 1):
        expect(
            _hours(page, seed_demo.SEARCH, "Task", monday + timedelta(days=offset))
        ).to_be_editable()
    _hours(page, seed_demo.SEARCH, "Task", monday).fill("2:00")
    _hours(page, seed_demo.SUPPORT, "Task", today).fill("1:00")
    page.get_by_role("button", name=re.compile("^Submit week")).click()
    expect(
        page.get_by_text(re.compile(r"Submitted \d+:\d\d in \d+ entries for review"))
    ).to_be_visible()


def _contractor_corrects_last_week(page: Page, base: str, today) -> None:
    last_monday = week_start(today) - timedelta(weeks=1)
    page.goto(f"{base}/projects/timesheet/?week={last_monday.isoformat()}")
    expect(page.get_by_role("heading", name="Sent back for a correction")).to_be_visible()
    expect(page.get_by_text(seed_demo.REJECTION_REASON).first).to_be_visible()
    tuesday = _hours(page, seed_demo.SEARCH, "Review", last_monday + timedelta(days=1))
    expect(tuesday).to_have_value("6:00")
    tuesday.fill("4:00")
    page.get_by_role("button", name=re.compile("^Submit week")).click()
    expect(page.get_by_text("Submitted 4:00 in 1 entry for review.")).to_be_visible()
    expect(page.get_by_role("heading", name="Sent back for a correction")).to_have_count(0)


def _contractor_sees_the_payouts(page: Page, base: str, today) -> None:
    page.goto(f"{base}/earnings/")
    payouts = page.get_by_role("article")
    paid_week = week_start(today) - timedelta(weeks=5)
    paid = payouts.filter(has_text=f"SEPA-{paid_week.isoformat()}-CARMEN")
    expect(paid).to_contain_text("Paid")
    expect(paid).to_contain_text("€193.50")
    expect(payouts.filter(has_text=seed_demo.FAILURE_REASON)).to_contain_text("Failed")
    expect(payouts.filter(has_text="Approved")).not_to_have_count(0)
    expect(payouts.filter(has_text="Draft")).not_to_have_count(0)


def _contractor_day_one(page: Page, base: str, today) -> None:
    _log_in(page, base, seed_demo.CONTRACTOR_EMAIL)
    _contractor_sees_the_pauses(page, base)
    _contractor_logs_this_week(page, base, today)
    _contractor_corrects_last_week(page, base, today)
    _contractor_sees_the_payouts(page, base, today)


def _kontraktor_waits_for_review(page: Page, base: str, today) -> None:
    _log_in(page, base, seed_demo.KONTRAKTOR_EMAIL)
    last_monday = week_start(today) - timedelta(weeks=1)
    page.goto(f"{base}/projects/timesheet/?week={last_monday.isoformat()}")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator(".cell--submitted")).to_have_count(2)


def _manager_day_one(page: Page, base: str, today) -> None:
    _log_in(page, base, seed_demo.MANAGER_EMAIL)

    page.goto(f"{base}/admin/accounts/application/")
    _run_action(page, "approve", row="Amal Demo")
    expect(page.locator(".messagelist")).to_contain_text("Approved 1 application")

    # Last week's hours from both contractors (one corrected) and this week's.
    page.goto(f"{base}/admin/projects/timeentry/?status__exact=submitted")
    _run_action(page, "approve")
    expect(page.locator(".messagelist")).to_contain_text(re.compile(r"Approved \d+ entries"))

    last_week = _period_label(week_start(today) - timedelta(weeks=1))
    page.goto(f"{base}/admin/projects/payperiod/")
    _run_action(page, "close", row=re.escape(last_week))
    expect(page.locator(".messagelist")).to_contain_text(f"Closed 1: {last_week}")
    # Generation is a background job: the action opens its page, which shows the outcome.
    _run_action(page, "generate", row=re.escape(last_week))
    expect(page.locator("#job-state")).to_have_text("Succeeded")
    expect(page.locator("#job-outcome")).to_contain_text("2 new payouts")

    page.goto(f"{base}/admin/payments/payout/?status__exact=draft")
    _run_action(page, "approve")
    expect(page.locator(".messagelist")).to_contain_text(re.compile(r"Approved \d+"))


def _accountant_downloads(page: Page, base: str, today) -> list[dict[str, str]]:
    _log_in(page, base, seed_demo.ACCOUNTANT_EMAIL)
    paid_week = week_start(today) - timedelta(weeks=5)
    page.goto(f"{base}/payroll/")
    page.get_by_label("Pay period").select_option(paid_week.isoformat())
    page.get_by_label("File").select_option("detail")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename == f"payroll-detail-{paid_week}.csv"
    data = Path(download.value.path()).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(data, newline="")))


def test_every_demo_login_tries_every_journey_after_seed_demo(demo, new_page):
    base = demo
    # The weeks are the contractor's (Madrid); the test runs on the seed's clock.
    today = local_today(seed_demo.CONTRACTOR_TIME_ZONE)

    _applicant_waits(new_page(PHONE), base)
    _contractor_day_one(new_page(), base, today)
    _kontraktor_waits_for_review(new_page(PHONE), base, today)
    _manager_day_one(new_page(), base, today)

    rows = _accountant_downloads(new_page(), base, today)
    assert {row["legal_name"] for row in rows} == {"Carmen Demo"}
    assert {row["payout_status"] for row in rows} == {"paid"}
    paid_week = week_start(today) - timedelta(weeks=5)
    assert {row["reference"] for row in rows} == {f"SEPA-{paid_week.isoformat()}-CARMEN"}
    assert len(rows) == len(seed_demo.USUAL_WEEK)
