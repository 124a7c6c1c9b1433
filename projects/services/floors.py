"""Adding wage floors, one by one (the admin) or from a file (``load_wage_floors``)."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TextIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from portal.dates import day_label, local_today
from portal.money import decimal_to_minor
from portal.places import subdivision_record
from portal.typed_text import writer_language
from projects.models import Assignment, FloorException, FloorUnit, WageFloor

# The permission that allows a rate below the floor.
GRANTS_FLOOR_EXCEPTIONS = "projects.grant_floor_exception"

# Columns of a floors file, in order; ``note`` and ``valid_to`` may be empty.
CSV_COLUMNS = (
    "country",
    "subdivision",
    "subdivision_name",
    "basis",
    "amount",
    "currency",
    "unit",
    "hours_per_unit",
    "valid_from",
    "valid_to",
    "source_name",
    "source_url",
    "licence",
    "retrieved_on",
    "note",
)
SOURCE_COLUMNS = ("source_name", "source_url", "licence", "retrieved_on")
# What identifies a floor: one figure per place, basis and first day.
_KEY = ("country", "subdivision", "basis", "valid_from")
# What may not differ between a file's row and the stored one with the same key.
_FIGURE = ("amount_minor", "currency", "unit", "hours_per_unit", "valid_to")


@dataclass(frozen=True)
class LoadReport:
    added: int
    unchanged: int
    rechecked: int


@transaction.atomic
def wage_floor_add(*, by: User | None, floor: WageFloor) -> WageFloor:
    """Record a new floor; it supersedes the previous one for its place and basis from its date."""
    floor.pk = None
    floor.created_by = by
    floor.country = str(floor.country or "").upper()
    floor.subdivision = floor.subdivision.upper()
    if floor.unit == FloorUnit.HOUR:
        floor.hours_per_unit = Decimal(1)
    floor.full_clean()
    floor.save()
    if floor.subdivision:
        # Known to the application form from now on, which asks for it in this country.
        subdivision_record(
            country=str(floor.country), code=floor.subdivision, name=floor.subdivision_name
        )
    return floor


@transaction.atomic
def wage_floors_load(*, by: User | None, rows: Iterable[dict[str, str]]) -> LoadReport:
    """Load floors from CSV rows (``CSV_COLUMNS``); all or nothing, and safe to run again.

    A row already stored with the same figure changes nothing, except that a
    later retrieval date is recorded as the figure having been checked again.
    A row whose key (place, basis, first day) is stored with another figure is
    refused: floors are never edited; a new figure needs its own first day.
    Every refusal names the file's line.
    """
    added = unchanged = rechecked = 0
    for line, row in enumerate(rows, start=2):
        try:
            candidate = _floor_from_row(row)
            outcome = _store(candidate, by=by)
        except ValidationError as exc:
            raise ValidationError(
                _("Line %(line)s: %(errors)s") % {"line": line, "errors": " ".join(exc.messages)},
                code="invalid_row",
            ) from exc
        added += outcome == "added"
        unchanged += outcome == "unchanged"
        rechecked += outcome == "rechecked"
    return LoadReport(added=added, unchanged=unchanged, rechecked=rechecked)


def wage_floor_rows(stream: TextIO) -> list[dict[str, str]]:
    """The rows of a floors file; refuses a file whose header lacks a column."""
    reader = csv.DictReader(line for line in stream if not line.startswith("#"))
    missing = [column for column in CSV_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError(
            _("The file lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)},
            code="missing_columns",
        )
    return list(reader)


def _store(candidate: WageFloor, *, by: User | None) -> str:
    existing = (
        WageFloor.objects.select_for_update()
        .filter(**{field: getattr(candidate, field) for field in _KEY})
        .first()
    )
    if existing is None:
        wage_floor_add(by=by, floor=candidate)
        return "added"
    changed = [f for f in _FIGURE if getattr(existing, f) != getattr(candidate, f)]
    if changed:
        raise ValidationError(
            _(
                "a floor for this place and basis from %(day)s is already recorded with "
                "another figure; floors are never edited, give the new figure its own "
                "first day."
            )
            % {"day": candidate.valid_from.isoformat()},
            code="floor_conflict",
        )
    if candidate.retrieved_on > existing.retrieved_on:
        existing.retrieved_on = candidate.retrieved_on
        existing.save(update_fields=["retrieved_on"])
        return "rechecked"
    return "unchanged"


def _floor_from_row(row: dict[str, str]) -> WageFloor:
    value = {key: (row.get(key) or "").strip() for key in CSV_COLUMNS}
    missing = [column for column in SOURCE_COLUMNS if not value[column]]
    if missing:
        raise ValidationError(
            _("no source given (%(columns)s empty); every floor needs its source.")
            % {"columns": ", ".join(missing)},
            code="no_source",
        )
    currency = value["currency"].upper()
    floor = WageFloor(
        country=value["country"].upper(),
        subdivision=value["subdivision"].upper(),
        subdivision_name=value["subdivision_name"],
        basis=value["basis"],
        amount_minor=decimal_to_minor(value["amount"], currency),
        currency=currency,
        unit=value["unit"] or FloorUnit.HOUR,
        hours_per_unit=_decimal(value["hours_per_unit"] or "1", "hours_per_unit"),
        valid_from=_day(value["valid_from"], "valid_from"),
        valid_to=_day(value["valid_to"], "valid_to") if value["valid_to"] else None,
        source_name=value["source_name"],
        source_url=value["source_url"],
        licence=value["licence"],
        retrieved_on=_day(value["retrieved_on"], "retrieved_on"),
        note=value["note"],
    )
    floor.full_clean(validate_unique=False, validate_constraints=False)
    return floor


def _day(text: str, column: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _("%(column)s must be a date as YYYY-MM-DD, not “%(value)s”.")
            % {"column": column, "value": text},
            code="bad_date",
        ) from None


def _decimal(text: str, column: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            _("%(column)s must be a number, not “%(value)s”.") % {"column": column, "value": text},
            code="bad_number",
        ) from None


# --- Exceptions -------------------------------------------------------------------------


@transaction.atomic
def floor_exception_grant(
    *,
    assignment: Assignment,
    by: User,
    reason: str,
    ends_on: date,
    starts_on: date | None = None,
) -> FloorException:
    """Allow rates below the floor on ``assignment`` from ``starts_on`` to ``ends_on``.

    The only way below the floor: it needs ``projects.grant_floor_exception``
    (not given to vendor managers by default), a reason the contractor reads
    on their assignment page, and an end date. A rate that takes effect inside
    the period may be below the floor; one that takes effect after it may not.
    """
    if not by.has_perm(GRANTS_FLOOR_EXCEPTIONS):
        raise PermissionDenied(_("You may not allow a rate below the wage floor."))
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("contractor")
        .get(pk=assignment.pk)
    )
    reason = (reason or "").strip()
    starts_on = starts_on or max(assignment.start_on, local_today(assignment.contractor.time_zone))
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [
            _("Say why this assignment may pay below the floor; the contractor will read it.")
        ]
    if ends_on is None or ends_on < starts_on:
        errors["ends_on"] = [
            _("The exception needs an end on or after %(day)s.") % {"day": day_label(starts_on)}
        ]
    if errors:
        raise ValidationError(errors)
    exception = FloorException(
        assignment=assignment,
        reason=reason,
        written_in=writer_language(),
        starts_on=starts_on,
        ends_on=ends_on,
        granted_by=by,
        granted_at=timezone.now(),
    )
    exception.full_clean(exclude=["assignment", "granted_by"])
    exception.save()
    return exception


def floor_exception_covers(assignment: Assignment, day: date) -> bool:
    """Whether an exception lets ``assignment`` take a rate below the floor from ``day``."""
    return FloorException.objects.filter(
        assignment=assignment, starts_on__lte=day, ends_on__gte=day
    ).exists()
