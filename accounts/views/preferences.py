"""The signed-in person's preferences: the site's language, their time zone and (staff) the
name contractors see."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import PreferencesForm, add_service_errors
from accounts.selectors import contractor_for_user
from accounts.views.http import is_post
from portal.dates import time_zone_name


def language_cookie_set(response: HttpResponse, language: str) -> None:
    """Remember the language in the browser too, as Django's ``set_language`` does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    # A contractor's times follow the time zone of their application.
    profile = contractor_for_user(user)
    form = PreferencesForm(
        request.POST if is_post(request) else None,
        initial={
            "language": user.language or translation.get_language(),
            "time_zone": user.time_zone,
            "display_name": user.display_name,
        },
        with_time_zone=profile is None,
        with_display_name=user.is_staff,
    )
    if is_post(request) and form.is_valid():
        language = form.cleaned_data["language"]
        try:
            services.user_preferences_set(
                user=user,
                language=language,
                time_zone=form.cleaned_data.get("time_zone"),
                display_name=form.cleaned_data.get("display_name"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # This response already speaks the new language (and shows the new zone).
            translation.activate(language)
            request.LANGUAGE_CODE = language
            timezone.activate(user.time_zone)
            messages.success(request, _("Your preferences are saved."))
            response = redirect("accounts:preferences")
            language_cookie_set(response, language)
            return response
    return render(
        request,
        "accounts/preferences.html",
        {
            "form": form,
            "profile": profile,
            "application_time_zone": time_zone_name(profile.time_zone) if profile else "",
        },
    )
