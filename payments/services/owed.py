"""Money owed by rule, not by anyone's choice: standby pay, late-payment compensation, and
the fee top-up of a payout whose deducted fees left it below the floor.

Each becomes an automatic adjustment of a draft payout, each once (a unique
link from the adjustment to what it pays), and none can be typed,
changed or removed by hand. Their reasons are written in the contractor's
language, as they are the contractor's to read.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import ContractorProfile, User
from payments.models import (
    OPEN_PAYOUT_STATUSES,
    Adjustment,
    AdjustmentKind,
    FeePolicy,
    Payout,
    PayoutStatus,
)
from payments.take_home import TakeHome, take_home_attach
from portal.dates import format_day, format_minutes
from portal.money import currency_exponent, decimal_in_minor, format_money
from projects.models import PayPeriod, ScheduledPauseStatus, StandbyPay, StandbyStatus

DAYS_PER_WEEK = 7


def late_weeks(*, due_on: date, paid_on: date) -> int:
    """Started weeks late: a day late is one week, seven days one week, eight days two."""
    days = (paid_on - due_on).days
    return 0 if days <= 0 else -(-days // DAYS_PER_WEEK)


def late_minimum_minor(currency: str) -> int:
    """The smallest compensation in ``currency`` (minor units); 0 where none is set."""
    minimum = settings.LATE_PAYMENT_MINIMUMS.get(currency)
    return 0 if minimum is None else decimal_in_minor(Decimal(minimum), currency)


def late_compensation_amount(*, net_minor: int, currency: str, weeks: int) -> int:
    """``LATE_PAYMENT_PERCENT`` of the net per started week late, at least the minimum."""
    if weeks <= 0:
        return 0
    percent = Decimal(settings.LATE_PAYMENT_PERCENT)
    minor = Decimal(net_minor) * percent * weeks / 100
    computed = decimal_in_minor(minor.scaleb(-currency_exponent(currency)), currency, ROUND_HALF_UP)
    return max(computed, late_minimum_minor(currency))


def _draft_for(contractor_id: int, period: PayPeriod, currency: str) -> Payout | None:
    """The contractor's draft of ``period`` in ``currency``, made if nothing is open there.

    ``None`` while another payout of theirs there is approved or failed: what
    is owed waits for the next period's draft instead.
    """
    open_payouts = Payout.objects.select_for_update().filter(
        contractor_id=contractor_id,
        period=period,
        currency=currency,
        status__in=OPEN_PAYOUT_STATUSES,
    )
    payout = open_payouts.first()
    if payout is None:
        return Payout.objects.create(contractor_id=contractor_id, period=period, currency=currency)
    return payout if payout.status == PayoutStatus.DRAFT else None


def _add(
    payout: Payout, *, kind: str, amount_minor: int, reason: str, by: User | None, **source: Any
) -> Adjustment:
    adjustment = Adjustment.objects.create(
        payout=payout,
        kind=kind,
        amount_minor=amount_minor,
        reason=reason,
        written_in=translation.get_language() or settings.LANGUAGE_CODE,
        created_by=by,
        **source,
    )
    total = payout.adjustments.aggregate(total=Sum("amount_minor"))["total"]
    payout.adjustments_minor = total
    payout.net_minor = payout.gross_minor + total
    payout.updated_at = timezone.now()
    payout.save(update_fields=["adjustments_minor", "net_minor", "updated_at"])
    return adjustment


def _language(contractor: ContractorProfile) -> str:
    return contractor.user.language or settings.LANGUAGE_CODE


# --- Standby pay ------------------------------------------------------------------------------


def _standby_reason(standby: StandbyPay) -> str:
    return _("Standby pay: %(reason)s (%(weekly)s a week expected, %(rate)s an hour).") % {
        "reason": standby.reason,
        "weekly": format_minutes(standby.weekly_minutes),
        "rate": format_money(standby.rate_minor, standby.currency),
    }


@transaction.atomic
def standby_attach(*, period: PayPeriod) -> int:
    """Put each owed standby pay not yet paid onto its contractor's draft of ``period``, once."""
    waiting = (
        StandbyPay.objects.select_for_update(of=("self",))
        .filter(status=StandbyStatus.OWED, adjustment__isnull=True)
        # A scheduled pause or close owes nothing until it takes effect: it may be called off.
        .filter(Q(change__isnull=False) | Q(scheduled__status=ScheduledPauseStatus.APPLIED))
        .select_related(
            "assignment__project", "assignment__contractor__user", "change", "scheduled"
        )
        .order_by("pk")
    )
    added = 0
    for standby in waiting:
        contractor = standby.assignment.contractor
        payout = _draft_for(contractor.pk, period, standby.currency)
        if payout is None:
            continue
        source = standby.change or standby.scheduled
        with translation.override(_language(contractor)):
            _add(
                payout,
                kind=AdjustmentKind.STANDBY,
                amount_minor=standby.amount_minor,
                reason=_standby_reason(standby),
                by=source.by if source is not None else None,
                standby=standby,
            )
        added += 1
    return added


# --- Late-payment compensation ----------------------------------------------------------------


def _late_reason(late: Payout, *, weeks: int) -> str:
    values = {
        "payout": late.pk,
        "due": format_day(late.due_on),
        "paid": format_day(late.paid_on),
        "count": weeks,
    }
    return (
        ngettext(
            "Late-payment compensation: payout #%(payout)s was due on %(due)s and paid on "
            "%(paid)s, %(count)d started week late.",
            "Late-payment compensation: payout #%(payout)s was due on %(due)s and paid on "
            "%(paid)s, %(count)d started weeks late.",
            weeks,
        )
        % values
    )


@transaction.atomic
def late_compensation_attach(*, payout: Payout, by: User) -> Adjustment | None:
    """Compensate ``payout`` if it was paid after its due date; once, however often it runs.

    The compensation goes onto the contractor's draft of the same period (a
    new one, as the late payout is paid): it is paid like any payout.
    """
    payout = Payout.objects.select_related("period", "contractor__user").get(pk=payout.pk)
    if payout.status != PayoutStatus.PAID or payout.due_on is None or payout.paid_on is None:
        return None
    weeks = late_weeks(due_on=payout.due_on, paid_on=payout.paid_on)
    amount = late_compensation_amount(
        net_minor=payout.net_minor, currency=payout.currency, weeks=weeks
    )
    if amount < 1 or Adjustment.objects.filter(late_for=payout).exists():
        return None
    draft = _draft_for(payout.contractor_id, payout.period, payout.currency)
    if draft is None:
        return None
    with translation.override(_language(payout.contractor)):
        return _add(
            draft,
            kind=AdjustmentKind.LATE,
            amount_minor=amount,
            reason=_late_reason(payout, weeks=weeks),
            by=by,
            late_for=payout,
        )


# --- Fee top-up -----------------------------------------------------------------------------


def _fee_top_up_reason(paid: Payout, found: TakeHome) -> str:
    assert found.effective_hourly_minor is not None and found.floor_hourly_minor is not None
    return _(
        "After the fees deducted from payout #%(payout)s and the exchange, you took home "
        "%(hourly)s an hour, below the floor of %(floor)s an hour; this makes up the "
        "difference."
    ) % {
        "payout": paid.pk,
        "hourly": format_money(found.effective_hourly_minor, found.currency),
        "floor": format_money(found.floor_hourly_minor, found.currency),
    }


@transaction.atomic
def fee_top_up_attach(*, payout: Payout, by: User | None) -> Adjustment | None:
    """Bring the pay after costs of ``payout`` up to the floor, when its fees were deducted
    and left it below; once, however often it runs.

    The top-up goes onto the contractor's draft of the same period (a new one, as the
    payout is paid), like late-payment compensation. While another payout of theirs
    there is approved or failed, it stays owed: ``fee_top_ups_sweep`` adds it to a
    later period's draft when payouts are generated.
    """
    payout = Payout.objects.select_related("period", "contractor__user").get(pk=payout.pk)
    return _fee_top_up_onto(payout, period=payout.period, by=by)


def _fee_top_up_owed(payout: Payout) -> TakeHome | None:
    """The judgement that leaves ``payout`` owed a fee top-up, or None when nothing is."""
    if (
        payout.status != PayoutStatus.PAID
        or payout.fee_policy != FeePolicy.DEDUCTED
        or not payout.below_floor_after_costs
        or Adjustment.objects.filter(fee_top_up_for=payout).exists()
    ):
        return None
    [judged] = take_home_attach([payout], today=payout.paid_on or timezone.localdate())
    found: TakeHome = judged.take_home  # type: ignore[attr-defined]
    return found if found.shortfall_minor() >= 1 else None


def _fee_top_up_onto(payout: Payout, *, period: PayPeriod, by: User | None) -> Adjustment | None:
    found = _fee_top_up_owed(payout)
    if found is None:
        return None
    draft = _draft_for(payout.contractor_id, period, payout.currency)
    if draft is None:
        return None
    with translation.override(_language(payout.contractor)):
        return _add(
            draft,
            kind=AdjustmentKind.FEE_TOP_UP,
            amount_minor=found.shortfall_minor(),
            reason=_fee_top_up_reason(payout, found),
            by=by,
            fee_top_up_for=payout,
        )


@transaction.atomic
def fee_top_ups_sweep(*, period: PayPeriod, by: User | None) -> int:
    """Put each fee top-up still owed (no draft could take it when its payout was paid)
    onto the contractor's draft of ``period``; how many were added.

    Called by payout generation, with the period locked. Only payouts paid below the
    floor after costs are read, through their index.
    """
    waiting = (
        Payout.objects.filter(
            status=PayoutStatus.PAID,
            fee_policy=FeePolicy.DEDUCTED,
            effective_hourly_minor__lt=F("floor_hourly_minor"),
            fee_top_up__isnull=True,
        )
        .select_related("period", "contractor__user")
        .order_by("pk")
    )
    return sum(_fee_top_up_onto(payout, period=period, by=by) is not None for payout in waiting)
