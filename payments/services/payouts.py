"""A payout's life after generation: approve, pay or fail, retry, cancel, adjust.

Every change locks the payout's period and then the payout (always in that
order, so two changes can't deadlock), checks the transition against the
payout's ``TRANSITIONS`` and records it in ``PayoutStatusChange`` in the same
transaction. Two managers clicking at once produce one change; the second
is told what happened.
"""

from dataclasses import dataclass
from datetime import date
from typing import cast

from babel.lists import format_list
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import PayoutDetails, User
from payments.models import (
    OWED_BY_RULE_KINDS,
    Adjustment,
    AdjustmentKind,
    Payout,
    PayoutStatus,
    PayoutStatusChange,
)
from payments.services.owed import late_compensation_attach
from payments.services.take_home import Receipt, payout_take_home_record
from portal.dates import babel_locale, format_day
from portal.models import NotificationKind
from portal.money import format_money
from portal.notifications import Notice, notify
from portal.typed_text import writer_language
from projects.models import PayPeriod

# The reference is a CharField, so its limit is set; get_field() is typed for any field.
REFERENCE_MAX_LENGTH = cast(int, Payout._meta.get_field("reference").max_length)


def _refusal(payout: Payout, to: str) -> str:
    """Why ``payout`` can't move to ``to``: one whole sentence for each case, so each
    language words the status its own way."""
    draft, approved, paid = PayoutStatus.DRAFT, PayoutStatus.APPROVED, PayoutStatus.PAID
    failed, cancelled = PayoutStatus.FAILED, PayoutStatus.CANCELLED
    sentences: dict[tuple[str, str], str] = {
        (approved, approved): _("%(payout)s is already approved."),
        (paid, paid): _("%(payout)s is already paid."),
        (failed, failed): _("%(payout)s is already failed."),
        (cancelled, cancelled): _("%(payout)s is already cancelled."),
        (paid, approved): _("%(payout)s is paid; it can't be approved."),
        (cancelled, approved): _("%(payout)s is cancelled; it can't be approved."),
        (draft, paid): _("%(payout)s is draft; it can't be marked paid."),
        (failed, paid): _("%(payout)s is failed; it can't be marked paid."),
        (cancelled, paid): _("%(payout)s is cancelled; it can't be marked paid."),
        (draft, failed): _("%(payout)s is draft; it can't be marked failed."),
        (paid, failed): _("%(payout)s is paid; it can't be marked failed."),
        (cancelled, failed): _("%(payout)s is cancelled; it can't be marked failed."),
        (approved, cancelled): _("%(payout)s is approved; it can't be cancelled."),
        (paid, cancelled): _("%(payout)s is paid; it can't be cancelled."),
        (failed, cancelled): _("%(payout)s is failed; it can't be cancelled."),
    }
    sentence = sentences.get((payout.status, to))
    if sentence is None:
        return _("%(payout)s can't go from “%(from)s” to “%(to)s”.") % {
            "payout": payout,
            "from": payout.get_status_display(),
            "to": PayoutStatus(to).label,
        }
    return sentence % {"payout": payout}


def _not_adjustable(payout: Payout) -> str:
    """Why a payout that is no longer a draft can't be adjusted."""
    sentences: dict[str, str] = {
        PayoutStatus.APPROVED: _("%(payout)s is approved; only drafts can be adjusted."),
        PayoutStatus.PAID: _("%(payout)s is paid; only drafts can be adjusted."),
        PayoutStatus.FAILED: _("%(payout)s is failed; only drafts can be adjusted."),
        PayoutStatus.CANCELLED: _("%(payout)s is cancelled; only drafts can be adjusted."),
    }
    sentence = sentences.get(payout.status) or _(
        "%(payout)s is “%(status)s”; only drafts can be adjusted."
    )
    return sentence % {"payout": payout, "status": payout.get_status_display()}


FROZEN_FIELDS = [
    "approved_to_method",
    "approved_to_holder",
    "approved_to_account",
    "approved_to_identifier",
]


def _freeze_destination(payout: Payout) -> None:
    """Copy where the contractor's payout details send money now onto the payout, the whole
    account (encrypted) with its masked copy; the caller saves ``FROZEN_FIELDS``.
    Changing the details afterwards leaves it alone."""
    details = PayoutDetails.objects.filter(profile_id=payout.contractor_id).first()
    if details is None:
        payout.approved_to_method = payout.approved_to_holder = ""
        payout.approved_to_account = payout.approved_to_identifier = ""
        return
    payout.approved_to_method = details.method
    payout.approved_to_holder = details.account_holder
    payout.approved_to_account = details.account_masked
    payout.approved_to_identifier = details.account_identifier


def _freeze_if_unfrozen(payout: Payout) -> None:
    """Freeze a payout approved before freezing existed: all of it when nothing was frozen;
    only the whole account when the method and masked account frozen then still match
    the details (otherwise what was frozen stands, and the admin shows the change)."""
    if not payout.approved_to_method:
        _freeze_destination(payout)
        return
    if payout.approved_to_identifier:
        return
    details = PayoutDetails.objects.filter(profile_id=payout.contractor_id).first()
    if details is not None and (details.method, details.account_masked) == (
        payout.approved_to_method,
        payout.approved_to_account,
    ):
        payout.approved_to_identifier = details.account_identifier


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
        raise ValidationError(_refusal(payout, to))
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
        raise ValidationError(
            _("%(payout)s comes to %(amount)s; there is nothing to pay."),
            params={"payout": str(payout), "amount": _amount(payout)},
        )
    _move(payout, PayoutStatus.APPROVED, by=by)
    payout.approved_at, payout.approved_by = payout.updated_at, by
    _freeze_destination(payout)
    payout.save(
        update_fields=["status", "approved_at", "approved_by", *FROZEN_FIELDS, "updated_at"]
    )
    return payout


@transaction.atomic
def payout_mark_paid(
    *, payout: Payout, by: User, reference: str, paid_on: date, receipt: Receipt | None = None
) -> Payout:
    """Record that the provider paid an approved payout, and tell the contractor.

    ``receipt`` is what the provider says it cost and brought (fee, exchange, amount
    received); the pay after those costs is judged against the floor then.
    """
    reference = _required(reference, "reference", _("Enter the payment provider's reference."))
    if len(reference) > REFERENCE_MAX_LENGTH:
        message = ngettext(
            "A reference has at most %(count)d character.",
            "A reference has at most %(count)d characters.",
            REFERENCE_MAX_LENGTH,
        ) % {"count": REFERENCE_MAX_LENGTH}
        raise ValidationError({"reference": [message]})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": [_("The payment date can't be in the future.")]})
    payout = _lock(payout)
    _move(payout, PayoutStatus.PAID, by=by, reference=reference)
    payout.reference, payout.paid_on, payout.paid_at = reference, paid_on, payout.updated_at
    # Paid where it was frozen at approval, whatever the details say now. A payout approved
    # before its destination was frozen is frozen now, from the details it is being paid
    # to, so the record says where it went rather than nothing.
    _freeze_if_unfrozen(payout)
    payout.paid_to_method = payout.approved_to_method
    payout.paid_to_account = payout.approved_to_account
    payout.save(
        update_fields=[
            "status",
            "reference",
            "paid_on",
            "paid_at",
            "paid_to_method",
            "paid_to_account",
            *FROZEN_FIELDS,
            "updated_at",
        ]
    )
    notify(
        recipients=User.objects.filter(pk=payout.contractor.user_id),
        kind=NotificationKind.PAYOUT_PAID,
        notice=lambda: Notice(
            title=_("Paid: %(amount)s for the week of %(week)s") % _payout_words(payout),
            body=_(
                "%(amount)s for your work in the week of %(week)s was paid on %(day)s "
                "(reference %(reference)s). It can take a few days to arrive."
            )
            % {**_payout_words(payout), "day": format_day(paid_on), "reference": reference},
        ),
        link=_earnings_link(payout),
        topic=f"payout:{payout.pk}",
    )
    late_compensation_attach(payout=payout, by=by)
    payout_take_home_record(payout=payout, receipt=receipt, by=by)
    return payout


@transaction.atomic
def payout_mark_failed(*, payout: Payout, by: User, reason: str) -> Payout:
    """Record that paying an approved payout failed, and tell the contractor why."""
    reason = _required(reason, "reason", _("Say why the payment failed; the contractor reads it."))
    payout = _lock(payout)
    _move(payout, PayoutStatus.FAILED, by=by, reason=reason)
    payout.failure_reason, payout.written_in = reason, writer_language()
    payout.save(update_fields=["status", "failure_reason", "written_in", "updated_at"])
    notify(
        recipients=User.objects.filter(pk=payout.contractor.user_id),
        kind=NotificationKind.PAYOUT_FAILED,
        notice=lambda: Notice(
            title=_("Payment failed: %(amount)s for the week of %(week)s") % _payout_words(payout),
            body=_(
                "Paying %(amount)s for the week of %(week)s failed: %(reason)s "
                "Check your payout details; the payment will be retried."
            )
            % {**_payout_words(payout), "reason": reason},
        ),
        link=_earnings_link(payout),
        topic=f"payout:{payout.pk}",
    )
    return payout


@transaction.atomic
def payout_retry(*, payout: Payout, by: User) -> Payout:
    """Put a failed payout back in the queue to pay (after the details were fixed).

    Approving it again freezes the contractor's details as they are now: a
    failed payment is usually fixed by correcting them.
    """
    payout = _lock(payout)
    # The history keeps this note in the language of whoever retried.
    note = _("Retry after: %(reason)s") % {"reason": payout.failure_reason}
    _move(payout, PayoutStatus.APPROVED, by=by, reason=note)
    payout.failure_reason, payout.written_in = "", ""
    _freeze_destination(payout)
    payout.save(
        update_fields=["status", "failure_reason", "written_in", *FROZEN_FIELDS, "updated_at"]
    )
    return payout


@transaction.atomic
def payout_cancel(*, payout: Payout, by: User, reason: str) -> Payout:
    """Cancel a draft; its entries become payable again and go into the next generation.

    The lines are removed (an entry may be in one line only); the cancelled
    payout and its history stay. Its adjustments stay with it and are not
    carried over.
    """
    reason = _required(reason, "reason", _("Say why the payout is cancelled."))
    payout = _lock(payout)
    if payout.adjustments.filter(kind__in=OWED_BY_RULE_KINDS).exists():
        # Cancelling would drop money owed by rule, which nobody may take away.
        raise ValidationError(
            _(
                "%(payout)s carries late-payment compensation or standby pay, which can't "
                "be removed; approve and pay it."
            )
            % {"payout": payout}
        )
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
        computed = (*OWED_BY_RULE_KINDS, AdjustmentKind.FLOOR_TOP_UP)
        if self.kind not in AdjustmentKind.values or self.kind in computed:
            errors["kind"] = [_("Choose a bonus, a correction, a deduction or back pay.")]
        elif self.kind == AdjustmentKind.BONUS and self.amount_minor <= 0:
            errors["amount"] = [_("A bonus adds money: enter a positive amount.")]
        elif self.kind == AdjustmentKind.BACK_PAY and self.amount_minor <= 0:
            errors["amount"] = [_("Back pay adds money: enter a positive amount.")]
        elif self.kind == AdjustmentKind.DEDUCTION and self.amount_minor >= 0:
            errors["amount"] = [_("A deduction takes money: enter a negative amount.")]
        elif self.amount_minor == 0:
            errors["amount"] = [_("A correction of zero changes nothing.")]
        if not self.reason.strip():
            errors["reason"] = [_("Give the reason; the contractor reads it.")]
        if errors:
            raise ValidationError(errors)


@transaction.atomic
def payout_adjust(*, payout: Payout, by: User, details: AdjustmentDetails) -> Adjustment:
    """Add a bonus, correction or deduction to a draft; the net may not go below zero."""
    details.clean()
    payout = _lock(payout)
    if payout.status != PayoutStatus.DRAFT:
        raise ValidationError(_not_adjustable(payout))
    if payout.net_minor + details.amount_minor < 0:
        message = _("That would take %(payout)s below zero (it comes to %(amount)s).") % {
            "payout": payout,
            "amount": _amount(payout),
        }
        raise ValidationError({"amount": [message]})
    adjustment = Adjustment.objects.create(
        payout=payout,
        kind=details.kind,
        amount_minor=details.amount_minor,
        reason=details.reason.strip(),
        written_in=writer_language(),
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
    """One line of a provider's report: which payout, its reference, the day it was paid,
    the report's line it came from (0 when it came from no file), and what the payment
    cost and brought where the report says."""

    payout_id: int
    reference: str
    paid_on: date
    line: int = 0
    receipt: Receipt | None = None


def payouts_mark_paid_many(
    *, payments: list[Payment], by: User
) -> tuple[list[Payout], dict[int, list[str]]]:
    """Mark each reported payment, each in its own transaction.

    Returns the payouts marked paid and, by payout id, the messages of those
    refused (unknown, not approved, already paid), which the others don't wait on.
    A report naming one payout under two references is refused whole, before
    anything is marked: the provider may have paid it twice.
    """
    _refuse_conflicting_references(payments)
    payouts = Payout.objects.in_bulk([payment.payout_id for payment in payments])
    paid: list[Payout] = []
    refused: dict[int, list[str]] = {}
    for payment in payments:
        payout = payouts.get(payment.payout_id)
        if payout is None:
            refused[payment.payout_id] = [_("No such payout.")]
            continue
        try:
            paid.append(
                payout_mark_paid(
                    payout=payout,
                    by=by,
                    reference=payment.reference,
                    paid_on=payment.paid_on,
                    receipt=payment.receipt,
                )
            )
        except ValidationError as exc:
            refused[payment.payout_id] = exc.messages
    return paid, refused


def _listed(items: list[str]) -> str:
    return format_list(items, locale=babel_locale())


def _refuse_conflicting_references(payments: list[Payment]) -> None:
    by_payout: dict[int, list[Payment]] = {}
    for payment in payments:
        by_payout.setdefault(payment.payout_id, []).append(payment)
    problems = []
    for payout_id, reported in by_payout.items():
        if len({payment.reference for payment in reported}) < 2:
            continue
        problems.append(
            _(
                "Payout #%(pk)s appears on lines %(lines)s with different references "
                "(%(references)s); the provider may have paid it twice."
            )
            % {
                "pk": payout_id,
                "lines": _listed([str(payment.line) for payment in reported]),
                "references": _listed([payment.reference for payment in reported]),
            }
        )
    if problems:
        problems.append(_("Nothing in this report was marked paid; check it with the provider."))
        raise ValidationError(problems, code="conflicting_references")


def _amount(payout: Payout) -> str:
    return format_money(payout.net_minor, payout.currency)


def _payout_words(payout: Payout) -> dict[str, str]:
    return {"amount": _amount(payout), "week": format_day(payout.period.start_on)}


def _earnings_link(payout: Payout) -> str:
    period = payout.period.start_on.isoformat()
    return f"{reverse('payments:earnings')}?period={period}#payout-{payout.pk}"
