import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts import services
from tests.projects import factories as project_factories

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


def _schema(tmp_path) -> dict:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    return yaml.safe_load(target.read_text())


def test_every_operation_documents_its_error_answers_in_the_json_error_shape(tmp_path):
    schema = _schema(tmp_path)
    error = {"$ref": "#/components/schemas/Error"}
    invalid = {"$ref": "#/components/schemas/ValidationError"}

    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            # Token or session, behind SignedIn: unauthenticated, refused, throttled, no database.
            assert {"401", "403", "429", "503"} <= set(responses), (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "415"} <= set(responses), (method, path)
            for code, response in responses.items():
                if code >= "400":
                    body = response["content"]["application/json"]["schema"]
                    assert body == (invalid if code == "400" else error), (method, path, code)


def test_schema_keeps_an_operations_own_words_for_an_error(tmp_path):
    schema = _schema(tmp_path)

    missing = schema["paths"]["/api/v1/application"]["get"]["responses"]["404"]

    assert missing["description"] == "You have not applied yet."
    assert "Retry-After" in schema["paths"]["/api/v1/me"]["get"]["responses"]["429"]["headers"]


def test_schema_requires_what_the_services_require(tmp_path):
    schema = _schema(tmp_path)
    components = schema["components"]["schemas"]

    def body(path: str) -> dict:
        ref = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        return components[ref["schema"]["$ref"].rsplit("/", 1)[1]]

    assert "message" in body("/api/v1/projects/{project_id}/close")["required"]
    assert "reason" in body("/api/v1/review/time-entries/reject")["required"]


@pytest.mark.django_db
def test_closing_a_project_without_a_message_is_refused_by_the_api(manager, alice):
    project = project_factories.project_create(manager)
    _token, key = services.api_token_create(user=manager, name="script")
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.post(f"/api/v1/projects/{project.pk}/close", {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"message"}


@pytest.mark.django_db
def test_a_multipart_body_with_too_many_fields_answers_in_json(manager):
    _token, key = services.api_token_create(user=manager, name="script")
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.post(
        "/api/v1/review/time-entries/reject",
        {"ids": list(range(1, 1002)), "reason": "Too long."},
        format="multipart",
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "too many fields" in response.json()["detail"]


@pytest.mark.django_db
def test_a_multipart_body_too_large_answers_413_in_json(manager, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _token, key = services.api_token_create(user=manager, name="script")
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.post(
        "/api/v1/review/time-entries/reject",
        {"ids": [1], "reason": "x" * 2000},
        format="multipart",
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]
