"""The URLs the benchmark requests, drawn at random over the whole data set, as readers
spread over it: any proposal, any page of a list, any filter, search and sort, any
department. Everything is drawn from the catalogue (bench/catalogue.py: the ids, codes,
counts and choices of the database being measured) with a ``random.Random`` the caller
seeds, so a run can be repeated. Standard library only: the load generator imports it.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

# Rows per page of each list (the views' own page sizes).
PAGE_SIZE = 25  # Explore, the queue, the register, the API
ADMIN_PAGE_SIZE = 100
CATALOG_PAGE_SIZE = 20
COVERAGE_PAGE_SIZE = 25
# With a search, or a filter the catalogue has no count for, a reader looks at the first
# few pages; the page number is drawn among these.
FIRST_PAGES = 3
ZIPF_EXPONENT = 1.0
# The mixed phase: what share of requests reads a proposal, reads Explore, or writes.
MIX = {"proposal": 0.60, "explore": 0.35, "write": 0.05}
# An employee's writes (a reviewer's write is a decision).
EMPLOYEE_WRITES = {"comment": 0.5, "endorse": 0.35, "submit": 0.15}

Draw = Callable[[random.Random, dict], str]


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    role: str
    draw: Draw  # (rng, person) -> path
    htmx: bool = False


class Zipf:
    """Ranks 0..n-1 with P(k) ∝ 1/(k+1)^s: a few items are read often, most rarely."""

    def __init__(self, n: int, exponent: float = ZIPF_EXPONENT):
        self.cumulative = list(itertools.accumulate(1 / (k + 1) ** exponent for k in range(n)))

    def rank(self, rng: random.Random) -> int:
        point = rng.random() * self.cumulative[-1]
        return min(bisect.bisect_left(self.cumulative, point), len(self.cumulative) - 1)


def pages_of(rows: int, per_page: int = PAGE_SIZE) -> int:
    return max(1, math.ceil(rows / per_page))


def query(path: str, params: list[tuple[str, object]]) -> str:
    return f"{path}?{urllib.parse.urlencode(params)}" if params else path


class Draws:
    """The benchmark's page types, each drawing its URLs from ``catalogue``."""

    def __init__(self, catalogue: dict, *, seed: int = 2026):
        self.cat = catalogue
        self.codes = [code for _, code in catalogue["departments"]]
        self.department_ids = [pk for pk, _ in catalogue["departments"]]
        self.proposals = catalogue["proposals"]
        # Popularity is not the id order: the most read proposals are spread over the data.
        self.popular = list(self.proposals)
        random.Random(seed).shuffle(self.popular)  # noqa: S311 (load, not secrets)
        self.zipf = Zipf(len(self.popular)) if self.popular else None
        self.groups: dict[tuple, int] = {}
        for department, status, category, n in catalogue["proposal_groups"]:
            self.groups[(department, status, category)] = n
        self.group_statuses = sorted({k[1] for k in self.groups})
        self.group_categories = sorted({k[2] for k in self.groups})

    # ---------------------------------------------------------------- counting

    def matching(self, department=None, statuses=(), category=None) -> int:
        """How many public proposals a filter of Explore (or the API) matches."""
        departments = [department] if department else self.department_ids
        statuses = list(statuses) or self.group_statuses
        categories = [category] if category else self.group_categories
        return sum(
            self.groups.get((d, s, c), 0) for d in departments for s in statuses for c in categories
        )

    # ---------------------------------------------------------------- the page types

    def proposal(self, rng: random.Random, person: dict) -> str:
        return f"/proposals/{rng.choice(self.proposals)}/"

    def proposal_zipf(self, rng: random.Random, person: dict) -> str:
        return f"/proposals/{self.popular[self.zipf.rank(rng)]}/"

    def explore(self, rng: random.Random, person: dict) -> str:
        params: list[tuple[str, object]] = []
        department = rng.choice(self.department_ids) if rng.random() < 0.4 else None
        statuses = rng.sample(self.cat["statuses"], rng.randint(1, 2)) if rng.random() < 0.3 else []
        category = rng.choice(self.cat["categories"]) if rng.random() < 0.25 else None
        quadrant = rng.choice(self.cat["quadrants"]) if rng.random() < 0.1 else None
        words = self._words(rng) if rng.random() < 0.25 else ""
        if words:
            params.append(("q", words))
        if department:
            params.append(("department", department))
        params += [("status", s) for s in statuses]
        if category:
            params.append(("category", category))
        if quadrant:
            params.append(("quadrant", quadrant))
        if rng.random() < 0.4:
            params.append(("sort", rng.choice(self.cat["explore_sorts"])))
        if words or quadrant:
            last = FIRST_PAGES
        else:
            last = pages_of(self.matching(department, statuses, category))
        page = rng.randint(1, last)
        if page > 1:
            params.append(("page", page))
        return query("/proposals/", params)

    def similar(self, rng: random.Random, person: dict) -> str:
        # What someone types: the first words of a title, a variation of an existing one.
        words = rng.choice(self.cat["titles"]).split()
        title = " ".join(words[: rng.randint(3, 6)])
        return query("/proposals/similar/", [("title", title), ("problem", "")])

    def api_list(self, rng: random.Random, person: dict) -> str:
        department = rng.choice(self.department_ids) if rng.random() < 0.8 else None
        params: list[tuple[str, object]] = [("department", department)] if department else []
        params.append(("page", rng.randint(1, pages_of(self.matching(department)))))
        return query("/api/v1/use-cases/", params)

    def queue(self, rng: random.Random, person: dict) -> str:
        """The CoE's queue: all departments' proposals waiting for review."""
        params: list[tuple[str, object]] = []
        department = rng.choice(self.department_ids) if rng.random() < 0.4 else None
        if department:
            params.append(("department", department))
        counted = self._optional_filters(
            rng,
            params,
            [
                ("status", self.cat["queue_statuses"], 0.3),
                ("tier", self.cat["tiers"], 0.2),
                ("assignee", ["me", "none"], 0.15),
                ("overdue", ["1"], 0.15),
            ],
        )
        by_department = self._by_department("queue_by_department")
        rows = by_department.get(department, 0) if department else sum(by_department.values())
        self._page(rng, params, rows if counted else None)
        return query("/governance/queue/", params)

    def champion_queue(self, rng: random.Random, person: dict) -> str:
        """A champion's queue: their own department's part."""
        params: list[tuple[str, object]] = []
        counted = self._optional_filters(
            rng,
            params,
            [("status", self.cat["queue_statuses"], 0.3), ("tier", self.cat["tiers"], 0.2)],
        )
        rows = self._by_department("queue_by_department").get(person["department"], 0)
        self._page(rng, params, rows if counted else None)
        return query("/governance/queue/", params)

    def register(self, rng: random.Random, person: dict) -> str:
        params: list[tuple[str, object]] = []
        department = rng.choice(self.department_ids) if rng.random() < 0.4 else None
        if department:
            params.append(("department", department))
        counted = self._optional_filters(
            rng,
            params,
            [
                ("status", self.cat["live_statuses"], 0.3),
                ("tier", self.cat["tiers"], 0.2),
                ("platform", self.cat["platforms"], 0.15),
                ("due", ["1"], 0.1),
            ],
        )
        if rng.random() < 0.5:
            params.append(("sort", rng.choice(self.cat["register_sorts"])))
        by_department = self._by_department("register_by_department")
        rows = by_department.get(department, 0) if department else sum(by_department.values())
        self._page(rng, params, rows if counted else None)
        return query("/governance/register/", params)

    def catalog(self, rng: random.Random, person: dict) -> str:
        if rng.random() < 0.5 and self.cat["resource_words"]:
            return query("/learning/", [("q", rng.choice(self.cat["resource_words"]))])
        page = rng.randint(1, pages_of(self.cat["resources"], CATALOG_PAGE_SIZE))
        return query("/learning/", [("page", page)] if page > 1 else [])

    def coverage(self, rng: random.Random, person: dict) -> str:
        """Leadership's coverage: one department, or a page of the all-departments table."""
        if rng.random() < 0.7:
            return query("/learning/coverage/", [("department", rng.choice(self.codes))])
        page = rng.randint(1, pages_of(len(self.codes), COVERAGE_PAGE_SIZE))
        return query("/learning/coverage/", [("page", page)] if page > 1 else [])

    def champion_coverage(self, rng: random.Random, person: dict) -> str:
        return query("/learning/coverage/", [("department", person["department_code"])])

    def dashboard(self, rng: random.Random, person: dict) -> str:
        params: list[tuple[str, object]] = []
        if rng.random() < 0.9:
            params.append(("department", rng.choice(self.codes)))
        params.append(("period", rng.choice(self.cat["periods"])))
        return query("/metrics/", params)

    def department_dashboard(self, rng: random.Random, person: dict) -> str:
        code = rng.choice(self.codes)
        return query(f"/metrics/departments/{code}/", [("period", rng.choice(self.cat["periods"]))])

    def admin(self, rng: random.Random, person: dict) -> str:
        page = rng.randint(1, pages_of(self.cat["all_proposals"], ADMIN_PAGE_SIZE))
        return query("/admin/usecases/usecase/", [("p", page)] if page > 1 else [])

    def pages(self) -> list[Page]:
        """Every page type the benchmark measures, in the order it measures them."""
        return [
            Page("proposal", "A proposal, uniform", "employee", self.proposal),
            Page("proposal_zipf", "A proposal, Zipf", "employee", self.proposal_zipf),
            Page("explore", "Explore: pages, filters, search, sort", "employee", self.explore),
            Page("similar", "Similar proposals (htmx)", "employee", self.similar, htmx=True),
            Page("api", "API list: department, page", "employee", self.api_list),
            Page("catalog", "Learning catalog: search, page", "employee", self.catalog),
            Page("queue", "Review queue: filters, page", "reviewer", self.queue),
            Page("queue_champion", "Champion's queue", "champion", self.champion_queue),
            Page("register", "Register: filters, sort, page", "reviewer", self.register),
            Page("coverage", "Coverage: department or page", "leader", self.coverage),
            Page("coverage_champion", "Champion's coverage", "champion", self.champion_coverage),
            Page("dashboard", "Dashboard ?department=", "leader", self.dashboard),
            Page("department_dashboard", "Department dashboard", "leader",
                 self.department_dashboard),
            Page("admin", "Django admin change list (peer)", "admin", self.admin),
        ]  # fmt: skip

    # ---------------------------------------------------------------- the mixed phase

    def mixed_read(self, rng: random.Random, person: dict) -> str:
        """A read of the mixed phase: a proposal (Zipf) or Explore, in MIX's proportions."""
        share = MIX["proposal"] / (MIX["proposal"] + MIX["explore"])
        return (
            self.proposal_zipf(rng, person) if rng.random() < share else self.explore(rng, person)
        )

    # ---------------------------------------------------------------- helpers

    def _words(self, rng: random.Random) -> str:
        return " ".join(
            rng.sample(self.cat["words"], min(len(self.cat["words"]), rng.randint(1, 2)))
        )

    def _by_department(self, key: str) -> dict[int, int]:
        # JSON turns the catalogue's integer keys into strings.
        return {int(k): v for k, v in self.cat[key].items()}

    def _optional_filters(self, rng, params, options) -> bool:
        """Add each (name, choices, probability) filter with its probability; True when
        none was added, so the catalogue's count still holds for the page number."""
        added = False
        for name, choices, probability in options:
            if choices and rng.random() < probability:
                params.append((name, rng.choice(choices)))
                added = True
        if rng.random() < 0.1:
            params.append(("q", self._words(rng)))
            added = True
        return not added

    def _page(self, rng, params, rows: int | None) -> None:
        last = FIRST_PAGES if rows is None else pages_of(rows)
        page = rng.randint(1, last)
        if page > 1:
            params.append(("page", page))


@dataclass
class Writes:
    """What the mixed phase's writers may still do, shared by its threads: each draft is
    submitted once, each review decided once, each person endorses a proposal once (one
    they neither own nor endorsed before, so the row must exist afterwards)."""

    reviews: list[int]
    drafts: dict[int, list[int]] = field(default_factory=dict)
    skip_endorse: dict[int, set[int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    count: itertools.count = field(default_factory=itertools.count)

    @classmethod
    def from_catalogue(cls, catalogue: dict, rng: random.Random) -> Writes:
        reviews = list(catalogue["reviews"])
        rng.shuffle(reviews)
        writes = cls(reviews=reviews)
        for person in catalogue["people"]["employee"]:
            writes.drafts[person["id"]] = list(person["drafts"])
            writes.skip_endorse[person["id"]] = set(person["endorsed"]) | set(person["owned"])
        return writes

    def choose(self, rng: random.Random, person: dict, draws: Draws, tag: str) -> dict:
        """The next write ``person`` makes: {kind, path, use_case or review, marker}."""
        with self.lock:
            n = next(self.count)
            if person["role"] == "reviewer":
                if not self.reviews:  # all decided: a reviewer comments, as anyone may
                    return self._comment(rng, draws, tag, n)
                review = self.reviews.pop()
                marker = f"Benchmark {tag}-{n}: needs a named owner for the model's output."
                return {"kind": "decide", "review": review, "marker": marker,
                        "path": f"/governance/reviews/{review}/"}  # fmt: skip
            kind = rng.choices(list(EMPLOYEE_WRITES), weights=list(EMPLOYEE_WRITES.values()))[0]
            drafts = self.drafts.get(person["id"], [])
            if kind == "submit" and drafts:
                pk = drafts.pop()
                return {"kind": "submit", "use_case": pk, "path": f"/proposals/{pk}/status/"}
            if kind == "endorse":
                skip = self.skip_endorse.setdefault(person["id"], set())
                for _ in range(20):
                    pk = draws.popular[draws.zipf.rank(rng)]
                    if pk not in skip:
                        skip.add(pk)
                        return {"kind": "endorse", "use_case": pk,
                                "path": f"/proposals/{pk}/endorse/"}  # fmt: skip
        return self._comment(rng, draws, tag, n)

    @staticmethod
    def _comment(rng: random.Random, draws: Draws, tag: str, n: int) -> dict:
        pk = draws.popular[draws.zipf.rank(rng)]
        marker = f"Benchmark {tag}-{n}: who checks the summaries before they are sent?"
        return {"kind": "comment", "use_case": pk, "marker": marker,
                "path": f"/proposals/{pk}/comments/"}  # fmt: skip


def thread_rng(seed: int, phase: str, thread: int) -> random.Random:
    """Each client thread's own random source: the same seed draws the same URLs."""
    return random.Random(f"{seed}:{phase}:{thread}")  # noqa: S311 (load, not secrets)


def people_for(threads: int, people: list[dict]) -> list[list[dict]]:
    """Share the role's people among the threads, no person in two threads (a thread with
    no one of its own, when there are fewer people than threads, shares the first ones)."""
    if not people:
        return [[] for _ in range(threads)]
    return [people[i::threads] or [people[i % len(people)]] for i in range(threads)]
