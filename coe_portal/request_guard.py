"""NUL characters are refused at the door, with a 400 that says so.

PostgreSQL cannot store or compare text holding a NUL (``\\x00``): a NUL in a path, a query
parameter, a form field or a JSON value reaching a query failed the request with a server
error (SQLite accepts it, so only production showed it). No value a person types contains
one, so rather than guard each lookup the whole request is refused before any view runs:

- ``RejectNulMiddleware`` checks the path, the query string and form bodies (urlencoded and
  multipart; uploaded files' contents are not text and are not checked);
- the API's parsers (``DEFAULT_PARSER_CLASSES``) check what they parse, JSON included, since
  DRF reads its bodies itself.

Both answer with ``MESSAGE``: JSON ``{"detail": ...}`` under /api/, a page elsewhere.
"""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from rest_framework import parsers
from rest_framework.exceptions import ParseError

NUL = "\x00"
MESSAGE = (
    "The request contains a NUL character (%00), which the portal does not accept. "
    "Remove it from the address or the text you sent, and try again."
)
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def contains_nul(value) -> bool:
    """True when ``value`` (text, or dicts, lists and QueryDicts of them) holds a NUL."""
    if isinstance(value, str):
        return NUL in value
    if hasattr(value, "lists"):  # a QueryDict: every value of a repeated key counts
        return any(contains_nul(key) or contains_nul(values) for key, values in value.lists())
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    return False


def request_has_nul(request) -> bool:
    """True when the path, the query string or a form body of ``request`` holds a NUL."""
    if NUL in request.path_info or contains_nul(request.GET):
        return True
    return request.content_type in FORM_CONTENT_TYPES and contains_nul(request.POST)


def refusal(request):
    """The 400 for a request holding a NUL."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": MESSAGE}, status=400)
    return HttpResponseBadRequest(render_to_string("400.html", {"message": MESSAGE}))


class RejectNulMiddleware:
    """Answers 400 to any request whose path, query or form holds a NUL (see above)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_has_nul(request):
            return refusal(request)
        return self.get_response(request)


class _RejectNul:
    """Mixed into the API's parsers: a parsed body holding a NUL is a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        if contains_nul(getattr(parsed, "data", parsed)):  # multipart: data and files
            raise ParseError(MESSAGE)
        return parsed


class JSONParser(_RejectNul, parsers.JSONParser):
    pass


class FormParser(_RejectNul, parsers.FormParser):
    pass


class MultiPartParser(_RejectNul, parsers.MultiPartParser):
    pass
