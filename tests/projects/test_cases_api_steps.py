"""Managers' case steps through the API beyond the notice: take up, evidence, interim
suspension, close — the same services as the admin, and all in the OpenAPI schema."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.models import ContractorStatus
from portal.models import Notification
from projects.models import CaseEventKind, CaseStatus
from projects.services import cases
from tests import factories
from tests.projects.cases_setup import rule_book

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _signal(alice, manager, rule):
    return cases.case_signal(
        contractor=alice.contractor_profile,
        rule=rule,
        by=manager,
        source="labelling-platform",
        summary="Agreement with gold labels fell to 40%.",
    )


def test_a_manager_takes_up_a_signal_adds_evidence_and_closes_it(clock, manager, alice):
    rule = rule_book(manager, clock)
    case = _signal(alice, manager, rule)
    api = _client(manager)

    response = api.post(f"/api/v1/cases/{case.pk}/take")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == CaseStatus.OPEN
    assert Notification.objects.filter(recipient=alice, kind="case_opened").exists()

    response = api.post(
        f"/api/v1/cases/{case.pk}/evidence",
        {"kind": "text", "text": "Gold-label report, week 12."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["text"] == "Gold-label report, week 12."
    response = api.post(
        f"/api/v1/cases/{case.pk}/evidence",
        {
            "kind": "file",
            "file": SimpleUploadedFile("report.pdf", factories.pdf_bytes()),
            "withheld_reason": "Names other workers.",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["has_file"] is True
    assert case.evidence.filter(withheld_reason="Names other workers.").exclude(file="").exists()
    # Nothing to give: refused by the service, changes nothing.
    response = api.post(f"/api/v1/cases/{case.pk}/evidence", {"kind": "link"}, format="json")
    assert response.status_code == 400
    assert case.evidence.count() == 2

    assert api.post(f"/api/v1/cases/{case.pk}/close", {}, format="json").status_code == 400
    response = api.post(
        f"/api/v1/cases/{case.pk}/close", {"reason": "The labels were fine."}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == CaseStatus.CLOSED
    assert case.events.filter(kind=CaseEventKind.CLOSED, by=manager).exists()


def test_an_interim_suspension_through_the_api_needs_its_permission_and_a_fraud_rule(
    clock, manager, alice
):
    rule = rule_book(manager, clock, category="fraud")
    case = cases.case_take(case=_signal(alice, manager, rule), by=manager)
    url = f"/api/v1/cases/{case.pk}/interim-suspension"
    body = {"reason": "Possible account sharing.", "business_days": 3}
    assert _client(manager).post(url, body, format="json").status_code == 400
    alice.contractor_profile.refresh_from_db()
    assert alice.contractor_profile.status == ContractorStatus.ACTIVE

    manager.user_permissions.add(Permission.objects.get(codename="interim_suspend_case"))
    manager = type(manager).objects.get(pk=manager.pk)
    response = _client(manager).post(url, body, format="json")
    assert response.status_code == 200, response.json()
    alice.contractor_profile.refresh_from_db()
    assert alice.contractor_profile.status == ContractorStatus.SUSPENDED
    response = _client(manager).post(url, {"reason": "Too long.", "business_days": 8})
    assert response.status_code == 400


def test_contractors_cannot_take_up_evidence_close_or_suspend(clock, manager, alice):
    rule = rule_book(manager, clock)
    case = _signal(alice, manager, rule)
    api = _client(alice)
    for step, body in [
        ("take", {}),
        ("evidence", {"kind": "text", "text": "x"}),
        ("close", {"reason": "x"}),
        ("interim-suspension", {"reason": "x"}),
    ]:
        assert api.post(f"/api/v1/cases/{case.pk}/{step}", body, format="json").status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.SIGNALLED and not case.evidence.exists()


def test_the_new_steps_are_in_the_openapi_schema():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for step in ("take", "close", "interim-suspension", "evidence"):
        operation = paths[f"/api/v1/cases/{{case_id}}/{step}"]["post"]
        assert {"200", "201"} & set(operation["responses"]), step
        assert "404" in operation["responses"]
    evidence = paths["/api/v1/cases/{case_id}/evidence"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in evidence
