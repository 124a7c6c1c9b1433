"""Every response carries the Content-Security-Policy: only the site's own files run."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_forbid_inline_and_foreign_scripts(client):
    policy = client.get(reverse("account_login")).headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert directives["frame-ancestors"] == "'none'"


def test_the_api_docs_page_has_no_inline_script_or_style(client, alice):
    client.force_login(alice)
    html = client.get(reverse("api-docs")).content.decode()
    assert "<script>" not in html
    assert "<style" not in html
    assert 'src="/api/docs/?script="' in html


def test_no_template_carries_inline_script_or_style():
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = template.read_text()
        if "<script>" in text or "<style" in text or " style=" in text or " onclick=" in text:
            offenders.append(str(template))
    assert offenders == []
