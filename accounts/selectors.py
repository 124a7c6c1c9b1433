"""Reads of applications, profiles and onboarding, scoped to whoever asks."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import (
    AgreementAcceptance,
    AgreementVersion,
    ApiToken,
    Application,
    ContractorProfile,
    ProfileLanguage,
    TaxForm,
    User,
)


def profile_for_user(user: User) -> ContractorProfile | None:
    if not user.is_authenticated:
        return None
    return (
        ContractorProfile.objects.filter(user=user)
        .prefetch_related("expertise", "languages")
        .first()
    )


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
        raise Http404("No such application.") from None


def application_list_for_reviewer() -> QuerySet[Application]:
    return Application.objects.select_related("profile__user", "reviewed_by").prefetch_related(
        Prefetch("profile__languages", queryset=ProfileLanguage.objects.order_by("pk")),
        "profile__expertise",
    )


def agreement_current() -> AgreementVersion | None:
    return (
        AgreementVersion.objects.filter(published_at__isnull=False)
        .order_by("-published_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class ChecklistStep:
    key: str
    title: str
    done: bool
    detail: str
    by_contractor: bool


def onboarding_checklist(profile: ContractorProfile) -> list[ChecklistStep]:
    current = agreement_current()
    accepted: AgreementAcceptance | None = None
    if current is not None:
        accepted = profile.agreement_acceptances.filter(agreement=current).first()
    tax_form = getattr(profile, "tax_form", None)
    payout = getattr(profile, "payout_details", None)
    return [
        ChecklistStep(
            "agreement",
            "Accept the contractor agreement",
            accepted is not None,
            f"Version {current.version} accepted {accepted.accepted_at:%Y-%m-%d %H:%M} UTC"
            if accepted and current
            else (
                f"Version {current.version} waiting" if current else "No agreement published yet"
            ),
            True,
        ),
        ChecklistStep(
            "tax_form",
            "File your tax form",
            tax_form is not None,
            f"{tax_form.form_type} filed" if tax_form else "W-9 for US persons, W-8BEN otherwise",
            True,
        ),
        ChecklistStep(
            "payout",
            "Add payout details",
            payout is not None,
            str(payout) if payout else "How and where you are paid",
            True,
        ),
        ChecklistStep(
            "identity",
            "Identity checked by a manager",
            profile.identity_verified_at is not None,
            "Verified" if profile.identity_verified_at else "A manager checks this for you",
            False,
        ),
    ]


def _current_agreement_accepted() -> Exists:
    current = AgreementVersion.objects.filter(published_at__isnull=False).order_by(
        "-published_at", "-pk"
    )
    return Exists(
        AgreementAcceptance.objects.filter(
            profile=OuterRef("pk"), agreement=current.values("pk")[:1]
        )
    )


def contractor_list_for_manager() -> QuerySet[ContractorProfile]:
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


def onboarding_progress(profile: ContractorProfile) -> tuple[int, int]:
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
        raise Http404("No such token.") from None


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
        raise Http404("No such tax form.") from None


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
