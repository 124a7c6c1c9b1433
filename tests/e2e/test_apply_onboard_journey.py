"""Journeys 1 and 2 in Chromium: sign up, verify, apply, get approved, onboard, become active."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import ContractorProfile, ContractorStatus, User
from tests import factories

# Flushed tables are restored between browser tests, so the staff groups the
# data migration made are still there for the next test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EMAIL = "dana@example.com"


def _sign_up_and_verify(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/signup/")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", factories.PASSWORD)
    page.fill("input[name=password2]", factories.PASSWORD)
    page.get_by_role("button", name=re.compile("sign up", re.I)).click()
    expect(page.locator("main")).to_contain_text("Verify")

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(base + "/" + link.split("://", 1)[1].split("/", 1)[1])
    page.get_by_role("button", name=re.compile("confirm", re.I)).click()
    expect(page.get_by_role("link", name="Apply now")).to_be_visible()


def _apply(page: Page) -> None:
    page.get_by_role("link", name="Apply now").click()
    page.fill("input[name=legal_name]", "Dana Example")
    page.fill("input[name=display_name]", "Dana")
    page.select_option("select[name=country]", "DE")
    page.select_option("select[name=time_zone]", "Europe/Berlin")
    page.select_option("select[name=languages-0-language]", "de")
    page.select_option("select[name=languages-0-level]", "native")
    page.fill("input[name=hours_per_week]", "25")
    page.select_option("select[name=payout_currency]", "EUR")
    page.fill("textarea[name=motivation]", "I have labelled speech data for two years.")

    # A web page renamed .pdf is refused next to the field, and the rest is kept.
    page.set_input_files(
        "input[name=resume]",
        files=[{"name": "cv.pdf", "mimeType": "application/pdf", "buffer": b"<html>hi</html>"}],
    )
    page.get_by_role("button", name="Send application").click()
    expect(page.locator("main")).to_contain_text("not a PDF")
    expect(page.locator("input[name=legal_name]")).to_have_value("Dana Example")

    page.set_input_files(
        "input[name=resume]",
        files=[{"name": "cv.pdf", "mimeType": "application/pdf", "buffer": factories.pdf_bytes()}],
    )
    page.get_by_role("button", name="Send application").click()
    expect(page.locator("main")).to_contain_text("Submitted")


def _manager_approves(page: Page, base: str, manager: User) -> None:
    page.goto(f"{base}/admin/")
    page.fill("input[name=login]", manager.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.fill("input[name=code]", factories.totp_code(manager.totp_secret))
    page.get_by_role("button", name=re.compile("sign in|confirm", re.I)).click()
    expect(page.locator("#site-name")).to_be_visible()

    page.goto(f"{base}/admin/accounts/application/")
    page.get_by_role("row", name=re.compile("Dana Example")).locator("input.action-select").check()
    page.select_option("select[name=action]", "approve")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("Approved")


def _complete_checklist(page: Page, base: str) -> None:
    page.goto(f"{base}/me/onboarding/")
    page.get_by_role("link", name=re.compile("Start.*Accept the contractor agreement")).click()
    page.check("input[name=accept]")
    page.get_by_role("button", name="Accept the agreement").click()

    page.get_by_role("link", name=re.compile("Start.*File your tax form")).click()
    page.fill("input[name=name_on_form]", "Dana Example")
    page.fill("input[name=tax_id]", "DE12345678901")
    page.fill("textarea[name=address]", "Hauptstraße 1, 10115 Berlin")
    page.select_option("select[name=country_of_citizenship]", "DE")
    page.fill("input[name=date_of_birth]", "1991-04-02")
    page.get_by_role("button", name=re.compile("File the W-8BEN")).click()

    page.get_by_role("link", name=re.compile("Start.*Add payout details")).click()
    page.select_option("select[name=method]", "bank_transfer")
    page.fill("input[name=account_identifier]", "DE89 3704 0044 0532 0130 00")
    page.get_by_role("button", name="Save payout details").click()
    main = page.locator("main")
    expect(main).to_contain_text("•••")
    expect(main).not_to_contain_text("DE89370400440532013000")
    expect(main).to_contain_text("A manager checks this")


def _manager_verifies_identity(page: Page, base: str) -> None:
    page.goto(f"{base}/admin/accounts/contractorprofile/")
    page.get_by_role("row", name=re.compile("Dana Example")).locator("input.action-select").check()
    page.select_option("select[name=action]", "verify_identity")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("Dana Example")


def test_an_applicant_signs_up_applies_is_approved_and_becomes_active(live_server, new_page):
    factories.agreement_publish()
    manager = factories.manager_create()
    contractor = new_page(viewport={"width": 390, "height": 844})
    staff = new_page()
    base = live_server.url

    _sign_up_and_verify(contractor, base)
    _apply(contractor)
    _manager_approves(staff, base, manager)

    contractor.goto(f"{base}/me/application/")
    expect(contractor.locator("main")).to_contain_text("Approved")
    _complete_checklist(contractor, base)
    _manager_verifies_identity(staff, base)

    contractor.goto(f"{base}/")
    expect(contractor.locator("main")).to_contain_text("Active")
    profile = ContractorProfile.objects.get(user__email=EMAIL)
    assert profile.status == ContractorStatus.ACTIVE
    assert profile.agreement_acceptances.get().ip_address == "127.0.0.1"
    assert {m.subject for m in mail.outbox} >= {
        "Your application has been approved",
        "You are all set: your onboarding is complete",
    }
