"""Journey 8 in a browser: a contractor asks about a missing payout and sees the clock, a
manager answers in the admin, the contractor reads the answer in their language and closes
the conversation."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from payments import services as payment_services
from portal.dates import local_today
from portal.support.models import Conversation, ConversationStatus
from projects import services as project_services
from projects.timesheet import EntryChange, week_start
from tests.factories import PASSWORD, totp_code
from tests.projects.factories import assign, project_create

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path(settings.BASE_DIR) / "test-results"
ANSWER = "Pembayaran Anda dikirim ulang hari ini; referensi WISE-77."


def t(message: str) -> str:
    with translation.override("id"):
        return translation.gettext(message)


@pytest.fixture
def generated_payout(monkeypatch, alice, manager):
    """Alice's approved last week, its period closed and its payout generated but not paid."""
    started = timezone.now() - timedelta(days=60)
    with monkeypatch.context() as past:
        past.setattr(timezone, "now", lambda: started)
        project = project_create(manager, start_on=started.date())
        assignment = assign(project, alice, by=manager, start_on=started.date())
    monday = week_start(local_today(alice.contractor_profile.time_zone)) - timedelta(days=7)
    changes = [EntryChange(assignment.pk, monday, "task", 120, "Batch 12")]
    entries = project_services.time_week_submit(by=alice, week=monday, changes=changes)
    project_services.time_entries_approve(entry_ids=[e.pk for e in entries], by=manager)
    period = payment_services.pay_period_for(monday)
    period = payment_services.pay_period_close(
        period=period, by=manager, today=monday + timedelta(days=14)
    )
    payment_services.payouts_generate(period=period, by=manager)
    return alice.contractor_profile.payouts.get()


def _log_in(page: Page, base: str, email: str, totp_secret: str | None = None) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if totp_secret:
        page.get_by_label("Code").fill(totp_code(totp_secret))
        page.get_by_role("button", name="Sign In").click()
        expect(page).to_have_url(re.compile(r"/admin/$"))


def _contractor_asks(page: Page, base: str, payout) -> None:
    page.goto(f"{base}/")
    # On a phone the main links are in the menu.
    page.locator("summary.site-menu__toggle").click()
    page.locator(".site-menu__panel").get_by_role("link", name=t("Help"), exact=True).click()
    expect(page.locator("h1")).to_have_text(t("Help"))
    page.get_by_role("link", name=t("Ask a question")).click()
    page.get_by_label(t("What is it about?")).select_option("pay")
    page.get_by_label(t("Which one?")).select_option(f"payout:{payout.pk}")
    page.get_by_label(t("Subject")).fill("Pembayaran belum masuk")
    page.get_by_label(t("Your question")).fill("Minggu lalu belum dibayar.")
    page.get_by_role("button", name=t("Send the question")).click()
    expect(page.locator(".support-clock__promise")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "support-asked-id-phone.png", full_page=True)


def _manager_answers(page: Page, base: str) -> None:
    page.goto(f"{base}/admin/support/conversation/")
    page.get_by_role("row", name=re.compile("Pembayaran belum masuk")).locator(
        "input.action-select"
    ).check()
    page.locator('select[name="action"]').select_option("answer")
    page.locator('button[name="index"]').click()
    page.locator("textarea[name=body]").fill(ANSWER)
    page.locator('input[name="apply"]').click()
    expect(page.locator(".messagelist")).to_contain_text("Answered 1 conversation")


def test_a_contractor_asks_a_manager_answers_and_the_contractor_closes(
    live_server, new_page, generated_payout, alice, manager
):
    alice.language = "id"
    alice.save(update_fields=["language"])
    base = live_server.url
    contractor = new_page({"width": 390, "height": 844})
    _log_in(contractor, base, alice.email)
    _contractor_asks(contractor, base, generated_payout)
    conversation = Conversation.objects.get()
    assert (conversation.about_kind, conversation.about_id) == ("payout", generated_payout.pk)
    assert conversation.due_at is not None

    staff = new_page()
    _log_in(staff, base, manager.email, manager.totp_secret)
    _manager_answers(staff, base)

    contractor.goto(f"{base}{conversation.get_absolute_url()}")
    expect(contractor.locator(".support-message--staff")).to_contain_text(ANSWER)
    expect(contractor.locator("html")).to_have_attribute("lang", "id")
    # The page chrome speaks Indonesian; the typed answer is shown as written.
    expect(contractor.locator(".skip-link")).to_have_text(t("Skip to main content"))
    expect(contractor.locator("main")).to_contain_text(t("Pay and payouts"))
    expect(contractor.locator(".support-clock__promise")).to_have_text(
        t("Answered. The clock is paused until you reply.")
    )
    contractor.get_by_role("button", name=t("Close the conversation")).click()
    expect(contractor.locator(".badge--closed")).to_have_text(t("Closed"))
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.CLOSED
    contractor.screenshot(path=SHOTS / "support-closed-id-phone.png", full_page=True)


def test_the_public_record_reads_well_on_a_phone(live_server, new_page, alice, manager):
    from axe_playwright_python.sync_playwright import Axe

    from portal.support import services as support_services
    from tests.portal.support_helpers import ask

    for subject in ("Payout late", "Rate question"):
        conversation = ask(alice, subject=subject)
        support_services.conversation_answer(conversation=conversation, by=manager, body="Done.")
    page = new_page({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/transparency/")

    expect(page.locator("main")).to_contain_text("Pay and payouts: 1 business day")
    row = page.locator(".support-record tbody tr").first
    label = row.locator("td[data-label]").first.evaluate(
        "cell => getComputedStyle(cell, '::before').content"
    )
    assert label == '"Questions: "'
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Stacked: the row is one card, its cells one under another, not a wide table row.
    cells = row.locator("td, th")
    lefts = {round(cells.nth(i).bounding_box()["x"]) for i in range(cells.count())}
    assert len(lefts) < cells.count()
    assert [v["id"] for v in Axe().run(page).response["violations"]] == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "transparency-phone.png", full_page=True)
