"""The admin's rate actions: a new rate in the assignment's currency, and correcting a mistake."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from portal.models import Notification, NotificationKind
from projects import services
from projects.models import AssignmentRateCorrection
from tests.projects.factories import LAST_MONDAY, NOW, assign, log

pytestmark = pytest.mark.django_db

ASSIGNMENTS = reverse("admin:projects_assignment_changelist")
DIFFERENT_CURRENCY = (
    "Paid in EUR until now. To pay in USD instead, tick “Pay in a different currency”."
)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def _action(client, action, objects, **data):
    payload = {"action": action, ACTION_CHECKBOX_NAME: [obj.pk for obj in objects], **data}
    return client.post(ASSIGNMENTS, payload, follow=True)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _options(form, name: str) -> list[str]:
    return [
        str(value)
        for value, _label in form.fields[name].widget.choices
        if not isinstance(_label, list | tuple)
    ] + [
        str(value)
        for _group, options in form.fields[name].widget.choices
        if isinstance(options, list | tuple)
        for value, _label in options
    ]


def test_set_rate_form_starts_on_the_assignments_currency_and_offers_only_current_ones(
    clock, manager_client, alice_on_project
):
    page = _action(manager_client, "set_rate", [alice_on_project])
    form = page.context["form"]
    assert form["currency"].value() == "EUR"
    assert '<option value="EUR" selected>' in page.content.decode()
    offered = _options(form, "currency")
    assert {"EUR", "USD", "IDR", "VND", "TWD"} <= set(offered)
    assert not {"ADP", "XAU", "XTS", "XXX", "DEM", "AFA"} & set(offered)
    assert offered[0] == ""  # never a silent first entry


def test_set_rate_refuses_another_currency_next_to_the_field_unless_ticked(
    clock, manager_client, alice_on_project, alice
):
    clock.set(NOW)
    data = {"apply": "1", "rate": "26", "currency": "USD", "effective_on": "2026-11-16"}
    page = _action(manager_client, "set_rate", [alice_on_project], **data)
    assert page.context["form"].errors == {"currency": [DIFFERENT_CURRENCY]}
    assert alice_on_project.rates.count() == 1

    done = _action(manager_client, "set_rate", [alice_on_project], different_currency="on", **data)
    assert _messages(done) == [
        "Alice Example on Search relevance: $26.00 an hour from Mon, Nov 16."
    ]
    assert alice_on_project.rates.first().currency == "USD"


def test_set_rate_refuses_a_currency_not_in_use(clock, manager_client, alice_on_project):
    data = {"apply": "1", "rate": "26", "currency": "ADP", "effective_on": "2026-11-16"}
    page = _action(manager_client, "set_rate", [alice_on_project], different_currency="on", **data)
    assert list(page.context["form"].errors) == ["currency"]
    assert alice_on_project.rates.count() == 1


def test_set_rate_on_one_assignment_shows_a_refusal_next_to_the_field(
    clock, manager_client, alice_on_project
):
    data = {"apply": "1", "rate": "30", "currency": "EUR", "effective_on": "2026-10-01"}
    page = _action(manager_client, "set_rate", [alice_on_project], **data)
    assert "A rate already starts on that day" in page.context["form"].errors["effective_on"][0]


def test_set_rate_on_assignments_in_different_currencies_asks_for_one(
    clock, manager_client, alice_on_project, other_project, bob, manager
):
    bobs = assign(other_project, bob, by=manager, currency="USD")
    page = _action(manager_client, "set_rate", [alice_on_project, bobs])
    assert page.context["form"]["currency"].value() in (None, "")
    data = {"apply": "1", "rate": "30", "currency": "EUR", "effective_on": "2026-11-16"}
    page = _action(manager_client, "set_rate", [alice_on_project, bobs], **data)
    assert page.context["form"].errors == {
        "currency": [
            "Paid in EUR and USD until now. To pay in EUR instead, tick "
            "“Pay in a different currency”."
        ]
    }


@pytest.fixture
def mistaken_rate(clock, alice_on_project, manager):
    return services.assignment_rate_set(
        assignment=alice_on_project,
        by=manager,
        rate_minor=26,
        currency="JPY",
        effective_on=LAST_MONDAY,
        currency_change_confirmed=True,
    )


def test_correct_rate_puts_a_mistake_right_and_tells_the_contractor(
    clock, manager_client, alice_on_project, mistaken_rate, alice, manager
):
    clock.set(NOW)
    page = _action(manager_client, "correct_rate", [alice_on_project])
    form = page.context["form"]
    assert (form["rate"].value(), form["currency"].value()) == (mistaken_rate.pk, "JPY")

    done = _action(
        manager_client,
        "correct_rate",
        [alice_on_project],
        apply="1",
        rate=mistaken_rate.pk,
        new_rate="26.00",
        currency="EUR",
        reason="Typed in the wrong currency.",
    )
    assert _messages(done) == [
        "Alice Example on Search relevance: the rate from Mon, Nov 2 is now €26.00 an hour."
    ]
    correction = AssignmentRateCorrection.objects.get()
    assert (correction.rate, correction.by, correction.from_currency) == (
        mistaken_rate,
        manager,
        "JPY",
    )
    notice = Notification.objects.filter(recipient=alice).latest("pk")
    assert notice.kind == NotificationKind.RATE_CHANGED
    assert "Typed in the wrong currency." in notice.body

    history = manager_client.get(
        reverse("admin:projects_assignment_change", args=[alice_on_project.pk])
    )
    assert "was ¥26. Typed in the wrong currency." in history.content.decode()


def test_correct_rate_says_why_a_rate_with_approved_hours_stays(
    clock, manager_client, alice_on_project, mistaken_rate, alice, manager
):
    clock.set(NOW)
    log(alice, alice_on_project, LAST_MONDAY, 60)
    [entry] = services.time_week_submit(by=alice, week=LAST_MONDAY)
    services.time_entries_approve(entry_ids=[entry.pk], by=manager)

    page = _action(
        manager_client,
        "correct_rate",
        [alice_on_project],
        apply="1",
        rate=mistaken_rate.pk,
        new_rate="26",
        currency="EUR",
        reason="Wrong currency.",
    )
    [error] = page.context["form"].errors["rate"]
    assert error.startswith("Hours at this rate are already approved, so it can't be corrected")
    assert not AssignmentRateCorrection.objects.exists()


def test_correct_rate_asks_before_changing_the_currency_and_needs_a_reason(
    clock, manager_client, alice_on_project
):
    [rate] = alice_on_project.rates.all()
    page = _action(
        manager_client,
        "correct_rate",
        [alice_on_project],
        apply="1",
        rate=rate.pk,
        new_rate="26",
        currency="USD",
        reason="",
    )
    assert page.context["form"].errors == {
        "currency": [DIFFERENT_CURRENCY],
        "reason": ["This field is required."],
    }
    assert not AssignmentRateCorrection.objects.exists()


def test_correct_rate_works_on_one_assignment_at_a_time(
    clock, manager_client, alice_on_project, bob_on_project
):
    done = _action(manager_client, "correct_rate", [alice_on_project, bob_on_project])
    assert _messages(done) == ["Select one assignment to correct its rate."]


def test_the_contractor_sees_the_correction_in_their_rate_history(
    clock, client, alice_on_project, mistaken_rate, alice, manager
):
    services.assignment_rate_correct(
        rate=mistaken_rate, by=manager, rate_minor=2600, currency="EUR", reason="Wrong currency."
    )
    client.force_login(alice)
    page = client.get(reverse("projects:assignment_detail", args=[alice_on_project.pk]))
    text = page.content.decode()
    assert "€26.00" in text
    assert "it was ¥26." in text
    assert "Wrong currency." in text
