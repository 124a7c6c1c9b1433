"""A manager's morning in Chromium: the to-do list, then a contractor's week reviewed at once."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from projects import services as project_services
from projects.models import EntryStatus, TimeEntry
from tests import factories
from tests.projects.factories import assign, log, project_create

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _sign_in(page: Page, base: str, manager) -> None:
    page.goto(f"{base}/admin/")
    page.fill("input[name=login]", manager.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.fill("input[name=code]", factories.totp_code(manager.totp_secret))
    page.get_by_role("button", name=re.compile("sign in|confirm", re.I)).click()
    expect(page.locator("#site-name")).to_be_visible()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_manager_goes_from_the_to_do_list_to_a_week_and_approves_it(
    live_server, new_page, manager, width
):
    alice = factories.contractor_create("alice@example.com", by=manager)
    project = project_create(manager)
    today = timezone.localdate()
    assignment = assign(project, alice, by=manager, start_on=today)
    log(alice, assignment, today, 90, note="Batch 14, queries 1-200")
    log(alice, assignment, today, 30, kind="meeting")
    project_services.time_week_submit(by=alice, week=today)

    page = new_page({"width": width, "height": 900})
    _sign_in(page, live_server.url, manager)
    todo = page.locator("#todo-hours")
    expect(todo).to_contain_text("Hours waiting for review")
    expect(todo.locator(".todo-count")).to_have_text("1")
    todo.get_by_role("link", name=re.compile("Alice Example, week of")).click()

    expect(page.locator("table.week-grid").first).to_contain_text("2:00")
    expect(page.locator("#content-main")).to_contain_text("Batch 14, queries 1-200")
    page.get_by_role("button", name="Approve week").click()
    expect(page.locator(".messagelist")).to_contain_text("Approved 2 entries.")
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {EntryStatus.APPROVED}
    # Nothing on the page is wider than the screen but the grid, which scrolls by itself.
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width + 1
