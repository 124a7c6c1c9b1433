import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from rest_framework.test import APIClient

API_PATHS = {
    "/api/v1/me",
    "/api/v1/application",
    "/api/v1/application/withdraw",
    "/api/v1/tokens",
    "/api/v1/tokens/{token_id}",
}


def test_schema_is_valid_openapi_and_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = yaml.safe_load(target.read_text())
    assert set(schema["paths"]) >= API_PATHS
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


def test_schema_documents_multipart_languages_as_json(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    schema = yaml.safe_load(target.read_text())

    apply = schema["paths"]["/api/v1/application"]["post"]["requestBody"]["content"]

    assert set(apply) == {"multipart/form-data"}
    assert apply["multipart/form-data"]["encoding"] == {
        "languages": {"contentType": "application/json"}
    }
    creating = schema["paths"]["/api/v1/tokens"]["post"]
    assert creating["security"] == [{"cookieAuth": []}]


@pytest.mark.django_db
def test_schema_endpoint_serves_the_api():
    response = APIClient().get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert set(response.json()["paths"]) >= API_PATHS


@pytest.mark.django_db
def test_docs_page_loads_only_local_assets():
    response = APIClient().get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 3
    for url in assets:
        if url == "/api/docs/?script=":
            # The page's own start-up script, served by the site (no inline script).
            assert APIClient().get(url)["Content-Type"].startswith("application/javascript")
            continue
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not among the static files"
