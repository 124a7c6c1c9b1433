"""Pages run under the Content-Security-Policy without a single violation, in Chromium."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests import factories

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _watch(page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    return violations


def test_site_admin_and_api_docs_work_under_the_policy(live_server, new_page, alice, manager):
    base = live_server.url
    page = new_page()
    violations = _watch(page)
    page.goto(f"{base}/")
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", alice.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    for path in ("/", "/projects/", "/projects/timesheet/", "/earnings/", "/notifications/"):
        page.goto(base + path)
    page.goto(f"{base}/api/docs/")
    # Swagger UI builds the page from the schema: its script ran.
    expect(page.locator(".opblock").first).to_be_visible()

    staff = new_page()
    violations += _watch(staff)
    staff.goto(f"{base}/accounts/login/")
    staff.fill("input[name=login]", manager.email)
    staff.fill("input[name=password]", factories.PASSWORD)
    staff.get_by_role("button", name=re.compile("sign in", re.I)).click()
    staff.fill("input[name=code]", factories.totp_code(manager.totp_secret))
    staff.get_by_role("button", name=re.compile("sign in|confirm", re.I)).click()
    staff.goto(f"{base}/admin/")
    expect(staff.locator("#site-name")).to_be_visible()
    staff.goto(f"{base}/admin/accounts/contractorprofile/")
    expect(staff.get_by_role("link", name=re.compile("Alice"))).to_be_visible()
    assert violations == []
