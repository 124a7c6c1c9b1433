"""Cases through the API: a platform's signal, managers' steps, the contractor's own cases."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import ContractorStatus
from projects.models import AssignmentStatus, CaseStatus
from projects.services import cases
from tests.projects.cases_setup import rule_book, second_manager
from tests.projects.factories import NOW

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def rule(clock, manager):
    return rule_book(manager, clock)


def test_a_platform_signal_opens_a_waiting_case_and_changes_nothing(
    rule, manager, alice, alice_on_project
):
    _token, key = account_services.api_token_create(user=manager, name="labelling platform")
    platform = APIClient()
    platform.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = platform.post(
        "/api/v1/cases/signals",
        {
            "contractor": alice.contractor_profile.pk,
            "rule": rule.code,
            "assignment": alice_on_project.pk,
            "source": "labelling-platform",
            "summary": "Agreement with gold labels fell to 40%.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == CaseStatus.SIGNALLED
    alice.contractor_profile.refresh_from_db()
    alice_on_project.refresh_from_db()
    assert alice.contractor_profile.status == ContractorStatus.ACTIVE
    assert alice_on_project.status == AssignmentStatus.ACTIVE
    # Not a case the contractor sees until a person takes it up.
    assert _client(alice).get("/api/v1/cases/").json()["results"] == []


def test_a_contractor_cannot_file_a_signal(rule, alice):
    response = _client(alice).post("/api/v1/cases/signals", {}, format="json")
    assert response.status_code == 403


def test_the_whole_journey_through_the_api(clock, rule, manager, alice, alice_on_project):
    case = cases.case_open(
        contractor=alice.contractor_profile,
        assignment=alice_on_project,
        rule=rule,
        by=manager,
        evidence_summary="Opened in the admin.",
    )
    staff, contractor = _client(manager), _client(alice)
    url = f"/api/v1/cases/{case.pk}"
    response = staff.post(f"{url}/notice", {"proposed_outcome": "removal"}, format="json")
    assert response.status_code == 200, response.json()
    early = staff.post(f"{url}/decide", {"outcome": "removal", "reasons": "R."}, format="json")
    assert early.status_code == 400
    response = contractor.post(f"{url}/respond", {"text": "I disagree."}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == CaseStatus.RESPONDED
    response = staff.post(
        f"{url}/decide", {"outcome": "removal", "reasons": "The log is clear."}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["decided_by"] == manager.email
    seen = contractor.get(url)
    assert seen.json()["decided_by"] == "A member of the vendor team"
    assert manager.email not in seen.content.decode()
    response = contractor.post(f"{url}/appeal", {"text": "Please look again."}, format="json")
    assert response.status_code == 200
    same = staff.post(
        f"{url}/appeal-decision", {"outcome": "overturned", "reasons": "R."}, format="json"
    )
    assert same.status_code == 400
    clock.set(NOW + timedelta(days=7))
    response = _client(second_manager()).post(
        f"{url}/appeal-decision",
        {"outcome": "overturned", "reasons": "Log misread."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == CaseStatus.REINSTATED


def test_another_contractors_case_is_a_404(rule, manager, alice, bob):
    case = cases.case_open(
        contractor=alice.contractor_profile, rule=rule, by=manager, evidence_summary="E."
    )
    client = _client(bob)
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404
    response = client.post(f"/api/v1/cases/{case.pk}/respond", {"text": "x"}, format="json")
    assert response.status_code == 404
