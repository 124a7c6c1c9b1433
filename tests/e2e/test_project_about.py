"""A project's page read in Chromium: the warning before the choice, on a phone, for axe too."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects import services as project_services
from projects.models import Assignment, ContentWarning, InvitationStatus
from tests import factories
from tests.projects.factories import assign, project_create

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path(settings.BASE_DIR) / "test-results"
# A long typed text with nowhere to break, as people sometimes paste.
LONG = "Reviewed" + "x" * 92


@pytest.fixture
def world(monkeypatch, manager):
    alice = factories.contractor_create("alice@example.com", by=manager)
    started = timezone.now() - timedelta(days=30)
    with monkeypatch.context() as past:
        past.setattr(timezone, "now", lambda: started)
        plain = project_create(manager, name="Search relevance", start_on=started.date())
        assignment = assign(plain, alice, by=manager, start_on=started.date())
        warned = project_create(
            manager,
            name="Safety review",
            start_on=started.date(),
            end_on=started.date() + timedelta(weeks=10),
            content_warning=ContentWarning.SELF_HARM,
            quality_review=f"A second rater checks one item in ten. {LONG}",
        )
    invitation = project_services.project_invite(
        project=warned, contractor=alice.contractor_profile, by=manager
    )
    return {
        "alice": alice,
        "plain": plain,
        "assignment": assignment,
        "warned": warned,
        "invitation": invitation,
    }


def _page(browser, live_server, user, viewport):
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15_000)
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    return context, context.new_page()


def _violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_projects_page_has_no_axe_violation_and_fits_a_phone(
    browser, live_server, world, viewport
):
    context, page = _page(browser, live_server, world["alice"], viewport)
    urls = [
        reverse("projects:project_about", args=[world["warned"].pk]),
        reverse("projects:project_about", args=[world["plain"].pk]),
        reverse("projects:my_projects"),
        reverse("home"),
    ]
    problems, too_wide = {}, {}
    for url in urls:
        page.goto(live_server.url + url)
        if found := _violations(page):
            problems[url] = found
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            too_wide[url] = width
    name = "phone" if viewport is PHONE else "desktop"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(live_server.url + urls[0])
    page.screenshot(path=str(SHOTS / f"project_about_{name}.png"), full_page=True)
    context.close()
    assert not problems
    assert not too_wide


def test_the_contractor_reads_the_warning_ticks_the_box_and_joins(browser, live_server, world):
    context, page = _page(browser, live_server, world["alice"], PHONE)
    page.goto(live_server.url + reverse("projects:my_projects"))
    page.get_by_role("link", name="Safety review").click()

    warning = page.locator("#content-warning")
    assert "Self-harm or suicide" in warning.inner_text()
    page.get_by_role("button", name="Accept and join").click()
    assert page.locator(".error-summary").is_visible()
    assert not Assignment.objects.filter(project=world["warned"]).exists()

    page.get_by_label("I have read the content warning").check()
    page.get_by_role("button", name="Accept and join").click()
    page.wait_for_url("**/projects/assignments/**")
    assert page.locator("h1").inner_text().startswith("Safety review")
    world["invitation"].refresh_from_db()
    assert world["invitation"].status == InvitationStatus.ACCEPTED
    context.close()
