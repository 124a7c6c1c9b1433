"""Places within a country whose rules differ: which exist, and what they are called.

The wage floors record each province or region they are set for; the
application form asks for one only in a country that has them.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.models import Subdivision


def subdivision_record(*, country: str, code: str, name: str) -> Subdivision:
    """Make ``code`` known for ``country``; a later, non-empty name replaces the old one."""
    subdivision, created = Subdivision.objects.get_or_create(
        code=code.upper(), defaults={"country": country.upper(), "name": name or code.upper()}
    )
    if str(subdivision.country) != country.upper():
        raise ValidationError(
            _("%(code)s is already recorded for another country.") % {"code": code},
            code="subdivision_country",
        )
    if not created and name and subdivision.name != name:
        subdivision.name = name
        subdivision.save(update_fields=["name"])
    return subdivision


def subdivision_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every recorded subdivision, grouped by its country's name (one query)."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for subdivision in Subdivision.objects.order_by("country", "name"):
        grouped.setdefault(str(subdivision.country.name), []).append(
            (subdivision.code, subdivision.name)
        )
    return sorted(grouped.items())


def subdivision_validate(*, country: str, subdivision: str) -> str:
    """The subdivision to store for someone living in ``country``.

    Required where the country has recorded subdivisions, refused where it has
    none, and it must belong to the country.
    """
    codes = set(Subdivision.objects.filter(country=country).values_list("code", flat=True))
    if not codes:
        if subdivision:
            raise ValidationError(
                _("Your country has no provinces or regions to choose from; leave this empty."),
                code="subdivision_not_needed",
            )
        return ""
    if not subdivision:
        raise ValidationError(
            _("Choose the province or region where you live."), code="subdivision_required"
        )
    if subdivision not in codes:
        raise ValidationError(
            _("Choose a province or region of the country you live in."),
            code="subdivision_other_country",
        )
    return subdivision
