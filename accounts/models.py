from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.choices import (
    language_name,
    validate_currency,
    validate_language,
    validate_site_language,
    validate_time_zone,
)
from accounts.masking import mask_identifier
from accounts.storage import private_storage

# --- Users -----------------------------------------------------------------


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Can sign in to the admin (rights still come from groups)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # No choices here: adding a site language must not need a migration.
    language = models.CharField(
        _("language"), max_length=10, blank=True, validators=[validate_site_language]
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email


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


class ContractorProfile(models.Model):
    TRANSITIONS = {
        ContractorStatus.APPLICANT: {ContractorStatus.ONBOARDING},
        ContractorStatus.ONBOARDING: {ContractorStatus.ACTIVE, ContractorStatus.OFFBOARDED},
        ContractorStatus.ACTIVE: {ContractorStatus.SUSPENDED, ContractorStatus.OFFBOARDED},
        ContractorStatus.SUSPENDED: {ContractorStatus.ACTIVE, ContractorStatus.OFFBOARDED},
        ContractorStatus.OFFBOARDED: set(),
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

    def can_transition_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())


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


class ContractorStatusChange(models.Model):
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
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("contractor status change")
        verbose_name_plural = _("contractor status changes")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


# --- Applications --------------------------------------------------------------


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_APPLICATION_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW)


def resume_upload_to(instance: "Application", filename: str) -> str:
    # The stored name never reuses the uploader's file name: it is not trusted.
    suffix = ".pdf" if instance.resume_content_type == "application/pdf" else ".docx"
    return f"resumes/{timezone.now():%Y/%m}/{instance.profile_id}-{timezone.now():%H%M%S%f}{suffix}"


class Application(models.Model):
    TRANSITIONS = {
        ApplicationStatus.SUBMITTED: {
            ApplicationStatus.IN_REVIEW,
            ApplicationStatus.APPROVED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
        },
        ApplicationStatus.IN_REVIEW: {
            ApplicationStatus.APPROVED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
        },
        ApplicationStatus.APPROVED: set(),
        ApplicationStatus.REJECTED: set(),
        ApplicationStatus.WITHDRAWN: set(),
    }

    profile = models.ForeignKey(
        ContractorProfile,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("contractor"),
    )
    motivation = models.TextField(_("motivation"), max_length=2000)
    resume = models.FileField(
        _("résumé"), storage=private_storage, upload_to=resume_upload_to, max_length=255
    )
    resume_original_name = models.CharField(_("résumé file name"), max_length=255)
    resume_content_type = models.CharField(_("résumé content type"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=ApplicationStatus, default=ApplicationStatus.SUBMITTED
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-pk"]
        permissions = [("review_application", _("Can review, approve and reject applications"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"
            ),
            models.UniqueConstraint(
                fields=["profile"],
                condition=Q(status__in=OPEN_APPLICATION_STATUSES),
                name="one_open_application_per_profile",
            ),
            models.CheckConstraint(
                condition=~Q(status=ApplicationStatus.REJECTED) | ~Q(decision_reason=""),
                name="application_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[ApplicationStatus.APPROVED, ApplicationStatus.REJECTED])
                | Q(decided_at__isnull=False),
                name="application_decision_has_time",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Application #%(pk)s (%(status)s)") % {
            "pk": self.pk,
            "status": self.get_status_display(),
        }

    def get_absolute_url(self) -> str:
        return reverse("accounts:application_status")

    def can_transition_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPLICATION_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status == ApplicationStatus.SUBMITTED


class ApplicationStatusChange(models.Model):
    """Append-only history of an application's status."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("application"),
    )
    from_status = models.CharField(
        _("from status"), max_length=10, choices=ApplicationStatus, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=10, choices=ApplicationStatus)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("application status change")
        verbose_name_plural = _("application status changes")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


# --- Onboarding ----------------------------------------------------------------


# Every version has (at least) this text; readers whose language has none read it.
AGREEMENT_FALLBACK_LANGUAGE = "en"


class AgreementVersion(models.Model):
    """One language's text of a version of the contractor agreement.

    A version may have a text in each site language (one row each). The newest
    published version is current; accepting any of its texts accepts it.
    """

    version = models.CharField(_("version"), max_length=20)
    # No choices here: adding a site language must not need a migration.
    language = models.CharField(
        _("language"),
        max_length=10,
        default=AGREEMENT_FALLBACK_LANGUAGE,
        validators=[validate_site_language],
        help_text=_("The language of this text. A version can have a text in each language."),
    )
    title = models.CharField(_("title"), max_length=200, default="Contractor agreement")
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "language"], name="agreement_version_language_once"
            )
        ]

    def __str__(self) -> str:
        return gettext("%(title)s v%(version)s (%(language)s)") % {
            "title": self.title,
            "version": self.version,
            "language": self.language,
        }


class AgreementAcceptance(models.Model):
    profile = models.ForeignKey(
        ContractorProfile,
        on_delete=models.PROTECT,
        related_name="agreement_acceptances",
        verbose_name=_("contractor"),
    )
    agreement = models.ForeignKey(
        AgreementVersion,
        on_delete=models.PROTECT,
        related_name="acceptances",
        verbose_name=_("agreement"),
    )
    # The language of the text the contractor read and accepted.
    language = models.CharField(_("language"), max_length=10, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("agreement acceptance")
        verbose_name_plural = _("agreement acceptances")
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "agreement"], name="accept_agreement_once")
        ]

    def __str__(self) -> str:
        return gettext("%(contractor)s accepted %(agreement)s") % {
            "contractor": self.profile_id,
            "agreement": self.agreement,
        }


class TaxFormType(models.TextChoices):
    W9 = "W-9", _("W-9 (US persons)")
    W8BEN = "W-8BEN", _("W-8BEN (non-US individuals)")


class TaxForm(models.Model):
    """The tax form a contractor filed: typed-in fields, or an uploaded signed copy."""

    profile = models.OneToOneField(
        ContractorProfile,
        on_delete=models.PROTECT,
        related_name="tax_form",
        verbose_name=_("contractor"),
    )
    form_type = models.CharField(_("form"), max_length=8, choices=TaxFormType)
    name_on_form = models.CharField(_("name on the form"), max_length=200)
    tax_id = models.CharField(
        _("taxpayer identification number"),
        max_length=40,
        blank=True,
        help_text=_("SSN/EIN or foreign TIN; shown masked after entry."),
    )
    address = models.TextField(_("address"), blank=True)
    country_of_citizenship = CountryField(_("country of citizenship"), blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    document = models.FileField(
        _("signed document"),
        storage=private_storage,
        upload_to="tax-forms/%Y/%m/",
        blank=True,
        max_length=255,
    )
    certified_at = models.DateTimeField(_("certified at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("tax form")
        verbose_name_plural = _("tax forms")
        constraints = [
            models.CheckConstraint(
                condition=Q(form_type__in=TaxFormType.values), name="tax_form_type_valid"
            ),
            models.CheckConstraint(
                condition=~Q(tax_id="") | ~Q(document=""), name="tax_form_has_tin_or_document"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(form)s for %(name)s") % {
            "form": self.form_type,
            "name": self.name_on_form,
        }

    @property
    def masked_tax_id(self) -> str:
        return mask_identifier(self.tax_id)


class PayoutMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer (IBAN or account number)")
    # Brand names, the same in every language.
    PAYPAL = "paypal", "PayPal"
    WISE = "wise", "Wise"
    PAYONEER = "payoneer", "Payoneer"


class PayoutDetails(models.Model):
    profile = models.OneToOneField(
        ContractorProfile,
        on_delete=models.PROTECT,
        related_name="payout_details",
        verbose_name=_("contractor"),
    )
    method = models.CharField(_("method"), max_length=20, choices=PayoutMethod)
    account_holder = models.CharField(_("account holder"), max_length=200)
    account_identifier = models.CharField(
        _("account"),
        max_length=100,
        help_text=_("IBAN, account number or payout email; shown masked after entry."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payout details")
        verbose_name_plural = _("payout details")
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=PayoutMethod.values), name="payout_method_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.masked_account}"

    @property
    def masked_account(self) -> str:
        return mask_identifier(self.account_identifier)


# --- API tokens ------------------------------------------------------------------


class ApiToken(models.Model):
    """A personal API token. Only a hash is stored; the key is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
