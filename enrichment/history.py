"""A work's (an author's) admin History (django.contrib.admin's LogEntry) shows what enrichment
changed.

Each audit entry that changes a work or an author (applied by the worker or a reviewer, a cover
or photo applied, a revert, a merge) also writes one CHANGE entry in its History, naming the
fields and who made the change: the reviewer, or the enrichment worker. The audit log stays
the record of values (and revert); the History is where a librarian looking at one book (one
author) sees that something happened.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext

from catalog.models import Author, Work
from enrichment.audit_queries import entries_of_author_q
from enrichment.models import AuditLogEntry
from enrichment.proposals import FIELD_LABELS, in_field_order

#: LogEntry needs a user: changes no person made are logged as this one (inactive, no password:
#: nobody can log in as it).
WORKER_USERNAME = "enrichment-worker"


def enrichment_worker_user():
    """The user that stands for the enrichment worker in the admin's History."""
    user, _created = get_user_model().objects.get_or_create(
        username=WORKER_USERNAME,
        defaults={
            "is_active": False,
            "first_name": "Enrichment",
            "last_name": "worker",
            "password": make_password(None),  # unusable
        },
    )
    return user


def history_record(*, entry: AuditLogEntry) -> LogEntry | None:
    """Write the History line of an audit entry that changed its work or author (None for one
    that changed nothing: a dismissal)."""
    if not entry.changes or entry.action == AuditLogEntry.Action.DISMISS:
        return None
    names = [name for name, _change in in_field_order(entry.changes)]
    fields = ", ".join(FIELD_LABELS.get(name, name) for name in names)
    who = entry.actor.get_username() if entry.actor else gettext("the enrichment worker")
    values = {"fields": fields, "who": who, "entry": entry.pk, "reverted": entry.reverts_id}
    if entry.action == AuditLogEntry.Action.REVERT:
        message = gettext(
            "Reverted %(fields)s by %(who)s (enrichment audit entry #%(entry)s, which reverts "
            "#%(reverted)s)."
        )
    else:
        message = gettext("Changed %(fields)s by %(who)s (enrichment audit entry #%(entry)s).")
    changed: Work | Author | None = entry.author or entry.work
    if changed is None:
        return None
    return LogEntry.objects.create(
        user_id=entry.actor_id or enrichment_worker_user().pk,
        content_type=ContentType.objects.get_for_model(type(changed)),
        object_id=str(changed.pk),
        object_repr=str(changed)[:200],
        action_flag=CHANGE,
        change_message=message % values,
    )


@dataclass
class HistoryRow:
    """A History row (as the admin's object_history template reads a LogEntry) for a change
    recorded on another author."""

    action_time: datetime
    user: object
    message: str

    def get_change_message(self) -> str:
        return self.message


def merge_history_rows(author: Author) -> list[HistoryRow]:
    """The History rows of the merges that made this author a redirect, and of their reverts:
    they are recorded on the author it was merged into (history_record), but changed this one
    too (its credits, ids and redirect). The same entries its audit log link lists
    (audit_queries.entries_of_author_q), less those recorded on it, which have their own row."""
    entries = (
        AuditLogEntry.objects.filter(entries_of_author_q(author.pk))
        .exclude(author_id=author.pk)
        .select_related("author", "actor")
        .order_by("created_at", "pk")
    )
    rows = []
    for entry in entries:
        who = entry.actor.get_username() if entry.actor else gettext("the enrichment worker")
        values = {"kept": entry.author, "who": who, "entry": entry.pk, "merge": entry.reverts_id}
        if entry.action == AuditLogEntry.Action.REVERT:
            message = gettext(
                "Its merge into %(kept)s was reverted by %(who)s: its credits and ids are its "
                "own again (enrichment audit entry #%(entry)s, which reverts #%(merge)s)."
            )
        else:
            message = gettext(
                "Merged into %(kept)s by %(who)s: its credits and ids moved there, and it "
                "redirects to it (enrichment audit entry #%(entry)s)."
            )
        user = entry.actor or enrichment_worker_user()
        rows.append(HistoryRow(entry.created_at, user, message % values))
    return rows
