from datetime import date, timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from payments import services
from payments.admin.payouts import RECENT_PERIODS, RecentPeriodFilter
from payments.models import Adjustment, Payout, PayoutStatus
from portal.jobs.models import Job
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


def test_periods_exist_by_themselves_and_a_manager_only_closes_and_generates(
    clock, manager_client, alice_on_project, manager, django_capture_on_commit_callbacks
):
    factories.approved_week(alice_on_project, manager=manager, minutes=[60, 90])
    assert not PayPeriod.objects.exists()

    listing = manager_client.get(PERIODS)

    # Opening the list creates this week's period and every earlier week with logged time.
    starts = list(PayPeriod.objects.order_by("start_on").values_list("start_on", flat=True))
    assert starts == [LAST_MONDAY, date(2026, 11, 9)]
    page = listing.content.decode()
    assert reverse("admin:projects_payperiod_add") not in page
    assert manager_client.get(reverse("admin:projects_payperiod_add")).status_code == 403
    add = reverse("admin:projects_payperiod_add")
    refused = manager_client.post(add, {"start_on": "2027-06-07"})
    assert refused.status_code == 403
    assert not PayPeriod.objects.filter(start_on__gt=date(2026, 11, 9)).exists()
    period = PayPeriod.objects.get(start_on=LAST_MONDAY)

    early = _act(manager_client, PERIODS, "generate", [period], index=0)
    closed = _act(manager_client, PERIODS, "close", [period], index=0)
    # Generation is a background job: the action starts it and goes to its page.
    with django_capture_on_commit_callbacks(execute=True):
        started = manager_client.post(
            PERIODS, {"action": "generate", ACTION_CHECKBOX_NAME: [period.pk], "index": 0}
        )
    job = Job.objects.get()
    generated = manager_client.get(started["Location"])

    assert "Close the pay period Nov 2, 2026 – Nov 8, 2026 first" in _messages(early)
    assert "Closed 1: Nov 2, 2026 – Nov 8, 2026." in _messages(closed)
    period.refresh_from_db()
    assert (period.status, period.closed_by) == (PeriodStatus.CLOSED, manager)
    assert started["Location"] == reverse("admin:jobs_job_change", args=[job.pk])
    assert "1 new payout, 2 lines added." in generated.content.decode()
    assert Payout.objects.get().gross_minor == 2500 + 3750


def test_the_pay_run_is_explained_where_it_is_run(clock, manager_client, alice_paid_week):
    periods = manager_client.get(PERIODS).content.decode()
    payouts = manager_client.get(PAYOUTS).content.decode()

    for page in (periods, payouts):
        assert 'id="pay-run"' in page
        assert "Close the period" in page
        assert "Generate payouts" in page
        assert "Approve" in page and "Mark paid" in page
    assert "closes by itself 2 days after it ends" in periods
    assert 'aria-current="step"' in periods and 'aria-current="step"' in payouts


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

    done = _act(
        manager_client,
        PAYOUTS,
        "adjust",
        [alice_paid_week],
        apply="1",
        kind="bonus",
        amount="12.50",
        reason="Weekend rush",
    )

    # The confirmation gives the total after the adjustment, not before it.
    assert (
        f"Added Bonus of €12.50 to Payout #{alice_paid_week.pk}; it now comes to €262.50."
        in _messages(done)
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


def test_a_payments_report_with_a_payout_under_two_references_marks_nothing(
    clock, manager_client, manager, alice_paid_week
):
    factories.approve_payout(alice_paid_week, by=manager)
    report = (
        "payout_id,reference,paid_on\r\n"
        f"{alice_paid_week.pk},PAYONEER-9,2026-11-11\r\n"
        f"{alice_paid_week.pk},WISE-4,2026-11-12\r\n"
    )

    response = manager_client.post(
        reverse("admin:payments_payout_payments_report"),
        {"report": SimpleUploadedFile("r.csv", report.encode())},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Payout #{alice_paid_week.pk} appears on lines 2 and 3" in html
    assert "(PAYONEER-9 and WISE-4)" in html
    alice_paid_week.refresh_from_db()
    assert (alice_paid_week.status, alice_paid_week.reference) == ("approved", "")


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


def test_the_payout_list_skips_the_second_full_count(manager_client, alice_paid_week):
    with CaptureQueriesContext(connection) as queries:
        response = manager_client.get(PAYOUTS, {"q": "alice"})
    assert response.context["cl"].result_count == 1
    assert response.context["cl"].show_full_result_count is False
    counts = [q for q in queries.captured_queries if q["sql"].startswith('SELECT COUNT(*) AS "__')]
    assert len(counts) == 1  # the filtered count; never the whole table's as well


def test_the_period_filter_offers_recent_periods_and_takes_any_from_its_page(
    manager_client, alice_paid_week
):
    period = alice_paid_week.period
    for weeks in range(1, RECENT_PERIODS + 3):
        start = period.start_on + timedelta(weeks=weeks)
        PayPeriod.objects.create(start_on=start, end_on=start + timedelta(days=6))
    listed = manager_client.get(PAYOUTS)
    [spec] = [s for s in listed.context["cl"].filter_specs if isinstance(s, RecentPeriodFilter)]
    assert len(spec.lookup_choices) == RECENT_PERIODS
    assert str(period.pk) not in dict(spec.lookup_choices)  # older than the latest twelve
    chosen = manager_client.get(PAYOUTS, {"period__id__exact": period.pk})
    assert chosen.context["cl"].result_count == 1
    assert manager_client.get(PAYOUTS, {"period__id__exact": "x"}).status_code == 302  # ?e=1


def test_the_due_filter_finds_overdue_payouts_and_those_due_soon(
    clock, manager_client, manager, alice_paid_week
):
    payout = factories.approve_payout(alice_paid_week, by=manager)
    period = payout.period

    def listed(which: str) -> list[int]:
        response = manager_client.get(PAYOUTS, {"due": which})
        return [p.pk for p in response.context["cl"].result_list]

    # Due PAYOUT_DUE_DAYS (7) after the close: closed 5 days ago, it is due in 2 days.
    PayPeriod.objects.filter(pk=period.pk).update(closed_at=timezone.now() - timedelta(days=5))
    assert listed("overdue") == []
    assert listed("soon") == [payout.pk]
    PayPeriod.objects.filter(pk=period.pk).update(closed_at=timezone.now() - timedelta(days=8))
    assert listed("overdue") == [payout.pk]
    assert listed("soon") == []
    services.payout_mark_paid(
        payout=payout, by=manager, reference="R-1", paid_on=timezone.localdate()
    )
    assert listed("overdue") == []
