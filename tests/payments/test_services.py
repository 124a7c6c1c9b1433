from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from payments import services
from payments.models import Adjustment, AdjustmentKind, Payout, PayoutLine, PayoutStatus
from payments.selectors import payout_line_totals
from portal.models import Notification, NotificationKind, OutboundEmail
from projects import services as project_services
from projects.models import PayPeriod, PeriodStatus, TimeEntry
from tests.payments import factories
from tests.projects.factories import (
    LAST_MONDAY,
    SETUP_AT,
    THIS_MONDAY,
    assign,
    log,
    project_create,
)
from tests.sanctions import sanction


def _assert_totals_add_up(payout: Payout) -> None:
    payout.refresh_from_db()
    minutes, gross = payout_line_totals(payout)
    adjustments = sum(payout.adjustments.values_list("amount_minor", flat=True))
    assert (payout.minutes, payout.gross_minor) == (minutes, gross)
    assert payout.adjustments_minor == adjustments
    assert payout.net_minor == gross + adjustments


# --- Periods ------------------------------------------------------------------------------


def test_periods_are_weeks_from_the_configured_weekday(settings):
    assert services.period_bounds(date(2026, 11, 12)) == (date(2026, 11, 9), date(2026, 11, 15))
    settings.PAY_PERIOD_START_WEEKDAY = 6
    assert services.period_bounds(date(2026, 11, 12)) == (date(2026, 11, 8), date(2026, 11, 14))
    assert services.period_bounds(date(2026, 11, 8)) == (date(2026, 11, 8), date(2026, 11, 14))


def test_a_period_is_never_opened_before_its_week_begins(db, clock):
    # The frozen clock says Thursday Nov 12, 12:00 UTC: Friday has begun nowhere yet
    # east of UTC+12, but the current week has begun everywhere.
    assert services.pay_period_for(date(2026, 11, 15)).start_on == THIS_MONDAY
    with pytest.raises(ValidationError, match="opens when that week begins"):
        services.pay_period_for(date(2027, 6, 9))
    with pytest.raises(ValidationError, match="opens when that week begins"):
        services.pay_period_for(date(2026, 11, 16))
    assert list(PayPeriod.objects.values_list("start_on", flat=True)) == [THIS_MONDAY]


def test_the_next_week_opens_as_it_begins_in_the_earliest_time_zone(db, clock):
    assert services.pay_periods_ensure() == 1  # this week's, though no one logged time yet
    # Sunday 09:59 UTC is still Sunday everywhere; at 10:00 it is Monday in Kiribati (UTC+14).
    with clock.back_at(datetime(2026, 11, 15, 9, 59, tzinfo=UTC)):
        assert services.latest_begun_day() == date(2026, 11, 15)
        assert services.pay_periods_ensure() == 0
    with clock.back_at(datetime(2026, 11, 15, 10, 0, tzinfo=UTC)):
        assert services.latest_begun_day() == date(2026, 11, 16)
        assert services.pay_periods_ensure() == 1

    starts = list(PayPeriod.objects.order_by("start_on").values_list("start_on", flat=True))
    assert starts == [THIS_MONDAY, date(2026, 11, 16)]


def test_closing_records_who_and_refuses_a_period_not_over(clock, manager):
    current = factories.period(THIS_MONDAY)
    with pytest.raises(
        ValidationError, match="has not ended yet; it can be closed from Nov 16, 2026"
    ):
        services.pay_period_close(period=current, by=manager)

    period = factories.closed_period(LAST_MONDAY, by=manager)

    assert (period.status, period.closed_by) == (PeriodStatus.CLOSED, manager)
    change = period.status_changes.get()
    assert (change.from_status, change.to_status, change.by) == ("open", "closed", manager)
    with pytest.raises(ValidationError, match="already closed"):
        services.pay_period_close(period=period, by=manager)


def test_a_closed_period_locks_its_entries_and_only_its_own(
    clock, manager, alice, alice_on_project
):
    log(alice, alice_on_project, LAST_MONDAY, 60)
    factories.closed_period(LAST_MONDAY, by=manager)

    with pytest.raises(ValidationError, match="pay period with .* is closed"):
        log(alice, alice_on_project, LAST_MONDAY, 90)
    with pytest.raises(ValidationError, match="pay period with .* is closed"):
        log(alice, alice_on_project, LAST_MONDAY + timedelta(days=1), 30)
    # The draft itself may still be submitted, as late hours: see test_late_hours.py.
    log(alice, alice_on_project, THIS_MONDAY, 45)
    assert TimeEntry.objects.get(work_on=LAST_MONDAY).minutes == 60


def test_the_schedule_creates_missing_weeks_and_closes_those_due(
    clock, settings, manager, alice, alice_on_project
):
    settings.PAY_PERIOD_CLOSE_AFTER_DAYS = 4
    log(alice, alice_on_project, date(2026, 10, 14), 60)  # a Wednesday four weeks back

    closed = services.pay_periods_close_due(today=date(2026, 11, 12))

    starts = list(PayPeriod.objects.order_by("start_on").values_list("start_on", "status"))
    assert starts == [
        (date(2026, 10, 12), "closed"),
        (date(2026, 10, 19), "closed"),
        (date(2026, 10, 26), "closed"),
        (date(2026, 11, 2), "open"),  # ended Sunday the 8th: due four whole days later
        (date(2026, 11, 9), "open"),
    ]
    assert [period.closed_by for period in closed] == [None, None, None]
    assert services.pay_periods_close_due(today=date(2026, 11, 12)) == []
    assert [p.start_on for p in services.pay_periods_close_due(today=date(2026, 11, 13))] == [
        LAST_MONDAY
    ]


# --- Generation ---------------------------------------------------------------------------


def test_generation_needs_a_closed_period(clock, manager, last_week):
    with pytest.raises(ValidationError, match="Close the pay period"):
        services.payouts_generate(period=last_week, by=manager)


def test_generation_makes_a_payout_per_contractor_and_currency_with_a_line_per_entry(
    clock, manager, alice, bob, alice_on_project, bob_on_project
):
    with clock.back_at(SETUP_AT):
        usd = project_create(
            manager, name="Audio transcripts", currency="USD", default_rate_minor=1999
        )
        usd_assignment = assign(usd, alice, by=manager)
    factories.approved_week(alice_on_project, manager=manager, minutes=[90, 61, 7])
    factories.approved_week(usd_assignment, manager=manager, minutes=[1, 0, 59], kind="review")
    factories.approved_week(bob_on_project, manager=manager, minutes=[60])
    log(alice, alice_on_project, LAST_MONDAY + timedelta(days=5), 30)  # a draft: not payable
    period = factories.closed_period(LAST_MONDAY, by=manager)

    result = factories.generate(period, by=manager)

    assert (result.payouts_created, result.lines_added, result.entries_waiting) == (3, 6, 0)
    eur = Payout.objects.get(contractor__user=alice, currency="EUR")
    # 90 min at 25.00 = 37.50; 61 min = 25.4166… → 25.42; 7 min = 2.9166… → 2.92
    assert sorted(eur.lines.values_list("amount_minor", flat=True)) == [292, 2542, 3750]
    assert (eur.minutes, eur.gross_minor, eur.net_minor) == (158, 6584, 6584)
    usd_payout = Payout.objects.get(contractor__user=alice, currency="USD")
    # 1 min at 19.99 = 0.333… → 0.33; 59 min = 19.6568… → 19.66
    assert sorted(usd_payout.lines.values_list("amount_minor", flat=True)) == [33, 1966]
    assert Payout.objects.get(contractor__user=bob).gross_minor == 2500
    for payout in Payout.objects.all():
        _assert_totals_add_up(payout)
        change = payout.status_changes.get()
        assert (change.from_status, change.to_status, change.by) == ("", "draft", manager)


def test_generating_again_creates_nothing_new(clock, manager, alice_paid_week):
    result = factories.generate(alice_paid_week.period, by=manager)

    assert (result.payouts_created, result.lines_added) == (0, 0)
    assert Payout.objects.count() == 1
    assert PayoutLine.objects.count() == 5


def test_entries_approved_later_join_the_draft(clock, manager, alice_on_project):
    monday, *rest = factories.submitted_week(alice_on_project, minutes=[120, 120, 30])
    factories.approve(rest, by=manager)
    period = factories.closed_period(LAST_MONDAY, by=manager)
    factories.generate(period, by=manager)

    factories.approve([monday], by=manager)
    result = factories.generate(period, by=manager)

    assert (result.payouts_created, result.lines_added) == (0, 1)
    payout = Payout.objects.get()
    _assert_totals_add_up(payout)
    assert (payout.lines.count(), payout.gross_minor) == (3, 5000 + 5000 + 1250)


def test_entries_approved_after_the_payout_was_approved_wait_for_the_next_one(
    clock, manager, alice_on_project
):
    late, *approved = factories.submitted_week(alice_on_project, minutes=[30, 120])
    factories.approve(approved, by=manager)
    period = factories.closed_period(LAST_MONDAY, by=manager)
    factories.generate(period, by=manager)
    first = factories.approve_payout(Payout.objects.get(), by=manager)
    factories.approve([late], by=manager)

    waiting = factories.generate(period, by=manager)
    assert (waiting.payouts_created, waiting.lines_added, waiting.entries_waiting) == (0, 0, 1)
    assert "1 approved entry wait" in str(waiting)

    factories.pay(first, by=manager)
    result = factories.generate(period, by=manager)

    assert (result.payouts_created, result.lines_added, result.entries_waiting) == (1, 1, 0)
    second = Payout.objects.exclude(pk=first.pk).get()
    assert (second.status, second.gross_minor) == (PayoutStatus.DRAFT, 1250)


def test_cancelling_a_draft_makes_its_entries_payable_again(clock, manager, alice_paid_week):
    entries = set(alice_paid_week.lines.values_list("time_entry_id", flat=True))

    services.payout_cancel(payout=alice_paid_week, by=manager, reason="Wrong rate on Monday.")

    alice_paid_week.refresh_from_db()
    assert alice_paid_week.status == PayoutStatus.CANCELLED
    assert not alice_paid_week.lines.exists()
    _assert_totals_add_up(alice_paid_week)
    result = factories.generate(alice_paid_week.period, by=manager)
    assert (result.payouts_created, result.lines_added) == (1, 5)
    again = Payout.objects.get(status=PayoutStatus.DRAFT)
    assert set(again.lines.values_list("time_entry_id", flat=True)) == entries
    assert again.gross_minor == 25000


def test_hours_stay_payable_when_the_project_closes_and_the_contractor_leaves(
    clock, manager, alice, project, alice_on_project
):
    factories.approved_week(alice_on_project, manager=manager, minutes=[60, 60])
    project_services.project_close(
        project=project, by=manager, message="The client ended it.", short_notice_confirmed=True
    )
    sanction(alice.contractor_profile, by=manager, outcome="offboarding")
    period = factories.closed_period(LAST_MONDAY, by=manager)

    factories.generate(period, by=manager)

    assert Payout.objects.get().gross_minor == 5000


def test_the_database_refuses_an_entry_in_two_lines_and_two_open_payouts(
    clock, manager, alice_paid_week
):
    line = alice_paid_week.lines.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutLine.objects.create(
            payout=alice_paid_week,
            time_entry=line.time_entry,
            project=line.project,
            work_on=line.work_on,
            kind=line.kind,
            minutes=line.minutes,
            rate_minor=line.rate_minor,
            amount_minor=line.amount_minor,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.create(
            contractor=alice_paid_week.contractor, period=alice_paid_week.period, currency="EUR"
        )


def test_money_records_protect_what_they_point_to(clock, manager, alice_paid_week):
    with pytest.raises(ProtectedError):
        alice_paid_week.lines.first().time_entry.delete()
    with pytest.raises(ProtectedError):
        alice_paid_week.period.delete()


# --- A payout's life ------------------------------------------------------------------------


def test_approve_then_pay_records_each_step_and_tells_the_contractor(
    clock, manager, alice, alice_paid_week
):
    services.payout_approve(payout=alice_paid_week, by=manager)
    paid = services.payout_mark_paid(
        payout=alice_paid_week, by=manager, reference=" WISE-77 ", paid_on=date(2026, 11, 12)
    )

    assert (paid.status, paid.reference, paid.paid_on) == ("paid", "WISE-77", date(2026, 11, 12))
    assert paid.approved_by == manager
    steps = list(paid.status_changes.order_by("at", "pk").values_list("from_status", "to_status"))
    assert steps == [("", "draft"), ("draft", "approved"), ("approved", "paid")]
    assert paid.status_changes.get(to_status="paid").reference == "WISE-77"
    notice = Notification.objects.get(recipient=alice, kind=NotificationKind.PAYOUT_PAID)
    assert notice.title == "Paid: €250.00 for the week of Nov 2, 2026"
    assert "WISE-77" in notice.body
    assert notice.link == f"/earnings/?period=2026-11-02#payout-{paid.pk}"
    assert OutboundEmail.objects.filter(to=alice.email, subject=notice.title).exists()


def test_a_failed_payment_tells_the_contractor_and_can_be_retried(
    clock, manager, alice, alice_paid_week
):
    factories.approve_payout(alice_paid_week, by=manager)
    with pytest.raises(ValidationError, match="Say why"):
        services.payout_mark_failed(payout=alice_paid_week, by=manager, reason="  ")

    services.payout_mark_failed(payout=alice_paid_week, by=manager, reason="IBAN closed.")
    notice = Notification.objects.get(recipient=alice, kind=NotificationKind.PAYOUT_FAILED)
    assert "IBAN closed." in notice.body

    retried = services.payout_retry(payout=alice_paid_week, by=manager)
    assert (retried.status, retried.failure_reason) == (PayoutStatus.APPROVED, "")
    assert retried.status_changes.first().reason == "Retry after: IBAN closed."
    assert factories.pay(retried, by=manager).status == PayoutStatus.PAID


@pytest.mark.parametrize(
    ("reference", "paid_on", "message"),
    [
        ("", date(2026, 11, 12), "Enter the payment provider's reference."),
        ("x" * 101, date(2026, 11, 12), "at most 100 characters"),
        ("WISE-1", date(2026, 11, 13), "can't be in the future"),
    ],
)
def test_marking_paid_needs_a_reference_and_a_past_date(
    clock, manager, alice_paid_week, reference, paid_on, message
):
    factories.approve_payout(alice_paid_week, by=manager)
    with pytest.raises(ValidationError, match=message):
        services.payout_mark_paid(
            payout=alice_paid_week, by=manager, reference=reference, paid_on=paid_on
        )
    alice_paid_week.refresh_from_db()
    assert alice_paid_week.status == PayoutStatus.APPROVED


def test_only_legal_moves_happen(clock, manager, alice_paid_week):
    with pytest.raises(ValidationError, match="is draft; it can't be marked paid"):
        factories.pay(alice_paid_week, by=manager)
    factories.approve_payout(alice_paid_week, by=manager)
    with pytest.raises(ValidationError, match="already approved"):
        factories.approve_payout(alice_paid_week, by=manager)
    with pytest.raises(ValidationError, match="is approved; it can't be cancelled"):
        services.payout_cancel(payout=alice_paid_week, by=manager, reason="Oops")
    factories.pay(alice_paid_week, by=manager)
    with pytest.raises(ValidationError, match="already paid"):
        factories.pay(alice_paid_week, by=manager)
    with pytest.raises(ValidationError, match="is paid; it can't be marked failed"):
        services.payout_mark_failed(payout=alice_paid_week, by=manager, reason="Bounced")
    assert alice_paid_week.status_changes.count() == 3


def test_adjustments_change_the_net_with_a_reason(clock, manager, alice_paid_week):
    bonus = services.AdjustmentDetails(AdjustmentKind.BONUS, 1000, "Weekend rush.")
    services.payout_adjust(payout=alice_paid_week, by=manager, details=bonus)
    deduction = services.AdjustmentDetails(AdjustmentKind.DEDUCTION, -250, "Duplicate task.")
    services.payout_adjust(payout=alice_paid_week, by=manager, details=deduction)

    _assert_totals_add_up(alice_paid_week)
    assert (alice_paid_week.adjustments_minor, alice_paid_week.net_minor) == (750, 25750)
    assert list(Adjustment.objects.values_list("reason", "created_by")) == [
        ("Weekend rush.", manager.pk),
        ("Duplicate task.", manager.pk),
    ]


@pytest.mark.parametrize(
    ("kind", "amount", "reason", "message"),
    [
        ("bonus", -100, "Thanks", "A bonus adds money"),
        ("deduction", 100, "Dup", "A deduction takes money"),
        ("correction", 0, "Nothing", "A correction of zero"),
        ("bonus", 100, "  ", "Give the reason"),
        ("tip", 100, "Thanks", "Choose a bonus, a correction, a deduction or back pay"),
        ("floor_top", 100, "Typed", "Choose a bonus, a correction, a deduction or back pay"),
        ("deduction", -25001, "Too much", "below zero"),
    ],
)
def test_adjustments_that_make_no_sense_are_refused(
    clock, manager, alice_paid_week, kind, amount, reason, message
):
    details = services.AdjustmentDetails(kind, amount, reason)
    with pytest.raises(ValidationError, match=message):
        services.payout_adjust(payout=alice_paid_week, by=manager, details=details)
    assert not Adjustment.objects.exists()


def test_only_drafts_are_adjusted_and_a_zero_payout_is_not_approved(
    clock, manager, alice_paid_week
):
    wipe = services.AdjustmentDetails(AdjustmentKind.DEDUCTION, -25000, "Work redone for free.")
    services.payout_adjust(payout=alice_paid_week, by=manager, details=wipe)
    with pytest.raises(ValidationError, match="nothing to pay"):
        factories.approve_payout(alice_paid_week, by=manager)

    bonus = services.AdjustmentDetails(AdjustmentKind.BONUS, 500, "Goodwill.")
    services.payout_adjust(payout=alice_paid_week, by=manager, details=bonus)
    factories.approve_payout(alice_paid_week, by=manager)
    with pytest.raises(ValidationError, match="only drafts can be adjusted"):
        services.payout_adjust(payout=alice_paid_week, by=manager, details=bonus)


def test_paying_many_goes_through_each_and_reports_the_refused(
    clock, manager, alice, bob, alice_on_project, bob_on_project
):
    factories.approved_week(alice_on_project, manager=manager, minutes=[60])
    factories.approved_week(bob_on_project, manager=manager, minutes=[60])
    factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)
    alice_payout = Payout.objects.get(contractor__user=alice)
    bob_payout = Payout.objects.get(contractor__user=bob)
    factories.approve_payout(alice_payout, by=manager)
    paid_on = date(2026, 11, 11)

    paid, refused = services.payouts_mark_paid_many(
        payments=[
            services.Payment(alice_payout.pk, "REF-A", paid_on),
            services.Payment(bob_payout.pk, "REF-B", paid_on),
            services.Payment(999_999, "REF-C", paid_on),
        ],
        by=manager,
    )

    assert [payout.pk for payout in paid] == [alice_payout.pk]
    assert refused == {
        bob_payout.pk: [f"{bob_payout} is draft; it can't be marked paid."],
        999_999: ["No such payout."],
    }


def test_a_report_naming_one_payout_under_two_references_is_refused_whole(
    clock, manager, alice, bob, alice_on_project, bob_on_project
):
    factories.approved_week(alice_on_project, manager=manager, minutes=[60])
    factories.approved_week(bob_on_project, manager=manager, minutes=[60])
    factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)
    alice_payout = Payout.objects.get(contractor__user=alice)
    bob_payout = Payout.objects.get(contractor__user=bob)
    factories.approve_payout(alice_payout, by=manager)
    factories.approve_payout(bob_payout, by=manager)
    paid_on = date(2026, 11, 11)

    with pytest.raises(ValidationError) as refused:
        services.payouts_mark_paid_many(
            payments=[
                services.Payment(bob_payout.pk, "REF-B", paid_on, 2),
                services.Payment(alice_payout.pk, "REF-A1", paid_on, 3),
                services.Payment(alice_payout.pk, "REF-A2", paid_on, 4),
            ],
            by=manager,
        )

    assert refused.value.messages[0] == (
        f"Payout #{alice_payout.pk} appears on lines 3 and 4 with different references "
        "(REF-A1 and REF-A2); the provider may have paid it twice."
    )
    assert set(Payout.objects.values_list("status", flat=True)) == {PayoutStatus.APPROVED}


def test_a_report_repeating_a_payment_with_its_own_reference_is_not_a_conflict(
    clock, manager, alice, alice_on_project
):
    factories.approved_week(alice_on_project, manager=manager, minutes=[60])
    factories.generate(factories.closed_period(LAST_MONDAY, by=manager), by=manager)
    payout = Payout.objects.get(contractor__user=alice)
    factories.approve_payout(payout, by=manager)
    paid_on = date(2026, 11, 11)

    paid, refused = services.payouts_mark_paid_many(
        payments=[
            services.Payment(payout.pk, "REF-A", paid_on, 2),
            services.Payment(payout.pk, "REF-A", paid_on, 3),
        ],
        by=manager,
    )

    assert [p.pk for p in paid] == [payout.pk]
    assert list(refused) == [payout.pk]
