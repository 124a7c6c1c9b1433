"""Journey 4 in Chromium: a manager pauses a project in the admin; the contractor's next page
shows the banner and the bell, and the notice reads the same."""

import os
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from projects.models import Project, ProjectStatus
from tests.factories import PASSWORD, totp_code
from tests.projects.factories import assign, project_create

# The live server and this test share one process with Playwright's event loop.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MESSAGE = "The client is reviewing the batch of 9 November; no new tasks until then."


def _log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


@pytest.fixture
def search(monkeypatch, alice, bob, manager):
    """An active project alice and bob were put on weeks ago."""
    started = timezone.now() - timedelta(days=60)
    with monkeypatch.context() as past:
        past.setattr(timezone, "now", lambda: started)
        project = project_create(manager, start_on=started.date())
        for person in (alice, bob):
            assign(project, person, by=manager, start_on=started.date())
    return project


def test_manager_pauses_in_the_admin_and_the_contractor_sees_banner_and_bell(
    live_server, new_page, search, alice, bob, manager
):
    base = live_server.url
    contractor = new_page()
    _log_in(contractor, base, alice.email)
    contractor.get_by_role("link", name="Notifications", exact=False).first.click()
    contractor.get_by_role("button", name="Mark all as read").click()
    bell = contractor.get_by_role("link", name="Notifications (0 unread)")
    expect(bell).to_be_visible()
    contractor.get_by_role("link", name="My projects").click()
    expect(contractor.get_by_text("Paused since")).to_have_count(0)

    admin = new_page()
    _log_in(admin, base, manager.email)
    admin.get_by_label("Code").fill(totp_code(manager.totp_secret))
    admin.get_by_role("button", name="Sign In").click()
    expect(admin).to_have_url(f"{base}/admin/")
    admin.goto(f"{base}/admin/projects/project/")
    admin.get_by_role(
        "checkbox", name="Select this object for an action - Search relevance"
    ).check()
    admin.locator('select[name="action"]').select_option("pause")
    admin.locator('button[name="index"]').click()
    admin.get_by_label("Reason").select_option(label="Quality review")
    admin.get_by_label("Message").fill(MESSAGE)
    admin.get_by_label("Expected resume date").fill("2030-01-07")
    admin.get_by_label("Now").check()
    admin.get_by_label("Pause with less than the minimum notice, and owe standby pay").check()
    admin.get_by_role("button", name="Pause projects").click()
    expect(admin.get_by_text("«Search relevance» is paused; 2 contractors told.")).to_be_visible()
    assert Project.objects.get(pk=search.pk).status == ProjectStatus.PAUSED

    # The manager sees who was told, and how the emails went, on the project's page.
    admin.goto(f"{base}/admin/projects/project/{search.pk}/change/")
    expect(admin.locator("#status_changes-group")).to_contain_text(
        "contractors notified", ignore_case=True
    )

    contractor.reload()
    banner = contractor.get_by_role("region", name="Search relevance is paused")
    expect(banner).to_contain_text("Paused since")
    expect(banner).to_contain_text("Quality review")
    expect(banner).to_contain_text(MESSAGE)
    expect(banner).to_contain_text("Monday, January 7, 2030")
    bell = contractor.get_by_role("link", name="Notifications (1 unread)")
    expect(bell).to_be_visible()

    bell.click()
    notice = contractor.locator(".notice--unread")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("«Search relevance» is paused")
    expect(notice).to_contain_text(MESSAGE)
    notice.get_by_role("button", name="Open").click()
    expect(contractor.get_by_role("heading", name="Project history")).to_be_visible()
    expect(contractor.locator("#history")).to_contain_text("Paused")
    expect(contractor.get_by_role("link", name="Notifications (0 unread)")).to_be_visible()

    pause_emails = [m for m in mail.outbox if m.subject == "«Search relevance» is paused"]
    assert sorted(m.to[0] for m in pause_emails) == [alice.email, bob.email]
    assert MESSAGE in pause_emails[0].body
