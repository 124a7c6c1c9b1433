"""Reads of applications, profiles and onboarding, scoped to whoever asks."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, Min, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import (
    AGREEMENT_FALLBACK_LANGUAGE,
    OPEN_APPLICATION_STATUSES,
    AgreementAcceptance,
    AgreementVersion,
    ApiToken,
    Application,
    ContractorProfile,
    ProfileLanguage,
    RuleBook,
    TaxForm,
    User,
)
from accounts.roles import VENDOR_MANAGERS
from portal.dates import format_moment

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _ListAnnotations(TypedDict):
        accepted_current_agreement: bool

    # A profile from contractor_list_for_manager(), with what its row needs annotated.
    ListedContractor: TypeAlias = WithAnnotations[ContractorProfile, _ListAnnotations]


def contractor_for_user(user: User | AnonymousUser) -> ContractorProfile | None:
    """The user's own contractor profile; ``None`` for visitors, staff and new sign-ups.

    The one way to get "the contractor of this request": views call it once and
    pass the profile on. It reads ``user.contractor_profile``, which caches the
    profile (or its absence) on the user, so the navigation and any later call
    for the same request reuse it instead of fetching it again.
    """
    if not user.is_authenticated:
        return None
    try:
        return user.contractor_profile
    except ContractorProfile.DoesNotExist:
        return None


def contractor_with_paperwork_for_user(user: User | AnonymousUser) -> ContractorProfile | None:
    """``contractor_for_user`` with the tax form and payout details the dashboard shows, read
    in the same query; the profile is cached on the user like ``contractor_for_user``'s."""
    if not user.is_authenticated:
        return None
    profile = (
        ContractorProfile.objects.select_related("tax_form", "payout_details")
        .filter(user=user)
        .first()
    )
    if profile is not None:
        user.contractor_profile = profile  # the reverse one-to-one's cache, both ways
    return profile


def contractor_for_user_or_404(user: User | AnonymousUser, *, message: str) -> ContractorProfile:
    """``contractor_for_user`` for pages only contractors have; ``message`` says so in the 404."""
    profile = contractor_for_user(user)
    if profile is None:
        raise Http404(message)
    return profile


def application_list_for_user(user: User) -> QuerySet[Application]:
    return Application.objects.filter(profile__user=user).select_related("profile")


def application_latest_for_user(user: User) -> Application | None:
    return application_list_for_user(user).order_by("-submitted_at", "-pk").first()


def application_get_for_user(*, user: User, pk: int) -> Application:
    """An application the user may see: their own, or any for a reviewer. A miss is a 404."""
    queryset = Application.objects.select_related("profile__user")
    if not user.has_perm("accounts.view_application"):
        queryset = queryset.filter(profile__user=user)
    try:
        return queryset.get(pk=pk)
    except Application.DoesNotExist:
        raise Http404(_("No such application.")) from None


def application_list_for_reviewer() -> QuerySet[Application]:
    return Application.objects.select_related("profile__user", "reviewed_by").prefetch_related(
        Prefetch("profile__languages", queryset=ProfileLanguage.objects.order_by("pk")),
        "profile__expertise",
    )


def application_waiting_count() -> int:
    """Applications submitted or in review, waiting for a decision; one query."""
    return Application.objects.filter(status__in=OPEN_APPLICATION_STATUSES).count()


def _current_agreement_version() -> QuerySet[AgreementVersion, Mapping[str, Any]]:
    """The current version string, as a one-row query usable as a subquery.

    A version is as new as its first published text: a translation published
    later does not make an older version current again.
    """
    return (
        AgreementVersion.objects.filter(published_at__isnull=False)
        .values("version")
        .annotate(first_published_at=Min("published_at"), first_pk=Min("pk"))
        .order_by("-first_published_at", "-first_pk")
        .values("version")[:1]
    )


def agreement_current_version() -> str | None:
    """The version of the agreement contractors accept now, whatever its language."""
    return _current_agreement_version().values_list("version", flat=True).first()


def agreement_current(language: str | None = None) -> AgreementVersion | None:
    """The current version's published text in ``language`` (default: the active one).

    Without a text in that language it is the English text, the one every
    version has; compare the result's ``language`` to tell the reader so.
    """
    version = agreement_current_version()
    if version is None:
        return None
    texts = list(AgreementVersion.objects.filter(version=version, published_at__isnull=False))
    wanted = (language or translation.get_language() or AGREEMENT_FALLBACK_LANGUAGE).lower()
    by_language = {text.language.lower(): text for text in texts}
    return (
        by_language.get(wanted)
        or by_language.get(AGREEMENT_FALLBACK_LANGUAGE)
        or min(texts, key=lambda text: (text.published_at, text.pk))
    )


def agreement_acceptance_current(profile: ContractorProfile) -> AgreementAcceptance | None:
    """The profile's acceptance of the current version, in whichever language it was read."""
    version = agreement_current_version()
    if version is None:
        return None
    return _agreement_acceptance_of(profile, version)


def _agreement_acceptance_of(
    profile: ContractorProfile, version: str
) -> AgreementAcceptance | None:
    return (
        profile.agreement_acceptances.filter(
            agreement__version=version, agreement__published_at__isnull=False
        )
        .order_by("accepted_at", "pk")
        .first()
    )


@dataclass(frozen=True)
class ChecklistStep:
    key: str
    title: str
    done: bool
    detail: str
    by_contractor: bool


def _agreement_step_detail(version: str | None, accepted: AgreementAcceptance | None) -> str:
    if version is None:
        return _("No agreement published yet")
    if accepted is None:
        return _("Version %(version)s waiting") % {"version": version}
    return _("Version %(version)s accepted %(when)s") % {
        "version": version,
        "when": format_moment(accepted.accepted_at),
    }


def _tax_form_step_detail(tax_form: TaxForm | None) -> str:
    if tax_form is None:
        return _("W-9 for US persons, W-8BEN otherwise")
    return _("%(form)s filed") % {"form": tax_form.form_type}


def onboarding_checklist(profile: ContractorProfile) -> list[ChecklistStep]:
    version = agreement_current_version()
    accepted = _agreement_acceptance_of(profile, version) if version is not None else None
    tax_form = getattr(profile, "tax_form", None)
    payout = getattr(profile, "payout_details", None)
    return [
        ChecklistStep(
            "agreement",
            _("Accept the contractor agreement"),
            accepted is not None,
            _agreement_step_detail(version, accepted),
            True,
        ),
        ChecklistStep(
            "tax_form",
            _("File your tax form"),
            tax_form is not None,
            _tax_form_step_detail(tax_form),
            True,
        ),
        ChecklistStep(
            "payout",
            _("Add payout details"),
            payout is not None,
            str(payout) if payout else _("How and where you are paid"),
            True,
        ),
        ChecklistStep(
            "identity",
            _("Identity checked by a manager"),
            profile.identity_verified_at is not None,
            _("Verified") if profile.identity_verified_at else _("A manager checks this for you"),
            False,
        ),
    ]


def _current_agreement_accepted() -> Exists:
    """Whether the profile accepted a text (any language) of the current version."""
    return Exists(
        AgreementAcceptance.objects.filter(
            profile=OuterRef("pk"),
            agreement__published_at__isnull=False,
            agreement__version=_current_agreement_version(),
        )
    )


def contractor_list_for_manager() -> "QuerySet[ListedContractor]":
    """Contractors with what their list needs joined in, for a constant query count.

    onboarding_checklist() costs two queries a profile; the list counts the
    same steps from joined rows and one subquery instead (onboarding_progress).
    """
    return (
        ContractorProfile.objects.select_related(
            "user", "tax_form", "payout_details", "identity_verified_by"
        )
        .prefetch_related("expertise")
        .annotate(accepted_current_agreement=_current_agreement_accepted())
    )


def onboarding_progress(profile: "ListedContractor") -> tuple[int, int]:
    """(steps done, steps) for a profile from contractor_list_for_manager()."""
    steps = (
        profile.accepted_current_agreement,
        getattr(profile, "tax_form", None) is not None,
        getattr(profile, "payout_details", None) is not None,
        profile.identity_verified_at is not None,
    )
    return sum(steps), len(steps)


def onboarding_is_complete(profile: ContractorProfile) -> bool:
    return all(step.done for step in onboarding_checklist(profile))


def api_token_list_for_user(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_get_for_user(*, user: User, pk: int) -> ApiToken:
    """One of the user's own tokens; anyone else's is a 404, as if it did not exist."""
    try:
        return api_token_list_for_user(user).get(pk=pk)
    except ApiToken.DoesNotExist:
        raise Http404(_("No such token.")) from None


def tax_form_document_get_for_user(*, user: User, profile_id: int | None) -> TaxForm:
    """An uploaded tax form: the user's own, or anyone's for staff allowed to view them."""
    queryset = TaxForm.objects.exclude(document="").select_related("profile")
    if profile_id is None:
        queryset = queryset.filter(profile__user=user)
    else:
        if not user.has_perm("accounts.view_taxform"):
            queryset = queryset.filter(profile__user=user)
        queryset = queryset.filter(profile_id=profile_id)
    try:
        return queryset.get()
    except TaxForm.DoesNotExist:
        raise Http404(_("No such tax form.")) from None


def staff_with_permission(perm: str) -> QuerySet[User]:
    """Active staff whose groups (or own grants) give them ``perm`` ("app_label.codename")."""
    app_label, codename = perm.split(".", 1)
    granted = Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    ) | Q(
        user_permissions__codename=codename,
        user_permissions__content_type__app_label=app_label,
    )
    return User.objects.filter(granted, is_active=True, is_staff=True).distinct()


# --- The rule book -----------------------------------------------------------------


def rule_book_in_force(at: datetime | None = None) -> RuleBook | None:
    """The newest published version that applies at ``at`` (now by default)."""
    return (
        RuleBook.objects.filter(published_at__isnull=False, effective_at__lte=at or timezone.now())
        .order_by("-effective_at", "-pk")
        .first()
    )


def rule_book_upcoming() -> RuleBook | None:
    return (
        RuleBook.objects.filter(published_at__isnull=False, effective_at__gt=timezone.now())
        .order_by("effective_at", "pk")
        .first()
    )


# --- Staff names -------------------------------------------------------------------


def managers_without_display_name() -> list[str]:
    """Emails of active vendor managers whom contractors would read as an unnamed person."""
    return list(
        User.objects.filter(
            is_active=True, is_staff=True, groups__name=VENDOR_MANAGERS, display_name=""
        )
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
