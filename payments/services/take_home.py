"""Recording what paying a payout cost and brought, and judging it against the floor.

When a payout is marked paid, the provider's report may give the fee, the
exchange rate and the amount received (``Receipt``). They are checked against
the payout, stored on it with the fees policy in force, and the hourly pay
after costs is judged then and kept (``payments.take_home``). A payout below
the floor after costs is flagged to the managers who pay; where fees are
deducted, the difference is owed by rule as a fee top-up on the next draft
(at the next payout generation when no draft can take it at once).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import staff_with_permission
from payments.models import FeePolicy, Payout
from payments.services.owed import fee_top_up_attach
from payments.take_home import Received, TakeHome, book_for, floor_top_ups_of, take_home_of
from portal.models import NotificationKind
from portal.money import decimal_to_minor, format_money
from portal.notifications import Notice, notify

TAKE_HOME_FIELDS = [
    "fee_policy",
    "fee_minor",
    "exchange_rate",
    "received_minor",
    "received_currency",
    "effective_hourly_minor",
    "floor_hourly_minor",
]


@dataclass(frozen=True)
class Receipt:
    """What a provider's report says a payment cost and brought, as written (major units).

    Every part is optional. The fee is in the payout's currency; the rate turns the
    payout's currency into the received one; the received currency defaults to the
    contractor's payout currency.
    """

    fee: Decimal | None = None
    fee_currency: str = ""
    exchange_rate: Decimal | None = None
    received: Decimal | None = None
    received_currency: str = ""


def _minor(amount: Decimal, currency: str, field: str) -> int:
    try:
        return decimal_to_minor(amount, currency)
    except ValueError as exc:
        raise ValidationError({field: [str(exc)]}) from None


def receipt_check(payout: Payout, receipt: Receipt, *, policy: str) -> Received:
    """The receipt in minor units, or a ``ValidationError`` naming what does not fit
    ``payout``. ``payout.contractor`` is read."""
    fee_minor = None
    if receipt.fee is not None:
        if receipt.fee_currency and receipt.fee_currency != payout.currency:
            message = _(
                "The fee is in %(given)s; it is recorded in the payout's currency, %(currency)s."
            )
            raise ValidationError(
                {"fee": [message % {"given": receipt.fee_currency, "currency": payout.currency}]}
            )
        fee_minor = _minor(receipt.fee, payout.currency, "fee")
        if fee_minor < 0:
            raise ValidationError({"fee": [_("A fee can't be negative.")]})
        if policy == FeePolicy.DEDUCTED and fee_minor > payout.net_minor:
            message = _("The fee (%(fee)s) is more than the payout (%(amount)s).") % {
                "fee": format_money(fee_minor, payout.currency),
                "amount": format_money(payout.net_minor, payout.currency),
            }
            raise ValidationError({"fee": [message]})
    currency = receipt.received_currency or payout.contractor.payout_currency or payout.currency
    rate = receipt.exchange_rate
    if rate is not None and rate <= 0:
        raise ValidationError({"exchange_rate": [_("An exchange rate is more than zero.")]})
    if rate is not None and currency == payout.currency and rate != 1:
        message = _("Nothing is exchanged from %(currency)s to %(currency)s: the rate is 1.")
        raise ValidationError({"exchange_rate": [message % {"currency": currency}]})
    received_minor = None
    if receipt.received is not None:
        received_minor = _minor(receipt.received, currency, "received_amount")
        if received_minor < 0:
            raise ValidationError({"received_amount": [_("A received amount can't be negative.")]})
    return Received(
        fee_minor=fee_minor, exchange_rate=rate, received_minor=received_minor, currency=currency
    )


def payout_take_home_record(*, payout: Payout, receipt: Receipt | None, by: User) -> TakeHome:
    """Store what paying ``payout`` cost and brought, and judge it against the floor.

    Called by ``payout_mark_paid`` inside its transaction, with the payout locked and
    paid (``contractor`` and ``period`` selected). A payout below the floor after
    costs is flagged to the managers who pay; with fees deducted it is topped up.
    """
    policy = settings.PAYOUT_FEES_POLICY
    received = receipt_check(payout, receipt or Receipt(), policy=policy)
    assert payout.paid_on is not None  # set by marking it paid.
    topped_up = floor_top_ups_of([payout]).get(payout.pk, 0)
    found = take_home_of(
        payout,
        policy=policy,
        received=received,
        book=book_for([payout], today=payout.paid_on),
        on=payout.paid_on,
        floor_top_ups_minor=topped_up,
    )
    payout.fee_policy, payout.fee_minor = policy, received.fee_minor
    # The table's estimate is not the provider's figure: only the currency it was judged
    # in is kept, so the page estimates it the same way again.
    payout.exchange_rate = None if found.estimated else found.exchange_rate
    payout.received_minor = None if found.estimated else found.received_minor
    payout.received_currency = found.currency if found.exchanged or not found.estimated else ""
    payout.effective_hourly_minor = found.effective_hourly_minor
    payout.floor_hourly_minor = found.floor_hourly_minor
    payout.save(update_fields=TAKE_HOME_FIELDS)
    if found.below_floor:
        top_up = fee_top_up_attach(payout=payout, by=by) if policy == FeePolicy.DEDUCTED else None
        # Owed but with no draft to take it (another payout of theirs for the week is
        # approved or failed): it stays owed, and the next payout generation adds it.
        waiting = top_up is None and policy == FeePolicy.DEDUCTED and found.shortfall_minor() > 0
        _tell_managers(payout, found, topped_up=top_up is not None, waiting=waiting)
    return found


def _tell_managers(payout: Payout, found: TakeHome, *, topped_up: bool, waiting: bool) -> None:
    assert found.effective_hourly_minor is not None and found.floor_hourly_minor is not None
    effective, floor = found.effective_hourly_minor, found.floor_hourly_minor

    def notice() -> Notice:
        values = {
            "payout": str(payout),
            "name": payout.contractor.legal_name,
            "hourly": format_money(effective, found.currency),
            "floor": format_money(floor, found.currency),
        }
        if topped_up:
            body = _(
                "%(name)s took home %(hourly)s an hour from %(payout)s after fees and "
                "exchange, below the floor of %(floor)s. A fee top-up for the difference "
                "was added to their next payout."
            )
        elif waiting:
            body = _(
                "%(name)s took home %(hourly)s an hour from %(payout)s after fees and "
                "exchange, below the floor of %(floor)s. A fee top-up for the difference is "
                "owed, but no draft payout can take it yet: another payout of theirs for "
                "that week is approved or failed. The next payout generation adds it."
            )
        else:
            body = _(
                "%(name)s took home %(hourly)s an hour from %(payout)s after fees and "
                "exchange, below the floor of %(floor)s. Nothing was added: check the "
                "exchange rate and the payout method."
            )
        return Notice(
            title=_("%(payout)s was paid below the floor after costs") % values,
            body=body % values,
        )

    notify(
        recipients=staff_with_permission("payments.pay_payout"),
        kind=NotificationKind.PAYOUT_BELOW_FLOOR,
        notice=notice,
        link=reverse("admin:payments_payout_change", args=[payout.pk]),
        topic=f"payout-below-floor:{payout.pk}",
    )
