"""What every person is shown follows the rules, after any sequence of changes, whatever is
cached (issue 15).

A Hypothesis state machine plays random sequences of what happens on a live portal:
proposals created, submitted, edited, made confidential or moved to another department (also
behind the logic's back, as the admin or a shell would), people moving, gaining and losing
roles and leaving, duplicates merged, comments, risk overrides and decisions with their
reasoning. After every step each person of the cast asks for every surface that shows
proposals, and two things must hold:

- **within the rules**: nothing shown names a proposal the person may not see, and no
  governance reasoning reaches someone outside its audience. The rules are written out
  here from DESIGN.md (``may_see``, ``may_read_reasoning``), not taken from ``visible_to``,
  so the test checks the code rather than repeating it. Every title, comment and reason
  holds a token of its own, so a leak is found wherever it shows (a list, a cross
  reference, a notification, an email, a CSV);
- **the cache decides nothing**: every answer is the same with the cache on and with it
  off (a DummyCache).

Bounded for CI by a fixed seed and ``VISIBILITY_EXAMPLES`` examples of ``VISIBILITY_STEPS`` steps
(5 of 50: 250 steps, about three minutes); a longer, random run by hand::

    VISIBILITY_EXAMPLES=200 VISIBILITY_STEPS=40 VISIBILITY_RANDOM=1 \
        make test PYTEST_ARGS=tests/test_visibility_invariants.py
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client, TestCase, override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from rest_framework.throttling import SimpleRateThrottle

from coe_portal.models import Department, User
from coe_portal.roles import Role
from governance import reviews, risk
from governance.choices import Outcome
from tests.factories import DepartmentFactory, UseCaseFactory, UserFactory
from usecases import duplicates, engagement, lifecycle
from usecases.choices import Status
from usecases.models import UseCase
from usecases.proposals import update_proposal

EXAMPLES = int(os.environ.get("VISIBILITY_EXAMPLES", "5"))
STEPS = int(os.environ.get("VISIBILITY_STEPS", "50"))
MAX_PROPOSALS = 8

# Errors a refused action raises: the machine tries things people may not do, and a
# refusal is an answer, not a failure.
REFUSED = (lifecycle.TransitionError, risk.OverrideError, PermissionDenied, ValidationError)

# The cast: who they are at the start. Roles and departments change as the machine plays.
CAST = {
    "emma": ("finance", []),
    "colin": ("finance", []),
    "otto": ("marketing", []),
    "chloe": ("finance", [Role.CHAMPION]),
    "mia": ("marketing", [Role.CHAMPION]),
    "leo": ("marketing", [Role.LEADERSHIP]),
}
# The reviewer keeps their role and stays active, so decisions can always be made.
REVIEWER = "rui"
OWNERS = ["emma", "colin", "otto", "chloe", "mia"]
MOVABLE = list(CAST)
GRANTABLE = [Role.CHAMPION, Role.COE_REVIEWER, Role.LEADERSHIP]

# What changes between two renders of the same answer without saying anything: the CSRF
# token (masked afresh each time) and the CSP nonce.
_VOLATILE = re.compile(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": "|nonce=")[^"]+')
_PROPOSAL_LINK = re.compile(rb'href="/proposals/(\d+)/"')


# --- the rules, written out from DESIGN.md -------------------------------------------------


def _roles(person: User) -> set[str]:
    return set(person.groups.values_list("name", flat=True))


def sees_everything(person: User) -> bool:
    return bool(_roles(person) & {Role.COE_REVIEWER, Role.COE_ADMIN, Role.LEADERSHIP})


def is_champion_of(person: User, use_case: UseCase) -> bool:
    return Role.CHAMPION in _roles(person) and person.department_id == use_case.department_id


def may_see(person: User, use_case: UseCase) -> bool:
    """Drafts are their owner's; a submitted proposal is everyone's unless confidential;
    a confidential one its owner's, its department's champions', the CoE's and
    leadership's. Nobody who has left sees anything."""
    if not person.is_active:
        return False
    if use_case.owner_id == person.pk:
        return True
    if use_case.status == Status.DRAFT:
        return False
    return not use_case.confidential or sees_everything(person) or is_champion_of(person, use_case)


def may_read_reasoning(person: User, use_case: UseCase) -> bool:
    """Governance reasoning (rationales, risk-override reasons) is for the owner, the
    department's champions, the CoE and leadership, of a proposal they may see."""
    if not may_see(person, use_case):
        return False
    return (
        use_case.owner_id == person.pk
        or sees_everything(person)
        or is_champion_of(person, use_case)
    )


# --- the machine -----------------------------------------------------------------------------


class Tokens:
    """Words that appear nowhere but where the machine put them."""

    def __init__(self):
        self._numbers = itertools.count(1)

    def new(self, kind: str) -> str:
        return f"zq{kind}{next(self._numbers):04d}x"


class PortalStory(RuleBasedStateMachine):
    """One story of the portal, from a fresh cast, rolled back when it ends."""

    def __init__(self):
        super().__init__()
        self._story = transaction.atomic()
        self._story.__enter__()
        from django.core.cache import cache

        cache.clear()
        mail.outbox = []
        self.tokens = Tokens()
        self.departments = {
            "finance": DepartmentFactory(name="Finance", code="finance"),
            "marketing": DepartmentFactory(name="Marketing", code="marketing"),
        }
        self.people = {
            name: UserFactory(username=name, department=self.departments[dept], roles=roles)
            for name, (dept, roles) in CAST.items()
        }
        self.people[REVIEWER] = UserFactory(
            username=REVIEWER, department=self.departments["marketing"], roles=[Role.COE_REVIEWER]
        )
        self.clients = {}
        for name, person in self.people.items():
            self.clients[name] = Client()
            self.clients[name].force_login(person)
        # The tokens of each proposal's title, and its restricted and public notes.
        self.title_token: dict[int, str] = {}
        self.reasoning: dict[int, list[str]] = {}
        self.problem_token: dict[int, str] = {}  # the latest problem's, once edited
        # What the last step changed: the pages of these proposals are asked after it.
        self.touched: set[int] = set()
        self.everything_touched = True

    def teardown(self):
        transaction.set_rollback(True)
        self._story.__exit__(None, None, None)

    # --- helpers

    def person(self, name: str) -> User:
        return User.objects.get(username=name)

    def act(self, action, *args, **kwargs):
        """Run a logic function as the pages would: its after-commit work (outbox,
        notifications, mail) happens as if it had committed; a refusal changes nothing."""
        try:
            with transaction.atomic(), TestCase.captureOnCommitCallbacks(execute=True):
                return action(*args, **kwargs)
        except REFUSED:
            return None

    def proposals(self) -> list[UseCase]:
        return list(UseCase.objects.filter(pk__in=self.title_token).order_by("pk"))

    def pick(self, data, predicate=lambda uc: True) -> UseCase | None:
        candidates = [uc for uc in self.proposals() if predicate(uc)]
        if not candidates:
            return None
        picked = data.draw(st.sampled_from(candidates))
        self.touched.add(picked.pk)
        return picked

    # --- what happens

    @precondition(lambda self: len(self.title_token) < MAX_PROPOSALS)
    @rule(owner=st.sampled_from(OWNERS), confidential=st.booleans(), submit=st.booleans())
    def propose(self, owner, confidential, submit):
        token = self.tokens.new("t")
        actor = self.person(owner)
        use_case = UseCaseFactory(
            owner=actor, title=f"{token} contract digest", confidential=confidential
        )
        self.title_token[use_case.pk] = token
        self.touched.add(use_case.pk)
        self.reasoning[use_case.pk] = []
        if submit:
            self.act(lifecycle.change_status, use_case.pk, Status.SUBMITTED, actor=actor)

    @rule(data=st.data())
    def submit_a_draft(self, data):
        use_case = self.pick(data, lambda uc: uc.status == Status.DRAFT)
        if use_case:
            self.act(lifecycle.change_status, use_case.pk, Status.SUBMITTED, actor=use_case.owner)

    @rule(data=st.data())
    def edit_the_problem(self, data):
        """The owner rewrites the problem of a draft or of one sent back: a new secret of
        the proposal's, wherever its answers show."""
        use_case = self.pick(data, lambda uc: uc.status in (Status.DRAFT, Status.CHANGES_REQUESTED))
        if use_case:
            token = self.tokens.new("p")
            problem = f"{token} invoices arrive as scans"
            if self.act(
                update_proposal, use_case.pk, actor=use_case.owner,
                data={"problem": problem},
            ):  # fmt: skip
                self.problem_token[use_case.pk] = token

    @rule(data=st.data(), confidential=st.booleans())
    def set_confidential_behind_the_logic(self, data, confidential):
        """As the admin or a shell would: a plain UPDATE, with nobody told."""
        use_case = self.pick(data)
        if use_case:
            UseCase.objects.filter(pk=use_case.pk).update(confidential=confidential)

    @rule(data=st.data(), department=st.sampled_from(["finance", "marketing"]))
    def move_proposal_to_another_department(self, data, department):
        use_case = self.pick(data)
        if use_case:
            UseCase.objects.filter(pk=use_case.pk).update(department=self.departments[department])

    @rule(name=st.sampled_from(MOVABLE), department=st.sampled_from(["finance", "marketing"]))
    def move_person(self, name, department):
        self.everything_touched = True
        User.objects.filter(username=name).update(department=self.departments[department])

    @rule(name=st.sampled_from(MOVABLE), role=st.sampled_from(GRANTABLE), grant=st.booleans())
    def grant_or_revoke_a_role(self, name, role, grant):
        self.everything_touched = True
        group, _ = Group.objects.get_or_create(name=role)
        person = self.person(name)
        if grant:
            person.groups.add(group)
        else:
            person.groups.remove(group)

    @rule(name=st.sampled_from(MOVABLE), active=st.booleans())
    def leave_or_return(self, name, active):
        self.everything_touched = True
        User.objects.filter(username=name).update(is_active=active)

    @rule(data=st.data())
    def merge_a_duplicate(self, data):
        duplicate = self.pick(data, lambda uc: uc.status in (Status.SUBMITTED, Status.TRIAGE))
        original = self.pick(data, lambda uc: duplicate and uc.pk != duplicate.pk)
        if duplicate and original:
            self.act(
                duplicates.mark_duplicate,
                duplicate.pk,
                original.pk,
                actor=self.person(REVIEWER),
            )

    @rule(data=st.data(), name=st.sampled_from([*MOVABLE, REVIEWER]))
    def comment_and_follow(self, data, name):
        person = self.person(name)
        use_case = self.pick(data, lambda uc: may_see(person, uc) and uc.status != Status.DRAFT)
        if use_case:
            self.act(engagement.set_following, use_case.pk, actor=person, follow=True)
            body = f"{self.tokens.new('c')} looks useful"
            self.act(engagement.add_comment, use_case.pk, actor=person, body=body)

    @rule(data=st.data(), tier=st.sampled_from(["minimal", "limited", "high", "prohibited"]))
    def override_the_risk_tier(self, data, tier):
        use_case = self.pick(data, lambda uc: hasattr(uc, "risk_assessment"))
        if use_case:
            reason = f"{self.tokens.new('r')} weighs more"
            if self.act(
                risk.override_tier, use_case.pk, tier, actor=self.person(REVIEWER), reason=reason
            ):
                self.reasoning[use_case.pk].append(reason.split()[0])

    @rule(data=st.data(), outcome=st.sampled_from(list(Outcome)))
    def review_and_decide(self, data, outcome):
        """Triage, accept and decide every review of the round, with a rationale each."""
        reviewer = self.person(REVIEWER)
        use_case = self.pick(
            data, lambda uc: uc.status in (Status.SUBMITTED, Status.TRIAGE, Status.IN_REVIEW)
        )
        if not use_case:
            return
        if use_case.status != Status.IN_REVIEW:
            self.act(reviews.accept_for_review, use_case.pk, actor=reviewer)
        for review in use_case.reviews.filter(status="open"):
            rationale = f"{self.tokens.new('r')} because"
            answers = {
                a.pk: {"result": "pass", "note": "", "evidence": ""} for a in review.answers.all()
            }
            decided = self.act(
                reviews.decide_review,
                review.pk,
                actor=reviewer,
                outcome=Outcome.APPROVE if outcome == Outcome.APPROVE_WITH_CONDITIONS else outcome,
                rationale=rationale,
                answers=answers,
                expected_version=review.version,
            )
            if decided:
                self.reasoning[use_case.pk].append(rationale.split()[0])

    # --- what everyone is shown

    @rule(name=st.sampled_from([*CAST, REVIEWER]), which=st.integers(min_value=0))
    def compare_with_the_cache_off(self, name, which):
        """One surface asked by one person with the cache on and again with it off (a
        DummyCache): the answers must be the same. A step of its own, so that over the run
        every surface is compared after every kind of change, at a tenth of the cost of
        comparing them all after each step."""
        surfaces = self.list_surfaces() + self.detail_surfaces(self.proposals())
        url, headers = surfaces[which % len(surfaces)]
        client = self.clients[name]
        cached = client.get(url, secure=True, **headers)
        with override_settings(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
        ):
            uncached = client.get(url, secure=True, **headers)
        assert (cached.status_code, _stable(cached)) == (uncached.status_code, _stable(uncached)), (
            f"{url} answered {name} differently with the cache on and off"
        )

    @invariant()
    def everyone_is_shown_only_what_they_may_see(self):
        """After every step, every person, every list surface and the pages of the
        proposals the step changed (all of them when people changed)."""
        proposals = self.proposals()
        touched = [uc for uc in proposals if self.everything_touched or uc.pk in self.touched]
        self.touched, self.everything_touched = set(), False
        new_mail, mail.outbox = list(mail.outbox), []
        for name in self.people:
            person = self.person(name)
            hidden = [
                token
                for uc in proposals
                if not may_see(person, uc)
                for token in (self.title_token[uc.pk], self.problem_token.get(uc.pk))
                if token
            ]
            secret = [
                token
                for uc in proposals
                if not may_read_reasoning(person, uc)
                for token in self.reasoning[uc.pk]
            ]
            forbidden = [t.encode() for t in hidden + secret]
            visible_ids = {uc.pk for uc in proposals if may_see(person, uc)}
            asked = self.list_surfaces() + self.detail_surfaces(touched)
            for url, headers in asked:
                response = self.clients[name].get(url, secure=True, **headers)
                body = _body(response)
                assert response.status_code < 500, f"{url} failed for {name}"
                leaked = [t.decode() for t in forbidden if t in body]
                assert not leaked, f"{url} showed {name} {leaked}"
                shown = {int(i) for i in _PROPOSAL_LINK.findall(body)}
                assert shown <= visible_ids, f"{url} linked {name} to {sorted(shown - visible_ids)}"
                self.check_answer(url, response, body, person, proposals, visible_ids)
            for message in new_mail:
                if person.email in message.to:
                    text = (message.subject + message.body).encode()
                    leaked = [t.decode() for t in forbidden if t in text]
                    assert not leaked, f"an email to {name} told {leaked}"

    def check_answer(self, url, response, body, person, proposals, visible_ids):
        """What a surface must hold beyond not leaking: a proposal's own page opens exactly
        for those who may see it; the API list and the export list exactly those."""
        match = re.fullmatch(r"/(?:api/v1/use-cases|proposals)/(\d+)/", url)
        if match:
            use_case = next(uc for uc in proposals if uc.pk == int(match[1]))
            expected = (200,) if may_see(person, use_case) else (404, 403, 401, 302)
            assert response.status_code in expected, (
                f"{url} answered {person} {response.status_code}, expected {expected}"
            )
        if url.startswith("/api/v1/use-cases/?") and response.status_code == 200:
            ids = {item["id"] for item in response.json()["results"]}
            assert ids == visible_ids, f"the API listed {sorted(ids)} to {person}"
        if url.endswith("export.csv") and response.status_code == 200:
            rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
            assert {int(r["Number"]) for r in rows} == visible_ids, f"the export to {person}"

    def list_surfaces(self) -> list[tuple[str, dict]]:
        some_title = " ".join(self.title_token.values()) or "contract digest"
        return [
            ("/", {}),
            ("/proposals/", {}),
            ("/proposals/?q=contract&sort=title", {"HTTP_HX_REQUEST": "true"}),
            (f"/proposals/?status={Status.SUBMITTED}", {}),
            (f"/proposals/similar/?title={some_title}", {"HTTP_HX_REQUEST": "true"}),
            ("/proposals/export.csv", {}),
            ("/proposals/notifications/", {}),
            ("/api/v1/use-cases/?page_size=100", {}),
            ("/governance/queue/", {}),
            ("/governance/register/", {}),
            ("/metrics/", {}),
        ]

    def detail_surfaces(self, proposals) -> list[tuple[str, dict]]:
        return [
            surface
            for uc in proposals
            for surface in ((f"/proposals/{uc.pk}/", {}), (f"/api/v1/use-cases/{uc.pk}/", {}))
        ]


def _body(response) -> bytes:
    return b"".join(response) if response.streaming else response.content


def _stable(response) -> bytes:
    return _VOLATILE.sub(rb"\1", _body(response))


@pytest.fixture
def unthrottled(monkeypatch):
    """Thousands of API requests in a few minutes are the test's, not an attack."""
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "1000000/minute")


@pytest.mark.django_db
def test_every_person_sees_only_what_the_rules_allow_in_every_surface(unthrottled):
    run_state_machine_as_test(
        PortalStory,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            derandomize=not os.environ.get("VISIBILITY_RANDOM"),
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


def test_the_rules_here_agree_with_design_on_a_hand_picked_case(db):
    """The oracle itself: a confidential proposal of Finance, as DESIGN.md tells it."""
    finance = Department.objects.create(name="Finance", code="finance")
    marketing = Department.objects.create(name="Marketing", code="marketing")
    owner = UserFactory(department=finance)
    use_case = UseCaseFactory(owner=owner, status=Status.SUBMITTED, confidential=True)
    cases = {
        "owner": (owner, True, True),
        "colleague": (UserFactory(department=finance), False, False),
        "champion": (UserFactory(department=finance, roles=[Role.CHAMPION]), True, True),
        "other champion": (UserFactory(department=marketing, roles=[Role.CHAMPION]), False, False),
        "reviewer": (UserFactory(department=marketing, roles=[Role.COE_REVIEWER]), True, True),
        "leader": (UserFactory(department=marketing, roles=[Role.LEADERSHIP]), True, True),
    }
    for who, (person, sees, reads) in cases.items():
        assert may_see(person, use_case) is sees, who
        assert may_read_reasoning(person, use_case) is reads, who
    UseCase.objects.filter(pk=use_case.pk).update(confidential=False)
    use_case.refresh_from_db()
    colleague = cases["colleague"][0]
    assert may_see(colleague, use_case) and not may_read_reasoning(colleague, use_case)
