"""DRF plumbing every app's API shares: service errors as 400s, database faults as 503s,
who may call, the token scheme."""

import logging
from datetime import date, timedelta
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions, permissions, serializers, views
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.settings import api_settings

from portal.db_faults import DB_FAULTS, RETRY_AFTER_SECONDS

logger = logging.getLogger(__name__)

# The largest primary key or amount the database holds (a 64-bit integer). Input fields
# that carry an id or an amount say so, since a larger number would make the query
# itself fail (a server error) rather than match nothing or be refused.
MAX_ID = 2**63 - 1


class DayField(serializers.DateField):
    """A day that weeks and pay periods are worked out around.

    The calendar ends on 31 December 9999; a week or period reaching past it
    cannot be computed, so the last month of the calendar is refused as input.
    """

    LAST = date.max - timedelta(days=31)
    default_error_messages = {"too_late": _("Choose an earlier date.")}

    def to_internal_value(self, value: Any) -> date:
        day = super().to_internal_value(value)
        if day > self.LAST:
            self.fail("too_late")
        return day


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


class DatabaseUnavailable(exceptions.APIException):
    """A database fault (connection lost, statement timed out): nothing was done; retry."""

    status_code = 503
    default_detail = _("The service could not reach its database; nothing was changed. Try again.")
    default_code = "database_unavailable"
    # DRF sends this as the Retry-After header.
    wait = RETRY_AFTER_SECONDS


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus a 400 for a service's ValidationError, so API views just call it,
    and a logged 503 for a database fault instead of a server error."""
    if isinstance(exc, DjangoValidationError):
        exc = drf_validation_error(exc)
    elif isinstance(exc, DB_FAULTS):
        request = context.get("request")
        logger.error(
            "Database fault during API %s %s; answered 503.",
            getattr(request, "method", "?"),
            getattr(request, "path", "?"),
            exc_info=exc,
        )
        exc = DatabaseUnavailable()
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        # Django refuses these while parsing a form body, before any serializer sees it;
        # left alone they would reach the client as an HTML error page.
        exc = exceptions.ParseError(
            _("The request has too many fields; send long lists in a JSON body.")
        )
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
