"""Every write to applications, contractor profiles and onboarding.

Views, admin actions, the API and commands call these functions; none of them
writes these models directly.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.choices import validate_time_zone
from accounts.models import (
    OPEN_APPLICATION_STATUSES,
    AgreementAcceptance,
    AgreementVersion,
    ApiToken,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    ContractorProfile,
    ContractorStatus,
    ContractorStatusChange,
    ExpertiseArea,
    PayoutDetails,
    ProfileLanguage,
    TaxForm,
    TaxFormType,
    User,
)
from accounts.selectors import agreement_current_version, onboarding_is_complete
from accounts.tokens import token_make_key
from accounts.uploads import inspect_document
from portal.dates import time_zone_name
from portal.models import NotificationKind
from portal.notifications import Notice, notify

MOTIVATION_MAX_LENGTH = 2000


@dataclass
class ApplicantDetails:
    """What the application form (or the API) collects about the applicant."""

    legal_name: str
    display_name: str
    country: str
    time_zone: str
    hours_per_week: int
    payout_currency: str
    motivation: str
    languages: list[tuple[str, str]]
    expertise: list[ExpertiseArea] = field(default_factory=list)
    # The language the site speaks to them in; "" leaves the account's as it is.
    site_language: str = ""

    @classmethod
    def from_answers(cls, answers: dict, *, languages: list[tuple[str, str]]) -> "ApplicantDetails":
        """Build from cleaned form or serializer data; both ask the same questions."""
        return cls(
            **{name: answers[name] for name in (*PROFILE_FIELDS, "motivation")},
            languages=languages,
            expertise=list(answers.get("expertise") or []),
            site_language=answers.get("site_language") or "",
        )

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if not self.languages:
            errors["languages"] = [_("List at least one language you work in.")]
        codes = [code for code, _level in self.languages]
        if len(codes) != len(set(codes)):
            errors["languages"] = [_("Each language can be listed once.")]
        if not 1 <= self.hours_per_week <= 80:
            errors["hours_per_week"] = [_("Hours a week must be between 1 and 80.")]
        self.motivation = (self.motivation or "").strip()
        if not self.motivation:
            errors["motivation"] = [_("Tell us briefly why you want to do this work.")]
        elif len(self.motivation) > MOTIVATION_MAX_LENGTH:
            errors["motivation"] = [
                _("Keep the motivation under %(count)s characters.")
                % {"count": MOTIVATION_MAX_LENGTH}
            ]
        if self.site_language and self.site_language not in dict(settings.LANGUAGES):
            errors["site_language"] = [_("Choose one of the site's languages.")]
        if errors:
            raise ValidationError(errors)


PROFILE_FIELDS = (
    "legal_name",
    "display_name",
    "country",
    "time_zone",
    "hours_per_week",
    "payout_currency",
)


def _profile_apply_details(profile: ContractorProfile, details: ApplicantDetails) -> None:
    for name in PROFILE_FIELDS:
        setattr(profile, name, getattr(details, name))
    profile.full_clean(exclude=["user", "status_changed_at"])
    profile.save()
    # Pages show their times in the zone of the application, and speak the
    # language chosen on it.
    user = profile.user
    user.time_zone = details.time_zone
    update_fields = ["time_zone"]
    if details.site_language:
        user.language = details.site_language
        update_fields.append("language")
    user.save(update_fields=update_fields)
    profile.expertise.set(details.expertise)
    profile.languages.all().delete()
    ProfileLanguage.objects.bulk_create(
        ProfileLanguage(profile=profile, language=code, level=level)
        for code, level in details.languages
    )


def _attach_resume(application: Application, resume: UploadedFile) -> None:
    try:
        application.resume_content_type = inspect_document(resume)
    except ValidationError as exc:
        raise ValidationError({"resume": exc.error_list}) from exc
    application.resume_original_name = (resume.name or "resume")[-255:]
    application.resume.save("resume", resume, save=False)


@transaction.atomic
def application_submit(
    *, user: User, details: ApplicantDetails, resume: UploadedFile
) -> Application:
    details.clean()
    try:
        profile = ContractorProfile.objects.select_for_update().get(user=user)
    except ContractorProfile.DoesNotExist:
        profile = ContractorProfile(user=user)
    else:
        if profile.status != ContractorStatus.APPLICANT:
            raise ValidationError(_("You are already past the application stage."))
        if profile.applications.filter(status__in=OPEN_APPLICATION_STATUSES).exists():
            raise ValidationError(_("You already have an open application."))
    _profile_apply_details(profile, details)
    application = Application(profile=profile, motivation=details.motivation)
    _attach_resume(application, resume)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise ValidationError(_("You already have an open application.")) from None
    _application_record(application, from_status="", by=user, reason="")
    return application


@transaction.atomic
def application_update(
    *,
    application: Application,
    by: User,
    details: ApplicantDetails,
    resume: UploadedFile | None = None,
) -> Application:
    details.clean()
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not application.is_editable:
        raise ValidationError(_("This application is already being reviewed and can't be edited."))
    _profile_apply_details(application.profile, details)
    application.motivation = details.motivation
    update_fields = ["motivation", "updated_at"]
    if resume is not None:
        old = application.resume.name
        _attach_resume(application, resume)
        update_fields += ["resume", "resume_original_name", "resume_content_type"]
        transaction.on_commit(lambda: application.resume.storage.delete(old))
    application.save(update_fields=update_fields)
    return application


def _application_record(application: Application, *, from_status: str, by, reason: str) -> None:
    ApplicationStatusChange.objects.create(
        application=application,
        from_status=from_status,
        to_status=application.status,
        reason=reason,
        by=by,
    )


def _application_status_in_sentence(status: str) -> str:
    """The status as a word inside "… is %(status)s and can't become %(to)s."."""
    return {
        ApplicationStatus.SUBMITTED: pgettext("application status, inside a sentence", "submitted"),
        ApplicationStatus.IN_REVIEW: pgettext("application status, inside a sentence", "in review"),
        ApplicationStatus.APPROVED: pgettext("application status, inside a sentence", "approved"),
        ApplicationStatus.REJECTED: pgettext("application status, inside a sentence", "rejected"),
        ApplicationStatus.WITHDRAWN: pgettext("application status, inside a sentence", "withdrawn"),
    }[status]


def _application_transition(
    application: Application, *, to: str, by: User, reason: str = ""
) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not application.can_transition_to(to):
        raise ValidationError(
            _("Application #%(pk)s is %(status)s and can't become %(to)s."),
            params={
                "pk": application.pk,
                "status": _application_status_in_sentence(application.status),
                "to": _application_status_in_sentence(to),
            },
        )
    from_status = application.status
    application.status = to
    update_fields = ["status", "updated_at"]
    if to in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.IN_REVIEW):
        application.reviewed_by = by
        update_fields.append("reviewed_by")
    if to in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED):
        application.decided_at = timezone.now()
        application.decision_reason = reason
        update_fields += ["decided_at", "decision_reason"]
    application.save(update_fields=update_fields)
    _application_record(application, from_status=from_status, by=by, reason=reason)
    return application


@transaction.atomic
def application_withdraw(*, application: Application, by: User) -> Application:
    return _application_transition(application, to=ApplicationStatus.WITHDRAWN, by=by)


@transaction.atomic
def application_start_review(*, application: Application, by: User) -> Application:
    return _application_transition(application, to=ApplicationStatus.IN_REVIEW, by=by)


@transaction.atomic
def application_approve(*, application: Application, by: User) -> Application:
    application = _application_transition(application, to=ApplicationStatus.APPROVED, by=by)
    _contractor_transition(
        application.profile,
        to=ContractorStatus.ONBOARDING,
        by=by,
        reason="Application approved.",
    )
    _notify_contractor(
        application.profile,
        kind=NotificationKind.APPLICATION_DECIDED,
        template="accounts/email/application_approved",
        body=lambda: _(
            "Next, finish your onboarding checklist; once every step is done you can be "
            "assigned to projects."
        ),
        link=reverse("accounts:onboarding"),
    )
    return application


@transaction.atomic
def application_reject(*, application: Application, by: User, reason: str) -> Application:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the applicant a reason for the rejection.")]})
    application = _application_transition(
        application, to=ApplicationStatus.REJECTED, by=by, reason=reason
    )
    _notify_contractor(
        application.profile,
        kind=NotificationKind.APPLICATION_DECIDED,
        template="accounts/email/application_rejected",
        body=lambda: _("The reviewer's reason: %(reason)s") % {"reason": reason},
        link=reverse("accounts:application_status"),
        context={"reason": reason},
    )
    return application


def _notify_contractor(
    profile: ContractorProfile,
    *,
    kind: str,
    template: str,
    body: Callable[[], str],
    link: str,
    context: dict | None = None,
) -> None:
    """A notice now and, after commit, the email rendered from ``template``."""
    context = {"profile": profile, "site_url": settings.SITE_URL, **(context or {})}

    def notice() -> Notice:
        return Notice(
            title=render_to_string(f"{template}_subject.txt", context).strip(),
            body=body(),
            email_body=render_to_string(f"{template}.txt", context),
        )

    notify(
        recipients=User.objects.filter(pk=profile.user_id),
        kind=kind,
        notice=notice,
        link=link,
        topic=f"contractor:{profile.pk}",
    )


# --- Contractor status -----------------------------------------------------------


def _contractor_status_in_sentence(status: str) -> str:
    """The status as a word inside "%(name)s is %(status)s and can't become %(to)s."."""
    return {
        ContractorStatus.APPLICANT: pgettext(
            "contractor status, inside a sentence", "an applicant"
        ),
        ContractorStatus.ONBOARDING: pgettext("contractor status, inside a sentence", "onboarding"),
        ContractorStatus.ACTIVE: pgettext("contractor status, inside a sentence", "active"),
        ContractorStatus.SUSPENDED: pgettext("contractor status, inside a sentence", "suspended"),
        ContractorStatus.OFFBOARDED: pgettext("contractor status, inside a sentence", "offboarded"),
    }[status]


def _contractor_transition(
    profile: ContractorProfile, *, to: str, by: User | None, reason: str
) -> ContractorProfile:
    profile = ContractorProfile.objects.select_for_update().get(pk=profile.pk)
    if not profile.can_transition_to(to):
        raise ValidationError(
            _("%(name)s is %(status)s and can't become %(to)s."),
            params={
                "name": profile.legal_name,
                "status": _contractor_status_in_sentence(profile.status),
                "to": _contractor_status_in_sentence(to),
            },
        )
    from_status = profile.status
    profile.status = to
    profile.status_reason = reason
    profile.status_changed_at = timezone.now()
    profile.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
    ContractorStatusChange.objects.create(
        profile=profile, from_status=from_status, to_status=to, reason=reason, by=by
    )
    return profile


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the contractor a reason; they will read it.")]})
    return reason


@transaction.atomic
def contractor_suspend(*, profile: ContractorProfile, by: User, reason: str) -> ContractorProfile:
    reason = _require_reason(reason)
    profile = _contractor_transition(profile, to=ContractorStatus.SUSPENDED, by=by, reason=reason)
    _notify_contractor(
        profile,
        kind=NotificationKind.ACCOUNT_STATUS,
        template="accounts/email/contractor_suspended",
        body=lambda: (
            _("The reason given: %(reason)s Hours already approved stay payable.")
            % {"reason": reason}
        ),
        link=reverse("home"),
        context={"reason": reason},
    )
    return profile


@transaction.atomic
def contractor_reinstate(*, profile: ContractorProfile, by: User, reason: str) -> ContractorProfile:
    reason = _require_reason(reason)
    profile = ContractorProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.status != ContractorStatus.SUSPENDED:
        raise ValidationError(_("Only a suspended contractor can be reinstated."))
    if not onboarding_is_complete(profile):
        raise ValidationError(_("This contractor's onboarding is not complete."))
    profile = _contractor_transition(profile, to=ContractorStatus.ACTIVE, by=by, reason=reason)
    _notify_contractor(
        profile,
        kind=NotificationKind.ACCOUNT_STATUS,
        template="accounts/email/contractor_reinstated",
        body=lambda: _("The note from your manager: %(reason)s") % {"reason": reason},
        link=reverse("home"),
        context={"reason": reason},
    )
    return profile


@transaction.atomic
def contractor_offboard(*, profile: ContractorProfile, by: User, reason: str) -> ContractorProfile:
    reason = _require_reason(reason)
    profile = _contractor_transition(profile, to=ContractorStatus.OFFBOARDED, by=by, reason=reason)
    _notify_contractor(
        profile,
        kind=NotificationKind.ACCOUNT_STATUS,
        template="accounts/email/contractor_offboarded",
        body=lambda: (
            _("The reason given: %(reason)s Hours already approved stay payable.")
            % {"reason": reason}
        ),
        link=reverse("home"),
        context={"reason": reason},
    )
    return profile


def _activate_if_complete(profile: ContractorProfile, *, by: User | None) -> ContractorProfile:
    """Make an onboarding contractor active once every checklist step is done."""
    if profile.status == ContractorStatus.ONBOARDING and onboarding_is_complete(profile):
        profile = _contractor_transition(
            profile, to=ContractorStatus.ACTIVE, by=by, reason="Onboarding complete."
        )
        _notify_contractor(
            profile,
            kind=NotificationKind.ACCOUNT_STATUS,
            template="accounts/email/contractor_active",
            body=lambda: _(
                "Every onboarding step is done. A manager can now assign you to projects."
            ),
            link=reverse("home"),
        )
    return profile


# --- Onboarding steps ------------------------------------------------------------


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
    *, profile: ContractorProfile, fields: dict, document: UploadedFile | None = None
) -> TaxForm:
    profile = _lock_onboarding_profile(profile)
    form_type = tax_form_type_for(str(profile.country))
    tax_form = TaxForm.objects.filter(profile=profile).first() or TaxForm(profile=profile)
    tax_form.form_type = form_type
    for name in TAX_FORM_FIELDS:
        setattr(tax_form, name, fields.get(name) or TaxForm._meta.get_field(name).get_default())
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
    details, _created = PayoutDetails.objects.update_or_create(
        profile=profile,
        defaults={
            "method": method,
            "account_holder": account_holder.strip(),
            "account_identifier": "".join(account_identifier.split()),
        },
    )
    _activate_if_complete(profile, by=profile.user)
    return details


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


# --- Preferences -------------------------------------------------------------------


@transaction.atomic
def user_preferences_set(*, user: User, language: str, time_zone: str | None = None) -> User:
    """Store the language the site speaks to ``user`` and, if given, their time zone.

    A contractor's times follow the time zone of their application, so only
    that zone is accepted for them here.
    """
    errors: dict[str, list[str]] = {}
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose one of the site's languages.")]
    if time_zone is not None:
        try:
            validate_time_zone(time_zone)
        except ValidationError as exc:
            errors["time_zone"] = exc.messages
        else:
            profile = ContractorProfile.objects.filter(user=user).only("time_zone").first()
            if profile is not None and time_zone != profile.time_zone:
                errors["time_zone"] = [
                    _("Your times follow the time zone of your application, %(zone)s.")
                    % {"zone": time_zone_name(profile.time_zone)}
                ]
    if errors:
        raise ValidationError(errors)
    user.language = language
    update_fields = ["language"]
    if time_zone is not None:
        user.time_zone = time_zone
        update_fields.append("time_zone")
    user.save(update_fields=update_fields)
    return user


# --- API tokens ------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its key, which is never shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Name the token so you can tell it apart later.")]})
    key, prefix, key_hash = token_make_key()
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=prefix, key_hash=key_hash)
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
