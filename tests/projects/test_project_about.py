"""A project's page: what it pays, asks and checks, and who may read it."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from portal.dates import format_minutes
from projects import services
from projects.models import ContentWarning
from projects.selectors.about import project_about_for_contractor
from tests import factories
from tests.projects.factories import NOW, SETUP_AT, assign, project_create

pytestmark = pytest.mark.django_db

QUALITY = "A second rater checks one item in ten; disagreements are talked through weekly."


def _about(project) -> str:
    return reverse("projects:project_about", args=[project.pk])


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _text(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.fixture
def warned(clock, manager):
    """A project with a disturbing-content warning that nobody is on yet."""
    with clock.back_at(SETUP_AT):
        return project_create(
            manager,
            name="Safety review",
            content_warning=ContentWarning.DISTURBING,
            quality_review=QUALITY,
            end_on=date(2026, 12, 31),
        )


@pytest.fixture
def alice_invited(clock, warned, alice, manager):
    return services.project_invite(project=warned, contractor=alice.contractor_profile, by=manager)


def test_an_assigned_contractor_reads_pay_hours_floor_duration_and_paid_activities(
    client, alice, alice_on_project, settings
):
    settings.WAGE_FLOOR_BASES = ["statutory", "vendor"]
    client.force_login(alice)

    page = _text(client.get(_about(alice_on_project.project)))

    assert "By the hour: every hour logged and approved is paid" in page
    # Alone on it, Alice reads the project's starting rate, not a range of one.
    assert "From €25.00 an hour" in page
    assert (
        "No rate goes below the wage floor where you live: the highest in force of "
        "Statutory minimum wage, Vendor floor." in page
    )
    assert "Living wage" not in page
    assert f"{format_minutes(15 * 60)} hours" in page
    assert "with no end date set yet" in page
    assert "Task, Training, Assessment, Meeting, Review" in page
    assert "Not described yet; ask the manager." in page
    assert "Content warning: none." in page
    assert reverse("projects:assignment_detail", args=[alice_on_project.pk]) in page


def test_the_rate_range_runs_from_the_lowest_to_the_highest_rate_paid_today(
    clock, client, project, alice, bob, manager
):
    with clock.back_at(SETUP_AT):
        carol = factories.contractor_create("carol@example.com", by=manager)
        assign(project, alice, by=manager)
        assign(project, bob, by=manager, rate_minor=3050)
        assign(project, carol, by=manager, rate_minor=2800)
    client.force_login(alice)

    page = _text(client.get(_about(project)))

    assert "From €25.00 to €30.50 an hour" in page
    assert "The lowest and highest rates paid on the project today." in page


@pytest.mark.parametrize("others", [0, 1])
def test_with_fewer_than_three_paid_the_range_gives_way_to_the_default_rate(
    clock, client, project, alice, bob, manager, others
):
    with clock.back_at(SETUP_AT):
        assign(project, alice, by=manager, rate_minor=2700)
        if others:
            assign(project, bob, by=manager, rate_minor=3050)
    client.force_login(alice)

    page = _text(client.get(_about(project)))
    data = _api(alice).get(f"/api/v1/projects/{project.pk}/about").json()

    assert "From €25.00 an hour" in page
    assert "nobody's own rate is given away" in page
    assert "€30.50" not in page
    # Alice reads her own rate, and only as hers.
    assert page.count("€27.00") == 1 and "Your rate</dt> <dd>€27.00 an hour" in page
    assert data["rate_ranges"] == [{"low_minor": 2500, "high_minor": 2500, "currency": "EUR"}]
    assert data["rates_from_default"] is True


def test_a_currency_few_are_paid_in_is_held_back_beside_one_shown(
    clock, project, alice, bob, manager
):
    with clock.back_at(SETUP_AT):
        for n in range(3):
            other = factories.contractor_create(f"c{n}@example.com", by=manager)
            assign(project, other, by=manager, rate_minor=2600 + n)
    with clock.back_at(SETUP_AT):
        assign(project, alice, by=manager, rate_minor=2900, currency="USD")

    about = project_about_for_contractor(profile=alice.contractor_profile, project_pk=project.pk)

    assert [(r.low_minor, r.high_minor, r.currency) for r in about.rate_ranges] == [
        (2600, 2602, "EUR")
    ]
    assert not about.from_default_rate


def test_an_ended_assignment_leaves_the_range_and_keeps_the_page(
    clock, client, project, alice, bob, manager
):
    with clock.back_at(SETUP_AT):
        mine = assign(project, alice, by=manager)
        assign(project, bob, by=manager, rate_minor=3050)
        for n in range(2):
            other = factories.contractor_create(f"c{n}@example.com", by=manager)
            assign(project, other, by=manager, rate_minor=2600 + n)
    services.assignment_end(assignment=mine, by=manager, end_on=date(2026, 11, 12))
    client.force_login(alice)

    response = client.get(_about(project))

    assert response.status_code == 200
    assert "From €26.00 to €30.50 an hour" in _text(response)
    assert "€25.00" not in _text(response)


def test_with_nobody_on_it_the_range_is_the_default_rate(warned, alice, alice_invited):
    about = project_about_for_contractor(profile=alice.contractor_profile, project_pk=warned.pk)

    assert [(r.low_minor, r.high_minor, r.currency) for r in about.rate_ranges] == [
        (2500, 2500, "EUR")
    ]
    assert about.from_default_rate
    assert about.duration_weeks == 18  # 1 September to 31 December
    assert about.expected_minutes == 15 * 60


def test_the_forecast_of_the_contractors_own_assignment_is_their_expected_hours(
    client, alice, alice_on_project, manager
):
    services.assignment_forecast_set(
        assignment=alice_on_project, by=manager, expected_weekly_minutes=8 * 60
    )
    client.force_login(alice)

    assert f"{format_minutes(8 * 60)} hours" in _text(client.get(_about(alice_on_project.project)))


def test_an_invited_contractor_sees_the_warning_and_the_quality_review_before_accepting(
    client, alice, warned, alice_invited
):
    client.force_login(alice)

    response = client.get(_about(warned))
    html = response.content.decode()
    page = _text(response)

    assert response.status_code == 200
    assert "Content warning: Disturbing content" in page
    # The warning comes first, before the invitation's buttons.
    assert html.index('id="content-warning"') < html.index('id="invitation"')
    assert "I have read the content warning" in page
    assert QUALITY in page
    assert "about 18 weeks." in page
    assert "never held against you" in page
    assert f'href="{reverse("rules")}#never-title"' in html


def test_another_contractor_gets_a_404(client, bob, alice_on_project, alice_invited, warned):
    client.force_login(bob)

    assert client.get(_about(alice_on_project.project)).status_code == 404
    assert client.get(_about(warned)).status_code == 404


def test_an_applicant_not_invited_gets_a_404(client, applicant, alice_on_project):
    client.force_login(applicant)

    assert client.get(_about(alice_on_project.project)).status_code == 404


def test_an_invited_applicant_reads_the_page_but_can_only_decline(
    client, applicant, warned, manager
):
    services.project_invite(project=warned, contractor=applicant.contractor_profile, by=manager)
    client.force_login(applicant)

    page = _text(client.get(_about(warned)))

    assert "You can accept once your onboarding is complete" in page
    assert "Accept and join" not in page
    assert "Decline" in page


def test_a_visitor_is_sent_to_sign_in(client, alice_on_project):
    url = _about(alice_on_project.project)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_staff_without_a_profile_get_a_404(client, manager, alice_on_project):
    client.force_login(manager)

    assert client.get(_about(alice_on_project.project)).status_code == 404


def test_once_declined_the_page_is_gone(client, alice, warned, alice_invited):
    services.invitation_decline(invitation=alice_invited, by=alice)
    client.force_login(alice)

    assert client.get(_about(warned)).status_code == 404


def test_the_project_page_links_to_its_about_page(client, alice, alice_on_project):
    client.force_login(alice)

    page = client.get(
        reverse("projects:assignment_detail", args=[alice_on_project.pk])
    ).content.decode()

    assert _about(alice_on_project.project) in page


def test_the_manager_is_shown_by_name_and_the_email_only_as_the_link_target(
    client, alice, alice_on_project, manager
):
    manager.display_name = "Mira"
    manager.save(update_fields=["display_name"])
    client.force_login(alice)

    html = client.get(_about(alice_on_project.project)).content.decode()

    assert '<a href="mailto:manager@example.com">Mira</a>' in html
    # As on the project's own page: the address is where the link goes, never text to read.
    assert html.count("manager@example.com") == 1


def test_a_manager_without_a_display_name_is_not_shown_by_email(
    client, alice, alice_on_project, manager
):
    client.force_login(alice)

    html = client.get(_about(alice_on_project.project)).content.decode()

    assert ">manager@example.com<" not in html
    assert ">manager<" not in html
    assert html.count("manager@example.com") == 1


def test_the_about_api_names_the_manager_and_never_gives_the_email(
    alice, alice_on_project, manager
):
    manager.display_name = "Mira"
    manager.save(update_fields=["display_name"])
    response = _api(alice).get(f"/api/v1/projects/{alice_on_project.project.pk}/about")

    assert response.json()["manager_name"] == "Mira"
    assert "manager_email" not in response.json()
    assert "manager@example.com" not in response.content.decode()


def test_queries_do_not_grow_with_the_people_on_the_project(
    clock, client, project, alice, manager, django_assert_max_num_queries
):
    with clock.back_at(SETUP_AT):
        assign(project, alice, by=manager)
    client.force_login(alice)
    url = _about(project)
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    one = count()
    with clock.back_at(SETUP_AT):
        for n in range(20):
            other = factories.contractor_create(f"c{n}@example.com", by=manager)
            assign(project, other, by=manager, rate_minor=2500 + n)
    clock.set(NOW)

    assert count() == one
    with django_assert_max_num_queries(12):
        client.get(url)


def test_a_contractor_on_the_project_reads_their_own_rate(client, alice, alice_on_project):
    client.force_login(alice)

    page = _text(client.get(_about(alice_on_project.project)))

    assert "Your rate</dt> <dd>€25.00 an hour" in page
