"""Which contractors may open the onboarding pages, and where the others go."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.models import ContractorProfile, ContractorStatus
from accounts.selectors import contractor_for_user

# Who may work through the checklist, and who may only look at it.
STEP_STATUSES = (ContractorStatus.ONBOARDING, ContractorStatus.ACTIVE, ContractorStatus.SUSPENDED)
CHECKLIST_STATUSES = (*STEP_STATUSES, ContractorStatus.OFFBOARDED)


def _not_onboarding(request: HttpRequest, profile: ContractorProfile | None) -> HttpResponse:
    if profile is None:
        messages.info(
            request, _("Apply first; onboarding opens once your application is approved.")
        )
        return redirect("accounts:apply")
    if profile.status == ContractorStatus.APPLICANT:
        messages.info(request, _("Onboarding opens once your application is approved."))
        return redirect("accounts:application_status")
    messages.error(request, _("Your contractor account is closed; these details can't be changed."))
    return redirect("accounts:onboarding")


def contractor_required(statuses: tuple[str, ...]) -> Callable:
    """Pass the signed-in user's profile to the view, if its status is one of these."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            profile = contractor_for_user(request.user)
            if profile is None or profile.status not in statuses:
                return _not_onboarding(request, profile)
            return view(request, profile, *args, **kwargs)

        return wrapped

    return decorator
