"""The wage floor in force for a place on a day, and the floors that need a manager's eye.

``floor_for`` is the one answer every rule asks (setting a rate, topping up a
payout line, showing the take-home beside the floor). ``FloorBook`` reads the
floors and the exchange rates once, so a caller that checks many contractors
or many lines does not query per check; ``FloorBook.load_for`` reads only what
some places, currencies and days can need, so a page's cost does not grow with
the tables.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import ContractorProfile
from portal.models import ExchangeRate
from portal.money import ExchangeRates
from projects.models import Assignment, AssignmentRate, AssignmentStatus, WageFloor
from projects.time_rules import rate_on

# A floor whose figure is older than this is probably out of date (13 months).
STALE_AFTER = timedelta(days=396)


@dataclass(frozen=True)
class FloorInForce:
    """The floor that binds: per hour, in the currency asked for, and where it comes from."""

    hourly_minor: int
    currency: str
    floor: WageFloor
    # The same floor before conversion, in the currency its source publishes.
    source_hourly_minor: int

    @property
    def basis(self) -> str:
        return self.floor.basis


def counted_bases() -> tuple[str, ...]:
    """The bases the vendor's policy counts (``settings.WAGE_FLOOR_BASES``)."""
    return tuple(settings.WAGE_FLOOR_BASES)


class FloorBook:
    """Every wage floor and exchange rate, read once (two queries)."""

    def __init__(self, floors: Iterable[WageFloor], rates: ExchangeRates) -> None:
        self._floors: dict[tuple[str, str, str], list[WageFloor]] = {}
        for floor in floors:
            key = (str(floor.country), floor.subdivision, floor.basis)
            self._floors.setdefault(key, []).append(floor)
        for history in self._floors.values():
            history.sort(key=lambda floor: floor.valid_from)
        self.rates = rates

    @classmethod
    def load(cls) -> "FloorBook":
        floors = WageFloor.objects.filter(basis__in=counted_bases())
        return cls(floors, ExchangeRates.load())

    @classmethod
    def load_for(
        cls,
        *,
        places: Iterable[tuple[str, str]],
        currencies: Iterable[str],
        days: Iterable[date],
    ) -> "FloorBook":
        """Only what ``floor_for`` can need for ``places`` (country, subdivision) on ``days``
        in ``currencies``: their floors and the vendor-wide ones, and the rates between
        those currencies and the floors', from each pair's latest on or before the first
        day to the last day. Two queries, whatever the size of either table."""
        days = list(days)
        floors = list(WageFloor.objects.filter(basis__in=counted_bases()).filter(_places_q(places)))
        if not days:
            return cls(floors, ExchangeRates([]))
        codes = set(currencies) | {floor.currency for floor in floors}
        return cls(floors, _rates_between(codes, first=min(days), last=max(days)))

    def floor_for(
        self, *, country: str, subdivision: str = "", on: date, currency: str
    ) -> FloorInForce | None:
        """The highest counted floor for the place on ``on``, per hour in ``currency``.

        For each basis the subdivision's own row is preferred to the national
        one; the vendor floor applies everywhere. Conversion rounds up, so a
        floor never shrinks in translation. ``None`` when no floor applies;
        ``ValidationError`` when a floor exists but no exchange rate reaches it.
        """
        best: FloorInForce | None = None
        for floor in self._candidates(str(country or ""), subdivision or "", on):
            source_hourly = floor.hourly_minor
            hourly = self.rates.convert(
                source_hourly, floor.currency, currency, on=on, rounding=ROUND_CEILING
            )
            if best is None or hourly > best.hourly_minor:
                best = FloorInForce(hourly, currency, floor, source_hourly)
        return best

    def _candidates(self, country: str, subdivision: str, on: date) -> list[WageFloor]:
        """Per counted basis, the most specific row in force: the subdivision's, else the
        country's, else (only the vendor floor has one) the worldwide row."""
        places = [(country, subdivision)] if country and subdivision else []
        places += [(country, "")] if country else []
        places += [("", "")]
        found = []
        for basis in counted_bases():
            for place_country, place_subdivision in places:
                history = self._floors.get((place_country, place_subdivision, basis), [])
                floor = self._in_force(history, on)
                if floor is not None:
                    found.append(floor)
                    break
        return found

    @staticmethod
    def _in_force(history: list[WageFloor], on: date) -> WageFloor | None:
        started = [floor for floor in history if floor.valid_from <= on]
        if not started:
            return None
        latest = started[-1]
        if latest.valid_to is not None and latest.valid_to < on:
            return None
        return latest


def _places_q(places: Iterable[tuple[str, str]]) -> Q:
    """Rows that can bind in ``places``: their own, their country's, and the vendor-wide."""
    q = Q(country="", subdivision="")
    countries = set()
    for country, subdivision in places:
        if not country:
            continue
        countries.add(country)
        if subdivision:
            q |= Q(country=country, subdivision=subdivision)
    if countries:
        q |= Q(country__in=countries, subdivision="")
    return q


def _rates_between(codes: set[str], *, first: date, last: date) -> ExchangeRates:
    """The rates between ``codes`` that can answer for a day from ``first`` to ``last``: for
    each pair, the latest on or before ``first`` and those after it up to ``last``."""
    if len(codes) < 2:
        return ExchangeRates([])
    before_first = (
        ExchangeRate.objects.filter(
            from_currency=OuterRef("from_currency"),
            to_currency=OuterRef("to_currency"),
            on__lte=first,
        )
        .order_by("-on")
        .values("on")[:1]
    )
    rows = (
        ExchangeRate.objects.filter(from_currency__in=codes, to_currency__in=codes, on__lte=last)
        .annotate(since=Coalesce(Subquery(before_first), Value(date.min)))
        .filter(on__gte=F("since"))
    )
    return ExchangeRates(rows.values_list("from_currency", "to_currency", "on", "rate"))


def floor_for(
    *, country: str, subdivision: str = "", on: date, currency: str
) -> FloorInForce | None:
    """The floor in force for a place on a day, per hour in ``currency`` (see ``FloorBook``)."""
    return FloorBook.load().floor_for(
        country=country, subdivision=subdivision, on=on, currency=currency
    )


def floor_for_contractor(
    contractor: ContractorProfile, *, on: date, currency: str
) -> FloorInForce | None:
    """The floor in force where ``contractor`` lives, per hour in ``currency``."""
    return floor_for(
        country=str(contractor.country),
        subdivision=contractor.subdivision,
        on=on,
        currency=currency,
    )


# --- What managers review -----------------------------------------------------------------


def wage_floors_stale(*, today: date) -> QuerySet[WageFloor]:
    """Floors in force today whose figure was neither published nor checked in 13 months.

    In force: started by ``today``, not ended, and no newer row for the same
    place and basis has started since. Stale: both ``valid_from`` and
    ``retrieved_on`` are more than 13 months old (re-loading the same figure
    with a later retrieval date marks it checked).
    """
    cutoff = today - STALE_AFTER
    superseded = WageFloor.objects.filter(
        country=OuterRef("country"),
        subdivision=OuterRef("subdivision"),
        basis=OuterRef("basis"),
        valid_from__gt=OuterRef("valid_from"),
        valid_from__lte=today,
    )
    return (
        WageFloor.objects.filter(valid_from__lte=today, valid_from__lt=cutoff)
        .filter(retrieved_on__lt=cutoff)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .exclude(Exists(superseded))
        .order_by("country", "subdivision", "basis")
    )


def wage_floors_announced(*, today: date) -> QuerySet[WageFloor]:
    """Floors that take effect after ``today``, soonest first."""
    return WageFloor.objects.filter(valid_from__gt=today).order_by("valid_from", "country")


@dataclass(frozen=True)
class AssignmentBelowFloor:
    assignment: Assignment
    rate: AssignmentRate
    floor: FloorInForce

    @property
    def gap_minor(self) -> int:
        return self.floor.hourly_minor - self.rate.rate_minor


def assignments_below_announced_floor(
    floor: WageFloor, *, book: FloorBook | None = None
) -> list[AssignmentBelowFloor]:
    """Active assignments in ``floor``'s place whose rate on its first day is below the
    floor in force that day (which may be this row or a higher one that also binds).

    Three queries (floors, exchange rates, assignments with their rates) whatever the
    number of assignments. An assignment whose floor cannot be converted for lack
    of an exchange rate is left out here; the rate check itself reports that.
    """
    book = book or FloorBook.load()
    day = floor.valid_from
    assignments = Assignment.objects.filter(status=AssignmentStatus.ACTIVE, start_on__lte=day)
    assignments = assignments.filter(Q(end_on__isnull=True) | Q(end_on__gte=day))
    if floor.country:
        assignments = assignments.filter(contractor__country=floor.country)
    if floor.subdivision:
        assignments = assignments.filter(contractor__subdivision=floor.subdivision)
    assignments = assignments.select_related("project", "contractor__user").prefetch_related(
        Prefetch("rates", queryset=AssignmentRate.objects.filter(effective_on__lte=day))
    )
    below = []
    for assignment in assignments.order_by("project__name", "pk"):
        rate = rate_on(assignment.rates.all(), day)
        if rate is None:
            continue
        try:
            in_force = book.floor_for(
                country=str(assignment.contractor.country),
                subdivision=assignment.contractor.subdivision,
                on=day,
                currency=rate.currency,
            )
        except ValidationError:
            continue
        if in_force is not None and rate.rate_minor < in_force.hourly_minor:
            below.append(AssignmentBelowFloor(assignment, rate, in_force))
    return below
