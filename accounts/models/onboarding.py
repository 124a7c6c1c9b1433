"""What onboarding collects: the agreement accepted, the tax form, the payout details."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.choices import validate_site_language
from accounts.masking import mask_identifier
from accounts.models.encryption import EncryptedCharField, MaskedCopyField
from accounts.models.profiles import ContractorProfile
from accounts.storage import private_storage

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
    # Encrypted at rest; max_length bounds the clear value.
    tax_id = EncryptedCharField(
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
    account_identifier = EncryptedCharField(
        _("account"),
        max_length=100,
        help_text=_("IBAN, account number or payout email; shown masked after entry."),
    )
    # For SQL, which can't decrypt: the PostgreSQL payroll export.
    account_masked = MaskedCopyField(_("account"), max_length=8, source="account_identifier")
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
