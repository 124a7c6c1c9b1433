"""No rate below the floor: assigning, setting and correcting a rate, and a project's default."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from portal.models import ExchangeRate
from projects import services
from projects.models import Assignment, FloorBasis, FloorException, FloorUnit, WageFloor
from projects.services.floors import (
    GRANTS_FLOOR_EXCEPTIONS,
    floor_exception_grant,
    wage_floor_add,
)
from tests import factories
from tests.projects.factories import ASSIGNED_ON, SETUP_AT, assign, project_details

PROJECTS = reverse("admin:projects_project_changelist")
ASSIGNMENTS = reverse("admin:projects_assignment_changelist")
SOURCE = {
    "source_name": "Mindestlohnkommission",
    "source_url": "https://example.org/mindestlohn",
    "licence": "public domain — official figure",
    "retrieved_on": date(2026, 1, 5),
}


def _floor(**fields) -> WageFloor:
    values = {
        "country": "DE",
        "basis": FloorBasis.STATUTORY,
        "amount_minor": 2600,
        "currency": "EUR",
        "unit": FloorUnit.HOUR,
        "valid_from": date(2026, 1, 1),
        **SOURCE,
    }
    values.update(fields)
    return wage_floor_add(by=None, floor=WageFloor(**values))


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _action(client, url, action, objects, **data):
    payload = {"action": action, ACTION_CHECKBOX_NAME: [obj.pk for obj in objects], **data}
    return client.post(url, payload, follow=True)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


# --- The service --------------------------------------------------------------------


def test_assigning_below_the_floor_is_refused_naming_floor_basis_source_and_gap(
    clock, project, alice, manager
):
    _floor()  # €26.00 an hour in Germany, where Alice lives; the project pays €25.00.
    with clock.back_at(SETUP_AT), pytest.raises(ValidationError) as refused:
        assign(project, alice, by=manager)
    [message] = refused.value.message_dict["rate"]
    assert "€25.00 an hour is below the floor of €26.00 an hour" in message
    assert "Statutory minimum wage, Germany" in message
    assert "source: Mindestlohnkommission" in message
    assert "short by €1.00" in message
    assert not Assignment.objects.exists()


def test_assigning_at_the_floor_is_allowed(clock, project, alice, manager):
    _floor(amount_minor=2500)
    with clock.back_at(SETUP_AT):
        assignment = assign(project, alice, by=manager)
    assert assignment.rates.get().rate_minor == 2500


def test_the_floor_of_the_start_day_counts_not_todays(clock, project, alice, manager):
    _floor(amount_minor=2600, valid_from=date(2026, 11, 1))
    with clock.back_at(SETUP_AT):
        assign(project, alice, by=manager, start_on=ASSIGNED_ON)
    with clock.back_at(SETUP_AT), pytest.raises(ValidationError):
        services.assignment_create(
            project=project,
            contractor=factories.contractor_create(
                "carl@example.com", by=manager
            ).contractor_profile,
            by=manager,
            start_on=date(2026, 11, 2),
        )


def test_the_subdivision_floor_is_preferred_to_the_national_one(clock, manager):
    _floor(country="ID", currency="IDR", amount_minor=2000000, unit=FloorUnit.HOUR)
    _floor(
        country="ID",
        subdivision="ID-JK",
        subdivision_name="DKI Jakarta",
        currency="IDR",
        amount_minor=3120000,
    )
    with clock.back_at(SETUP_AT):
        project = services.project_create(
            details=project_details(manager, currency="IDR", default_rate_minor=2500000),
            by=manager,
        )
        services.project_activate(project=project, by=manager)
        user = factories.contractor_create(
            "budi@example.com",
            by=manager,
            country="ID",
            time_zone="Asia/Jakarta",
            payout_currency="IDR",
            subdivision="ID-JK",
        )
        with pytest.raises(ValidationError) as refused:
            assign(project, user, by=manager)
        assert "Indonesia — DKI Jakarta" in refused.value.message_dict["rate"][0]
        # Above the province's floor, it is accepted.
        assignment = assign(project, user, by=manager, rate_minor=3120000, currency="IDR")
    assert assignment.rates.get().rate_minor == 3120000


def test_a_floor_in_another_currency_is_converted_through_the_exchange_table(
    clock, project, alice, manager
):
    _floor(amount_minor=3000, currency="USD")  # $30.00 an hour
    ExchangeRate.objects.create(
        from_currency="EUR", to_currency="USD", rate=Decimal("1.1"), on=date(2026, 1, 1), source="T"
    )
    with clock.back_at(SETUP_AT), pytest.raises(ValidationError) as refused:
        assign(project, alice, by=manager)
    # $30.00 ÷ 1.1 = €27.2727…, rounded up: the floor never shrinks in conversion.
    [message] = refused.value.message_dict["rate"]
    assert "below the floor of €27.28 an hour" in message
    assert "short by €2.28" in message


def test_without_an_exchange_rate_the_rate_cannot_be_judged_and_is_refused(
    clock, project, alice, manager
):
    _floor(amount_minor=1000, currency="USD")
    with clock.back_at(SETUP_AT), pytest.raises(ValidationError) as refused:
        assign(project, alice, by=manager)
    assert "No exchange rate from USD to EUR" in refused.value.message_dict["rate"][0]


def test_setting_a_rate_below_the_floor_is_refused(clock, alice_on_project, manager):
    _floor(amount_minor=2800, valid_from=date(2026, 11, 16))
    with pytest.raises(ValidationError) as refused:
        services.assignment_rate_set(
            assignment=alice_on_project,
            by=manager,
            rate_minor=2700,
            currency="EUR",
            effective_on=date(2026, 11, 16),
        )
    assert "short by €1.00" in refused.value.message_dict["rate"][0]
    assert alice_on_project.rates.count() == 1
    rate = services.assignment_rate_set(
        assignment=alice_on_project,
        by=manager,
        rate_minor=2800,
        currency="EUR",
        effective_on=date(2026, 11, 16),
    )
    assert rate.rate_minor == 2800


def test_correcting_a_rate_below_the_floor_is_refused(clock, alice_on_project, manager):
    _floor(amount_minor=2400)
    rate = alice_on_project.rates.get()
    with pytest.raises(ValidationError) as refused:
        services.assignment_rate_correct(
            rate=rate, by=manager, rate_minor=2300, currency="EUR", reason="Typo."
        )
    assert "short by €1.00" in refused.value.message_dict["rate"][0]
    rate.refresh_from_db()
    assert rate.rate_minor == 2500


def test_a_project_default_below_the_vendor_floor_is_refused(clock, manager):
    _floor(country="", basis=FloorBasis.VENDOR, amount_minor=2600, source_name="Vendor policy")
    with pytest.raises(ValidationError) as refused:
        services.project_create(details=project_details(manager), by=manager)
    [message] = refused.value.message_dict["default_rate_minor"]
    assert "Vendor floor, Everywhere; source: Vendor policy" in message


def test_a_project_default_is_checked_only_when_it_changes(clock, project, manager):
    _floor(country="", basis=FloorBasis.VENDOR, amount_minor=2600, source_name="Vendor policy")
    details = project_details(manager, name="Search relevance, phase 2")
    services.project_update(project=project, details=details, by=manager)
    details.default_rate_minor = 2550
    with pytest.raises(ValidationError):
        services.project_update(project=project, details=details, by=manager)
    details.default_rate_minor = 2600
    assert services.project_update(project=project, details=details, by=manager).pk


# --- The admin ----------------------------------------------------------------------


def test_the_assign_form_shows_each_contractors_floor_and_whether_the_rate_clears_it(
    clock, manager_client, project, alice, bob
):
    _floor(amount_minor=2600)
    page = _action(manager_client, PROJECTS, "assign_contractors", [project])
    field = page.context["form"].fields["contractors"]
    labels = {profile.user.email: field.label_from_instance(profile) for profile in field.queryset}
    assert labels[alice.email].endswith(
        "floor €26.00 an hour (Statutory minimum wage): BELOW by €1.00"
    )
    proposed = page.context["form"].__class__(
        {"rate": "26", "currency": "EUR", "start_on": "2026-11-16"},
        project=project,
        candidates=field.queryset,
    )
    label = proposed.fields["contractors"].label_from_instance(alice.contractor_profile)
    assert label.endswith("floor €26.00 an hour (Statutory minimum wage): the rate clears it")


def test_the_assign_action_refuses_below_the_floor_and_names_it(
    clock, manager_client, project, alice
):
    _floor(amount_minor=2600)
    done = _action(
        manager_client,
        PROJECTS,
        "assign_contractors",
        [project],
        apply="1",
        contractors=[alice.contractor_profile.pk],
        start_on="2026-11-16",
        rate="25",
        currency="EUR",
        weekly_cap="",
    )
    # The form comes back with the rate typed and the floor named next to it.
    form = done.context["form"]
    errors = [error for field_errors in form.errors.values() for error in field_errors]
    assert any("below the floor of €26.00 an hour" in error for error in errors)
    assert form["rate"].value() == "25"
    assert not Assignment.objects.exists()


def test_the_set_rate_action_puts_the_floor_next_to_the_rate(
    clock, manager_client, alice_on_project
):
    _floor(amount_minor=2800, valid_from=date(2026, 11, 16))
    page = _action(
        manager_client,
        ASSIGNMENTS,
        "set_rate",
        [alice_on_project],
        apply="1",
        rate="27",
        currency="EUR",
        effective_on="2026-11-16",
    )
    [error] = page.context["form"].errors["rate"]
    assert "below the floor of €28.00 an hour" in error
    assert alice_on_project.rates.count() == 1


def test_the_project_form_puts_the_vendor_floor_next_to_the_default_rate(
    clock, manager_client, project
):
    _floor(country="", basis=FloorBasis.VENDOR, amount_minor=2600, source_name="Vendor policy")
    response = manager_client.get(reverse("admin:projects_project_change", args=[project.pk]))
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data.update(default_rate="25.50", expertise=[], languages=project.languages)
    bound = form.__class__(data=data, instance=project)
    assert not bound.is_valid()
    assert "short by €0.50" in bound.errors["default_rate"][0]


# --- Exceptions ---------------------------------------------------------------------


def _may_grant(user):
    user.user_permissions.add(Permission.objects.get(codename="grant_floor_exception"))
    return type(user).objects.get(pk=user.pk)  # a fresh object: permissions are cached


def test_vendor_managers_may_not_grant_an_exception_by_default(clock, alice_on_project, manager):
    assert not manager.has_perm(GRANTS_FLOOR_EXCEPTIONS)
    with pytest.raises(PermissionDenied):
        floor_exception_grant(
            assignment=alice_on_project, by=manager, reason="Pilot.", ends_on=date(2026, 12, 31)
        )
    assert not FloorException.objects.exists()


def test_an_exception_needs_a_reason_and_an_end(clock, alice_on_project, manager):
    granter = _may_grant(manager)
    with pytest.raises(ValidationError) as refused:
        floor_exception_grant(
            assignment=alice_on_project, by=granter, reason="  ", ends_on=date(2026, 11, 1)
        )
    assert set(refused.value.message_dict) == {"reason", "ends_on"}


def test_an_exception_allows_a_rate_below_the_floor_only_within_its_dates(
    clock, alice_on_project, manager
):
    _floor(amount_minor=2000)
    granter = _may_grant(manager)
    exception = floor_exception_grant(
        assignment=alice_on_project,
        by=granter,
        reason="Training cohort agreed with the works council.",
        ends_on=date(2026, 12, 31),
    )
    assert (exception.starts_on, exception.granted_by) == (date(2026, 11, 12), granter)
    below = {"by": manager, "currency": "EUR", "rate_minor": 1900, "reason": "Training rate."}
    rate = services.assignment_rate_set(
        assignment=alice_on_project, effective_on=date(2026, 12, 14), **below
    )
    assert rate.rate_minor == 1900
    with pytest.raises(ValidationError) as refused:
        services.assignment_rate_set(
            assignment=alice_on_project, effective_on=date(2027, 1, 4), **below
        )
    assert "below the floor of €20.00 an hour" in refused.value.message_dict["rate"][0]


def test_the_contractor_sees_the_exception_on_their_assignment_page(
    clock, alice_client, alice_on_project, manager
):
    url = reverse("projects:assignment_detail", args=[alice_on_project.pk])
    assert "Exceptions to the wage floor" not in alice_client.get(url).content.decode()
    floor_exception_grant(
        assignment=alice_on_project,
        by=_may_grant(manager),
        reason="Training cohort agreed with the works council.",
        ends_on=date(2026, 12, 31),
    )
    body = alice_client.get(url).content.decode()
    assert "Exceptions to the wage floor" in body
    assert "Training cohort agreed with the works council." in body
    assert "Dec 31, 2026" in body


def test_the_exception_action_needs_the_permission(clock, client, manager, alice_on_project):
    client.force_login(manager)
    page = client.get(ASSIGNMENTS)
    assert "grant_floor_exception" not in page.content.decode()
    done = _action(
        client,
        ASSIGNMENTS,
        "grant_floor_exception",
        [alice_on_project],
        apply="1",
        reason="Pilot.",
        ends_on="2026-12-31",
    )
    assert not FloorException.objects.exists()
    assert done.status_code == 200

    _may_grant(manager)
    page = client.get(ASSIGNMENTS)
    assert "grant_floor_exception" in page.content.decode()
    done = _action(
        client,
        ASSIGNMENTS,
        "grant_floor_exception",
        [alice_on_project],
        apply="1",
        reason="Pilot.",
        ends_on="2026-12-31",
    )
    assert _messages(done) == [
        "Alice Example on Search relevance may be paid below the floor until Thu, Dec 31."
    ]
    assert FloorException.objects.get().reason == "Pilot."


def test_managers_see_an_assignments_exceptions_and_who_granted_them(
    clock, manager_client, manager, alice_on_project
):
    floor_exception_grant(
        assignment=alice_on_project,
        by=_may_grant(manager),
        reason="Training cohort agreed with the works council.",
        ends_on=date(2026, 12, 31),
    )
    url = reverse("admin:projects_assignment_change", args=[alice_on_project.pk])
    body = manager_client.get(url).content.decode()
    assert "Exceptions to the wage floor" in body
    assert "Training cohort agreed with the works council." in body
