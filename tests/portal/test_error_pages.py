"""Refused and missing pages keep the site's layout and language; there is a favicon."""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def _t(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def test_a_missing_page_has_the_layout_and_a_way_back_in_the_readers_language(client, alice):
    User.objects.filter(pk=alice.pk).update(language="vi")
    client.force_login(User.objects.get(pk=alice.pk))
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert _t("vi", "Page not found") in html
    assert f'href="{reverse("home")}"' in html


def test_a_refused_page_says_so_in_the_layout_not_bare_text(client, alice):
    User.objects.filter(pk=alice.pk).update(language="zh-hant")
    client.force_login(User.objects.get(pk=alice.pk))
    response = client.get(reverse("payments:payroll"))
    html = response.content.decode()
    assert response.status_code == 403
    assert 'class="site-header"' in html
    assert _t("zh-hant", "Not allowed") in html
    assert "403 Forbidden" not in html


def test_the_server_error_page_renders_without_a_request_context():
    with translation.override("id"):
        response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert _t("id", "Something went wrong") in html


def test_every_page_names_a_favicon_the_site_serves(client):
    html = client.get(reverse("account_login")).content.decode()
    assert '<link rel="icon" href="/static/portal/favicon.svg"' in html
    assert finders.find("portal/favicon.svg")


def test_an_email_longer_than_the_column_is_refused_at_sign_up(client):
    email = "a" * 250 + "@example.com"
    response = client.post(
        reverse("account_signup"),
        {"email": email, "password1": factories.PASSWORD, "password2": factories.PASSWORD},
    )
    assert response.status_code == 200
    assert "at most 254 characters" in response.content.decode()
    assert not User.objects.filter(email__startswith="aaaa").exists()


def test_make_run_sends_links_to_the_address_it_serves():
    plan = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", "RUN_ADDR=127.0.0.1:8101"],
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    serve = next(
        line for line in plan.splitlines() if "SITE_URL=" in line and "DEBUG_TOOLBAR" in line
    )
    assert 'SITE_URL="${SITE_URL:-http://127.0.0.1:8101}"' in serve
