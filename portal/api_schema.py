"""The OpenAPI schema's error answers, documented once for every operation.

Apart from ``portal.api_kit`` because DRF imports the schema class while it
builds its views, and the views' default permission lives in the kit.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions

ERROR_SCHEMA = {
    "type": "object",
    "description": "Why the request was refused; nothing was changed.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Messages keyed by field name (a list's errors by index, then field; a week "
        "submission's by cell), errors that belong to no field under `non_field_errors`; "
        "a body that cannot be parsed at all answers with `detail`."
    ),
    "properties": {
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
        "detail": {"type": "string"},
    },
    "additionalProperties": True,
}
RETRY_AFTER = {
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."},
}
ERROR_DESCRIPTIONS = {
    "400": "Bad input; nothing was changed.",
    "401": "No credentials, or a token that is wrong or revoked.",
    "403": "Not allowed: a missing permission, or staff without two-factor authentication.",
    "404": "No such object among those you may see (or no such page of a list).",
    "413": "The request body is too large.",
    "415": "A body in a media type this operation does not take.",
    "429": "Too many requests; wait as long as Retry-After says.",
    "503": "The database could not answer; nothing was changed. Try again after Retry-After.",
}


class ErrorsAutoSchema(AutoSchema):
    """Adds the error answers every operation can give, with the JSON error shape.

    They follow from how the view is built, so an endpoint gets them without
    saying so: 401 and 403 from its authentication and permissions, 400, 413 and
    415 from a request body or query parameters, 404 from a path parameter or a
    paged list, 429 from throttling and 503 from the database fault handler.
    An operation's own `extend_schema` may add more, or describe one of these
    in its own words; the body is always the shared shape.
    """

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._error_codes(operation):
            responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code]})
        for code, response in responses.items():
            if code < "400":
                continue
            schema = VALIDATION_ERROR_SCHEMA if code == "400" else ERROR_SCHEMA
            name = "ValidationError" if code == "400" else "Error"
            component = ResolvedComponent(
                name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name
            )
            self.registry.register_on_missing(component)
            response["content"] = {
                "application/json": {"schema": component.ref},
                **self._plain_error_content(),
            }
            if code in {"429", "503"}:
                response["headers"] = RETRY_AFTER
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _plain_error_content(self) -> dict:
        """A view that also renders, say, CSV writes its errors as text when asked for CSV."""
        return {
            renderer.media_type: {"schema": {"type": "string"}}
            for renderer in getattr(self.view, "renderer_classes", [])
            if renderer.media_type not in {"application/json", "text/html"}
        }

    def _error_codes(self, operation: dict) -> set[str]:
        view = self.view
        parameters = operation.get("parameters", [])
        codes = {"503"}
        if getattr(view, "authentication_classes", None):
            codes.add("401")
        if any(
            permission is not permissions.AllowAny
            for permission in getattr(view, "permission_classes", [])
        ):
            codes.add("403")
        if "requestBody" in operation:
            codes |= {"400", "413", "415"}
        # A bad page number is a 404 (below); any other query parameter is checked as input.
        if any(p["in"] == "query" and p["name"] != "page" for p in parameters):
            codes.add("400")
        if any(parameter["in"] == "path" for parameter in parameters) or any(
            parameter["name"] == "page" for parameter in parameters
        ):
            codes.add("404")
        if getattr(view, "throttle_classes", None):
            codes.add("429")
        return codes
