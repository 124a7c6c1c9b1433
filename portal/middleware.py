"""Each request speaks the signed-in person's language and shows their time zone."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class UserLocaleMiddleware:
    """Activate the signed-in user's stored language and time zone.

    Runs after ``LocaleMiddleware`` (which chose from the cookie or
    ``Accept-Language``) and ``AuthenticationMiddleware``: a language stored
    on the account wins, so it follows the person from device to device.
    Visitors keep the language their browser asked for, and UTC.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language in self.languages:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            timezone.activate(user.time_zone or settings.TIME_ZONE)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
