"""Proposals similar to the one being typed, so people endorse instead of duplicating.

PostgreSQL: candidates come from two GIN indexes (migration 0003): first the proposals that
hold every telling word of the title (full text), and when those are too few, those with a
similar title (trigram, ``title % query``) or any of the telling words of title and problem.
Each candidate set is capped in SQL before it is ranked, so the cost stays flat at 100,000
proposals. SQLite (the zero-setup demo): a few ``LIKE`` probes on the longest words, capped
the same way; good enough for a few thousand rows.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, FloatField, Q
from django.db.models.expressions import RawSQL

from usecases.models import UseCase

MAX_RESULTS = 5
MAX_CANDIDATES = 200
MAX_WORDS = 8
MIN_QUERY_LENGTH = 4
# The tsvector expression of the GIN index in migration 0003; the query must match it exactly.
TSVECTOR_SQL = (
    "to_tsvector('english'::regconfig, coalesce(usecases_usecase.title, '') || ' ' || "
    "coalesce(usecases_usecase.problem, ''))"
)
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_COMMON = frozenset(
    {
        "the", "and", "for", "with", "that", "this", "from", "into", "our", "their", "they",
        "them", "have", "has", "who", "will", "can", "use", "using", "used", "are", "was",
        "were", "been", "being", "more", "most", "less", "than", "each", "every", "when",
        "what", "which", "while", "about", "across", "per", "all", "any", "some", "generative",
    }
)  # fmt: skip


def telling_words(text: str, limit: int = MAX_WORDS) -> list[str]:
    """The longest distinct words of ``text`` (lower case, no common words), longest first."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if word not in _COMMON:
            seen.setdefault(word, None)
    return sorted(seen, key=len, reverse=True)[:limit]


def similar_to(user, title: str, problem: str = "", *, exclude_id=None) -> list[UseCase]:
    """Up to five proposals ``user`` may see that look most like ``title`` and ``problem``."""
    title = (title or "").strip()[:200]
    problem = (problem or "").strip()[:2000]
    if len(title) + len(problem) < MIN_QUERY_LENGTH:
        return []
    words = telling_words(f"{title} {problem}")
    if not words:
        return []
    base = UseCase.objects.visible_to(user).exclude(duplicate_of__isnull=False)
    if exclude_id:
        base = base.exclude(pk=exclude_id)
    if connection.vendor == "postgresql":
        return _postgres(base, title, words)
    return _fallback(base, title, words)


def postgres_candidates(base, title: str, words: list[str]):
    """The ids that either GIN index finds (trigram on title, full text on title +
    problem), capped before anything is ranked."""
    or_query = " | ".join(words)  # only letters: safe inside to_tsquery
    matches = RawSQL(  # noqa: S611 (constant SQL; the person's text goes in as parameters)
        f"(usecases_usecase.title %% %s OR {TSVECTOR_SQL} @@ to_tsquery('english'::regconfig, %s))",
        [title or words[0], or_query],
        output_field=BooleanField(),
    )
    return base.filter(matches).order_by().values("pk")[:MAX_CANDIDATES]


def postgres_close_candidates(base, title: str):
    """The ids of proposals whose title and problem hold every telling word of ``title``
    (full-text index), capped. The broad candidates above stop at the first 200 matches in
    table order, and at 100,000 proposals common words match tens of thousands: the
    proposal with the very title being typed was then rarely among them."""
    words = telling_words(title)
    if len(words) < 2:
        return None
    matches = RawSQL(  # noqa: S611 (constant SQL; the person's text goes in as a parameter)
        f"{TSVECTOR_SQL} @@ to_tsquery('english'::regconfig, %s)",
        [" & ".join(words)],  # only letters: safe inside to_tsquery
        output_field=BooleanField(),
    )
    return base.filter(matches).order_by().values("pk")[:MAX_CANDIDATES]


def _postgres(base, title: str, words: list[str]) -> list[UseCase]:
    or_query = " | ".join(words)
    # Fetched first, not used as a subquery: inside a subquery Django renames the table,
    # and the raw SQL above would then refer to the outer query's rows.
    close = postgres_close_candidates(base, title)
    candidate_ids = list(close.values_list("pk", flat=True)) if close is not None else []
    if len(candidate_ids) < MAX_RESULTS:
        broad = postgres_candidates(base, title, words).values_list("pk", flat=True)
        candidate_ids += list(broad)
    if not candidate_ids:
        return []
    rank = RawSQL(  # noqa: S611 (constant SQL; the person's text goes in as parameters)
        "similarity(usecases_usecase.title, %s) * 2 + "
        f"ts_rank_cd({TSVECTOR_SQL}, to_tsquery('english'::regconfig, %s))",
        [title or words[0], or_query],
        output_field=FloatField(),
    )
    ranked = (
        UseCase.objects.filter(pk__in=candidate_ids)
        .annotate(similarity_rank=rank)
        .order_by("-similarity_rank", "-id")
        .select_related("department")
    )
    return list(ranked[:MAX_RESULTS])


def _fallback(base, title: str, words: list[str]) -> list[UseCase]:
    probe = Q()
    for word in words[:4]:
        probe |= Q(title__icontains=word) | Q(problem__icontains=word)
    candidates = list(
        base.filter(probe)
        .select_related("department")
        .only("pk", "title", "problem", "status", "department__name", "endorsement_count")
        .order_by("-created_at")[:MAX_CANDIDATES]
    )
    wanted = set(words)
    title_words = set(telling_words(title))

    def rank(uc: UseCase) -> tuple[float, int]:
        their_title = set(telling_words(uc.title))
        theirs = their_title | set(telling_words(uc.problem or "", 40))
        return (2 * len(title_words & their_title) + len(wanted & theirs), uc.pk)

    candidates.sort(key=rank, reverse=True)
    return candidates[:MAX_RESULTS]
