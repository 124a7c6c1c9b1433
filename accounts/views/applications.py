"""Applying: the application form, its status page, edits, withdrawal, the résumé."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services
from accounts.forms import (
    ApplicationEditForm,
    ApplicationForm,
    add_service_errors,
    language_formset,
)
from accounts.models import Application, ContractorProfile, ContractorStatus
from accounts.selectors import (
    application_get_for_user,
    application_latest_for_user,
    contractor_for_user,
)
from accounts.uploads import download_name
from accounts.views.http import attachment, is_post
from portal.admin_site import require_mfa_for_staff


def _application_closed_to(profile: ContractorProfile | None, latest: Application | None) -> str:
    """Why this user can't start an application now, or "" if they can."""
    if profile is not None and profile.status != ContractorStatus.APPLICANT:
        return _("Your application was approved; there is nothing more to apply for.")
    if latest is not None and latest.is_open:
        return _("You already have an open application.")
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    profile = contractor_for_user(request.user)
    refusal = _application_closed_to(profile, application_latest_for_user(request.user))
    if refusal:
        messages.info(request, refusal)
        return redirect("accounts:application_status")
    data, files = (request.POST, request.FILES) if is_post(request) else (None, None)
    form = ApplicationForm(data, files, initial=ApplicationForm.initial_from(profile))
    languages = language_formset(data, profile=profile)
    if is_post(request) and all([form.is_valid(), languages.is_valid()]):
        try:
            services.application_submit(
                user=request.user,
                details=form.applicant_details(languages.languages()),
                resume=form.cleaned_data["resume"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: your application is submitted."))
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
        messages.error(
            request, _("Your application is already being reviewed and can't be edited.")
        )
        return redirect("accounts:application_status")
    profile = contractor_for_user(request.user)
    data, files = (request.POST, request.FILES) if is_post(request) else (None, None)
    form = ApplicationEditForm(
        data,
        files,
        initial=ApplicationForm.initial_from(profile, application.motivation),
        resume_name=application.resume_original_name,
    )
    languages = language_formset(data, profile=profile)
    if is_post(request) and all([form.is_valid(), languages.is_valid()]):
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
            messages.success(request, _("Your application is updated."))
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
        raise Http404(_("No application to withdraw."))
    try:
        services.application_withdraw(application=application, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your application is withdrawn."))
    return redirect("accounts:application_status")


@login_required
@require_mfa_for_staff
@require_GET
def resume(request: HttpRequest, pk: int) -> FileResponse:
    application = application_get_for_user(user=request.user, pk=pk)
    return attachment(
        application.resume,
        filename=download_name(
            application.resume_original_name,
            application.resume_content_type,
            fallback=_("résumé"),
        ),
        content_type=application.resume_content_type,
    )
