"""The site in the reader's language, in Chromium: a whole journey in Indonesian, and a
page in Traditional Chinese on a phone.

Button and link names are looked up in the catalogs (``gettext`` with the page's
language active), so the test reads the page the way an Indonesian speaker does
without restating every translation here.
"""

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from accounts import services as account_services
from accounts.models import Application, ContractorStatus, User
from payments import services as payment_services
from portal.dates import local_today
from projects import services as project_services
from projects.models import TimeEntry
from projects.timesheet import week_start
from tests import factories
from tests.projects.factories import assign, project_create

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path(settings.BASE_DIR) / "test-results"
EMAIL = "sari@example.com"


def t(language: str, message: str, context: str | None = None) -> str:
    with translation.override(language):
        if context:
            return translation.pgettext(context, message)
        return translation.gettext(message)


def _sign_up(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", factories.PASSWORD)
    page.fill("input[name=password2]", factories.PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    # The verification email is written in the language the person signed up in.
    message = mail.outbox[-1]
    assert t("id", "Please Confirm Your Email Address") in message.subject
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    page.goto(base + "/" + link.split("://", 1)[1].split("/", 1)[1])
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("link", name=t("id", "Apply now"))).to_be_visible()
    assert User.objects.get(email=EMAIL).language == "id"


def _apply(page: Page) -> None:
    page.get_by_role("link", name=t("id", "Apply now")).click()
    expect(page.locator("h1")).not_to_contain_text("Apply")
    page.fill("input[name=legal_name]", "Sari Wulandari")
    page.fill("input[name=display_name]", "Sari")
    page.select_option("select[name=country]", "ID")
    page.select_option("select[name=time_zone]", "Asia/Jakarta")
    page.select_option("select[name=languages-0-language]", "id")
    page.select_option("select[name=languages-0-level]", "native")
    page.fill("input[name=hours_per_week]", "20")
    page.select_option("select[name=payout_currency]", "EUR")
    page.fill("textarea[name=motivation]", "Saya sudah dua tahun menilai hasil pencarian.")
    page.set_input_files(
        "input[name=resume]",
        files=[{"name": "cv.pdf", "mimeType": "application/pdf", "buffer": factories.pdf_bytes()}],
    )
    page.get_by_role("button", name=t("id", "Send application")).click()
    expect(page.locator("main")).to_contain_text(t("id", "Submitted"))


def _becomes_active_and_assigned(manager: User, monday: date):
    """What the managers do in the admin (their own journeys are tested elsewhere)."""
    application = Application.objects.get(profile__user__email=EMAIL)
    with translation.override("en"):
        account_services.application_approve(application=application, by=manager)
        profile = factories.contractor_onboard(application.profile, by=manager)
    assert profile.status == ContractorStatus.ACTIVE
    started = timezone.now() - timedelta(days=60)
    real_now = timezone.now
    timezone.now = lambda: started
    try:
        project = project_create(manager, name="Relevansi pencarian", start_on=started.date())
        return assign(project, profile.user, by=manager, start_on=started.date())
    finally:
        timezone.now = real_now


def _log_and_submit_week(page: Page, base: str, assignment, monday: date) -> None:
    page.goto(f"{base}/projects/timesheet/?week={monday.isoformat()}")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    cell = f"input[name=m-{assignment.pk}-task-{{day}}]"
    page.fill(cell.format(day=monday.isoformat()), "1 jam 30 menit")
    page.fill(cell.format(day=(monday + timedelta(days=1)).isoformat()), "2 jam")
    page.fill(cell.format(day=(monday + timedelta(days=2)).isoformat()), "45 menit")
    page.get_by_role("button", name=t("id", "Save draft")).click()
    expect(
        page.get_by_text(t("id", "Saved as draft. Submit the week when it is complete."))
    ).to_be_visible()
    page.locator("button[name=action][value=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    minutes = sorted(TimeEntry.objects.values_list("minutes", flat=True))
    assert minutes == [45, 90, 120]


def _paid_by_the_vendor(manager: User, monday: date) -> None:
    entries = list(TimeEntry.objects.values_list("pk", flat=True))
    with translation.override("en"):
        project_services.time_entries_approve(entry_ids=entries, by=manager)
        period = payment_services.pay_period_for(day=monday)
        payment_services.pay_period_close(period=period, by=manager)
        payment_services.payouts_generate(period=period, by=manager)
        payout = period.payouts.get()
        payment_services.payout_approve(payout=payout, by=manager)
        payment_services.payout_mark_paid(
            payout=payout, by=manager, reference="BANK-77", paid_on=timezone.localdate()
        )


def test_a_contractor_signs_up_applies_logs_a_week_and_sees_earnings_in_indonesian(
    live_server, browser
):
    manager = factories.manager_create()
    base = live_server.url
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        _sign_up(page, base)
        _apply(page)
        monday = week_start(local_today("Asia/Jakarta")) - timedelta(days=7)
        assignment = _becomes_active_and_assigned(manager, monday)
        _log_and_submit_week(page, base, assignment, monday)
        _paid_by_the_vendor(manager, monday)

        page.goto(f"{base}/earnings/?period={monday.isoformat()}")
        main = page.locator("main")
        expect(page.locator("h1")).to_have_text(t("id", "Earnings"))
        # 4:15 at €25.00 an hour, in Indonesian number format.
        expect(main).to_contain_text("€106,25")
        expect(main).to_contain_text(t("id", "Paid"))
        expect(main).not_to_contain_text("Week of")
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SHOTS / "earnings-id.png", full_page=True)
    finally:
        context.close()


def test_a_page_in_traditional_chinese_fits_a_phone(live_server, new_page, alice, manager):
    User.objects.filter(pk=alice.pk).update(language="zh-hant", time_zone="Asia/Taipei")
    started = timezone.now() - timedelta(days=60)
    real_now = timezone.now
    timezone.now = lambda: started
    try:
        project = project_create(manager, name="搜尋相關性評分", start_on=started.date())
        assign(project, alice, by=manager, start_on=started.date())
    finally:
        timezone.now = real_now
    page = new_page({"width": 390, "height": 844})
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", alice.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"{base}/projects/timesheet/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    expect(page.locator("h1")).to_have_text(t("zh-hant", "Timesheet"))
    # Day names of the grid are Chinese; nothing English is left in the headings.
    expect(page.locator("thead")).to_contain_text("週一")
    expect(page.locator("main")).not_to_contain_text("Mon")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "timesheet-zh-hant-phone.png", full_page=True)
