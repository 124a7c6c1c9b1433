"""A background job's page in a browser: it follows the job until it ends, then shows the outcome;
on a phone and a desktop, under the Content-Security-Policy, with no axe violation."""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from portal.jobs.models import Job, JobState

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = Axe()
SHOTS = Path(settings.BASE_DIR) / "test-results"
PHONE = {"width": 390, "height": 844}


def _signed_in(browser, live_server, user, viewport):
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15_000)
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    return context


@pytest.mark.parametrize(
    "viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desktop"]
)
def test_the_job_page_follows_a_running_job_to_its_outcome(browser, live_server, manager, viewport):
    job = Job.objects.create(
        kind="payments.payouts_generate",
        key="e2e:1",
        subject="Nov 2, 2026 – Nov 8, 2026",
        started_by=manager,
        state=JobState.RUNNING,
        started_at=timezone.now(),
        done=1234,
        total=10000,
    )
    SHOTS.mkdir(exist_ok=True)
    context = _signed_in(browser, live_server, manager, viewport)
    page = context.new_page()
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto(live_server.url + reverse("admin:jobs_job_change", args=[job.pk]))
    expect(page.locator("#job-progress-text")).to_have_text("1,234 of 10,000")
    # (axe itself applies inline styles, which the policy blocks: read the log before it runs.)
    blocked_before_axe = list(blocked)
    violations = AXE.run(page).response["violations"]
    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.screenshot(path=str(SHOTS / f"job-running-{viewport['width']}.png"), full_page=True)

    Job.objects.filter(pk=job.pk).update(done=5000)
    expect(page.locator("#job-progress-text")).to_have_text("5,000 of 10,000")
    assert page.locator("#job-bar").get_attribute("value") == "5000"

    Job.objects.filter(pk=job.pk).update(
        state=JobState.SUCCEEDED,
        done=10000,
        summary="Nov 2, 2026 – Nov 8, 2026: 3 new payouts, 10000 lines added.",
        finished_at=timezone.now(),
    )
    expect(page.locator("#job-outcome")).to_contain_text("3 new payouts, 10000 lines added.")
    expect(page.locator("#job-state")).to_have_text("Succeeded")
    page.screenshot(path=str(SHOTS / f"job-finished-{viewport['width']}.png"), full_page=True)
    finished_violations = AXE.run(page).response["violations"]
    context.close()

    assert [
        (v["id"], [node["target"] for node in v["nodes"]]) for v in violations + finished_violations
    ] == []
    assert not wide
    assert blocked_before_axe == []
