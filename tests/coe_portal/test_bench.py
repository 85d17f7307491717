"""The benchmark's hooks inside the portal (coe_portal/bench.py), present only with BENCH=1."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import RequestFactory

from coe_portal import bench
from coe_portal.models import Department


def test_query_counter_reports_the_queries_of_a_request(db):
    def view(request):
        list(Department.objects.all())
        list(Department.objects.filter(code="x"))
        return HttpResponse("ok")

    response = bench.QueryCountMiddleware(view)(RequestFactory().get("/"))
    assert response["X-Query-Count"] == "2"


def test_floor_answers_with_the_person(employee):
    request = RequestFactory().get("/bench/floor/")
    request.user = employee
    response = bench.floor(request)
    assert response.status_code == 200
    assert response.content == f"ok {employee.pk}".encode()


def test_hooks_are_off_by_default(client, employee, settings):
    assert not settings.BENCH
    assert "coe_portal.bench.QueryCountMiddleware" not in settings.MIDDLEWARE
    client.force_login(employee)
    assert client.get("/bench/floor/").status_code == 404
