"""The days of due process are settings: each step follows them, and nonsense stops start-up."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from projects.services import cases
from tests.portal.test_settings import production_env, run
from tests.projects.cases_setup import rule_book

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(clock, manager):
    return rule_book(manager, clock)


def _open(alice, manager, rule):
    return cases.case_open(
        contractor=alice.contractor_profile, rule=rule, by=manager, evidence_summary="E."
    )


@override_settings(CASE_RESPONSE_DAYS=3)
def test_the_notice_gives_the_configured_days_to_answer(clock, alice, manager, rule):
    case = cases.case_notice(
        case=_open(alice, manager, rule), by=manager, proposed_outcome="warning"
    )
    assert case.response_due_at == clock() + timedelta(days=3)


@override_settings(CASE_APPEAL_DAYS=10, CASE_APPEAL_TARGET_DAYS=2)
def test_the_appeal_window_and_its_target_follow_the_settings(clock, alice, manager, rule):
    case = cases.case_notice(
        case=_open(alice, manager, rule), by=manager, proposed_outcome="warning"
    )
    cases.case_respond(case=case, by=alice, text="I worked offline.")
    case = cases.case_decide(
        case=case, by=manager, decision=cases.Decision(outcome="warning", reasons="R.")
    )
    assert case.appeal_due_at == clock() + timedelta(days=10)
    case = cases.case_appeal(case=case, by=alice, text="Look again.")
    assert case.appeal_target_at == clock() + timedelta(days=2)


@override_settings(CASE_OFFBOARDING_NOTICE_DAYS=30)
def test_offboarding_waits_the_configured_notice(alice, manager, rule):
    case = cases.case_notice(
        case=_open(alice, manager, rule), by=manager, proposed_outcome="offboarding"
    )
    cases.case_respond(case=case, by=alice, text="I worked offline.")
    soon = cases.Decision(
        outcome="offboarding", reasons="R.", effective_at=timezone.now() + timedelta(days=20)
    )
    with pytest.raises(ValidationError, match="at least 30 days"):
        cases.case_decide(case=case, by=manager, decision=soon)
    later = cases.Decision(
        outcome="offboarding", reasons="R.", effective_at=timezone.now() + timedelta(days=30)
    )
    assert cases.case_decide(case=case, by=manager, decision=later).outcome == "offboarding"


@override_settings(CASE_INTERIM_MAX_BUSINESS_DAYS=3)
def test_an_interim_suspension_is_capped_by_the_setting(clock, alice, manager):
    rule = rule_book(manager, clock, category="fraud")
    manager.user_permissions.add(Permission.objects.get(codename="interim_suspend_case"))
    manager = type(manager).objects.get(pk=manager.pk)
    case = _open(alice, manager, rule)
    with pytest.raises(ValidationError, match="1 to 3 business days"):
        cases.case_interim_suspend(case=case, by=manager, reason="Risk.", business_days=4)
    case = cases.case_interim_suspend(case=case, by=manager, reason="Possible fraud.")
    # NOW is a Thursday: three business days later is the Tuesday after.
    assert case.interim_until == clock() + timedelta(days=5)


@pytest.mark.parametrize(
    "name",
    [
        "CASE_RESPONSE_DAYS",
        "CASE_APPEAL_DAYS",
        "CASE_APPEAL_TARGET_DAYS",
        "CASE_OFFBOARDING_NOTICE_DAYS",
        "CASE_INTERIM_MAX_BUSINESS_DAYS",
        "CASE_REPRESENTATIVE_LINK_DAYS",
        "CASE_UPLOAD_MAX_BYTES",
    ],
)
def test_a_day_count_below_one_stops_start_up(name):
    result = run(["-c", "import portal.settings"], production_env(**{name: "0"}))
    assert result.returncode != 0
    assert f"{name} must be 1 or more." in result.stderr
