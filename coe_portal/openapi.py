"""The API schema's refusals: the 4xx answers DRF gives, documented on every operation.

drf-spectacular documents the success answer of each operation only. The API also answers
401 without a valid token, 403 when the person's role does not allow it, 404 for an object
they may not see (or a page past the end), 400 for input it refuses and 429 when
throttled; a client (and the schemathesis fuzz in tests/security/test_api_fuzz.py) should
find those in the schema with the bodies DRF sends.
"""

from __future__ import annotations

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ApiTokenScheme(KnoxTokenScheme):
    """The API token in the schema: knox's own scheme, for the portal's subclass of its
    authentication (coe_portal.tokens), saying where a token comes from."""

    target_class = "coe_portal.tokens.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        scheme = super().get_security_definition(auto_schema)
        scheme["description"] = (
            'A personal API token, sent as the header "Authorization: Token <key>". Make '
            "one (named, expiring after 7 to 365 days) on the portal's API tokens page, "
            "under your name in the menu; it acts as you, with your permissions."
        )
        return scheme


class ErrorDetailSerializer(serializers.Serializer):
    """DRF's body for a refusal that is not about particular fields."""

    detail = serializers.CharField()


ERROR_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# A field's name (or "non_field_errors", or "detail") to its messages; nested serializers
# nest. Only the outline is fixed, as in DRF.
VALIDATION_ERRORS = {
    "type": "object",
    "additionalProperties": {},
    "description": "Each refused field with its messages; `non_field_errors` or `detail` "
    "for the request as a whole.",
}

CONFLICT = OpenApiResponse(
    ErrorDetailSerializer,
    description="Someone changed it first: read it again, then retry.",
)

_REFUSALS = {
    "401": ("Not signed in: no valid token or session.", "ErrorDetail"),
    "403": ("Signed in, but this person's role does not allow it.", "ErrorDetail"),
    "429": ("Too many requests: the API throttle; retry after Retry-After seconds.", "ErrorDetail"),
}


def _response(description: str, component: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def add_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: the refusals above on every operation, 404
    where a path names an object or the list is paged, 400 on writes and filtered reads.
    What a view documents itself (``@extend_schema``) is kept."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorDetail", ERROR_DETAIL)
    schemas.setdefault("ValidationErrors", VALIDATION_ERRORS)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code, (description, component) in _REFUSALS.items():
                responses.setdefault(code, _response(description, component))
            parameters = operation.get("parameters", [])
            if any(p["in"] == "path" for p in parameters) or any(
                p["in"] == "query" and p["name"] == "page" for p in parameters
            ):
                responses.setdefault(
                    "404",
                    _response("No such object for this person, or no such page.", "ErrorDetail"),
                )
            # Writes refuse what breaks a rule (endorsing one's own draft) even without a body.
            if method != "get" or any(p["in"] == "query" for p in parameters):
                responses.setdefault("400", _response("The input is refused.", "ValidationErrors"))
    return result
