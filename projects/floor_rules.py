"""No rate below the floor: the one check every way of setting a rate goes through.

Setting a project's default rate is checked against the vendor-wide floor (a
project has no place of its own); every contractor's rate is checked against
the floor in force where they live on the day the rate takes effect.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import ContractorProfile
from portal.dates import day_label
from portal.money import format_money
from projects.selectors.floors import FloorBook, FloorInForce


def floor_gap_message(in_force: FloorInForce, *, rate_minor: int, on: date) -> str:
    """Why a rate is refused: the floor, its basis and source, and how far short the rate is."""
    floor = in_force.floor
    return _(
        "%(rate)s an hour is below the floor of %(floor)s an hour in force on %(day)s "
        "(%(basis)s, %(place)s; source: %(source)s), short by %(gap)s."
    ) % {
        "rate": format_money(rate_minor, in_force.currency),
        "floor": format_money(in_force.hourly_minor, in_force.currency),
        "day": day_label(on),
        "basis": floor.get_basis_display(),
        "place": floor.place_label,
        "source": floor.source_name,
        "gap": format_money(in_force.hourly_minor - rate_minor, in_force.currency),
    }


def contractor_floor(
    contractor: ContractorProfile, *, on: date, currency: str, book: FloorBook | None = None
) -> FloorInForce | None:
    """The floor in force where ``contractor`` lives on ``on``, per hour in ``currency``."""
    return (book or FloorBook.load()).floor_for(
        country=str(contractor.country),
        subdivision=contractor.subdivision,
        on=on,
        currency=currency,
    )


def refuse_below_contractor_floor(
    contractor: ContractorProfile,
    *,
    rate_minor: int,
    currency: str,
    on: date,
    field: str = "rate",
    book: FloorBook | None = None,
) -> None:
    """``ValidationError`` on ``field`` when the rate is below the contractor's floor on ``on``."""
    try:
        in_force = contractor_floor(contractor, on=on, currency=currency, book=book)
    except ValidationError as exc:
        # No exchange rate reaches the floor: the rate can't be judged, so it isn't set.
        raise ValidationError({field: exc.messages}) from None
    if in_force is not None and rate_minor < in_force.hourly_minor:
        raise ValidationError({field: [floor_gap_message(in_force, rate_minor=rate_minor, on=on)]})


def refuse_below_vendor_floor(
    *, rate_minor: int, currency: str, on: date, field: str = "default_rate_minor"
) -> None:
    """``ValidationError`` on ``field`` when the rate is below the vendor-wide floor on ``on``."""
    try:
        in_force = FloorBook.load().floor_for(country="", on=on, currency=currency)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    if in_force is not None and rate_minor < in_force.hourly_minor:
        raise ValidationError({field: [floor_gap_message(in_force, rate_minor=rate_minor, on=on)]})
