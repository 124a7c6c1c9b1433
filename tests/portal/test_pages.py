"""Site pages and the shared layout: landing, dashboard, navigation, allauth pages."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from accounts.models import ContractorProfile
from tests import factories
from tests.sanctions import sanction

pytestmark = pytest.mark.django_db

STYLESHEET = Path(settings.BASE_DIR) / "portal" / "static" / "portal" / "site.css"


def page(response) -> str:
    return response.content.decode()


def title_case(html: str) -> list[str]:
    """allauth's Title Case Words in text, labels or placeholders; the site writes in sentence
    case (a language's own name, such as "Bahasa Indonesia", is left as it is written)."""
    found = re.findall(r'(?:>|placeholder=")\s*([A-Z][a-z]+(?: [A-Z][a-z]+)+)', html)
    return [words for words in found if words != "Bahasa Indonesia"]


def nav(html: str) -> str:
    return html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]


def test_landing_page_explains_the_portal_and_offers_sign_up_and_log_in(client):
    html = page(client.get(reverse("home")))
    assert "How it works" in html
    assert reverse("account_signup") in html
    assert reverse("account_login") in html


def test_signed_in_user_without_application_gets_one_call_to_apply(client):
    client.force_login(factories.user_create("carol@example.com"))
    html = page(client.get(reverse("home")))
    assert "Apply now" in html
    assert reverse("accounts:apply") in html


def test_dashboard_greets_the_contractor_with_status_and_onboarding_summary(client, alice):
    client.force_login(alice)
    html = page(client.get(reverse("home")))
    assert "Hello, Alice" in html
    assert '<span class="badge badge--active">Active</span>' in html
    assert "W-8BEN filed" in html
    assert "••••3000" in html
    assert "DE89" not in html
    assert reverse("accounts:onboarding") in html


def test_dashboard_of_an_offboarded_contractor_shows_the_reason(client, alice, manager):
    profile = ContractorProfile.objects.get(user=alice)
    sanction(profile, by=manager, outcome="offboarding", reasons="The programme ended.")
    client.force_login(alice)
    html = page(client.get(reverse("home")))
    assert "Your account is closed" in html
    assert "The programme ended." in html


def test_anonymous_navigation_offers_sign_in_and_sign_up(client):
    links = nav(page(client.get(reverse("home"))))
    assert "Sign in" in links and "Sign up" in links
    assert "Sign out" not in links


def test_contractor_navigation_has_dashboard_onboarding_tokens_security_and_log_out(client, alice):
    client.force_login(alice)
    links = nav(page(client.get(reverse("accounts:api_tokens"))))
    for url in (
        reverse("home"),
        reverse("accounts:onboarding"),
        reverse("accounts:api_tokens"),
        reverse("mfa_index"),
    ):
        assert f'href="{url}"' in links
    assert "alice@example.com" in links
    assert f'<form method="post" action="{reverse("account_logout")}">' in links
    assert 'aria-current="page">API tokens' in links
    assert "Admin" not in links


def test_applicant_navigation_points_to_the_application(client, applicant):
    client.force_login(applicant)
    links = nav(page(client.get(reverse("accounts:application_status"))))
    assert f'href="{reverse("accounts:application_status")}"' in links
    assert reverse("accounts:onboarding") not in links
    # Tokens and two-factor authentication serve people who work here, not applicants.
    assert reverse("accounts:api_tokens") not in links
    assert reverse("mfa_index") not in links
    assert "API tokens" not in links and "Security" not in links


def test_a_new_sign_up_is_offered_the_application_only(client):
    client.force_login(factories.user_create("new@example.com"))
    links = nav(page(client.get(reverse("accounts:apply"))))
    assert f'href="{reverse("accounts:apply")}"' in links
    assert reverse("accounts:api_tokens") not in links
    assert reverse("mfa_index") not in links


def test_staff_navigation_has_the_admin_link(client, manager):
    client.force_login(manager)
    links = nav(page(client.get(reverse("accounts:api_tokens"))))
    assert f'href="{reverse("admin:index")}"' in links
    assert reverse("accounts:apply") not in links
    assert f'href="{reverse("accounts:api_tokens")}"' in links
    assert f'href="{reverse("mfa_index")}"' in links


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("account_login", "Sign in"),
        ("account_signup", "Sign up"),
        ("account_reset_password", "Reset your password"),
    ],
)
def test_allauth_pages_speak_in_the_sites_words(client, name, heading):
    html = page(client.get(reverse(name)))
    assert f"<h1>{heading}</h1>" in re.sub(r"\s*(<h1>|</h1>)\s*", r"\1", html)
    assert not title_case(html)


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("account_email", "Email addresses"),
        ("account_change_password", "Change password"),
        ("mfa_index", "Two-factor authentication"),
    ],
)
def test_allauth_account_pages_speak_in_the_sites_words(client, alice, name, heading):
    client.force_login(alice)
    html = page(client.get(reverse(name)))
    assert f"<h1>{heading}</h1>" in re.sub(r"\s*(<h1>|</h1>)\s*", r"\1", html)
    assert not title_case(html)


@pytest.mark.parametrize(
    "name", ["account_login", "account_signup", "account_reset_password", "home"]
)
def test_public_pages_use_the_site_layout(client, name):
    html = page(client.get(reverse(name)))
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert f'href="{static("portal/site.css")}"' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


@pytest.mark.parametrize(
    "name",
    ["mfa_index", "mfa_activate_totp", "account_change_password", "account_email"],
)
def test_allauth_account_and_mfa_pages_use_the_site_layout(client, alice, name):
    client.force_login(alice)
    response = client.get(reverse(name), follow=True)
    assert response.status_code == 200
    html = page(response)
    assert 'class="site-header"' in html
    assert 'class="page-narrow"' in html


def test_allauth_form_errors_are_tied_to_their_field(client):
    factories.user_create("taken@example.com")
    response = client.post(
        reverse("account_signup"),
        {"email": "not-an-email", "password1": "x", "password2": "y"},
    )
    html = page(response)
    assert 'id="id_email_error"' in html
    assert re.search(r'aria-describedby="[^"]*id_email_error', html)


def test_pages_load_nothing_from_other_sites(client, alice):
    client.force_login(alice)
    for url in (reverse("home"), reverse("accounts:onboarding"), reverse("mfa_index")):
        html = page(client.get(url))
        assert not re.search(r'(src|href)="(https?:)?//', html), url
        assert "<script" not in html


def test_stylesheet_has_no_fixed_widths_that_break_a_phone_screen():
    css = STYLESHEET.read_text()
    # Small fixed sizes (a checkbox, the visually-hidden helper) are fine;
    # anything wide enough to matter at 360px must be max-width or fluid.
    widths = re.findall(r"(?<![-\w])width:\s*([\d.]+)(px|rem|em)", css)
    in_pixels = [float(number) * (1 if unit == "px" else 16) for number, unit in widths]
    assert all(size <= 32 for size in in_pixels), widths
    assert ":focus-visible" in css
    assert ".skip-link:focus" in css


def test_every_label_on_the_apply_form_points_at_an_input(client):
    client.force_login(factories.user_create("carol@example.com"))
    html = page(client.get(reverse("accounts:apply")))
    label_targets = set(re.findall(r'<label for="([^"]+)"', html))
    input_ids = set(re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html))
    assert label_targets
    assert label_targets <= input_ids
