"""What the benchmark (bench/) needs inside the portal, present only when ``BENCH=1``.

- ``QueryCountMiddleware`` (outermost) counts the SQL queries a request runs, sessions and
  the user included, and returns the count in the ``X-Query-Count`` header, and the time
  the request took inside Django in ``Server-Timing`` (``app;dur=<ms>``): the server's
  time, without the network, the client or gunicorn's queue.
- ``floor`` is the cheapest authenticated page: the whole middleware stack (session, user,
  CSRF, login required, CSP, …) and nothing else. Every page is measured against it.
"""

from __future__ import annotations

import time

from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response


@require_GET
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")
