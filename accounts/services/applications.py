"""Applying: submit, update and withdraw an application; a reviewer's decision on it."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import (
    OPEN_APPLICATION_STATUSES,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    ContractorProfile,
    ContractorStatus,
    ExpertiseArea,
    ProfileLanguage,
    User,
)
from accounts.services.contractors import contractor_notify, contractor_transition
from accounts.uploads import inspect_document
from portal.models import NotificationKind
from portal.places import subdivision_validate
from portal.typed_text import writer_language

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
    # Asked only where the country's wage floors differ by province or region.
    subdivision: str = ""

    @classmethod
    def from_answers(
        cls, answers: dict[str, Any], *, languages: list[tuple[str, str]]
    ) -> "ApplicantDetails":
        """Build from cleaned form or serializer data; both ask the same questions."""
        return cls(
            **{name: answers[name] for name in (*PROFILE_FIELDS, "motivation")},
            languages=languages,
            expertise=list(answers.get("expertise") or []),
            site_language=answers.get("site_language") or "",
            subdivision=answers.get("subdivision") or "",
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
        try:
            self.subdivision = subdivision_validate(
                country=str(self.country), subdivision=self.subdivision
            )
        except ValidationError as exc:
            errors["subdivision"] = exc.messages
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
    profile.subdivision = details.subdivision
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


def _attach_resume(application: Application, resume: "UploadedFile[bytes]") -> None:
    try:
        application.resume_content_type = inspect_document(resume)
    except ValidationError as exc:
        raise ValidationError({"resume": exc.error_list}) from exc
    application.resume_original_name = (resume.name or "resume")[-255:]
    application.resume.save("resume", resume, save=False)


@transaction.atomic
def application_submit(
    *, user: User, details: ApplicantDetails, resume: "UploadedFile[bytes]"
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
    resume: "UploadedFile[bytes] | None" = None,
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
        assert old  # a résumé is required, so a saved application always has one
        _attach_resume(application, resume)
        update_fields += ["resume", "resume_original_name", "resume_content_type"]
        transaction.on_commit(lambda: application.resume.storage.delete(old))
    application.save(update_fields=update_fields)
    return application


def _application_record(
    application: Application, *, from_status: str, by: User, reason: str
) -> None:
    ApplicationStatusChange.objects.create(
        application=application,
        from_status=from_status,
        to_status=application.status,
        reason=reason,
        by=by,
    )


def _application_status_in_sentence(status: str) -> str:
    """The status as a word inside "… is %(status)s and can't become %(to)s."."""
    words: dict[str, str] = {
        ApplicationStatus.SUBMITTED: pgettext("application status, inside a sentence", "submitted"),
        ApplicationStatus.IN_REVIEW: pgettext("application status, inside a sentence", "in review"),
        ApplicationStatus.APPROVED: pgettext("application status, inside a sentence", "approved"),
        ApplicationStatus.REJECTED: pgettext("application status, inside a sentence", "rejected"),
        ApplicationStatus.WITHDRAWN: pgettext("application status, inside a sentence", "withdrawn"),
    }
    return words[status]


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
        application.written_in = writer_language() if reason else ""
        update_fields += ["decided_at", "decision_reason", "written_in"]
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
    contractor_transition(
        application.profile,
        to=ContractorStatus.ONBOARDING,
        by=by,
        reason="Application approved.",
    )
    contractor_notify(
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
    contractor_notify(
        application.profile,
        kind=NotificationKind.APPLICATION_DECIDED,
        template="accounts/email/application_rejected",
        body=lambda: _("The reviewer's reason: %(reason)s") % {"reason": reason},
        link=reverse("accounts:application_status"),
        context={"reason": reason, "written_in": application.written_in},
    )
    return application
