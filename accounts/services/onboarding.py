"""Onboarding: the agreement, the tax form, payout details and the identity check.

Each step a contractor completes may be the last: the contractor becomes
active once every step of the checklist is done.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Field
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import (
    AgreementAcceptance,
    AgreementVersion,
    ContractorProfile,
    ContractorStatus,
    PayoutDetails,
    PayoutMethod,
    TaxForm,
    TaxFormType,
    User,
)
from accounts.payout_accounts import payout_account_clean
from accounts.selectors import agreement_current_version, onboarding_is_complete
from accounts.services.contractors import contractor_notify, contractor_transition
from accounts.uploads import inspect_document
from portal.models import NotificationKind
from portal.notifications import Notice, notify


def _activate_if_complete(profile: ContractorProfile, *, by: User | None) -> ContractorProfile:
    """Make an onboarding contractor active once every checklist step is done."""
    if profile.status == ContractorStatus.ONBOARDING and onboarding_is_complete(profile):
        profile = contractor_transition(
            profile, to=ContractorStatus.ACTIVE, by=by, reason="Onboarding complete."
        )
        contractor_notify(
            profile,
            kind=NotificationKind.ACCOUNT_STATUS,
            template="accounts/email/contractor_active",
            body=lambda: _(
                "Every onboarding step is done. A manager can now assign you to projects."
            ),
            link=reverse("home"),
        )
    return profile


def _lock_onboarding_profile(profile: ContractorProfile) -> ContractorProfile:
    profile = ContractorProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.status not in (
        ContractorStatus.ONBOARDING,
        ContractorStatus.ACTIVE,
        ContractorStatus.SUSPENDED,
    ):
        raise ValidationError(_("Onboarding opens once your application is approved."))
    return profile


@transaction.atomic
def agreement_accept(
    *,
    profile: ContractorProfile,
    agreement: AgreementVersion,
    ip_address: str | None,
    user_agent: str = "",
) -> AgreementAcceptance:
    """Accept the current version in the language of the text read, once.

    Any language's text of the current version counts; accepting the version
    again (in the same or another language) keeps the first acceptance.
    """
    profile = _lock_onboarding_profile(profile)
    version = agreement_current_version()
    if agreement.published_at is None or agreement.version != version:
        raise ValidationError(
            _("This is not the current version of the agreement; reload the page.")
        )
    acceptance = (
        AgreementAcceptance.objects.filter(
            profile=profile, agreement__version=version, agreement__published_at__isnull=False
        )
        .order_by("accepted_at", "pk")
        .first()
    )
    if acceptance is None:
        acceptance = AgreementAcceptance.objects.create(
            profile=profile,
            agreement=agreement,
            language=agreement.language,
            ip_address=ip_address,
            user_agent=user_agent[:255],
        )
    _activate_if_complete(profile, by=profile.user)
    return acceptance


def tax_form_type_for(country: str) -> str:
    return TaxFormType.W9 if country == "US" else TaxFormType.W8BEN


TAX_FORM_FIELDS = ("name_on_form", "tax_id", "address", "country_of_citizenship", "date_of_birth")


@transaction.atomic
def tax_form_submit(
    *,
    profile: ContractorProfile,
    fields: dict[str, Any],
    document: "UploadedFile[bytes] | None" = None,
) -> TaxForm:
    profile = _lock_onboarding_profile(profile)
    form_type = tax_form_type_for(str(profile.country))
    tax_form = TaxForm.objects.filter(profile=profile).first() or TaxForm(profile=profile)
    tax_form.form_type = form_type
    for name in TAX_FORM_FIELDS:
        field = TaxForm._meta.get_field(name)
        assert isinstance(field, Field)  # the form's own columns; get_field() also finds relations
        setattr(tax_form, name, fields.get(name) or field.get_default())
    if document is not None:
        inspect_document(document, allow_docx=False)
        tax_form.document.save("tax-form.pdf", document, save=False)
    _tax_form_check_fields(tax_form)
    tax_form.certified_at = timezone.now()
    tax_form.save()
    _activate_if_complete(profile, by=profile.user)
    return tax_form


def _tax_form_check_fields(tax_form: TaxForm) -> None:
    if tax_form.document:
        return
    required = ["name_on_form", "tax_id", "address"]
    if tax_form.form_type == TaxFormType.W8BEN:
        required += ["country_of_citizenship", "date_of_birth"]
    message = _("This is required unless you upload a signed form.")
    missing = {name: [message] for name in required}
    missing = {name: msg for name, msg in missing.items() if not getattr(tax_form, name)}
    if missing:
        raise ValidationError(missing)


@transaction.atomic
def payout_details_save(
    *, profile: ContractorProfile, method: str, account_holder: str, account_identifier: str
) -> PayoutDetails:
    profile = _lock_onboarding_profile(profile)
    try:
        account = payout_account_clean(
            method=method, identifier=account_identifier, country=str(profile.country)
        )
    except ValidationError as exc:
        raise ValidationError({"account_identifier": exc.error_list}) from None
    before = PayoutDetails.objects.select_for_update().filter(profile=profile).first()
    details, _created = PayoutDetails.objects.update_or_create(
        profile=profile,
        defaults={
            "method": method,
            "account_holder": account_holder.strip(),
            "account_identifier": account,
        },
    )
    if before is not None and _destination(before) != _destination(details):
        _notify_payout_details_changed(profile, before=before, after=details)
    _activate_if_complete(profile, by=profile.user)
    return details


def _destination(details: PayoutDetails) -> tuple[str, str, str]:
    return details.method, details.account_holder, details.account_identifier


def _destination_words(details: PayoutDetails) -> str:
    return _("%(method)s, %(holder)s, account %(account)s") % {
        "method": PayoutMethod(details.method).label,
        "holder": details.account_holder,
        "account": details.masked_account,
    }


def _notify_payout_details_changed(
    profile: ContractorProfile, *, before: PayoutDetails, after: PayoutDetails
) -> None:
    """Tell the contractor, by email whatever their preferences, where their pay goes now:
    someone with their session could have made the change."""
    notify(
        recipients=User.objects.filter(pk=profile.user_id),
        kind=NotificationKind.PAYOUT_DETAILS_CHANGED,
        notice=lambda: Notice(
            title=_("Your payout details were changed"),
            body=_(
                "Your payout details were changed from %(before)s to %(after)s. Payouts not "
                "yet approved will be sent to the new details; payouts already approved still "
                "go where they were approved to go. If you did not make this change, reset "
                "your password at once (%(reset)s) and tell us (%(help)s)."
            )
            % {
                "before": _destination_words(before),
                "after": _destination_words(after),
                "reset": settings.SITE_URL + reverse("account_reset_password"),
                "help": settings.SITE_URL + reverse("support:ask"),
            },
        ),
        link=reverse("accounts:payout_details"),
        topic=f"contractor:{profile.pk}",
    )


@transaction.atomic
def identity_verify(*, profile: ContractorProfile, by: User) -> ContractorProfile:
    profile = _lock_onboarding_profile(profile)
    if profile.identity_verified_at is None:
        profile.identity_verified_at = timezone.now()
        profile.identity_verified_by = by
        profile.save(update_fields=["identity_verified_at", "identity_verified_by", "updated_at"])
    return _activate_if_complete(profile, by=by)


@transaction.atomic
def agreement_publish(*, agreement: AgreementVersion, by: User) -> AgreementVersion:
    """Make a version the current agreement; contractors accept it from then on."""
    agreement = AgreementVersion.objects.select_for_update().get(pk=agreement.pk)
    if agreement.published_at is not None:
        raise ValidationError(
            _("Version %(version)s is already published."), params={"version": agreement.version}
        )
    agreement.published_at = timezone.now()
    agreement.save(update_fields=["published_at"])
    return agreement
