"""Contractor profiles, what they offer (languages, expertise), and their status history."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.choices import language_name, validate_currency, validate_language, validate_time_zone
from portal.history import StatusChange, status_constraints
from portal.state import TransitionsMixin

# --- Reference data ----------------------------------------------------------


class ExpertiseArea(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("expertise area")
        verbose_name_plural = _("expertise areas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LanguageLevel(models.TextChoices):
    NATIVE = "native", _("Native")
    C2 = "C2", _("C2 (proficient)")
    C1 = "C1", _("C1 (advanced)")
    B2 = "B2", _("B2 (upper intermediate)")
    B1 = "B1", _("B1 (intermediate)")
    A2 = "A2", _("A2 (elementary)")
    A1 = "A1", _("A1 (beginner)")


# --- Contractor profile --------------------------------------------------------


class ContractorStatus(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    ONBOARDING = "onboarding", _("Onboarding")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    OFFBOARDED = "offboarded", _("Offboarded")


class ContractorProfile(TransitionsMixin, models.Model):
    TRANSITIONS = {
        ContractorStatus.APPLICANT: {ContractorStatus.ONBOARDING},
        ContractorStatus.ONBOARDING: {ContractorStatus.ACTIVE, ContractorStatus.OFFBOARDED},
        ContractorStatus.ACTIVE: {ContractorStatus.SUSPENDED, ContractorStatus.OFFBOARDED},
        ContractorStatus.SUSPENDED: {ContractorStatus.ACTIVE, ContractorStatus.OFFBOARDED},
        # Only a successful appeal against the offboarding (contractor_reinstate with its case).
        ContractorStatus.OFFBOARDED: {ContractorStatus.ACTIVE},
    }

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contractor_profile",
        verbose_name=_("user"),
    )
    legal_name = models.CharField(_("legal name"), max_length=200)
    display_name = models.CharField(_("display name"), max_length=100)
    country = CountryField(_("country"))
    # ISO 3166-2 code (or a wage region) where the country's wage floors differ
    # within it; the codes come from the wage-floor table.
    subdivision = models.CharField(_("province or region"), max_length=10, blank=True, default="")
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    hours_per_week = models.PositiveSmallIntegerField(
        _("hours available a week"), validators=[MinValueValidator(1), MaxValueValidator(80)]
    )
    payout_currency = models.CharField(
        _("payout currency"), max_length=3, validators=[validate_currency]
    )
    expertise = models.ManyToManyField(
        ExpertiseArea, related_name="contractors", blank=True, verbose_name=_("expertise")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ContractorStatus, default=ContractorStatus.APPLICANT
    )
    status_reason = models.TextField(_("status reason"), blank=True)
    # The language the status reason was written in (blank on older rows).
    written_in = models.CharField(
        _("written in"), max_length=10, blank=True, default="", db_default=""
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    identity_verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("identity verified by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contractor")
        verbose_name_plural = _("contractors")
        ordering = ["legal_name"]
        # The admin list's order: by name, then newest first (the admin's tie-break).
        indexes = [models.Index(fields=["legal_name", "-id"], name="contractor_list_order_idx")]
        permissions = [
            ("verify_identity", _("Can mark a contractor's identity as verified")),
            ("change_contractor_status", _("Can suspend, reinstate or offboard contractors")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ContractorStatus.values), name="contractor_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__gte=1, hours_per_week__lte=80),
                name="contractor_hours_per_week_range",
            ),
            models.CheckConstraint(
                condition=~Q(status=ContractorStatus.ACTIVE)
                | Q(identity_verified_at__isnull=False),
                name="contractor_active_is_verified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} <{self.user.email}>"


class ProfileLanguage(models.Model):
    profile = models.ForeignKey(
        ContractorProfile,
        on_delete=models.CASCADE,
        related_name="languages",
        verbose_name=_("contractor"),
    )
    language = models.CharField(_("language"), max_length=8, validators=[validate_language])
    level = models.CharField(_("level"), max_length=6, choices=LanguageLevel)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "language"], name="profile_language_once"),
            models.CheckConstraint(
                condition=Q(level__in=LanguageLevel.values), name="profile_language_level_valid"
            ),
        ]

    def __str__(self) -> str:
        # "German (native)", "English (C1)": the CEFR codes read the same everywhere.
        level = (
            pgettext("language level, inside brackets after a language", "native")
            if self.level == LanguageLevel.NATIVE
            else self.level
        )
        return gettext("%(language)s (%(level)s)") % {
            "language": language_name(self.language),
            "level": level,
        }


class ContractorStatusChange(StatusChange):
    """Append-only history of a contractor's status."""

    profile = models.ForeignKey(
        ContractorProfile,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("contractor"),
    )
    from_status = models.CharField(
        _("from status"), max_length=12, choices=ContractorStatus, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=12, choices=ContractorStatus)

    class Meta(StatusChange.Meta):
        verbose_name = _("contractor status change")
        verbose_name_plural = _("contractor status changes")
        constraints = status_constraints("contractor_change", ContractorStatus, blank_from=True)
