"""Request and response plumbing the contractor's views share."""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, as recorded with an agreement acceptance.

    Behind a reverse proxy REMOTE_ADDR is the proxy's address; the proxy must
    then set it from X-Forwarded-For (e.g. gunicorn's --forwarded-allow-ips).
    """
    return request.META.get("REMOTE_ADDR") or None


def attachment(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
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


def is_post(request: HttpRequest) -> bool:
    return request.method == "POST"
