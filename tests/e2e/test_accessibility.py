"""Every page a contractor, an applicant or a visitor sees, checked by axe-core in Chromium.

Each page is opened at phone and desktop width with a flash message on it,
and must have no axe violation at all. The same pages, filled with 100-character
values that have nowhere to break, must not grow wider than the phone.
"""

import os
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error

from accounts import services as account_services
from accounts.models import ContractorProfile, User
from payments import services as payment_services
from portal.dates import local_today
from projects import services as project_services
from projects.timesheet import EntryChange, week_start
from tests import factories
from tests.payments import factories as pay
from tests.projects.factories import assign, project_create

# The live server and this test share one process with Playwright's event loop.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Values with no space or hyphen to break at, as long as the fields allow or longer.
LONG = "X" * 100
LONG_REFERENCE = "WISE" + "7" * 96
LONG_NAME = "Anna" + "n" * 96
AXE = Axe()


@pytest.fixture
def world(monkeypatch, manager):
    """Alice, active: two projects (one paused), a paid week, a rejected entry, a token;
    each value a contractor reads from someone's typing is 100 characters without a break."""
    alice = factories.contractor_create(
        "alice@example.com", by=manager, legal_name=LONG_NAME, display_name=LONG_NAME
    )
    started = timezone.now() - timedelta(days=60)
    with monkeypatch.context() as past:
        past.setattr(timezone, "now", lambda: started)
        project = project_create(manager, name=LONG, start_on=started.date())
        assignment = assign(project, alice, by=manager, start_on=started.date())
        other = project_create(manager, name="Chat safety review", start_on=started.date())
        assign(other, alice, by=manager, start_on=started.date())
    today = local_today(alice.contractor_profile.time_zone)
    last_monday = week_start(today) - timedelta(days=7)
    entries = project_services.time_week_submit(
        by=alice,
        week=last_monday,
        changes=[EntryChange(assignment.pk, last_monday, "task", 120, LONG)],
    )
    pay.approve(entries, by=manager)
    period = pay.closed_period(last_monday, by=manager)
    pay.generate(period, by=manager)
    payout = pay.approve_payout(alice.contractor_profile.payouts.get(), by=manager)
    payment_services.payout_mark_paid(
        payout=payout, by=manager, reference=LONG_REFERENCE, paid_on=today
    )
    monday = week_start(today)
    rejected = project_services.time_week_submit(
        by=alice, week=monday, changes=[EntryChange(assignment.pk, monday, "task", 90, LONG)]
    )
    project_services.time_entries_reject(
        entry_ids=[entry.pk for entry in rejected], by=manager, reason=LONG
    )
    project_services.project_pause(
        project=other, by=manager, reason="quality", message=LONG, short_notice_confirmed=True
    )
    account_services.api_token_create(user=alice, name=LONG)
    return {
        "alice": User.objects.get(pk=alice.pk),
        "project": project,
        "assignment": assignment,
        "period": period,
        "payout": payout,
    }


def _contractor_pages(world) -> list[str]:
    return [
        reverse("home"),
        reverse("projects:my_projects"),
        reverse("projects:project", args=[world["project"].pk]),
        reverse("projects:assignment_detail", args=[world["assignment"].pk]),
        reverse("projects:timesheet"),
        reverse("payments:earnings"),
        reverse("payments:earnings") + f"?period={world['period'].start_on}",
        reverse("payments:payout", args=[world["payout"].pk]),
        reverse("notifications:list"),
        reverse("notifications:preferences"),
        reverse("accounts:preferences"),
        reverse("accounts:onboarding"),
        reverse("accounts:agreement"),
        reverse("accounts:tax_form"),
        reverse("accounts:payout_details"),
        reverse("accounts:api_tokens"),
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("mfa_index"),
        reverse("support:index"),
        reverse("payments:payroll"),  # refused: the 403 page
        "/no-such-page/",  # the 404 page
    ]


def _people(world, manager) -> dict[str, tuple[User | None, list[str]]]:
    """Who sees which pages: a visitor, a new sign-up, an applicant, someone onboarding."""
    newcomer = factories.user_create("new@example.com")
    applicant, _application = factories.applicant_create("applicant@example.com")
    onboarding, application = factories.applicant_create("dora@example.com")
    account_services.application_approve(application=application, by=manager)
    factories.agreement_publish()
    return {
        "visitor": (
            None,
            [
                reverse("home"),
                reverse("account_login"),
                reverse("account_signup"),
                reverse("account_reset_password"),
                "/no-such-page/",
            ],
        ),
        "newcomer": (newcomer, [reverse("home"), reverse("accounts:apply")]),
        "applicant": (
            applicant,
            [reverse("accounts:application_status"), reverse("accounts:application_edit")],
        ),
        "onboarding": (
            onboarding,
            [
                reverse("accounts:onboarding"),
                reverse("accounts:agreement"),
                reverse("accounts:tax_form"),
                reverse("accounts:payout_details"),
            ],
        ),
        "contractor": (world["alice"], _contractor_pages(world)),
    }


def _signed_in(browser, live_server, user: User | None, viewport: dict):
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
    return context


def _flash(context, live_server, text: str) -> None:
    """Put a message in the cookie Django reads them from; the next page shows it."""
    storage = CookieStorage(HttpRequest())
    value = storage._encode([Message(constants.SUCCESS, text)])
    context.add_cookies([{"name": storage.cookie_name, "value": value, "url": live_server.url}])


def _violations(page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_page_has_no_axe_violation(browser, live_server, world, manager, viewport):
    problems: dict[str, list[str]] = {}
    for who, (user, urls) in _people(world, manager).items():
        context = _signed_in(browser, live_server, user, viewport)
        page = context.new_page()
        for url in urls:
            _flash(context, live_server, "Your changes are saved.")
            page.goto(live_server.url + url)
            assert page.locator(".messages").count() == 1, url
            # With the menu open, its links are checked too.
            if page.locator("details.site-menu").count():
                page.locator("details.site-menu > summary").click()
            if found := _violations(page):
                problems[f"{who} {url}"] = found
        context.close()
    assert not problems


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_server_error_page_has_no_axe_violation(browser, live_server, viewport):
    # No view fails on purpose, so the browser is handed what Django's handler renders.
    html = server_error(RequestFactory().get("/")).content.decode()
    context = _signed_in(browser, live_server, None, viewport)
    page = context.new_page()
    page.route(
        f"{live_server.url}/server-error/",
        lambda route: route.fulfill(status=500, body=html, content_type="text/html"),
    )
    page.goto(f"{live_server.url}/server-error/")
    assert page.locator("h1").count() == 1
    assert not _violations(page)
    context.close()


def test_long_values_wrap_on_a_phone(browser, live_server, world, manager):
    too_wide = {}
    for who, (user, urls) in _people(world, manager).items():
        context = _signed_in(browser, live_server, user, PHONE)
        page = context.new_page()
        for url in urls:
            page.goto(live_server.url + url)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide[f"{who} {url}"] = width
        context.close()
    assert not too_wide


TABLET = {"width": 800, "height": 1000}


@pytest.mark.parametrize("language", ["en", "vi", "id"])
def test_the_signed_in_header_is_one_line_on_a_desktop_and_compact_on_a_phone(
    browser, live_server, world, language
):
    User.objects.filter(pk=world["alice"].pk).update(language=language)
    alice = User.objects.get(pk=world["alice"].pk)
    heights = {}
    for name, viewport in (("phone", PHONE), ("tablet", TABLET), ("desktop", DESKTOP)):
        context = _signed_in(browser, live_server, alice, viewport)
        page = context.new_page()
        page.goto(live_server.url + reverse("home"))
        heights[name] = page.locator(".site-header").bounding_box()["height"]
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        # Everything the bar leaves out is one click away, without script.
        menu = page.locator("details.site-menu")
        menu.locator("summary").click()
        assert menu.locator(f'a[href="{reverse("accounts:api_tokens")}"]').is_visible()
        assert menu.locator("form button[type=submit]").is_visible()
        timesheet = f'a[href="{reverse("projects:timesheet")}"]'
        # The bell keeps its size beside the menu (Indonesian once squeezed it to nothing).
        assert page.locator(".bell__icon").bounding_box()["width"] >= 20
        if name == "desktop":
            assert page.locator(f".site-nav__main {timesheet}").is_visible()
            assert not menu.locator(timesheet).is_visible()
        else:
            assert menu.locator(timesheet).is_visible()
        context.close()
    # One row (the brand, the links, the bell, the menu button) at every width.
    assert max(heights.values()) < 70, heights


def test_a_new_applicant_is_not_offered_api_tokens_or_security(
    browser, live_server, manager, applicant
):
    context = _signed_in(browser, live_server, applicant, PHONE)
    page = context.new_page()
    page.goto(live_server.url + reverse("accounts:application_status"))
    page.locator("details.site-menu > summary").click()
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Application").first.is_visible()
    assert nav.get_by_role("link", name="API tokens").count() == 0
    assert nav.get_by_role("link", name="Security").count() == 0
    context.close()
    assert ContractorProfile.objects.get(user=applicant).status == "applicant"
