"""Journeys 5 and 6 in a browser: an approved week is closed, generated, approved and paid in
the admin; the contractor sees the payout with its lines; the accountant downloads the CSV."""

import csv
import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from payments import services
from payments.models import Payout, PayoutStatus
from portal.dates import local_today
from projects import services as project_services
from projects.timesheet import EntryChange, week_start
from tests.factories import PASSWORD, totp_code
from tests.projects.factories import assign, project_create

# The live server and this test share one process with Playwright's event loop.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# Serialized rollback brings back what migrations wrote (the staff groups and
# their permissions), which a transactional test before this one flushed away.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _log_in(page: Page, base: str, email: str, totp_secret: str | None = None) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if totp_secret:
        page.get_by_label("Code").fill(totp_code(totp_secret))
        page.get_by_role("button", name="Sign In").click()
        expect(page).to_have_url(re.compile(r"/admin/$"))


def _run_action(page: Page, row: str, action: str) -> None:
    page.get_by_role("row", name=re.compile(row)).locator("input.action-select").check()
    page.locator('select[name="action"]').select_option(action)
    page.locator('button[name="index"]').click()


@pytest.fixture
def approved_week(monkeypatch, alice, manager):
    """Alice's last week on a project she joined weeks ago: 2:00 on Monday, 1:30 on Tuesday,
    submitted and approved; its pay period exists and is still open."""
    started = timezone.now() - timedelta(days=60)
    with monkeypatch.context() as past:
        past.setattr(timezone, "now", lambda: started)
        project = project_create(manager, start_on=started.date())
        assignment = assign(project, alice, by=manager, start_on=started.date())
    monday = week_start(local_today(alice.contractor_profile.time_zone)) - timedelta(days=7)
    changes = [
        EntryChange(assignment.pk, monday, "task", 120, "Batch 12"),
        EntryChange(assignment.pk, monday + timedelta(days=1), "review", 90, ""),
    ]
    entries = project_services.time_week_submit(by=alice, week=monday, changes=changes)
    project_services.time_entries_approve(entry_ids=[e.pk for e in entries], by=manager)
    return services.pay_period_for(monday)


def _manager_pays(page: Page, base: str, period_label: str) -> None:
    page.goto(f"{base}/admin/projects/payperiod/")
    _run_action(page, period_label, "close")
    expect(page.locator(".messagelist")).to_contain_text(f"Closed 1: {period_label}")
    # Generation is a background job: the action opens its page, which shows the outcome.
    _run_action(page, period_label, "generate")
    expect(page.locator("#job-outcome")).to_contain_text("1 new payout, 2 lines added")
    expect(page.locator("#job-progress-text")).to_have_text("4 of 4")

    page.goto(f"{base}/admin/projects/payperiod/")
    page.get_by_role("link", name="1 payout").click()
    expect(page.locator("#payout-totals")).to_contain_text("€87.50")
    _run_action(page, "Alice Example", "approve")
    expect(page.locator(".messagelist")).to_contain_text("Approved 1")
    _run_action(page, "Alice Example", "mark_paid")
    page.get_by_label(re.compile("Reference for Payout")).fill("WISE-20261116-7")
    page.get_by_role("button", name="Mark payouts paid").click()
    expect(page.locator(".messagelist")).to_contain_text("Marked paid 1")


def _contractor_checks(page: Page, base: str, email: str) -> None:
    _log_in(page, base, email)
    # On a phone the navigation sits in the menu.
    if page.locator("details.site-menu").count():
        page.locator("details.site-menu > summary").click()
    page.get_by_role("link", name="Earnings", exact=True).click()
    payout = page.locator("article.payout").first
    expect(payout).to_contain_text("€87.50")
    expect(payout).to_contain_text("Paid on")
    expect(payout).to_contain_text("WISE-20261116-7")
    expect(payout).to_contain_text("Your bank account ••••3000")
    expect(page.locator("figure.chart figcaption")).to_contain_text("€87.50 approved in 12 weeks")
    expect(page.locator("figure.chart li.chart__row").nth(1)).to_contain_text("€87.50")
    # At phone width every amount is on screen: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The earnings page lists payouts; each payout's lines are one click away.
    payout.get_by_role("link", name=re.compile(r"The 2 lines of the week of")).click()
    detail = page.locator("article.payout").first
    lines = detail.locator("tbody tr")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_contain_text("Search relevance")
    expect(lines.nth(0)).to_contain_text("2:00")
    expect(lines.nth(0)).to_contain_text("€50.00")
    expect(lines.nth(1)).to_contain_text("Review")
    expect(lines.nth(1)).to_contain_text("€37.50")
    expect(detail.locator("tfoot")).to_contain_text("Total")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _accountant_downloads(page: Page, base: str, accountant, period) -> list[list[str]]:
    _log_in(page, base, accountant.email, accountant.totp_secret)
    page.goto(f"{base}/admin/payments/payout/")
    expect(page.locator("#payout-totals")).to_contain_text("€87.50")
    # The export is one click from where accountants land.
    page.goto(f"{base}/admin/")
    page.get_by_role("link", name="Download a payroll export").click()
    # The newest closed period comes first, and no open one is offered.
    expect(page.get_by_label("Pay period").locator("option")).to_have_count(1)
    page.get_by_label("Pay period").select_option(period.start_on.isoformat())
    page.get_by_label("File").select_option("detail")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename == f"payroll-detail-{period.start_on}.csv"
    data = Path(download.value.path()).read_bytes()
    assert data.endswith(b"\r\n")
    return list(csv.reader(io.StringIO(data.decode(), newline="")))


def test_an_approved_week_is_paid_once_and_everyone_sees_it(
    live_server, new_page, approved_week, alice, manager, accountant
):
    base = live_server.url
    label = str(approved_week)

    staff = new_page()
    _log_in(staff, base, manager.email, manager.totp_secret)
    _manager_pays(staff, base, label)
    payout = Payout.objects.get()
    assert (payout.status, payout.net_minor, payout.lines.count()) == (PayoutStatus.PAID, 8750, 2)

    _contractor_checks(new_page({"width": 390, "height": 844}), base, alice.email)

    header, *rows = _accountant_downloads(new_page(), base, accountant, approved_week)
    named = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(row["legal_name"], row["minutes"], row["amount"]) for row in named] == [
        ("Alice Example", "120", "50.00"),
        ("Alice Example", "90", "37.50"),
    ]
    assert {row["reference"] for row in named} == {"WISE-20261116-7"}
    assert {row["payout_status"] for row in named} == {"paid"}
