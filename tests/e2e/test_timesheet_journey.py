"""Journey 3 in a browser: a week logged across two projects, the cap, submission, review."""

import os
import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal.dates import format_day, local_today
from projects.models import EntryStatus, TimeEntry
from projects.timesheet import week_days, week_start
from tests.factories import PASSWORD, totp_code
from tests.projects.factories import assign, project_create

# The live server and this test share one process with Playwright's event loop.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# Serialized rollback brings back what migrations wrote (the staff groups and
# their permissions), which a transactional test before this one flushed away.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
AXE = Axe()


def _log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def _hours(page: Page, project: str, day) -> object:
    return page.get_by_label(f"{project}, Task, {format_day(day, 'full')}, hours", exact=True)


def _run_action(page: Page, action: str) -> None:
    page.locator("#action-toggle").check()
    page.locator('select[name="action"]').select_option(action)
    page.locator('button[name="index"]').click()


@pytest.fixture
def two_projects(monkeypatch, alice, manager):
    """Two active projects alice was put on weeks ago; "Search relevance" caps at 8 hours."""
    started = timezone.now() - timedelta(days=60)
    with monkeypatch.context() as past:
        past.setattr(timezone, "now", lambda: started)
        search = project_create(manager, weekly_cap_minutes=8 * 60, start_on=started.date())
        chat = project_create(manager, name="Chat safety review", start_on=started.date())
        assign(search, alice, by=manager, start_on=started.date())
        assign(chat, alice, by=manager, start_on=started.date())
    return search, chat


def test_contractor_logs_a_week_hits_the_cap_submits_and_sees_the_review(
    live_server, new_page, two_projects, alice, manager
):
    search, chat = two_projects
    base = live_server.url
    days = week_days(week_start(local_today(alice.contractor_profile.time_zone)) - timedelta(7))
    mon, tue, wed, thu = days[:4]

    page = new_page()
    _log_in(page, base, alice.email)
    expect(page.get_by_role("heading", name="Your projects this week")).to_be_visible()
    page.get_by_role("link", name="Log this week's hours").click()
    page.get_by_role("link", name="← Previous week").click()
    expect(
        page.get_by_role("heading", level=2, name=re.compile(format_day(mon, "MMMEd")))
    ).to_be_visible()

    # The arrow keys move between hour cells as in a spreadsheet.
    _hours(page, "Chat safety review", mon).focus()
    page.keyboard.press("ArrowDown")
    expect(_hours(page, "Search relevance", mon)).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(_hours(page, "Search relevance", tue)).to_be_focused()

    for day, value in ((mon, "2:00"), (tue, "2"), (wed, "120m"), (thu, "3:00")):
        _hours(page, "Search relevance", day).fill(value)
    _hours(page, "Chat safety review", mon).fill("1.5")
    _hours(page, "Chat safety review", wed).fill("1:30")
    page.get_by_role("button", name="Save draft").click()

    # The cap is said once, at the top; each cell that adds to it points there.
    expect(page.locator("#error-summary")).to_contain_text("Nothing was saved")
    expect(page.get_by_text("over the weekly cap of 8:00")).to_have_count(1)
    thursday = _hours(page, "Search relevance", thu)
    expect(thursday).to_have_attribute("aria-invalid", "true")
    described = thursday.get_attribute("aria-describedby")
    expect(page.locator(f"#{described}")).to_contain_text("over the weekly cap of 8:00")
    expect(thursday).to_have_value("3:00")
    assert not TimeEntry.objects.exists()

    thursday.fill("2:00")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Saved as draft.")).to_be_visible()
    page.get_by_role("button", name=re.compile("Submit week")).click()
    expect(page.get_by_text("Submitted 11:00 in 6 entries for review.")).to_be_visible()
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {EntryStatus.SUBMITTED}

    admin = new_page()
    _log_in(admin, base, manager.email)
    admin.get_by_label("Code").fill(totp_code(manager.totp_secret))
    admin.get_by_role("button", name="Sign In").click()
    expect(admin).to_have_url(f"{base}/admin/")
    entries = f"{base}/admin/projects/timeentry/?status__exact=submitted"
    admin.goto(f"{entries}&assignment__project__id__exact={search.pk}")
    expect(admin.locator("#entry-totals")).to_contain_text("€200.00")
    _run_action(admin, "approve")
    expect(admin.get_by_text("Approved 4 entries.")).to_be_visible()
    admin.goto(f"{entries}&assignment__project__id__exact={chat.pk}")
    _run_action(admin, "reject")
    admin.locator('textarea[name="reason"]').fill("Log the call on Monday as a meeting.")
    admin.get_by_role("button", name="Reject time entries").click()
    expect(admin.get_by_text("Rejected 2 entries.")).to_be_visible()

    page.goto(f"{base}/projects/timesheet/?week={mon.isoformat()}")
    expect(page.locator(".cell--approved")).to_have_count(4)
    expect(page.locator(".cell--rejected")).to_have_count(2)
    expect(page.get_by_role("heading", name="Sent back for a correction")).to_be_visible()
    expect(page.locator(".banner--warning")).to_contain_text("Log the call on Monday as a meeting.")
    expect(_hours(page, "Chat safety review", mon)).to_be_editable()
    expect(_hours(page, "Search relevance", mon)).to_have_count(0)
    assert sorted(message.subject for message in mail.outbox if "hours" in message.subject) == [
        "Some of your hours need a correction (3:00)",
        "Your hours were approved (8:00)",
    ]


def _last_week(alice) -> list:
    return week_days(week_start(local_today(alice.contractor_profile.time_zone)) - timedelta(7))


def _open_week(page: Page, base: str, alice, monday) -> None:
    _log_in(page, base, alice.email)
    expect(page.get_by_role("heading", name="Your projects this week")).to_be_visible()
    page.goto(f"{base}/projects/timesheet/?week={monday.isoformat()}")


def _row_total(page: Page, project: str):
    return page.locator("tbody tr", has=page.get_by_role("rowheader", name=project)).locator(
        "[data-row-total]"
    )


def _day_total(page: Page, index: int):
    return page.locator(f'tfoot td[data-day-total="{index}"]')


def test_totals_follow_what_is_typed_without_a_reload(live_server, new_page, two_projects, alice):
    mon, tue, wed = _last_week(alice)[:3]
    page = new_page()
    _open_week(page, live_server.url, alice, mon)
    page.evaluate("document.body.dataset.loadedOnce = 'yes'")  # gone if the page reloads
    warnings = page.locator("#timesheet-warnings")
    week_total = page.locator("tfoot [data-week-total]")

    _hours(page, "Search relevance", mon).fill("1:30")
    expect(_row_total(page, "Search relevance")).to_have_text("1:30")
    expect(_day_total(page, 0)).to_have_text("1:30")
    expect(week_total).to_have_text("1:30")

    _hours(page, "Search relevance", tue).fill("0.5")
    expect(_row_total(page, "Search relevance")).to_have_text("2:00")
    expect(_day_total(page, 1)).to_have_text("0:30")
    expect(week_total).to_have_text("2:00")

    _hours(page, "Chat safety review", mon).fill("1 jam 30 menit")
    expect(_row_total(page, "Chat safety review")).to_have_text("1:30")
    expect(_day_total(page, 0)).to_have_text("3:00")
    expect(week_total).to_have_text("3:30")
    expect(warnings).to_be_empty()

    # Past the 8-hour cap, then past 24 hours in a day: each said once, below the grid.
    _hours(page, "Search relevance", wed).fill("7")
    expect(warnings).to_have_text(
        "This week on «Search relevance» would come to 9:00, over the weekly cap of 8:00."
    )
    expect(page.locator(".caps .over-cap")).to_have_text("Search relevance: 9:00 of 8:00 this week")
    _hours(page, "Chat safety review", tue).fill("24")  # also past that project's 20 hours
    expect(warnings.locator("p")).to_have_count(3)
    expect(warnings.locator("p").nth(0)).to_have_text(
        f"{format_day(tue, 'MMMEd')} would add up to 24:30 across your projects; "
        "a day has 24 hours."
    )
    expect(warnings).to_contain_text("over the weekly cap of 20:00")
    expect(_day_total(page, 1)).to_have_class(re.compile("is-over"))

    # Cleared again, the warnings go; a cell that can't be read adds nothing.
    _hours(page, "Chat safety review", tue).fill("")
    _hours(page, "Search relevance", wed).fill("lots")
    expect(warnings).to_be_empty()
    expect(week_total).to_have_text("3:30")
    expect(_hours(page, "Search relevance", wed)).to_have_class(re.compile("is-unreadable"))
    assert page.evaluate("document.body.dataset.loadedOnce") == "yes"
    assert not TimeEntry.objects.exists()


def test_the_timesheet_works_on_a_phone(live_server, new_page, two_projects, alice):
    days = _last_week(alice)
    monday, sunday = days[0], days[-1]
    page = new_page({"width": 390, "height": 844})
    _open_week(page, live_server.url, alice, monday)

    # One day at a time: the week's first day, then the day picked from the strip.
    strip = page.get_by_role("group", name="Day shown")
    expect(strip.locator("button")).to_have_count(7)
    expect(_hours(page, "Chat safety review", monday)).to_be_visible()
    expect(_hours(page, "Chat safety review", sunday)).to_be_hidden()
    sunday_button = strip.locator("button").nth(6)
    sunday_button.click()
    expect(sunday_button).to_have_attribute("aria-pressed", "true")
    expect(_hours(page, "Chat safety review", monday)).to_be_hidden()
    _hours(page, "Chat safety review", sunday).fill("1:15")
    expect(sunday_button).to_contain_text("1:15")  # the strip carries each day's total
    expect(_row_total(page, "Chat safety review")).to_have_text("1:15")
    assert not AXE.run(page).response["violations"]

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Saved as draft.")).to_be_visible()
    # No column is cut off and the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    grid = page.locator(".table-wrap")
    assert grid.evaluate("box => box.scrollWidth <= box.clientWidth")
    assert TimeEntry.objects.get().minutes == 75


def test_without_script_the_phone_grid_scrolls_and_says_so(
    live_server, browser, two_projects, alice
):
    monday = _last_week(alice)[0]
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    try:
        page = context.new_page()
        _open_week(page, live_server.url, alice, monday)
        expect(page.get_by_text("swipe the table sideways to see every day")).to_be_visible()
        expect(page.get_by_role("group", name="Day shown")).to_have_count(0)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
