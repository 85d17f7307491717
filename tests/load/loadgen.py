"""A small load generator for the portal's API: employees submit proposals, comment and
endorse; reviewers move proposals through triage and review to a decision. Threads with
keep-alive HTTP connections, bounded in time, loopback only.

``prepare`` makes the people (in the database this process is configured for), ``run``
drives a server for a while and tallies every request, and ``verify`` checks the database
against the tally: every accepted write is there once, counters agree, nothing is lost.
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# Everything a proposal needs before it may be submitted.
ANSWERS = {
    "problem": "Staff spend hours finding renewal dates in supplier contracts.",
    "solution": "An assistant that summarises each contract and lists its key dates.",
    "category": "summarisation",
    "business_sponsor": "Head of Procurement",
    "intended_users": "Procurement team",
    "reach": 25,
    "benefits": "Fewer missed notice periods.",
    "success_measure": "Review time per contract halves.",
    "data_used": "Supplier contracts.",
    "data_sensitivity": "internal",
    "effort": "M",
    "data_readiness": 3,
    "platform_other": "Azure OpenAI",
}
# What a reviewer does next with a proposal in each status (target, note).
NEXT_STEP = {
    "submitted": [("triage", ""), ("rejected", "Out of scope for the CoE.")],
    "triage": [("in_review", "")],
    "in_review": [
        ("approved", ""),
        ("approved_with_conditions", "Keep a human in the loop."),
        ("changes_requested", "Say who checks the summaries."),
        ("rejected", "The data may not leave the department."),
    ],
}


@dataclass(frozen=True)
class Person:
    pk: int
    username: str
    token: str


@dataclass
class World:
    tag: str
    employees: list[Person]
    reviewers: list[Person]


def prepare(employees: int, reviewers: int, tag: str | None = None) -> World:
    """Create a department, its employees and CoE reviewers, each with an API token."""
    from coe_portal.models import Department, User
    from coe_portal.roles import Role
    from coe_portal.tokens import create_api_token

    tag = tag or f"load-{uuid.uuid4().hex[:8]}"
    department = Department.objects.create(name=f"Load {tag}", code=tag)

    def person(name: str, role: str | None) -> Person:
        user = User.objects.create_user(name, f"{name}@example.com", department=department)
        if role:
            from django.contrib.auth.models import Group

            user.groups.add(Group.objects.get_or_create(name=role)[0])
        _, key = create_api_token(actor=user, name="Load test", lifetime=7)
        return Person(user.pk, name, key)

    return World(
        tag,
        [person(f"{tag}-emp{i}", None) for i in range(employees)],
        [person(f"{tag}-rev{i}", Role.COE_REVIEWER) for i in range(reviewers)],
    )


@dataclass
class Tally:
    """What the clients saw, shared by every thread (guarded by ``lock``)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    created: list[int] = field(default_factory=list)  # proposal ids, 201
    statuses: dict[int, str] = field(default_factory=dict)  # last accepted status
    owners: dict[int, int] = field(default_factory=dict)
    # (proposal, target): a set, since asking for the status a proposal already has (two
    # reviewers making the same decision at once) is answered 200 and changes nothing.
    transitions: set[tuple[int, str]] = field(default_factory=set)
    comments: list[int] = field(default_factory=list)  # comment ids, 201
    endorsements: set[tuple[int, int]] = field(default_factory=set)  # (proposal, person)
    refused: Counter = field(default_factory=Counter)  # 4xx by action: conflicts, rules
    errors: list[str] = field(default_factory=list)  # 5xx and failed connections
    latencies: list[float] = field(default_factory=list)
    by_action: dict[str, list[float]] = field(default_factory=dict)

    def open_proposals(self, *statuses: str) -> list[int]:
        with self.lock:
            return [pk for pk, status in self.statuses.items() if status in statuses]


class Client:
    """One keep-alive connection with a person's token; reconnects after an error."""

    def __init__(self, base_url: str, token: str, tally: Tally):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        self.tally = tally
        self.connection = None

    def call(self, action: str, method: str, path: str, payload=None):
        """(status, json body or None). 5xx and connection failures go to the errors."""
        body = json.dumps(payload).encode() if payload is not None else None
        started = time.monotonic()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.connection.request(method, f"/api/v1/{path}", body=body, headers=self.headers)
            response = self.connection.getresponse()
            text = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            self.connection = None
            with self.tally.lock:
                self.tally.errors.append(f"{action}: {type(exc).__name__}: {exc}")
            return 0, None
        with self.tally.lock:
            elapsed = time.monotonic() - started
            self.tally.latencies.append(elapsed)
            self.tally.by_action.setdefault(action, []).append(elapsed)
            if status >= 500:
                self.tally.errors.append(f"{action}: {status} {text[:200]!r}")
            elif status >= 400:
                self.tally.refused[action] += 1
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, None


def employee(client: Client, me: Person, world: World, tally: Tally, rng: random.Random):
    """One action of an employee: propose (and submit), comment, endorse, or read."""
    roll = rng.random()
    if roll < 0.25 or not tally.statuses:
        title = f"{world.tag} {me.username} {uuid.uuid4().hex[:8]}"
        status, body = client.call("create", "POST", "use-cases/", {"title": title, **ANSWERS})
        if status != 201:
            return
        pk = body["id"]
        with tally.lock:
            tally.created.append(pk)
            tally.owners[pk] = me.pk
            tally.statuses[pk] = "draft"
        status, body = client.call(
            "submit", "POST", f"use-cases/{pk}/transition/", {"target": "submitted"}
        )
        if status == 200:
            with tally.lock:
                tally.statuses[pk] = "submitted"
                tally.transitions.add((pk, "submitted"))
        return
    targets = tally.open_proposals("submitted", "triage", "in_review")
    if roll < 0.60 and targets:
        pk = rng.choice(targets)
        status, body = client.call(
            "comment", "POST", f"use-cases/{pk}/comments/", {"body": f"+1 from {me.username}"}
        )
        if status == 201:
            with tally.lock:
                tally.comments.append(body["id"])
        return
    if roll < 0.90 and targets:
        with tally.lock:
            candidates = [
                pk
                for pk in targets
                if tally.owners.get(pk) != me.pk and (pk, me.pk) not in tally.endorsements
            ]
        if candidates:
            pk = rng.choice(candidates)
            status, body = client.call("endorse", "POST", f"use-cases/{pk}/endorsement/")
            if status == 200 and body["endorsed"]:
                with tally.lock:
                    tally.endorsements.add((pk, me.pk))
            return
    client.call("read", "GET", "use-cases/?status=submitted")


def reviewer(client: Client, me: Person, world: World, tally: Tally, rng: random.Random):
    """One action of a reviewer: the next step for a proposal, as last seen; another
    reviewer may have moved it first (then the API refuses: a conflict, not an error)."""
    targets = tally.open_proposals(*NEXT_STEP)
    if not targets:
        client.call("read", "GET", "use-cases/?status=submitted")
        return
    pk = rng.choice(targets)
    with tally.lock:
        seen = tally.statuses[pk]
    target, note = rng.choice(NEXT_STEP[seen])
    status, body = client.call(
        "decide",
        "POST",
        f"use-cases/{pk}/transition/",
        {"target": target, "note": note, "expected_status": seen},
    )
    if status == 200:
        with tally.lock:
            tally.statuses[pk] = body["status"]
            tally.transitions.add((pk, target))


def run(base_url: str, world: World, seconds: float, think: float = 0.25, seed: int = 1) -> Tally:
    """Every person in a thread of their own for ``seconds``; returns the tally."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    master = random.Random(seed)

    def loop(person: Person, act, rng: random.Random):
        client = Client(base_url, person.token, tally)
        while time.monotonic() < deadline:
            try:
                act(client, person, world, tally, rng)
            except Exception as exc:  # a bug in the generator must not hide in a thread
                with tally.lock:
                    tally.errors.append(f"generator: {type(exc).__name__}: {exc}")
            time.sleep(rng.uniform(0, 2 * think))

    threads = [
        threading.Thread(target=loop, args=(p, employee, random.Random(master.random())))
        for p in world.employees
    ] + [
        threading.Thread(target=loop, args=(p, reviewer, random.Random(master.random())))
        for p in world.reviewers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    if any(thread.is_alive() for thread in threads):
        tally.errors.append("a client thread did not finish")
    return tally


def verify(world: World, tally: Tally) -> list[str]:
    """What the database disagrees with the tally about (empty when nothing was lost)."""
    from django.db.models import Count

    from coe_portal.models import OutboxMessage
    from usecases.lifecycle import NOTIFY_EVENT
    from usecases.models import Comment, Endorsement, UseCase, UseCaseEvent

    problems = []

    def same(what: str, stored, accepted):
        if stored == accepted:
            return
        if isinstance(stored, list):  # name only the differences
            extra, missing = (
                Counter(stored) - Counter(accepted),
                Counter(accepted) - Counter(stored),
            )
            stored, accepted = sorted(extra.elements()), sorted(missing.elements())
            problems.append(f"{what}: {stored} only in the database, {accepted} not stored")
        else:
            problems.append(f"{what}: {stored} in the database, {accepted} accepted")

    proposals = UseCase.objects.filter(department__code=world.tag)
    same("proposals", sorted(proposals.values_list("pk", flat=True)), sorted(tally.created))
    duplicates = proposals.values("title").annotate(n=Count("id")).filter(n__gt=1)
    same("duplicate titles", list(duplicates), [])
    comments = Comment.objects.filter(use_case__in=proposals)
    same("comments", sorted(comments.values_list("pk", flat=True)), sorted(tally.comments))
    endorsements = Endorsement.objects.filter(use_case__in=proposals)
    same(
        "endorsements",
        sorted(endorsements.values_list("use_case_id", "user_id")),
        sorted(tally.endorsements),
    )
    events = UseCaseEvent.objects.filter(use_case__in=proposals)
    same(
        "status changes",
        sorted(events.filter(kind="transition").values_list("use_case_id", "to_status")),
        sorted(tally.transitions),
    )
    for use_case in proposals.annotate(
        comments_n=Count("comments", distinct=True),
        endorsements_n=Count("endorsements", distinct=True),
    ):
        same(f"#{use_case.pk} status", use_case.status, tally.statuses[use_case.pk])
        same(f"#{use_case.pk} comment count", use_case.comment_count, use_case.comments_n)
        same(
            f"#{use_case.pk} endorsement count",
            use_case.endorsement_count,
            use_case.endorsements_n,
        )
    # Every status change and comment has its notification recorded, once.
    notify = list(events.filter(kind__in=["transition", "comment"]).values_list("pk", flat=True))
    recorded = OutboxMessage.objects.filter(handler=NOTIFY_EVENT, kwargs__event_id__in=notify)
    same("notifications recorded", recorded.count(), len(notify))
    return problems


def figures(tally: Tally, seconds: float) -> dict:
    """The run's figures, for the report and the README."""
    latencies = sorted(tally.latencies)

    def percentile(p: float) -> float:
        if not latencies:
            return 0.0
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)

    return {
        "seconds": seconds,
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / seconds, 1),
        "p50_ms": percentile(0.50),
        "p95_ms": percentile(0.95),
        "p99_ms": percentile(0.99),
        "mean_ms": round(1000 * statistics.fmean(latencies), 1) if latencies else 0.0,
        "proposals": len(tally.created),
        "status_changes": len(tally.transitions),
        "comments": len(tally.comments),
        "endorsements": len(tally.endorsements),
        "median_ms_by_action": {
            action: round(1000 * statistics.median(times), 1)
            for action, times in sorted(tally.by_action.items())
        },
        "refused_4xx": dict(tally.refused),
        "server_errors": len(tally.errors),
    }
