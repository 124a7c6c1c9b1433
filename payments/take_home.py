"""What a contractor takes home from a payout: fees, exchange, and the pay per hour after both.

A payout is computed in the currency of the work. Sending it costs the payout
provider's fee, in that same currency, which the vendor pays on top
(``absorbed``) or takes from what is sent (``deducted``), as
``settings.PAYOUT_FEES_POLICY`` says; the money is then exchanged into the
currency the contractor chose to be paid in.

The hourly pay after costs is the pay for the hours only: the payout's lines
and its floor top-ups, less the fee when fees are deducted, exchanged at the
rate applied, divided by the hours paid. Other adjustments (a bonus, a
deduction, a correction, back pay, standby pay, late-payment compensation) are
part of what arrives but not of the pay for the hours: a deduction is not
paid back as a fee top-up, and a bonus does not hide a shortfall. It is judged
against the wage floor in force at the end of the payout's week where the
contractor lives, converted into the same currency.

Once a payout is paid, the provider's figures are on it and the judgement made
then is kept. Before, and where the provider's report gave no figures, the
exchange is estimated from the vendor's rate table.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_CEILING, Decimal

from babel.numbers import format_decimal
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from payments.models import Adjustment, AdjustmentKind, FeePolicy, Payout, PayoutStatus
from portal.dates import babel_locale
from portal.money import MINUTES_PER_HOUR, decimal_in_minor, line_amount, minor_to_decimal
from projects.selectors.floors import FloorBook

# Rates derived from two amounts keep this many decimals (the column's scale).
RATE_PLACES = Decimal("1E-12")


@dataclass(frozen=True)
class TakeHome:
    """A payout's way from what it comes to, to what arrives, and that per hour paid."""

    payout_currency: str
    amount_minor: int
    policy: str
    # In the payout's currency; None while unknown (not paid, or not reported).
    fee_minor: int | None
    sent_minor: int
    # What it arrives in, and the rate from the payout's currency (None when not exchanged).
    currency: str
    exchange_rate: Decimal | None
    received_minor: int
    # The provider's figures (False) or the vendor's table and what is known so far (True).
    estimated: bool
    # The contractor's payout currency, when no rate reaches it and the figures stay in
    # the payout's currency.
    unreachable_currency: str
    minutes: int
    # What the hours are paid, in the payout's currency: its lines and floor top-ups.
    hours_pay_minor: int
    # The pay for the hours (lines and floor top-ups, less a deducted fee) as it arrives,
    # in ``currency``; None when no rate says what it came to.
    hours_received_minor: int | None
    effective_hourly_minor: int | None
    floor_hourly_minor: int | None

    @property
    def fees_absorbed(self) -> bool:
        return self.policy == FeePolicy.ABSORBED

    @property
    def fees_deducted(self) -> bool:
        return self.policy == FeePolicy.DEDUCTED and bool(self.fee_minor)

    @property
    def exchanged(self) -> bool:
        return self.currency != self.payout_currency

    @property
    def other_adjustments(self) -> bool:
        """Whether adjustments beside the floor top-ups (a bonus, a deduction, …) change the
        payout: they arrive with it but are not counted in the pay per hour."""
        return self.amount_minor != self.hours_pay_minor

    @property
    def rate_text(self) -> str:
        """The rate in the reader's locale, every decimal it has (``16,850.2``)."""
        if self.exchange_rate is None:
            return ""
        return format_decimal(self.exchange_rate.normalize(), locale=babel_locale())

    @property
    def below_floor(self) -> bool:
        if self.effective_hourly_minor is None or self.floor_hourly_minor is None:
            return False
        return self.effective_hourly_minor < self.floor_hourly_minor

    def shortfall_minor(self) -> int:
        """What would bring the pay after costs up to the floor, in the payout's currency.

        The floor's worth of the hours, less what arrived of the pay for them, converted
        back at the rate applied and rounded up: a top-up never leaves the pay a fraction
        short. Other adjustments neither add to it nor take from it.
        """
        if (
            not self.below_floor
            or self.floor_hourly_minor is None
            or self.hours_received_minor is None
        ):
            return 0
        short = line_amount(self.minutes, self.floor_hourly_minor) - self.hours_received_minor
        if short <= 0:
            return 0
        if not self.exchanged or self.exchange_rate is None:
            return short
        in_payout = minor_to_decimal(short, self.currency) / self.exchange_rate
        return decimal_in_minor(in_payout, self.payout_currency, ROUND_CEILING)


def hourly_after_costs(received_minor: int, minutes: int) -> int | None:
    """What arrived per hour paid, rounded down: never shown as more than arrived."""
    if minutes <= 0:
        return None
    return received_minor * MINUTES_PER_HOUR // minutes


def sent_amount(net_minor: int, *, policy: str, fee_minor: int | None) -> int:
    """What leaves for the contractor: the net, less the fee when fees are deducted."""
    if policy == FeePolicy.DEDUCTED and fee_minor:
        return net_minor - fee_minor
    return net_minor


def derived_rate(
    sent_minor: int, sent_currency: str, received_minor: int, currency: str
) -> Decimal:
    """The rate two amounts imply: how many ``currency`` one ``sent_currency`` bought."""
    sent = minor_to_decimal(sent_minor, sent_currency)
    received = minor_to_decimal(received_minor, currency)
    return (received / sent).quantize(RATE_PLACES)


@dataclass(frozen=True)
class Received:
    """What the provider reported about a payment, in minor units; each part optional."""

    fee_minor: int | None = None
    exchange_rate: Decimal | None = None
    received_minor: int | None = None
    currency: str = ""


def take_home_of(
    payout: Payout,
    *,
    policy: str,
    received: Received,
    book: FloorBook,
    on: date,
    floor_top_ups_minor: int,
) -> TakeHome:
    """The way from ``payout`` to what arrives, with the provider's figures where given and
    the vendor's rate table on ``on`` for the rest; the floor in force for its week.

    ``floor_top_ups_minor`` is the sum of its floor top-ups (``floor_top_ups_of``).
    ``payout.contractor`` and ``payout.period`` are read: select them with it.
    """
    wanted = received.currency or payout.contractor.payout_currency or payout.currency
    sent = sent_amount(payout.net_minor, policy=policy, fee_minor=received.fee_minor)
    currency, rate, arrived, estimated = _exchange(payout, sent, wanted, received, book, on)
    for_hours = _exchanged(
        sent_amount(
            payout.gross_minor + floor_top_ups_minor, policy=policy, fee_minor=received.fee_minor
        ),
        payout.currency,
        currency,
        rate,
    )
    effective = None if for_hours is None else hourly_after_costs(for_hours, payout.minutes)
    floor = None
    if effective is not None:
        contractor = payout.contractor
        try:
            in_force = book.floor_for(
                country=str(contractor.country),
                subdivision=contractor.subdivision,
                on=payout.period.end_on,
                currency=currency,
            )
        except ValidationError:
            # No exchange rate reaches the floor's currency: it can't be judged here.
            in_force = None
        floor = None if in_force is None else in_force.hourly_minor
    return TakeHome(
        payout_currency=payout.currency,
        amount_minor=payout.net_minor,
        policy=policy,
        fee_minor=received.fee_minor,
        sent_minor=sent,
        currency=currency,
        exchange_rate=rate,
        received_minor=arrived,
        estimated=estimated or payout.status != PayoutStatus.PAID,
        unreachable_currency="" if currency == wanted else wanted,
        minutes=payout.minutes,
        hours_pay_minor=payout.gross_minor + floor_top_ups_minor,
        hours_received_minor=for_hours,
        effective_hourly_minor=effective,
        floor_hourly_minor=floor,
    )


def _exchanged(minor: int, from_currency: str, currency: str, rate: Decimal | None) -> int | None:
    """``minor`` of ``from_currency`` at ``rate`` into ``currency``, rounded as the rest."""
    if currency == from_currency:
        return minor
    if rate is None:
        return None
    return decimal_in_minor(minor_to_decimal(minor, from_currency) * rate, currency)


def _exchange(
    payout: Payout, sent: int, wanted: str, received: Received, book: FloorBook, on: date
) -> tuple[str, Decimal | None, int, bool]:
    """(currency, rate, amount arrived, estimated) for ``sent`` going out in ``wanted``."""
    if received.received_minor is not None:
        rate = received.exchange_rate
        if rate is None and wanted != payout.currency and sent > 0:
            rate = derived_rate(sent, payout.currency, received.received_minor, wanted)
        return wanted, rate, received.received_minor, False
    if wanted == payout.currency:
        return wanted, None, sent, False
    if received.exchange_rate is not None:
        amount = minor_to_decimal(sent, payout.currency) * received.exchange_rate
        return wanted, received.exchange_rate, decimal_in_minor(amount, wanted), False
    try:
        rate = book.rates.rate(payout.currency, wanted, on=on)
    except ValidationError:
        return payout.currency, None, sent, True
    amount = minor_to_decimal(sent, payout.currency) * rate
    return wanted, rate, decimal_in_minor(amount, wanted), True


def recorded(payout: Payout) -> Received:
    """The provider's figures stored on a paid payout."""
    return Received(
        fee_minor=payout.fee_minor,
        exchange_rate=payout.exchange_rate,
        received_minor=payout.received_minor,
        currency=payout.received_currency,
    )


def payout_policy(payout: Payout) -> str:
    """The fees policy of a paid payout as it was then; today's for the others."""
    return payout.fee_policy or settings.PAYOUT_FEES_POLICY


def with_floor_top_ups(payouts: QuerySet[Payout]) -> QuerySet[Payout]:
    """``payouts`` with their floor top-ups summed in the same query (``floor_top_minor``),
    so that ``take_home_attach`` needs no query of its own for them."""
    summed = (
        Adjustment.objects.filter(payout=OuterRef("pk"), kind=AdjustmentKind.FLOOR_TOP_UP)
        .order_by()
        .values("payout")
        .annotate(total=Sum("amount_minor"))
        .values("total")
    )
    return payouts.annotate(floor_top_minor=Coalesce(Subquery(summed), 0))


def floor_top_ups_of(payouts: list[Payout]) -> dict[int, int]:
    """Each payout's floor top-ups summed, by payout: annotated by ``with_floor_top_ups`` or
    from its prefetched adjustments when they came with it, else one query for them all."""
    totals: dict[int, int] = {}
    asked = []
    for payout in payouts:
        annotated = getattr(payout, "floor_top_minor", None)
        if annotated is not None:
            totals[payout.pk] = annotated
            continue
        cached = getattr(payout, "_prefetched_objects_cache", {}).get("adjustments")
        if cached is None:
            asked.append(payout.pk)
            continue
        totals[payout.pk] = sum(
            one.amount_minor for one in cached if one.kind == AdjustmentKind.FLOOR_TOP_UP
        )
    if asked:
        rows = (
            Adjustment.objects.filter(payout_id__in=asked, kind=AdjustmentKind.FLOOR_TOP_UP)
            .values("payout_id")
            .annotate(total=Sum("amount_minor"))
            .values_list("payout_id", "total")
            .order_by()
        )
        totals.update(rows)
    return totals


def book_for(payouts: list[Payout], *, today: date) -> FloorBook:
    """The floors and rates ``payouts`` can need: where their contractors live, the
    currencies they are paid and received in, and the days they are judged on."""
    currencies: set[str] = set()
    days: set[date] = set()
    places: set[tuple[str, str]] = set()
    for payout in payouts:
        contractor = payout.contractor
        places.add((str(contractor.country or ""), contractor.subdivision or ""))
        currencies.update(
            code
            for code in (payout.currency, contractor.payout_currency, payout.received_currency)
            if code
        )
        days.update((payout.paid_on or today, payout.period.end_on))
    return FloorBook.load_for(places=places, currencies=currencies, days=days)


def take_home_attach(payouts: Iterable[Payout], *, today: date) -> list[Payout]:
    """Give each payout its ``take_home``: at most three queries (floors, rates, and floor
    top-ups unless adjustments were prefetched) for any number.

    A paid payout keeps the judgement made when it was paid; the others are
    estimated with today's rates.
    """
    listed = list(payouts)
    if not listed:
        return listed
    book = book_for(listed, today=today)
    topped_up = floor_top_ups_of(listed)
    for payout in listed:
        on = payout.paid_on or today
        found = take_home_of(
            payout,
            policy=payout_policy(payout),
            received=recorded(payout),
            book=book,
            on=on,
            floor_top_ups_minor=topped_up.get(payout.pk, 0),
        )
        if payout.status == PayoutStatus.PAID and payout.effective_hourly_minor is not None:
            found = _as_judged(found, payout)
        payout.take_home = found  # type: ignore[attr-defined]
    return listed


def _as_judged(found: TakeHome, payout: Payout) -> TakeHome:
    """The figures judged when ``payout`` was paid, in the currency they were judged in."""
    if found.currency != payout.take_home_currency:
        return found
    return replace(
        found,
        effective_hourly_minor=payout.effective_hourly_minor,
        floor_hourly_minor=payout.floor_hourly_minor,
    )
