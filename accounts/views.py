"""The contractor's own pages: applying, onboarding and API tokens.

Each view binds a form, calls one service and redirects; every object is
looked up through the signed-in user, so somebody else's is a 404.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors, services
from accounts.forms import (
    AgreementForm,
    ApiTokenForm,
    ApplicationEditForm,
    ApplicationForm,
    PayoutDetailsForm,
    TaxFormBase,
    W8BENForm,
    W9Form,
    add_service_errors,
    language_formset,
)
from accounts.models import (
    ApiToken,
    Application,
    ContractorProfile,
    ContractorStatus,
    TaxForm,
    TaxFormType,
)
from accounts.selectors import (
    agreement_current,
    application_get_for_user,
    application_latest_for_user,
    onboarding_checklist,
    profile_for_user,
)

# Who may work through the checklist, and who may only look at it.
STEP_STATUSES = (ContractorStatus.ONBOARDING, ContractorStatus.ACTIVE, ContractorStatus.SUSPENDED)
CHECKLIST_STATUSES = (*STEP_STATUSES, ContractorStatus.OFFBOARDED)
STEP_URLS = {
    "agreement": "accounts:agreement",
    "tax_form": "accounts:tax_form",
    "payout": "accounts:payout_details",
}


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, as recorded with an agreement acceptance.

    Behind a reverse proxy REMOTE_ADDR is the proxy's address; the proxy must
    then set it from X-Forwarded-For (e.g. gunicorn's --forwarded-allow-ips).
    """
    return request.META.get("REMOTE_ADDR") or None


def _attachment(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _is_post(request: HttpRequest) -> bool:
    return request.method == "POST"


# --- Applying ----------------------------------------------------------------------


def _application_closed_to(profile: ContractorProfile | None, latest: Application | None) -> str:
    """Why this user can't start an application now, or "" if they can."""
    if profile is not None and profile.status != ContractorStatus.APPLICANT:
        return "Your application was approved; there is nothing more to apply for."
    if latest is not None and latest.is_open:
        return "You already have an open application."
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    profile = profile_for_user(request.user)
    refusal = _application_closed_to(profile, application_latest_for_user(request.user))
    if refusal:
        messages.info(request, refusal)
        return redirect("accounts:application_status")
    data, files = (request.POST, request.FILES) if _is_post(request) else (None, None)
    form = ApplicationForm(data, files, initial=ApplicationForm.initial_from(profile))
    languages = language_formset(data, profile=profile)
    if _is_post(request) and all([form.is_valid(), languages.is_valid()]):
        try:
            services.application_submit(
                user=request.user,
                details=form.applicant_details(languages.languages()),
                resume=form.cleaned_data["resume"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Thank you: your application is submitted.")
            return redirect("accounts:application_status")
    return render(request, "accounts/application_form.html", {"form": form, "languages": languages})


@login_required
@require_GET
def application_status(request: HttpRequest) -> HttpResponse:
    application = application_latest_for_user(request.user)
    context = {"application": application}
    if application is not None:
        context["history"] = application.status_changes.all()
        context["profile"] = application.profile
    return render(request, "accounts/application_status.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest) -> HttpResponse:
    application = application_latest_for_user(request.user)
    if application is None:
        return redirect("accounts:apply")
    if not application.is_editable:
        messages.error(request, "Your application is already being reviewed and can't be edited.")
        return redirect("accounts:application_status")
    profile = profile_for_user(request.user)
    data, files = (request.POST, request.FILES) if _is_post(request) else (None, None)
    form = ApplicationEditForm(
        data,
        files,
        initial=ApplicationForm.initial_from(profile, application.motivation),
        resume_name=application.resume_original_name,
    )
    languages = language_formset(data, profile=profile)
    if _is_post(request) and all([form.is_valid(), languages.is_valid()]):
        try:
            services.application_update(
                application=application,
                by=request.user,
                details=form.applicant_details(languages.languages()),
                resume=form.cleaned_data["resume"] or None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your application is updated.")
            return redirect("accounts:application_status")
    return render(
        request,
        "accounts/application_form.html",
        {"form": form, "languages": languages, "application": application},
    )


@login_required
@require_POST
def application_withdraw(request: HttpRequest) -> HttpResponse:
    application = application_latest_for_user(request.user)
    if application is None:
        raise Http404("No application to withdraw.")
    try:
        services.application_withdraw(application=application, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Your application is withdrawn.")
    return redirect("accounts:application_status")


@login_required
@require_GET
def resume(request: HttpRequest, pk: int) -> FileResponse:
    application = application_get_for_user(user=request.user, pk=pk)
    return _attachment(
        application.resume,
        filename=application.resume_original_name,
        content_type=application.resume_content_type,
    )


# --- Onboarding ----------------------------------------------------------------------


def _not_onboarding(request: HttpRequest, profile: ContractorProfile | None) -> HttpResponse:
    if profile is None:
        messages.info(request, "Apply first; onboarding opens once your application is approved.")
        return redirect("accounts:apply")
    if profile.status == ContractorStatus.APPLICANT:
        messages.info(request, "Onboarding opens once your application is approved.")
        return redirect("accounts:application_status")
    messages.error(request, "Your contractor account is closed; these details can't be changed.")
    return redirect("accounts:onboarding")


def contractor_required(statuses: tuple[str, ...]) -> Callable:
    """Pass the signed-in user's profile to the view, if its status is one of these."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            # Read through the user rather than profile_for_user(): these pages
            # need no languages or expertise, and the navigation reuses the
            # profile cached on request.user instead of fetching it again.
            profile = getattr(request.user, "contractor_profile", None)
            if profile is None or profile.status not in statuses:
                return _not_onboarding(request, profile)
            return view(request, profile, *args, **kwargs)

        return wrapped

    return decorator


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
    current = agreement_current()
    form = AgreementForm(
        request.POST if _is_post(request) else None, initial={"agreement": current}
    )
    if _is_post(request) and form.is_valid():
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
            messages.success(request, "Thank you: the agreement is accepted.")
            return redirect("accounts:onboarding")
    step = next(step for step in onboarding_checklist(profile) if step.key == "agreement")
    return render(
        request,
        "accounts/agreement.html",
        {"profile": profile, "agreement": current, "step": step, "form": form},
    )


def _tax_form_class(profile: ContractorProfile) -> type[TaxFormBase]:
    form_type = services.tax_form_type_for(str(profile.country))
    return W9Form if form_type == TaxFormType.W9 else W8BENForm


@login_required
@require_http_methods(["GET", "POST"])
@contractor_required(STEP_STATUSES)
def tax_form(request: HttpRequest, profile: ContractorProfile) -> HttpResponse:
    on_file: TaxForm | None = getattr(profile, "tax_form", None)
    data, files = (request.POST, request.FILES) if _is_post(request) else (None, None)
    form = _tax_form_class(profile)(
        data,
        files,
        initial=TaxFormBase.initial_from(profile, on_file),
        tax_id_on_file=on_file.tax_id if on_file else "",
    )
    if _is_post(request) and form.is_valid():
        try:
            services.tax_form_submit(
                profile=profile,
                fields=form.service_fields(),
                document=form.cleaned_data["document"] or None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Thank you: your tax form is filed.")
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
@require_GET
def tax_document(request: HttpRequest) -> FileResponse:
    requested = request.GET.get("profile")
    if requested is not None and not requested.isdigit():
        raise Http404("No such tax form.")
    on_file = selectors.tax_form_document_get_for_user(
        user=request.user, profile_id=int(requested) if requested else None
    )
    return _attachment(
        on_file.document,
        filename=f"{on_file.form_type}-{on_file.profile_id}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_http_methods(["GET", "POST"])
@contractor_required(STEP_STATUSES)
def payout_details(request: HttpRequest, profile: ContractorProfile) -> HttpResponse:
    on_file = getattr(profile, "payout_details", None)
    initial = (
        {"method": on_file.method, "account_holder": on_file.account_holder} if on_file else {}
    )
    initial.setdefault("account_holder", profile.legal_name)
    form = PayoutDetailsForm(request.POST if _is_post(request) else None, initial=initial)
    if _is_post(request) and form.is_valid():
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
            messages.success(request, "Thank you: your payout details are saved.")
            return redirect("accounts:onboarding")
    return render(
        request,
        "accounts/payout_details.html",
        {"profile": profile, "form": form, "on_file": on_file},
    )


# --- API tokens ------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST if _is_post(request) else None)
    created: tuple[ApiToken, str] | None = None
    if _is_post(request) and form.is_valid():
        try:
            created = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Token created. Copy its key now: it is shown only once.")
            form = ApiTokenForm()
    # The new key is rendered into this response only: it is never stored in
    # clear, so a redirect would have nowhere to fetch it from.
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "tokens": selectors.api_token_list_for_user(request.user),
            "new_token": created[0] if created else None,
            "new_key": created[1] if created else "",
        },
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.api_token_get_for_user(user=request.user, pk=pk)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, f"The token “{token.name}” is revoked; it no longer works.")
    return redirect("accounts:api_tokens")
