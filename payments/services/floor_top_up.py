"""Nobody is paid below the floor: draft payouts get a floor top-up for hours priced under it.

A rate is checked against the floor when it is set, but a floor can rise
afterwards (a new row from a future date), and an exception can end. So
payout generation compares each line with the floor in force on its work
day, where the contractor lives, and adds the difference as an automatic
*floor top-up* adjustment the contractor sees with its reason. Lines of an
assignment whose floor exception covers the work day are left as they are.

The lines are read grouped by payout, assignment, day and rate (entries of one
day at one rate fold into one row), and the floors and exchange rates are read
once; with no floor recorded at all, nothing is read. Running it again adds only
what is still owed: the top-ups already on a payout are subtracted, so nothing is
added twice.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from payments.models import Adjustment, AdjustmentKind, Payout, PayoutLine, PayoutStatus
from portal.money import format_money, line_amount
from portal.typed_text import writer_language
from projects.models import FloorException, PayPeriod, WageFloor
from projects.selectors.floors import FloorBook, FloorInForce, counted_bases


@dataclass
class _Owed:
    amount_minor: int = 0
    highest: FloorInForce | None = None


def _covered(exceptions: dict[int, list[FloorException]], assignment_id: int, day: date) -> bool:
    return any(exception.covers(day) for exception in exceptions.get(assignment_id, ()))


def floor_top_ups_owed(*, period: PayPeriod) -> dict[int, _Owed]:
    """What each draft payout of ``period`` owes to bring its lines up to the floor."""
    if not WageFloor.objects.filter(basis__in=counted_bases()).exists():
        return {}
    groups = (
        PayoutLine.objects.filter(payout__period=period, payout__status=PayoutStatus.DRAFT)
        .values(
            "payout_id",
            "payout__currency",
            "payout__contractor__country",
            "payout__contractor__subdivision",
            "time_entry__assignment_id",
            "work_on",
            "rate_minor",
        )
        .annotate(minutes=Sum("minutes"), amount=Sum("amount_minor"))
        .order_by()
    )
    rows = list(groups)
    if not rows:
        return {}
    book = FloorBook.load_for(
        places={
            (group["payout__contractor__country"], group["payout__contractor__subdivision"])
            for group in rows
        },
        currencies={group["payout__currency"] for group in rows},
        days={group["work_on"] for group in rows},
    )
    exceptions: dict[int, list[FloorException]] = defaultdict(list)
    assignment_ids = {group["time_entry__assignment_id"] for group in rows}
    for exception in FloorException.objects.filter(assignment_id__in=assignment_ids):
        exceptions[exception.assignment_id].append(exception)
    owed: dict[int, _Owed] = defaultdict(_Owed)
    # Many contractors share a place, a day and a currency: each floor is looked up once.
    floors: dict[tuple[object, ...], FloorInForce | None] = {}
    for group in rows:
        place = (
            group["payout__contractor__country"],
            group["payout__contractor__subdivision"],
            group["work_on"],
            group["payout__currency"],
        )
        if place not in floors:
            try:
                floors[place] = book.floor_for(
                    country=place[0], subdivision=place[1], on=place[2], currency=place[3]
                )
            except ValidationError:
                # No exchange rate reaches the floor: it can't be judged here. Setting
                # the rate refused the same gap, so a manager was told to record one.
                floors[place] = None
        in_force = floors[place]
        if in_force is None or group["rate_minor"] >= in_force.hourly_minor:
            continue
        if _covered(exceptions, group["time_entry__assignment_id"], group["work_on"]):
            continue
        due = line_amount(group["minutes"], in_force.hourly_minor) - group["amount"]
        if due <= 0:
            continue
        payout_owed = owed[group["payout_id"]]
        payout_owed.amount_minor += due
        if payout_owed.highest is None or in_force.hourly_minor > payout_owed.highest.hourly_minor:
            payout_owed.highest = in_force
    return owed


@transaction.atomic
def floor_top_ups_attach(*, period: PayPeriod, by: User | None) -> int:
    """Add to each draft payout of ``period`` the floor top-up it still owes; how many were added.

    Called by payout generation, with the period locked.
    """
    owed = floor_top_ups_owed(period=period)
    if not owed:
        return 0
    given = dict(
        Adjustment.objects.filter(payout_id__in=owed, kind=AdjustmentKind.FLOOR_TOP_UP)
        .values("payout_id")
        .annotate(total=Sum("amount_minor"))
        .values_list("payout_id", "total")
    )
    added = 0
    payouts = Payout.objects.select_for_update().filter(pk__in=owed, status=PayoutStatus.DRAFT)
    for payout in payouts.order_by("pk"):
        still_owed = owed[payout.pk].amount_minor - given.get(payout.pk, 0)
        if still_owed <= 0:
            continue
        highest = owed[payout.pk].highest
        assert highest is not None  # set with every amount owed.
        Adjustment.objects.create(
            payout=payout,
            kind=AdjustmentKind.FLOOR_TOP_UP,
            amount_minor=still_owed,
            reason=_(
                "Hours paid below the wage floor in force on the day they were worked are "
                "topped up to it (up to %(floor)s an hour: %(basis)s, %(place)s; source: "
                "%(source)s)."
            )
            % {
                "floor": format_money(highest.hourly_minor, highest.currency),
                "basis": highest.floor.get_basis_display(),
                "place": highest.floor.place_label,
                "source": highest.floor.source_name,
            },
            written_in=writer_language(),
            created_by=by,
        )
        payout.adjustments_minor += still_owed
        payout.net_minor = payout.gross_minor + payout.adjustments_minor
        payout.updated_at = timezone.now()
        payout.save(update_fields=["adjustments_minor", "net_minor", "updated_at"])
        added += 1
    return added
