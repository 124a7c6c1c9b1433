"""Wage floors: the least an hour of work may pay, by place, basis and date."""

from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from portal.dates import format_day
from portal.money import decimal_in_minor, format_money, minor_to_decimal, validate_currency


class FloorBasis(models.TextChoices):
    STATUTORY = "statutory", _("Statutory minimum wage")
    LIVING = "living", _("Living wage")
    VENDOR = "vendor", _("Vendor floor")


class FloorUnit(models.TextChoices):
    HOUR = "hour", _("Hour")
    DAY = "day", _("Day")
    MONTH = "month", _("Month")


# Whole sentences per unit: "a"/"an" and word order differ between languages.
AMOUNT_PER_UNIT = {
    FloorUnit.HOUR: _("%(amount)s an hour"),
    FloorUnit.DAY: _("%(amount)s a day"),
    FloorUnit.MONTH: _("%(amount)s a month"),
}


def amount_per_unit(amount: str, unit: str) -> str:
    """``amount`` (already formatted) per ``unit``, as one translated sentence."""
    return str(AMOUNT_PER_UNIT[FloorUnit(unit)]) % {"amount": amount}


class WageFloor(models.Model):
    """One published floor, in force from ``valid_from`` until a newer row for the
    same place and basis takes over (or until ``valid_to``, when the source says so).

    Rows are added, never edited or deleted, as rates are: a new figure is a new
    row from its date, so the floor on any past day can be shown and checked.
    The vendor-wide floor has no country and applies everywhere.
    """

    country = CountryField(_("country"), blank=True)
    # ISO 3166-2 code (ID-JK, VN-… regions use the decree's region numbers, PH-00).
    subdivision = models.CharField(_("subdivision"), max_length=10, blank=True)
    subdivision_name = models.CharField(_("subdivision name"), max_length=100, blank=True)
    basis = models.CharField(_("basis"), max_length=10, choices=FloorBasis)
    amount_minor = models.PositiveBigIntegerField(
        _("amount (minor units)"), validators=[MinValueValidator(1)]
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    unit = models.CharField(_("per"), max_length=5, choices=FloorUnit, default=FloorUnit.HOUR)
    hours_per_unit = models.DecimalField(
        _("hours the unit stands for"),
        max_digits=7,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("1 for an hourly figure; the legal standard hours of a day or a month."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source_name = models.CharField(_("source"), max_length=300)
    source_url = models.URLField(_("source URL"), max_length=500)
    licence = models.CharField(_("licence"), max_length=200)
    retrieved_on = models.DateField(_("retrieved on"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("wage floor")
        verbose_name_plural = _("wage floors")
        ordering = ["country", "subdivision", "basis", "-valid_from"]
        indexes = [models.Index(fields=["country", "valid_from"], name="wage_floor_place_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "subdivision", "basis", "valid_from"],
                name="wage_floor_once_per_day",
            ),
            models.CheckConstraint(
                condition=Q(basis__in=FloorBasis.values), name="wage_floor_basis_valid"
            ),
            models.CheckConstraint(
                condition=Q(unit__in=FloorUnit.values), name="wage_floor_unit_valid"
            ),
            models.CheckConstraint(
                condition=Q(amount_minor__gte=1) & Q(hours_per_unit__gt=0),
                name="wage_floor_positive",
            ),
            models.CheckConstraint(
                condition=Q(unit=FloorUnit.HOUR, hours_per_unit=1) | ~Q(unit=FloorUnit.HOUR),
                name="wage_floor_hour_is_one_hour",
            ),
            # Only the vendor's own floor is worldwide; a law always has a place.
            models.CheckConstraint(
                condition=~Q(country="") | Q(basis=FloorBasis.VENDOR, subdivision=""),
                name="wage_floor_place_unless_vendor",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="wage_floor_valid_range",
            ),
            models.CheckConstraint(
                condition=~Q(source_name="") & ~Q(source_url="") & ~Q(licence=""),
                name="wage_floor_has_source",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(place)s, %(basis)s: %(amount)s from %(day)s") % {
            "place": self.place_label,
            "basis": self.get_basis_display(),
            "amount": amount_per_unit(format_money(self.amount_minor, self.currency), self.unit),
            "day": format_day(self.valid_from),
        }

    @property
    def place_label(self) -> str:
        if not self.country:
            return gettext("Everywhere")
        if self.subdivision:
            return f"{self.country.name} — {self.subdivision_name or self.subdivision}"
        return str(self.country.name)

    @property
    def hourly_minor(self) -> int:
        """The floor for one hour, in this row's currency, rounded up to the minor unit.

        Up, not half-up: a monthly minimum spread over its hours must never come
        out a fraction below what the law sets.
        """
        per_hour = minor_to_decimal(self.amount_minor, self.currency) / self.hours_per_unit
        return decimal_in_minor(per_hour, self.currency, ROUND_CEILING)


class FloorException(models.Model):
    """Leave to pay one assignment below the floor, for a written reason, until an end date.

    The only way below the floor. Granting one needs its own permission
    (``projects.grant_floor_exception``); the contractor sees it, with its
    reason and end date, on their assignment page. Rows are append-only.
    """

    assignment = models.ForeignKey(
        "projects.Assignment",
        on_delete=models.PROTECT,
        related_name="floor_exceptions",
        verbose_name=_("assignment"),
    )
    reason = models.TextField(_("reason"), help_text=_("Shown to the contractor."))
    # The language the reason was written in.
    written_in = models.CharField(_("written in"), max_length=10, blank=True, default="")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(
        _("until"), help_text=_("The last day rates may be below the floor.")
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"))

    class Meta:
        verbose_name = _("floor exception")
        verbose_name_plural = _("floor exceptions")
        ordering = ["-granted_at", "-pk"]
        permissions = [("grant_floor_exception", _("Can allow a rate below the wage floor"))]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="floor_exception_has_reason"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="floor_exception_range"
            ),
        ]

    def __str__(self) -> str:
        return gettext("Below the floor until %(day)s") % {"day": format_day(self.ends_on)}

    def covers(self, day) -> bool:
        return self.starts_on <= day <= self.ends_on
