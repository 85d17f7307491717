"""What a person is shown of a proposal's event log: each note only to its audience, and
another proposal an event names only to those who may see that proposal.

An event that names another proposal (a duplicate merged into an original) keeps that
proposal's id in ``data``, never its title in the note; the title is looked up when the
event is shown, for the person it is shown to, so a proposal made confidential later stops
being named at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import format_html

from usecases.models import UseCase, UseCaseEvent

# The keys of ``UseCaseEvent.data`` that name another proposal, with how the event names
# it; the first key naming a proposal other than the event's own is the one shown.
MENTIONS = (
    ("duplicate_of", "Duplicate of {}."),  # the duplicate's rejection
    ("original", "Merged into {}."),  # the merge, on the duplicate
    ("duplicate", "{} was merged into this proposal."),  # the merge, on the original
)
# Said instead of the number and title to a reader who may not see the proposal.
UNSEEN = "another proposal"


@dataclass(frozen=True)
class Mention:
    """How an event names another proposal for one reader: ``use_case`` is None when the
    reader may not see it."""

    phrase: str
    use_case: UseCase | None

    def _unseen(self) -> str:
        return UNSEEN.capitalize() if self.phrase.startswith("{}") else UNSEEN

    @property
    def text(self) -> str:
        """Plain text, for notifications and emails."""
        if self.use_case is None:
            return self.phrase.format(self._unseen())
        return self.phrase.format(f"#{self.use_case.pk} “{self.use_case.title}”")

    @property
    def html(self) -> str:
        """With a link to the proposal, for pages."""
        if self.use_case is None:
            return format_html(self.phrase, self._unseen())
        link = format_html(
            '<a href="{}">#{} {}</a>',
            self.use_case.get_absolute_url(),
            self.use_case.pk,
            self.use_case.title,
        )
        return format_html(self.phrase, link)


def mentioned_id(event: UseCaseEvent) -> tuple[str, int] | None:
    """The phrase and id of the other proposal ``event`` names, if any."""
    data = event.data if isinstance(event.data, dict) else {}
    for key, phrase in MENTIONS:
        value = data.get(key)
        if isinstance(value, int) and value != event.use_case_id:
            return phrase, value
    return None


def seen_proposals(user, ids: Iterable[int]) -> dict[int, UseCase]:
    """Of the proposals ``ids``, those ``user`` may see, by id: one query (none for no ids)."""
    wanted = {pk for pk in ids if pk}
    if not wanted:
        return {}
    rows = UseCase.objects.visible_to(user).filter(pk__in=wanted).only("pk", "title")
    return {uc.pk: uc for uc in rows}


def mentions_for(user, events: Iterable[UseCaseEvent]) -> dict[int, Mention]:
    """For each of ``events`` that names another proposal, how it names it to ``user``,
    by event id; one query for all of them."""
    named = {event.pk: found for event in events if (found := mentioned_id(event))}
    seen = seen_proposals(user, (pk for _phrase, pk in named.values()))
    return {event_pk: Mention(phrase, seen.get(pk)) for event_pk, (phrase, pk) in named.items()}


def history_for(user, use_case: UseCase) -> list[UseCaseEvent]:
    """The proposal's events as ``user`` may read them, oldest first: each with
    ``shown_note`` (blank outside the note's audience) and ``mention`` (the other proposal
    it names, as ``user`` may see it, or None)."""
    events = list(
        UseCaseEvent.objects.visible_to(user).filter(use_case=use_case).select_related("actor")
    )
    mentions = mentions_for(user, events)
    for event in events:
        event.mention = mentions.get(event.pk)
    return events
