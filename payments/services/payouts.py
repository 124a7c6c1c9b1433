"""A payout's life after generation: approve, pay or fail, retry, cancel, adjust.

Every change locks the payout's period and then the payout (always in that
order, so two changes can't deadlock), checks the transition against the
payout's ``TRANSITIONS`` and records it in ``PayoutStatusChange`` in the same
transaction. Two managers clicking at once produce one change; the second
is told what happened.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from payments.models import (
    Adjustment,
    AdjustmentKind,
    Payout,
    PayoutStatus,
    PayoutStatusChange,
    PayPeriod,
)
from payments.money import format_money
from portal.models import NotificationKind
from portal.notifications import notify

REFERENCE_MAX_LENGTH = Payout._meta.get_field("reference").max_length

_VERBS = {
    PayoutStatus.APPROVED: "approved",
    PayoutStatus.PAID: "marked paid",
    PayoutStatus.FAILED: "marked failed",
    PayoutStatus.CANCELLED: "cancelled",
}


def _lock(payout: Payout) -> Payout:
    PayPeriod.objects.select_for_update().get(pk=payout.period_id)
    return (
        Payout.objects.select_for_update(of=("self",))
        .select_related("contractor__user", "period")
        .get(pk=payout.pk)
    )


def _move(payout: Payout, to: str, *, by: User, reason: str = "", reference: str = "") -> None:
    """Check the transition, record it, and set the status; the caller saves."""
    if not payout.can_transition_to(to):
        if payout.status == to:
            raise ValidationError(f"{payout} is already {payout.get_status_display().lower()}.")
        raise ValidationError(
            f"{payout} is {payout.get_status_display().lower()}; "
            f"it can't be {_VERBS.get(to, 'moved back')}."
        )
    now = timezone.now()
    PayoutStatusChange.objects.create(
        payout=payout,
        from_status=payout.status,
        to_status=to,
        reason=reason,
        reference=reference,
        by=by,
        at=now,
    )
    payout.status, payout.updated_at = to, now


def _required(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: [message]})
    return text


@transaction.atomic
def payout_approve(*, payout: Payout, by: User) -> Payout:
    """Approve a draft for payment; its lines and amount are final from here on."""
    payout = _lock(payout)
    if payout.status == PayoutStatus.DRAFT and payout.net_minor <= 0:
        raise ValidationError(f"{payout} comes to {_amount(payout)}; there is nothing to pay.")
    _move(payout, PayoutStatus.APPROVED, by=by)
    payout.approved_at, payout.approved_by = payout.updated_at, by
    payout.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    return payout


@transaction.atomic
def payout_mark_paid(*, payout: Payout, by: User, reference: str, paid_on: date) -> Payout:
    """Record that the provider paid an approved payout, and tell the contractor."""
    reference = _required(reference, "reference", "Enter the payment provider's reference.")
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise ValidationError(
            {"reference": [f"A reference has at most {REFERENCE_MAX_LENGTH} characters."]}
        )
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": ["The payment date can't be in the future."]})
    payout = _lock(payout)
    _move(payout, PayoutStatus.PAID, by=by, reference=reference)
    payout.reference, payout.paid_on, payout.paid_at = reference, paid_on, payout.updated_at
    payout.save(update_fields=["status", "reference", "paid_on", "paid_at", "updated_at"])
    notify(
        recipients=User.objects.filter(pk=payout.contractor.user_id),
        kind=NotificationKind.PAYOUT_PAID,
        title=f"Paid: {_amount(payout)} for {payout.period}",
        body=(
            f"{_amount(payout)} for your work in the week of {payout.period} was paid on "
            f"{paid_on:%d %b %Y} (reference {reference}). It can take a few days to arrive."
        ),
        link=_earnings_link(payout),
        topic=f"payout:{payout.pk}",
    )
    return payout


@transaction.atomic
def payout_mark_failed(*, payout: Payout, by: User, reason: str) -> Payout:
    """Record that paying an approved payout failed, and tell the contractor why."""
    reason = _required(reason, "reason", "Say why the payment failed; the contractor reads it.")
    payout = _lock(payout)
    _move(payout, PayoutStatus.FAILED, by=by, reason=reason)
    payout.failure_reason = reason
    payout.save(update_fields=["status", "failure_reason", "updated_at"])
    notify(
        recipients=User.objects.filter(pk=payout.contractor.user_id),
        kind=NotificationKind.PAYOUT_FAILED,
        title=f"Payment failed: {_amount(payout)} for {payout.period}",
        body=(
            f"Paying {_amount(payout)} for the week of {payout.period} failed: {reason} "
            "Check your payout details; the payment will be retried."
        ),
        link=_earnings_link(payout),
        topic=f"payout:{payout.pk}",
    )
    return payout


@transaction.atomic
def payout_retry(*, payout: Payout, by: User) -> Payout:
    """Put a failed payout back in the queue to pay (after the details were fixed)."""
    payout = _lock(payout)
    _move(payout, PayoutStatus.APPROVED, by=by, reason=f"Retry after: {payout.failure_reason}")
    payout.failure_reason = ""
    payout.save(update_fields=["status", "failure_reason", "updated_at"])
    return payout


@transaction.atomic
def payout_cancel(*, payout: Payout, by: User, reason: str) -> Payout:
    """Cancel a draft; its entries become payable again and go into the next generation.

    The lines are removed (an entry may be in one line only); the cancelled
    payout and its history stay. Its adjustments stay with it and are not
    carried over.
    """
    reason = _required(reason, "reason", "Say why the payout is cancelled.")
    payout = _lock(payout)
    _move(payout, PayoutStatus.CANCELLED, by=by, reason=reason)
    payout.lines.all().delete()
    payout.minutes, payout.gross_minor = 0, 0
    payout.net_minor = payout.adjustments_minor
    payout.save(update_fields=["status", "minutes", "gross_minor", "net_minor", "updated_at"])
    return payout


@dataclass(frozen=True)
class AdjustmentDetails:
    kind: str
    amount_minor: int
    reason: str

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.kind not in AdjustmentKind.values:
            errors["kind"] = ["Choose bonus, correction or deduction."]
        elif self.kind == AdjustmentKind.BONUS and self.amount_minor <= 0:
            errors["amount"] = ["A bonus adds money: enter a positive amount."]
        elif self.kind == AdjustmentKind.DEDUCTION and self.amount_minor >= 0:
            errors["amount"] = ["A deduction takes money: enter a negative amount."]
        elif self.amount_minor == 0:
            errors["amount"] = ["A correction of zero changes nothing."]
        if not self.reason.strip():
            errors["reason"] = ["Give the reason; the contractor reads it."]
        if errors:
            raise ValidationError(errors)


@transaction.atomic
def payout_adjust(*, payout: Payout, by: User, details: AdjustmentDetails) -> Adjustment:
    """Add a bonus, correction or deduction to a draft; the net may not go below zero."""
    details.clean()
    payout = _lock(payout)
    if payout.status != PayoutStatus.DRAFT:
        raise ValidationError(
            f"{payout} is {payout.get_status_display().lower()}; only drafts can be adjusted."
        )
    if payout.net_minor + details.amount_minor < 0:
        raise ValidationError(
            {"amount": [f"That would take {payout} below zero (it comes to {_amount(payout)})."]}
        )
    adjustment = Adjustment.objects.create(
        payout=payout,
        kind=details.kind,
        amount_minor=details.amount_minor,
        reason=details.reason.strip(),
        created_by=by,
    )
    total = payout.adjustments.aggregate(total=Sum("amount_minor"))["total"]
    payout.adjustments_minor = total
    payout.net_minor = payout.gross_minor + total
    payout.updated_at = timezone.now()
    payout.save(update_fields=["adjustments_minor", "net_minor", "updated_at"])
    return adjustment


@dataclass(frozen=True)
class Payment:
    """One line of a provider's report: which payout, its reference, the day it was paid."""

    payout_id: int
    reference: str
    paid_on: date


def payouts_mark_paid_many(*, payments: list[Payment], by: User) -> tuple[list[Payout], dict]:
    """Mark each reported payment, each in its own transaction.

    Returns the payouts marked paid and, by payout id, the messages of those
    refused (unknown, not approved, already paid), which the others don't wait on.
    """
    payouts = Payout.objects.in_bulk([payment.payout_id for payment in payments])
    paid: list[Payout] = []
    refused: dict[int, list[str]] = {}
    for payment in payments:
        payout = payouts.get(payment.payout_id)
        if payout is None:
            refused[payment.payout_id] = ["No such payout."]
            continue
        try:
            paid.append(
                payout_mark_paid(
                    payout=payout, by=by, reference=payment.reference, paid_on=payment.paid_on
                )
            )
        except ValidationError as exc:
            refused[payment.payout_id] = exc.messages
    return paid, refused


def _amount(payout: Payout) -> str:
    return format_money(payout.net_minor, payout.currency)


def _earnings_link(payout: Payout) -> str:
    period = payout.period.start_on.isoformat()
    return f"{reverse('payments:earnings')}?period={period}#payout-{payout.pk}"
