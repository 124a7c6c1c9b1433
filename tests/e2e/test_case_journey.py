"""Journey 7 in Chromium: a manager opens a case and gives notice, the contractor answers, a
manager decides a removal, the contractor appeals, a second manager reinstates with back pay,
and the contractor reads the whole case file."""

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from projects.models import AssignmentStatus, Case, CaseStatus
from tests.factories import PASSWORD, manager_create, totp_code
from tests.projects.factories import assign, project_create
from tests.sanctions import rule_in_force

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SHOTS = Path(settings.BASE_DIR) / "test-results"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


NEUTRAL = "A member of the vendor team"


def _log_in(page: Page, base: str, user, *, staff: bool = False) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if staff:
        page.get_by_label("Code").fill(totp_code(user.totp_secret))
        page.get_by_role("button", name="Sign In").click()
        expect(page).to_have_url(f"{base}/admin/")
    else:
        # Signed in once the login page is left: a screenshot taken mid-navigation fails.
        page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def on_project(monkeypatch, alice, manager):
    started = timezone.now() - timedelta(days=60)
    with monkeypatch.context() as past:
        past.setattr(timezone, "now", lambda: started)
        project = project_create(manager, start_on=started.date())
        assignment = assign(project, alice, by=manager, start_on=started.date())
    rule_in_force()
    return assignment


def _step(admin: Page, base: str, case: Case, button: str) -> None:
    admin.goto(f"{base}/admin/projects/case/{case.pk}/change/")
    admin.get_by_role("button", name=button).click()


def test_a_removal_is_heard_appealed_and_reversed_with_back_pay(
    live_server, new_page, on_project, alice, manager
):
    base = live_server.url
    manager.display_name = "Mina Hartono"
    manager.save(update_fields=["display_name"])
    admin = new_page()
    _log_in(admin, base, manager, staff=True)
    admin.goto(f"{base}/admin/projects/case/add/?contractor={alice.contractor_profile.pk}")
    admin.get_by_label("Assignment").select_option(str(on_project.pk))
    admin.get_by_label("Rule").select_option(label=str(rule_in_force()))
    admin.get_by_label("Evidence summary").fill("Three days logged with no task activity.")
    admin.get_by_role("button", name="Open a case").click()
    case = Case.objects.get()
    _step(admin, base, case, "Give notice…")
    admin.get_by_label("Proposed outcome").select_option("removal")
    admin.get_by_role("button", name="Give notice").click()
    assert Case.objects.get().status == CaseStatus.NOTICED

    contractor = new_page({"width": 390, "height": 844})
    _log_in(contractor, base, alice)
    # On a phone, Cases is in the menu with the other main links, and nothing scrolls sideways.
    contractor.locator(".site-menu__toggle").click()
    SHOTS.mkdir(exist_ok=True)
    contractor.screenshot(path=SHOTS / "case-menu-phone.png")
    assert contractor.evaluate("document.documentElement.scrollWidth") <= 390
    contractor.locator(".site-menu__main").get_by_role("link", name="Cases").click()
    expect(contractor).to_have_url(f"{base}/cases/")
    # At the narrowest width with the links in the bar (62rem), they still fit.
    wide = new_page({"width": 992, "height": 700})
    _log_in(wide, base, alice)
    wide.screenshot(path=SHOTS / "case-nav-992.png")
    assert wide.evaluate("document.documentElement.scrollWidth") <= 992
    expect(wide.locator(".site-nav__main").get_by_role("link", name="Cases")).to_be_visible()
    contractor.get_by_role("link", name=f"Case {case.pk} under rule T1").click()
    expect(contractor.get_by_text("7 days left to answer")).to_be_visible()
    expect(contractor.get_by_text("A rule for tests.")).to_be_visible()
    contractor.get_by_label("Your answer").fill("I worked offline; my notes are attached.")
    contractor.get_by_label("Representative (optional)").fill("Rina")
    contractor.get_by_role("button", name="Send my answer").click()
    expect(contractor.get_by_text("Your answer is recorded.")).to_be_visible()

    _step(admin, base, case, "Decide…")
    admin.get_by_label("Outcome").select_option("removal")
    admin.get_by_label("Reasons").fill("The notes do not match the task log.")
    admin.get_by_role("button", name="Decide").click()
    on_project.refresh_from_db()
    assert on_project.status == AssignmentStatus.REMOVED

    contractor.reload()
    expect(contractor.get_by_text("decided by Mina Hartono")).to_be_visible()
    assert manager.email not in contractor.content()
    contractor.get_by_label("Why the decision should change").fill(
        "The task log misses offline work."
    )
    contractor.get_by_role("button", name="Send my appeal").click()
    expect(contractor.get_by_text("Your appeal is recorded")).to_be_visible()

    second = manager_create("second@example.com")
    hearer = new_page()
    _log_in(hearer, base, second, staff=True)
    _step(hearer, base, case, "Decide the appeal…")
    hearer.get_by_label("Outcome").select_option("overturned")
    hearer.get_by_label("Reasons").fill("The offline work is documented.")
    hearer.get_by_label("Back pay (minor units)").fill("5000")
    hearer.get_by_label("Why the back pay differs from the default").fill("Two lost days.")
    hearer.get_by_role("button", name="Decide the appeal").click()
    on_project.refresh_from_db()
    assert on_project.status == AssignmentStatus.ACTIVE
    assert Case.objects.get().status == CaseStatus.REINSTATED

    contractor.reload()
    expect(contractor.get_by_text(f"heard by {NEUTRAL}")).to_be_visible()
    assert second.email not in contractor.content()
    contractor.screenshot(path=SHOTS / "case-decided-phone.png", full_page=True)
    assert contractor.evaluate("document.documentElement.scrollWidth") <= 390
    expect(contractor.get_by_text("Back pay, added to your next payout:")).to_be_visible()
    contractor.get_by_role("link", name="Case file (printable)").click()
    expect(contractor.get_by_text("Contractor responded")).to_be_visible()
    with contractor.expect_download() as download:
        contractor.goto(f"{base}/cases/{case.pk}/")
        contractor.get_by_role("link", name="Case file (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["appeal"]["outcome"] == "overturned"
    assert [step["step"] for step in data["timeline"]][-1] == "reinstated"
