"""The onboarding checklist and its steps: agreement, tax form, payout details."""

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import selectors, services
from accounts.forms import (
    AgreementForm,
    PayoutDetailsForm,
    TaxFormBase,
    W8BENForm,
    W9Form,
    add_service_errors,
)
from accounts.models import ContractorProfile, PayoutDetails, TaxForm, TaxFormType
from accounts.selectors import agreement_current, onboarding_checklist
from accounts.views.access import CHECKLIST_STATUSES, STEP_STATUSES, contractor_required
from accounts.views.http import attachment, client_ip, is_post
from portal.admin_site import require_mfa_for_staff

STEP_URLS = {
    "agreement": "accounts:agreement",
    "tax_form": "accounts:tax_form",
    "payout": "accounts:payout_details",
}


@login_required
@require_GET
@contractor_required(CHECKLIST_STATUSES)
def onboarding(request: HttpRequest, profile: ContractorProfile) -> HttpResponse:
    checklist = onboarding_checklist(profile)
    steps = [
        (step, reverse(STEP_URLS[step.key]) if step.key in STEP_URLS else None)
        for step in checklist
    ]
    return render(
        request,
        "accounts/onboarding.html",
        {
            "profile": profile,
            "steps": steps,
            "complete": all(step.done for step in checklist),
            "can_edit": profile.status in STEP_STATUSES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@contractor_required(STEP_STATUSES)
def agreement(request: HttpRequest, profile: ContractorProfile) -> HttpResponse:
    # The current version in the reader's language, or in English until it has one.
    reader_language = translation.get_language() or ""
    current = agreement_current(reader_language)
    form = AgreementForm(request.POST if is_post(request) else None, initial={"agreement": current})
    if is_post(request) and form.is_valid():
        try:
            services.agreement_accept(
                profile=profile,
                agreement=form.cleaned_data["agreement"],
                ip_address=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: the agreement is accepted."))
            return redirect("accounts:onboarding")
    step = next(step for step in onboarding_checklist(profile) if step.key == "agreement")
    return render(
        request,
        "accounts/agreement.html",
        {
            "profile": profile,
            "agreement": current,
            "step": step,
            "form": form,
            "in_other_language": current is not None
            and current.language.lower() != reader_language.lower(),
            "text_language_name": _site_language_name(current.language) if current else "",
        },
    )


def _site_language_name(code: str) -> str:
    """A site language by its own name, as the language menu shows it."""
    return dict(settings.LANGUAGES).get(code, code)


def _tax_form_class(profile: ContractorProfile) -> type[TaxFormBase]:
    form_type = services.tax_form_type_for(str(profile.country))
    return W9Form if form_type == TaxFormType.W9 else W8BENForm


@login_required
@require_http_methods(["GET", "POST"])
@contractor_required(STEP_STATUSES)
def tax_form(request: HttpRequest, profile: ContractorProfile) -> HttpResponse:
    on_file: TaxForm | None = getattr(profile, "tax_form", None)
    data, files = (request.POST, request.FILES) if is_post(request) else (None, None)
    form = _tax_form_class(profile)(
        data,
        files,
        initial=TaxFormBase.initial_from(profile, on_file),
        tax_id_on_file=on_file.tax_id if on_file else "",
    )
    if is_post(request) and form.is_valid():
        try:
            services.tax_form_submit(
                profile=profile,
                fields=form.service_fields(),
                document=form.cleaned_data["document"] or None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: your tax form is filed."))
            return redirect("accounts:onboarding")
    return render(
        request,
        "accounts/tax_form.html",
        {
            "profile": profile,
            "form": form,
            "on_file": on_file,
            "form_type": services.tax_form_type_for(str(profile.country)),
        },
    )


@login_required
@require_mfa_for_staff
@require_GET
def tax_document(request: HttpRequest) -> FileResponse:
    requested = request.GET.get("profile")
    if requested is not None and not requested.isdigit():
        raise Http404(_("No such tax form."))
    on_file = selectors.tax_form_document_get_for_user(
        user=request.user, profile_id=int(requested) if requested else None
    )
    return attachment(
        on_file.document,
        filename=f"{on_file.form_type}-{on_file.profile_id}.pdf",
        content_type="application/pdf",
    )


def _changing_payout_details(request: HttpRequest) -> bool:
    return PayoutDetails.objects.filter(profile__user_id=request.user.pk).exists()


@login_required
@require_http_methods(["GET", "POST"])
@contractor_required(STEP_STATUSES)
# Changing where the money goes takes the password (or an authenticator) again, so a
# session left open or stolen can't redirect pay; the first details, in onboarding, don't.
@reauthentication_required(enabled=_changing_payout_details)
def payout_details(request: HttpRequest, profile: ContractorProfile) -> HttpResponse:
    on_file = getattr(profile, "payout_details", None)
    initial = (
        {"method": on_file.method, "account_holder": on_file.account_holder} if on_file else {}
    )
    initial.setdefault("account_holder", profile.legal_name)
    form = PayoutDetailsForm(
        request.POST if is_post(request) else None,
        initial=initial,
        country=str(profile.country),
    )
    if is_post(request) and form.is_valid():
        try:
            services.payout_details_save(
                profile=profile,
                method=form.cleaned_data["method"],
                account_holder=form.cleaned_data["account_holder"],
                account_identifier=form.cleaned_data["account_identifier"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: your payout details are saved."))
            return redirect("accounts:onboarding")
    return render(
        request,
        "accounts/payout_details.html",
        {"profile": profile, "form": form, "on_file": on_file},
    )
