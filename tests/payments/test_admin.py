from datetime import date

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from payments.models import Adjustment, Payout, PayoutStatus
from projects.models import PayPeriod, PeriodStatus
from tests.payments import factories
from tests.projects.factories import LAST_MONDAY

PAYOUTS = reverse("admin:payments_payout_changelist")
PERIODS = reverse("admin:projects_payperiod_changelist")


def _act(client, url, action, objects, **data):
    """Run an admin action; follows the redirect, so the page shows its messages."""
    return client.post(
        url,
        {"action": action, ACTION_CHECKBOX_NAME: [obj.pk for obj in objects], **data},
        follow=True,
    )


def _messages(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def test_a_manager_adds_a_week_closes_it_and_generates_its_payouts(
    clock, manager_client, alice_on_project, manager
):
    add = reverse("admin:projects_payperiod_add")
    refused = manager_client.post(add, {"start_on": "2026-11-04"})
    assert "Pay periods start on a Monday; pick Nov 2, 2026." in refused.content.decode()
    manager_client.post(add, {"start_on": "2026-11-02"})
    period = PayPeriod.objects.get()
    assert period.end_on == date(2026, 11, 8)
    factories.approved_week(alice_on_project, manager=manager, minutes=[60, 90])

    early = _act(manager_client, PERIODS, "generate", [period], index=0)
    closed = _act(manager_client, PERIODS, "close", [period], index=0)
    generated = _act(manager_client, PERIODS, "generate", [period], index=0)

    assert "Close the pay period Nov 2, 2026 – Nov 8, 2026 first" in _messages(early)
    assert "Closed 1: Nov 2, 2026 – Nov 8, 2026." in _messages(closed)
    period.refresh_from_db()
    assert (period.status, period.closed_by) == (PeriodStatus.CLOSED, manager)
    assert "1 new payout, 2 lines added." in _messages(generated)
    assert Payout.objects.get().gross_minor == 2500 + 3750


def test_the_payout_list_filters_and_totals_in_constant_queries(
    clock, manager_client, manager, alice, bob, django_assert_max_num_queries
):
    factories.history(bob, manager=manager, clock=clock, weeks=1, before=date(2025, 11, 3))
    with django_assert_max_num_queries(14) as one:
        first = manager_client.get(PAYOUTS, {"status__exact": "paid"})
    factories.history(alice, manager=manager, clock=clock, weeks=50)
    with django_assert_max_num_queries(len(one.captured_queries)):
        many = manager_client.get(PAYOUTS, {"status__exact": "paid"})

    assert "Totals for the 1 filtered payout" in first.content.decode()
    page = many.content.decode()
    assert "Totals for the 51 filtered payouts" in page
    assert "€1,275.00" in page  # 51 weeks of one hour at 25.00
    assert "Long-running project" not in page and "Alice Example" in page


def test_approve_then_mark_paid_with_a_reference_per_payout(
    clock, manager_client, manager, alice, bob, alice_on_project, bob_on_project
):
    factories.approved_week(alice_on_project, manager=manager, minutes=[60])
    factories.approved_week(bob_on_project, manager=manager, minutes=[30])
    factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)
    payouts = list(Payout.objects.order_by("pk"))

    _act(manager_client, PAYOUTS, "approve", payouts, index=0)
    form = _act(manager_client, PAYOUTS, "mark_paid", payouts, index=0)
    assert form.status_code == 200
    assert "Reference for Payout #" in form.content.decode()
    missing = _act(manager_client, PAYOUTS, "mark_paid", payouts, apply="1", paid_on="2026-11-12")
    assert "This field is required." in missing.content.decode()
    references = {f"reference_{payout.pk}": f"WISE-{payout.pk}" for payout in payouts}
    _act(
        manager_client,
        PAYOUTS,
        "mark_paid",
        payouts,
        apply="1",
        paid_on="2026-11-12",
        **references,
    )

    for payout in payouts:
        payout.refresh_from_db()
        assert (payout.status, payout.reference) == (PayoutStatus.PAID, f"WISE-{payout.pk}")
        assert payout.status_changes.filter(to_status="paid", by=manager).exists()


def test_failed_retried_and_cancelled_need_a_reason(
    clock, manager_client, manager, alice_paid_week
):
    cancel_form = _act(manager_client, PAYOUTS, "cancel", [alice_paid_week], index=0)
    assert "Why cancel" in cancel_form.content.decode()
    factories.approve_payout(alice_paid_week, by=manager)
    refused = _act(
        manager_client, PAYOUTS, "cancel", [alice_paid_week], apply="1", reason="Wrong week"
    )
    assert "is approved; it can't be cancelled." in _messages(refused)

    _act(
        manager_client,
        PAYOUTS,
        "mark_failed",
        [alice_paid_week],
        apply="1",
        reason="The bank returned it.",
    )
    alice_paid_week.refresh_from_db()
    assert alice_paid_week.failure_reason == "The bank returned it."
    _act(manager_client, PAYOUTS, "retry", [alice_paid_week], index=0)
    alice_paid_week.refresh_from_db()
    assert alice_paid_week.status == PayoutStatus.APPROVED


def test_an_adjustment_is_asked_for_in_the_payouts_currency(clock, manager_client, alice_paid_week):
    wrong = _act(
        manager_client,
        PAYOUTS,
        "adjust",
        [alice_paid_week],
        apply="1",
        kind="bonus",
        amount="12.345",
        reason="Rush",
    )
    assert "EUR amounts take at most 2 decimals." in wrong.content.decode()
    sign = _act(
        manager_client,
        PAYOUTS,
        "adjust",
        [alice_paid_week],
        apply="1",
        kind="bonus",
        amount="-5",
        reason="Rush",
    )
    assert "A bonus adds money" in sign.content.decode()

    _act(
        manager_client,
        PAYOUTS,
        "adjust",
        [alice_paid_week],
        apply="1",
        kind="bonus",
        amount="12.50",
        reason="Weekend rush",
    )

    assert Adjustment.objects.get().amount_minor == 1250
    alice_paid_week.refresh_from_db()
    assert alice_paid_week.net_minor == 25000 + 1250


def test_a_payments_report_marks_many_paid_and_reports_each_refusal(
    clock, manager_client, manager, alice_paid_week
):
    factories.approve_payout(alice_paid_week, by=manager)
    url = reverse("admin:payments_payout_payments_report")
    report = (
        "payout_id,reference,paid_on\r\n"
        f"{alice_paid_week.pk},PAYONEER-9,2026-11-11\r\n"
        "424242,X-1,2026-11-11\r\n"
    )
    bad = manager_client.post(
        url, {"report": SimpleUploadedFile("r.csv", b"payout_id,reference,paid_on\n1,,11/11/26\n")}
    )
    assert "Line 2: the reference is empty." in bad.content.decode()

    response = manager_client.post(
        url, {"report": SimpleUploadedFile("r.csv", report.encode())}, follow=True
    )

    alice_paid_week.refresh_from_db()
    assert (alice_paid_week.status, alice_paid_week.reference) == ("paid", "PAYONEER-9")
    text = _messages(response)
    assert f"Marked paid 1: Payout #{alice_paid_week.pk}." in text
    assert "Payout #424242: No such payout." in text


def test_an_accountant_reads_payouts_but_moves_none(client, accountant, clock, alice_paid_week):
    client.force_login(accountant)
    listing = client.get(PAYOUTS)
    assert listing.status_code == 200
    assert 'value="approve"' not in listing.content.decode()

    _act(client, PAYOUTS, "approve", [alice_paid_week], index=0)
    detail = client.get(reverse("admin:payments_payout_change", args=[alice_paid_week.pk]))

    alice_paid_week.refresh_from_db()
    assert alice_paid_week.status == PayoutStatus.DRAFT
    assert detail.status_code == 200
    assert 'name="net_minor"' not in detail.content.decode()
    assert client.get(reverse("admin:payments_payout_payments_report")).status_code == 403


def test_money_is_read_only_for_managers_too(clock, manager_client, alice_paid_week):
    url = reverse("admin:payments_payout_change", args=[alice_paid_week.pk])
    page = manager_client.get(url).content.decode()

    assert "€250.00" in page
    assert 'name="gross_minor"' not in page and 'name="status"' not in page
    assert manager_client.post(url, {"net_minor": 1}).status_code == 403
    assert reverse("admin:payments_payout_add") not in page
