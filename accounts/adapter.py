from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User

EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length or 254


@dataclass(frozen=True)
class SiteNamed:
    """The site as allauth's emails name it: ``current_site.name`` and ``.domain``."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Without the sites framework allauth names the site after the request's
        # host ("Hello from 127.0.0.1:8000!"); people know it by its name.
        request = allauth_context.request
        domain = get_current_site(request).domain if request is not None else ""
        site = SiteNamed(name=settings.SITE_NAME, domain=domain)
        super().send_mail(template_prefix, email, {"current_site": site, **context})

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # Staff land in the admin; everybody else on their dashboard.
        if request.user.is_authenticated and request.user.is_staff:
            return "/admin/"
        return super().get_login_redirect_url(request)

    def clean_email(self, email: str) -> str:
        # A longer address would be cut to fit the column and could never be verified.
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError(
                _("An email address can be at most %(limit)d characters long.")
                % {"limit": EMAIL_MAX_LENGTH}
            )
        return super().clean_email(email)

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        """Create the user speaking the language they signed up in.

        The language chosen on the first visit (cookie or browser) then follows
        them to every device they sign in on.
        """
        language = translation.get_language()
        if language in dict(settings.LANGUAGES) and not user.language:
            user.language = language
        return super().save_user(request, user, form, commit=commit)
