"""Every event note says who may read it (issue 15).

Existing rows that carry governance reasoning (decisions on reviews, an area's decision, a
re-review's conclusion, a condition met, a risk override) become readable by governance
readers only. Notes that named another proposal by title (duplicate merges) lose that part:
the pages now name the other proposal from ``data`` for readers who may see it; the words
as written stay in ``data["note_as_written"]``, shown nowhere. Notifications no longer keep
the note in their message (the page and the email add it for readers in its audience), so
the note is taken out of the messages already written.
"""

import re

from django.db import migrations, models

DECISIONS = ("approved", "approved_with_conditions", "rejected", "changes_requested")

# The event log is append-only: on PostgreSQL a trigger (migration 0004) refuses every
# UPDATE. This one-off change of audiences and notes has to pass it, so it switches the
# trigger off inside its own transaction only. DDL is transactional on PostgreSQL: if
# anything below fails, the rollback switches the trigger back on with everything else.
# ALTER TABLE refuses to run while deferred foreign-key checks of rows written earlier in
# the same transaction are pending (a test calling this, or a deploy that loads data and
# migrates at once): SET CONSTRAINTS ... IMMEDIATE runs them first, and the deferral
# Django's constraints are created with comes back afterwards.
TRIGGER = "usecases_event_log_append_only"
DISABLE = (
    "SET CONSTRAINTS ALL IMMEDIATE",
    f"ALTER TABLE usecases_usecaseevent DISABLE TRIGGER {TRIGGER}",
)
ENABLE = (
    f"ALTER TABLE usecases_usecaseevent ENABLE TRIGGER {TRIGGER}",
    "SET CONSTRAINTS ALL DEFERRED",
)
PREFIX = re.compile(r"^Duplicate of #\d+ “.*?”\.\s*", re.DOTALL)
BATCH = 2000


def _restrict_reasoning(UseCaseEvent):
    reasoning = (
        models.Q(kind="review", data__has_key="outcome")
        | models.Q(kind="review", data__has_key="condition")
        | models.Q(kind="risk", data__has_key="reason")
        | models.Q(kind="transition", from_status="in_review", to_status__in=DECISIONS)
    )
    UseCaseEvent.objects.filter(reasoning).update(note_audience="governance")


def _without_title(event, titles) -> str:
    """The note of a duplicate event without the other proposal's number and title."""
    if event.data.get("original") == event.use_case_id and event.kind == "duplicate":
        return ""  # "#12 “…” was merged into this proposal.": all of it names the duplicate
    original = event.data.get("original") or event.data.get("duplicate_of")
    exact = f"Duplicate of #{original} “{titles.get(original, '')}”."
    if event.note.startswith(exact):
        rest = event.note[len(exact) :].strip()
    else:
        rest = PREFIX.sub("", event.note, count=1).strip()
    if event.kind == "transition" and not rest:
        return "Merged as a duplicate."  # a rejection always has a note
    return rest


def _drop_titles(UseCase, UseCaseEvent):
    events = UseCaseEvent.objects.filter(
        models.Q(kind="duplicate") | models.Q(kind="transition", data__has_key="duplicate_of")
    ).exclude(note="")
    changed = []
    for event in events.iterator(chunk_size=BATCH):
        ids = {event.data.get("original"), event.data.get("duplicate_of")} - {None}
        titles = dict(UseCase.objects.filter(pk__in=ids).values_list("pk", "title"))
        note = _without_title(event, titles)
        if note != event.note:
            event.data = {**event.data, "note_as_written": event.note}
            event.note = note
            changed.append(event)
        if len(changed) >= BATCH:
            UseCaseEvent.objects.bulk_update(changed, ["note", "data"])
            changed = []
    UseCaseEvent.objects.bulk_update(changed, ["note", "data"])


def _note_left_out(message: str, note: str) -> str:
    """``message`` without its " Note: …" ending (cut at 300 characters when written)."""
    marker = " Note: " + note
    start = message.find(" Note: ")
    while start != -1:
        if marker.startswith(message[start:]):
            return message[:start]
        start = message.find(" Note: ", start + 1)
    return message


def _notes_out_of_messages(Notification):
    rows = (
        Notification.objects.filter(message__contains=" Note: ")
        .exclude(event__note="")
        .select_related("event")
    )
    changed = []
    for notification in rows.iterator(chunk_size=BATCH):
        message = _note_left_out(notification.message, notification.event.note)
        if message != notification.message:
            notification.message = message
            changed.append(notification)
        if len(changed) >= BATCH:
            Notification.objects.bulk_update(changed, ["message"])
            changed = []
    Notification.objects.bulk_update(changed, ["message"])


def give_notes_their_audience(apps, schema_editor):
    UseCase = apps.get_model("usecases", "UseCase")
    UseCaseEvent = apps.get_model("usecases", "UseCaseEvent")
    Notification = apps.get_model("usecases", "Notification")
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in DISABLE if postgres else ():
        schema_editor.execute(sql, params=None)
    _restrict_reasoning(UseCaseEvent)
    _drop_titles(UseCase, UseCaseEvent)
    for sql in ENABLE if postgres else ():
        schema_editor.execute(sql, params=None)
    _notes_out_of_messages(Notification)


class Migration(migrations.Migration):

    dependencies = [
        ("usecases", "0007_notification_list_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="usecaseevent",
            name="note_audience",
            field=models.CharField(
                choices=[
                    ("everyone", "Everyone who may see the proposal"),
                    ("governance", "Readers of its governance reasoning"),
                ],
                db_default="everyone",
                default="everyone",
                max_length=20,
            ),
        ),
        # Back to 0007 drops the column; the notes and messages stay as they are now.
        migrations.RunPython(give_notes_their_audience, migrations.RunPython.noop),
    ]
