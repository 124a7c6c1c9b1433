"""Reads in accounts/selectors.py: scoped to the asker, with a constant query count."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from accounts import selectors, services
from accounts.models import Application, ContractorProfile, ContractorStatus, ExpertiseArea
from tests import factories

pytestmark = pytest.mark.django_db


def test_contractor_for_user_is_none_for_anonymous_and_profile_less_users(manager):
    assert selectors.contractor_for_user(AnonymousUser()) is None
    assert selectors.contractor_for_user(manager) is None


def test_contractor_for_user_returns_the_users_own_profile(alice, bob):
    assert selectors.contractor_for_user(alice).user == alice
    assert selectors.contractor_for_user(bob).user == bob


def test_contractor_for_user_fetches_the_profile_once_per_user_object(
    alice, manager, django_assert_num_queries
):
    alice = type(alice).objects.get(pk=alice.pk)
    manager = type(manager).objects.get(pk=manager.pk)
    with django_assert_num_queries(2):
        for _ in range(3):
            assert selectors.contractor_for_user(alice).user_id == alice.pk
            assert selectors.contractor_for_user(manager) is None
    # The navigation reads the same cached profile.
    with django_assert_num_queries(0):
        assert alice.contractor_profile.status == ContractorStatus.ACTIVE


def test_contractor_for_user_or_404_refuses_people_without_a_profile(alice, manager):
    assert selectors.contractor_for_user_or_404(alice, message="x").user == alice
    with pytest.raises(Http404, match="Only contractors"):
        selectors.contractor_for_user_or_404(manager, message="Only contractors.")
    with pytest.raises(Http404):
        selectors.contractor_for_user_or_404(AnonymousUser(), message="Only contractors.")


def test_application_list_for_user_holds_only_their_own(alice, bob):
    assert {a.profile.user for a in selectors.application_list_for_user(alice)} == {alice}
    assert selectors.application_list_for_user(alice).count() == 1


def test_application_latest_for_user_is_the_newest_after_reapplying(applicant, manager):
    first = Application.objects.get(profile__user=applicant)
    services.application_reject(application=first, by=manager, reason="Not now.")
    second = services.application_submit(
        user=applicant, details=factories.applicant_details(), resume=factories.resume_upload()
    )

    assert selectors.application_latest_for_user(applicant) == second
    assert selectors.application_latest_for_user(manager) is None


def test_a_contractor_gets_their_own_application_and_a_404_for_anyone_elses(alice, bob):
    own = Application.objects.get(profile__user=alice)
    other = Application.objects.get(profile__user=bob)

    assert selectors.application_get_for_user(user=alice, pk=own.pk) == own
    with pytest.raises(Http404):
        selectors.application_get_for_user(user=alice, pk=other.pk)
    with pytest.raises(Http404):
        selectors.application_get_for_user(user=alice, pk=other.pk + 1000)


def test_a_manager_may_read_any_application_and_an_accountant_none(alice, manager, accountant):
    application = Application.objects.get(profile__user=alice)

    assert selectors.application_get_for_user(user=manager, pk=application.pk) == application
    with pytest.raises(Http404):
        selectors.application_get_for_user(user=accountant, pk=application.pk)


def _read_reviewer_list() -> list[tuple]:
    return [
        (
            application.profile.user.email,
            application.reviewed_by,
            [str(language) for language in application.profile.languages.all()],
            [area.name for area in application.profile.expertise.all()],
        )
        for application in selectors.application_list_for_reviewer()
    ]


def test_the_reviewer_list_costs_the_same_queries_at_1_and_at_20_rows(
    manager, django_assert_num_queries
):
    area = ExpertiseArea.objects.create(name="Rating")
    factories.applicant_create("one@example.com", expertise=[area])
    with CaptureQueriesContext(connection) as first:
        assert len(_read_reviewer_list()) == 1
    # Applications with their users, then one query each for languages and expertise.
    assert len(first.captured_queries) <= 3

    for number in range(19):
        factories.applicant_create(f"more{number}@example.com", expertise=[area])
    with django_assert_num_queries(len(first.captured_queries)):
        rows = _read_reviewer_list()

    assert len(rows) == 20
    assert rows[0][2] == ["German (native)", "English (C1)"]


def test_the_current_agreement_is_the_newest_published_one():
    assert selectors.agreement_current() is None
    factories.agreement_publish("1.0")
    newest = factories.agreement_publish("2.0")
    newest.__class__.objects.create(version="3.0", body="Draft, not published.")

    assert selectors.agreement_current() == newest


def test_the_checklist_shows_each_step_to_both_sides(manager):
    agreement = factories.agreement_publish("1.0")
    _user, application = factories.applicant_create()
    services.application_approve(application=application, by=manager)
    profile = ContractorProfile.objects.get(pk=application.profile_id)

    steps = selectors.onboarding_checklist(profile)
    assert [(step.key, step.done, step.by_contractor) for step in steps] == [
        ("agreement", False, True),
        ("tax_form", False, True),
        ("payout", False, True),
        ("identity", False, False),
    ]
    assert steps[0].detail == "Version 1.0 waiting"
    assert not selectors.onboarding_is_complete(profile)

    factories.contractor_onboard(profile, by=manager)
    profile = ContractorProfile.objects.get(pk=profile.pk)

    steps = selectors.onboarding_checklist(profile)
    assert all(step.done for step in steps)
    assert steps[0].detail.startswith(f"Version {agreement.version} accepted ")
    assert steps[1].detail == "W-8BEN filed"
    assert "0532" not in steps[2].detail
    assert steps[3].detail == "Verified"
    assert selectors.onboarding_is_complete(profile)


def test_the_checklist_says_when_no_agreement_is_published(manager):
    _user, application = factories.applicant_create()
    services.application_approve(application=application, by=manager)
    profile = ContractorProfile.objects.get(pk=application.profile_id)

    assert selectors.onboarding_checklist(profile)[0].detail == "No agreement published yet"
