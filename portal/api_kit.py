"""DRF plumbing every app's API shares: service errors as 400s, who may call, the token scheme."""

from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions, permissions, views
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.settings import api_settings


def drf_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    """The 400 a client gets for a service's ValidationError: the same messages, keyed by field.

    Errors a service raises without a field (and model errors under `__all__`)
    go under DRF's non-field key, so every 400 has the shape a serializer gives.
    """
    detail = get_error_detail(exc)
    if isinstance(detail, dict):
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: detail}
    return exceptions.ValidationError(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus a 400 for a service's ValidationError, so API views just call it."""
    if isinstance(exc, DjangoValidationError):
        exc = drf_validation_error(exc)
    return views.exception_handler(exc, context)


class HashedTokenScheme(OpenApiAuthenticationExtension):
    """Describes `Authorization: Token <key>` in the OpenAPI schema and the docs page."""

    target_class = "accounts.api_auth.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.keyword
        )


class SignedIn(permissions.IsAuthenticated):
    """Signed in, and for staff, with two-factor authentication on.

    The admin and the staff pages refuse staff without an authenticator; the
    API must not be the way around that, whether by session or by token.
    """

    message = _("Staff must turn on two-factor authentication before using the API.")

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        return not request.user.is_staff or is_mfa_enabled(request.user)
