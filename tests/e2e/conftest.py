"""Chromium, driven by Playwright, against the live test server."""

import os

import pytest
from django.db import connections
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser(django_db_setup):
    # The ORM calls a test makes run beside Playwright's event loop in one
    # thread; Django's async-safety guard does not apply to that.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Starting the event loop gives this thread fresh connection objects that
    # lack the serialized test database, so serialized_rollback would restore
    # nothing (and the staff groups would be gone after the first flush).
    saved = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        for alias, contents in saved.items():
            connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (one per person), closed after the test."""
    contexts = []

    def open_page(viewport: dict | None = None):
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
