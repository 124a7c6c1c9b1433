"""The API is no way around the admin's rule that staff use two-factor authentication."""

import pytest
from django.urls import reverse

from accounts import services
from tests import factories

pytestmark = pytest.mark.django_db

STAFF_URLS = ["/api/v1/me", "/api/v1/payroll/export", "/api/v1/review/time-entries"]


@pytest.mark.parametrize("url", STAFF_URLS)
def test_staff_without_mfa_are_refused_by_session(client, url):
    manager = factories.manager_create("nomfa@example.com", mfa=False)
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


@pytest.mark.parametrize("url", STAFF_URLS)
def test_staff_without_mfa_are_refused_by_token(client, url):
    manager = factories.manager_create("nomfa@example.com", mfa=False)
    _token, key = services.api_token_create(user=manager, name="script")
    response = client.get(url, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 403


def test_staff_with_mfa_and_contractors_get_through(client, manager, alice):
    client.force_login(manager)
    assert client.get(reverse("api-schema")).status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    client.force_login(alice)
    assert client.get("/api/v1/me").status_code == 200
