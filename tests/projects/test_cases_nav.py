"""Cases sits in the main navigation of everyone who works here, on every page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _main_nav(html: str) -> str:
    return html.split('class="site-nav__main"', 1)[1].split("</ul>", 1)[0]


def test_a_contractor_finds_cases_in_the_main_navigation(client, alice):
    client.force_login(alice)
    html = client.get(reverse("projects:my_projects")).content.decode()
    assert f'href="{reverse("cases:list")}"' in _main_nav(html)
    page = client.get(reverse("cases:list")).content.decode()
    assert f'<a href="{reverse("cases:list")}" aria-current="page">Cases</a>' in _main_nav(page)


def test_staff_and_applicants_have_no_cases_link_in_the_bar(client, manager, applicant):
    for user in (manager, applicant):
        client.force_login(user)
        html = client.get(reverse("accounts:preferences")).content.decode()
        assert reverse("cases:list") not in _main_nav(html)
