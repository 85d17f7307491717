"""The benchmark: its hooks inside the portal (coe_portal/bench.py, present only with\nBENCH=1), the URLs it draws (bench/draw.py, bench/catalogue.py) and its verdicts (bench/run.py)."""

from __future__ import annotations

import math
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory

from bench import run
from bench.draw import PAGE_SIZE, Draws, people_for, thread_rng
from coe_portal import bench
from coe_portal.models import Department, User
from tests.factories import UseCaseFactory
from usecases import engagement


def test_query_counter_reports_the_queries_of_a_request(db):
    def view(request):
        list(Department.objects.all())
        list(Department.objects.filter(code="x"))
        return HttpResponse("ok")

    response = bench.QueryCountMiddleware(view)(RequestFactory().get("/"))
    assert response["X-Query-Count"] == "2"
    assert response["Server-Timing"].startswith("app;dur=")


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


# ---------------------------------------------------------------- the benchmark's URLs
# (bench/draw.py draws them from bench/catalogue.py's reading of the database)


@pytest.fixture
def catalogue(db):
    from bench.catalogue import read

    call_command("generate_data", size="tiny", stdout=StringIO())
    return read(seed=7, people={"employee": 6, "champion": 3, "reviewer": 2, "leader": 2})


def _draws(catalogue, page, n=12, thread=0):
    rng = thread_rng(catalogue["seed"], page.key, thread)
    people = catalogue["people"][page.role]
    return [(person, page.draw(rng, person)) for person in (people * n)[:n]]


def test_drawn_urls_answer_their_role_over_the_whole_data(catalogue, client):
    """Every page type's drawn URLs answer 200 to the people drawn for its role, and spread
    over different proposals, pages, filters and departments."""
    people = catalogue["people"]
    assert len(people["employee"]) == 6 and len(people["champion"]) == 3
    assert len({p["department"] for p in people["champion"]}) == 3  # one per department
    assert people["reviewer"] and people["leader"] and people["admin"]
    draws = Draws(catalogue, seed=7)
    seen: dict[str, set[str]] = {}
    for page in draws.pages():
        headers = {"HX-Request": "true"} if page.htmx else {}
        for person, path in _draws(catalogue, page):
            client.force_login(User.objects.get(pk=person["id"]))
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (page.key, person["username"], path)
            seen.setdefault(page.key, set()).add(path)
    for key, paths in seen.items():
        # One department per champion (one URL each); the tiny data's admin has two pages.
        if key not in ("coverage_champion", "admin"):
            assert len(paths) > 4, (key, paths)
    explore = " ".join(seen["explore"])
    assert "page=" in explore and "department=" in explore and "sort=" in explore
    assert any("department=" in p for p in seen["api"]) and any("p=" in p for p in seen["admin"])
    assert len({p.split("?")[0] for p in seen["department_dashboard"]}) > 3


def test_drawn_urls_reach_every_proposal_and_page(catalogue):
    draws = Draws(catalogue, seed=7)
    rng = thread_rng(7, "coverage-check", 0)
    person = catalogue["people"]["employee"][0]
    proposals = {draws.proposal(rng, person) for _ in range(2000)}
    assert len(proposals) == len(catalogue["proposals"])  # uniform: every one, in time
    popular = Counter(draws.proposal_zipf(rng, person) for _ in range(2000))
    top, count = popular.most_common(1)[0]
    assert count > 2000 / len(catalogue["proposals"]) * 5  # Zipf: a few are read far more
    assert top != f"/proposals/{catalogue['proposals'][0]}/"  # popularity is not id order
    pages = {p for p in (draws.explore(rng, person) for _ in range(500)) if "page=" in p}
    last = max(int(p.rsplit("page=", 1)[1]) for p in pages)
    assert last == math.ceil(len(catalogue["proposals"]) / PAGE_SIZE)


def test_the_same_seed_draws_the_same_urls(catalogue):
    def sequence(seed, thread=0):
        draws = Draws(catalogue, seed=seed)
        rng = thread_rng(seed, "explore", thread)
        person = catalogue["people"]["employee"][0]
        return [draws.explore(rng, person) for _ in range(30)] + [
            draws.proposal_zipf(rng, person) for _ in range(30)
        ]

    assert sequence(1) == sequence(1)
    assert sequence(1) != sequence(2)
    assert sequence(1, thread=0) != sequence(1, thread=1)  # each thread its own URLs
    from bench.catalogue import read

    people = {"employee": 6, "champion": 3, "reviewer": 2, "leader": 2}
    assert read(seed=7, people=people)["people"] == catalogue["people"]


def test_each_thread_has_its_own_people():
    people = [{"id": n} for n in range(20)]
    groups = people_for(8, people)
    assert sum(len(g) for g in groups) == 20
    assert len({p["id"] for g in groups for p in g}) == 20  # nobody in two threads
    assert people_for(3, people[:1]) == [[people[0]]] * 3  # fewer people than threads


def test_verify_reports_an_accepted_write_missing_from_the_database(db, employee):
    from bench.catalogue import verify

    use_case = UseCaseFactory(status="submitted")
    engagement.add_comment(use_case.pk, actor=employee, body="Benchmark r-1")
    writes = [
        {"kind": "comment", "person": employee.pk, "use_case": use_case.pk,
         "marker": "Benchmark r-1", "accepted": True},
        {"kind": "comment", "person": employee.pk, "use_case": use_case.pk,
         "marker": "Benchmark r-2", "accepted": True},
        {"kind": "endorse", "person": employee.pk, "use_case": use_case.pk, "accepted": False},
    ]  # fmt: skip
    result = verify(writes)
    assert result["accepted"] == 2
    assert [w["marker"] for w in result["lost"]] == ["Benchmark r-2"]
    assert result["counter_mismatches"] == []


def test_form_fields_are_what_a_browser_sends():
    html = """<form class="other"><input name="x" value="1"></form>
    <form method="post" class="review-form"><input type="hidden" name="version" value="3">
    <input type="radio" name="a1-result" value="pass" checked><input type="radio"
    name="a1-result" value="fail"><textarea name="a1-note">
Seen &amp; fine</textarea><input type="file" name="a1-evidence_file">
    <select name="c0-owner"><option value="">-</option><option value="9" selected>Ann</option>
    </select></form>"""
    parser = run.FormFields("review-form")
    parser.feed(html)
    assert parser.fields == [
        ("version", "3"), ("a1-result", "pass"), ("a1-note", "Seen & fine"), ("c0-owner", "9"),
    ]  # fmt: skip


# ---------------------------------------------------------------- the ratios and verdicts


def test_each_page_is_measured_against_the_floor_around_it():
    assert run.floor_reference(4.0, 6.0) == 5.0
    assert run.floor_reference(None, 6.0) == 6.0  # one side missing: the other
    assert run.floor_reference(None, None) is None
    assert run.ratio(25.0, run.floor_reference(4.0, 6.0)) == 5.0
    assert run.ratio(None, 5.0) is None and run.ratio(3.0, None) is None
    # Each against its own floor: a page twice its floor, the admin eight times its own.
    assert run.relative_to_admin(2.0, 8.0) == 0.25


def _page(label, p95, vs_floor, **extra):
    return {"label": label, "rps": 100.0, "p50_ms": p95 / 2, "p95_ms": p95,
            "vs_floor": vs_floor, "queries": [8], "max_bytes": 40_000, "errors": 0,
            "statuses": {"200": 10}, "cold_server_ms": 20.0, **extra}  # fmt: skip


def _results(mixed_rps=90.0):
    floor = {"label": "Floor", "rps": 500.0, "p50_ms": 2.0, "p95_ms": 4.0, "queries": [2],
             "errors": 0, "statuses": {}}  # fmt: skip
    mixed = _page("Mixed", 16.0, 4.0, rps=mixed_rps, writes={}, lost_writes=0,
                  counter_mismatches=[])  # fmt: skip
    return {
        "large": {
            "floor": floor,
            "pages": {
                "proposal": _page("A proposal", 16.0, 4.0),
                "explore": _page("Explore", 40.0, 10.0, max_bytes=150_000),
                "admin": _page("Admin", 80.0, 20.0),
            },
            "mixed": mixed,
        }
    }


def _verdict(checks, name):
    return next(passed for label, passed, _ in checks if label == name)


def test_verdicts_hold_pages_to_issue_17s_targets():
    _rows, checks = run.verdicts(_results())
    assert _verdict(checks, "A proposal: p95 ≤ 5× floor") is True
    assert _verdict(checks, "A proposal: p95 ≤ ¼ admin") is True  # 4 ÷ 20 = 0.2
    assert _verdict(checks, "Explore: p95 ≤ 5× floor") is False
    assert _verdict(checks, "Explore: p95 ≤ ¼ admin") is False  # 10 ÷ 20 = 0.5
    assert _verdict(checks, "Explore: HTML ≤ 100 KB") is False
    assert _verdict(checks, "A proposal: cold ≤ 50 ms server") is True
    assert _verdict(checks, "Mixed phase: no lost writes") is True


def test_mixed_throughput_is_compared_only_against_a_given_baseline():
    name = "Mixed phase: throughput ≥ 3× baseline"
    assert _verdict(run.verdicts(_results())[1], name) is None  # printed "not compared"
    assert _verdict(run.verdicts(_results(), (20.0, "given"))[1], name) is True
    assert _verdict(run.verdicts(_results(), (40.0, "given"))[1], name) is False
