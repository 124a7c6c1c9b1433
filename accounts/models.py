from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField

from accounts.choices import language_name, validate_currency, validate_language, validate_time_zone
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
    email = models.EmailField("email address", unique=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can sign in to the admin (rights still come from groups)."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "user"

    def __str__(self) -> str:
        return self.email


# --- Reference data ----------------------------------------------------------


class ExpertiseArea(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LanguageLevel(models.TextChoices):
    NATIVE = "native", "Native"
    C2 = "C2", "C2 (proficient)"
    C1 = "C1", "C1 (advanced)"
    B2 = "B2", "B2 (upper intermediate)"
    B1 = "B1", "B1 (intermediate)"
    A2 = "A2", "A2 (elementary)"
    A1 = "A1", "A1 (beginner)"


# --- Contractor profile --------------------------------------------------------


class ContractorStatus(models.TextChoices):
    APPLICANT = "applicant", "Applicant"
    ONBOARDING = "onboarding", "Onboarding"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    OFFBOARDED = "offboarded", "Offboarded"


class ContractorProfile(models.Model):
    TRANSITIONS = {
        ContractorStatus.APPLICANT: {ContractorStatus.ONBOARDING},
        ContractorStatus.ONBOARDING: {ContractorStatus.ACTIVE, ContractorStatus.OFFBOARDED},
        ContractorStatus.ACTIVE: {ContractorStatus.SUSPENDED, ContractorStatus.OFFBOARDED},
        ContractorStatus.SUSPENDED: {ContractorStatus.ACTIVE, ContractorStatus.OFFBOARDED},
        ContractorStatus.OFFBOARDED: set(),
    }

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contractor_profile"
    )
    legal_name = models.CharField(max_length=200)
    display_name = models.CharField(max_length=100)
    country = CountryField()
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    hours_per_week = models.PositiveSmallIntegerField(
        "hours available a week", validators=[MinValueValidator(1), MaxValueValidator(80)]
    )
    payout_currency = models.CharField(max_length=3, validators=[validate_currency])
    expertise = models.ManyToManyField(ExpertiseArea, related_name="contractors", blank=True)
    status = models.CharField(
        max_length=12, choices=ContractorStatus, default=ContractorStatus.APPLICANT
    )
    status_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    identity_verified_at = models.DateTimeField(null=True, blank=True)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "contractor"
        ordering = ["legal_name"]
        permissions = [
            ("verify_identity", "Can mark a contractor's identity as verified"),
            ("change_contractor_status", "Can suspend, reinstate or offboard contractors"),
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
        ContractorProfile, on_delete=models.CASCADE, related_name="languages"
    )
    language = models.CharField(max_length=8, validators=[validate_language])
    level = models.CharField(max_length=6, choices=LanguageLevel)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "language"], name="profile_language_once"),
            models.CheckConstraint(
                condition=Q(level__in=LanguageLevel.values), name="profile_language_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{language_name(self.language)} ({self.level})"


class ContractorStatusChange(models.Model):
    """Append-only history of a contractor's status."""

    profile = models.ForeignKey(
        ContractorProfile, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=12, choices=ContractorStatus, blank=True)
    to_status = models.CharField(max_length=12, choices=ContractorStatus)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


# --- Applications --------------------------------------------------------------


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


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
        ContractorProfile, on_delete=models.PROTECT, related_name="applications"
    )
    motivation = models.TextField(max_length=2000)
    resume = models.FileField(storage=private_storage, upload_to=resume_upload_to, max_length=255)
    resume_original_name = models.CharField(max_length=255)
    resume_content_type = models.CharField(max_length=100)
    status = models.CharField(
        max_length=10, choices=ApplicationStatus, default=ApplicationStatus.SUBMITTED
    )
    decision_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        permissions = [("review_application", "Can review, approve and reject applications")]
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
        return f"Application #{self.pk} ({self.get_status_display()})"

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
        Application, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=10, choices=ApplicationStatus, blank=True)
    to_status = models.CharField(max_length=10, choices=ApplicationStatus)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


# --- Onboarding ----------------------------------------------------------------


class AgreementVersion(models.Model):
    """A version of the contractor agreement; the newest published one is current."""

    version = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200, default="Contractor agreement")
    body = models.TextField()
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class AgreementAcceptance(models.Model):
    profile = models.ForeignKey(
        ContractorProfile, on_delete=models.PROTECT, related_name="agreement_acceptances"
    )
    agreement = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="acceptances"
    )
    accepted_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "agreement"], name="accept_agreement_once")
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} accepted {self.agreement}"


class TaxFormType(models.TextChoices):
    W9 = "W-9", "W-9 (US persons)"
    W8BEN = "W-8BEN", "W-8BEN (non-US individuals)"


class TaxForm(models.Model):
    """The tax form a contractor filed: typed-in fields, or an uploaded signed copy."""

    profile = models.OneToOneField(
        ContractorProfile, on_delete=models.PROTECT, related_name="tax_form"
    )
    form_type = models.CharField(max_length=8, choices=TaxFormType)
    name_on_form = models.CharField(max_length=200)
    tax_id = models.CharField(
        "taxpayer identification number",
        max_length=40,
        blank=True,
        help_text="SSN/EIN or foreign TIN; shown masked after entry.",
    )
    address = models.TextField(blank=True)
    country_of_citizenship = CountryField(blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    document = models.FileField(
        storage=private_storage, upload_to="tax-forms/%Y/%m/", blank=True, max_length=255
    )
    certified_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(form_type__in=TaxFormType.values), name="tax_form_type_valid"
            ),
            models.CheckConstraint(
                condition=~Q(tax_id="") | ~Q(document=""), name="tax_form_has_tin_or_document"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form_type} for {self.name_on_form}"

    @property
    def masked_tax_id(self) -> str:
        return mask_identifier(self.tax_id)


class PayoutMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", "Bank transfer (IBAN or account number)"
    PAYPAL = "paypal", "PayPal"
    WISE = "wise", "Wise"
    PAYONEER = "payoneer", "Payoneer"


class PayoutDetails(models.Model):
    profile = models.OneToOneField(
        ContractorProfile, on_delete=models.PROTECT, related_name="payout_details"
    )
    method = models.CharField(max_length=20, choices=PayoutMethod)
    account_holder = models.CharField(max_length=200)
    account_identifier = models.CharField(
        max_length=100, help_text="IBAN, account number or payout email; shown masked after entry."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "payout details"
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
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
