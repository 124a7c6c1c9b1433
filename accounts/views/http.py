"""Request and response plumbing the contractor's views share."""

from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, as recorded with an agreement acceptance.

    The same answer allauth's rate limits use: behind TRUSTED_PROXY_COUNT
    proxies it is read from X-Forwarded-For, otherwise it is REMOTE_ADDR.
    """
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def attachment(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def is_post(request: HttpRequest) -> bool:
    return request.method == "POST"
