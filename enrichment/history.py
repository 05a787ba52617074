"""A work's (an author's) admin History (django.contrib.admin's LogEntry) shows what enrichment
changed.

Each audit entry that changes a work or an author (applied by the worker or a reviewer, a cover
or photo applied, a revert, a merge) also writes one CHANGE entry in its History, naming the
fields and who made the change: the reviewer, or the enrichment worker. The audit log stays
the record of values (and revert); the History is where a librarian looking at one book (one
author) sees that something happened. Its line is history_message's, written with the row and
read again from the entry when the page is shown (history_rows_as_entries_say), so rows written
by an older version say what the entry did as a new row would.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext, ngettext

from catalog.models import Author, Work
from enrichment.audit_queries import entries_of_author_q
from enrichment.models import AuditLogEntry, AuthorMerge
from enrichment.proposals import COVER, field_label, in_field_order
from enrichment.providers.registry import provider_label

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
    changed: Work | Author | None = entry.author or entry.work
    if changed is None:
        return None
    return LogEntry.objects.create(
        user_id=entry.actor_id or enrichment_worker_user().pk,
        content_type=ContentType.objects.get_for_model(type(changed)),
        object_id=str(changed.pk),
        object_repr=str(changed)[:200],
        action_flag=CHANGE,
        change_message=history_message(entry),
    )


def history_message(entry: AuditLogEntry, *, duplicates: dict[int, str] | None = None) -> str:
    """What an audit entry did, as its work's (author's) History says it: each field by where
    it is (a work's own, or its edition's, named), a merge from the kept author's side, and
    what a revert put back. `duplicates`: merge entry id -> its duplicate's name, read for many
    (else read now)."""
    values = {"who": _who(entry), "entry": entry.pk, "reverted": entry.reverts_id}
    if "merged_into" in entry.changes:
        if duplicates is None:
            duplicates = _duplicate_names([entry])
        values["duplicate"] = duplicates.get(_merge_entry_id(entry)) or gettext(
            "a duplicate author"
        )
        return _merge_message(entry, values)
    if entry.action == AuditLogEntry.Action.RESOLVE and "isbn13" in entry.changes:
        values["isbn"] = entry.changes["isbn13"].get("new")
        values["provider"] = provider_label(entry.provider) if entry.provider else values["who"]
        return (
            gettext(
                "Resolved by %(who)s: %(provider)s found its ISBN %(isbn)s, so it is no longer "
                "synthetic (enrichment audit entry #%(entry)s)."
            )
            % values
        )
    values["fields"] = _fields_by_holder(entry)
    if entry.action == AuditLogEntry.Action.REVERT:
        message = (
            gettext(
                "Reverted %(fields)s by %(who)s (enrichment audit entry #%(entry)s, which reverts "
                "#%(reverted)s)."
            )
            % values
        )
        return " ".join([message, *_put_back(entry.changes)])
    return gettext("Changed %(fields)s by %(who)s (enrichment audit entry #%(entry)s).") % values


def _who(entry: AuditLogEntry) -> str:
    """Who made an entry's change: the person (by the name the entry kept, once their account
    is deleted), or the enrichment worker."""
    if entry.actor is not None:
        return entry.actor.get_username()
    former = _former_user(entry)
    return former.get_username() if former else gettext("the enrichment worker")


@dataclass
class FormerUser:
    """The History's user column for a person whose account was deleted since: the name the
    entry kept, never the enrichment worker's."""

    username: str

    def get_username(self) -> str:
        return self.username

    def get_full_name(self) -> str:
        return gettext("account deleted")


def _former_user(entry: AuditLogEntry) -> FormerUser | None:
    label = entry.actor_label
    if entry.actor_id is None and label and label != AuditLogEntry.label_for(None):
        return FormerUser(label)
    return None


def _label(name: str, change: dict) -> str:
    if name == COVER and change.get("target") == "author":
        return gettext("Photo")  # an author's "cover" is their portrait
    return field_label(name)


def _fields_by_holder(entry: AuditLogEntry) -> str:
    """ "Description, Subjects; Publisher, Cover of its edition ISBN 9780060557812": the
    fields an entry wrote on the edition are that edition's, not the work's."""
    own, edition = [], []
    for name, change in in_field_order(entry.changes):
        if change.get("target") == "edition" and entry.edition_id:
            edition.append(_label(name, change))
        else:
            own.append(_label(name, change))
    if not edition:
        return ", ".join(own)
    of_edition = gettext("%(fields)s of its edition %(edition)s") % {
        "fields": ", ".join(edition),
        "edition": edition_name(entry.edition),
    }
    if not own:
        return of_edition
    return gettext("%(own)s; %(edition)s") % {"own": ", ".join(own), "edition": of_edition}


def edition_name(edition) -> str:
    """An edition in a sentence ("of its edition ISBN 9780060557812"): by the identifier a
    librarian finds it by, else its own title, never its database id."""
    if edition is None:
        return gettext("(deleted since)")
    if key := edition.identifier_text():
        return key
    if edition.title:
        return f"“{edition.title}”"
    return gettext("without title or identifier")


def _put_back(changes: dict) -> list[str]:
    """What a revert put back, briefly: "Put back Publisher “Harper”." and "Empty again, as
    before: Description, Cover." """
    values, emptied = [], []
    for name, change in in_field_order(changes):
        value = change.get("new")
        if value in ("", None, [], {}):
            emptied.append(_label(name, change))
        elif name == COVER:
            values.append(gettext("%(label)s (the earlier one)") % {"label": _label(name, change)})
        else:
            text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
            text = f"{text[:40]}…" if len(text) > 40 else text
            values.append(f"{_label(name, change)} “{text}”")
    sentences = []
    if values:
        sentences.append(gettext("Put back %(values)s.") % {"values": ", ".join(values)})
    if emptied:
        sentences.append(
            gettext("Empty again, as before: %(fields)s.") % {"fields": ", ".join(emptied)}
        )
    return sentences


def _merge_entry_id(entry: AuditLogEntry) -> int:
    """The merge's entry id of a merge entry or of its revert."""
    if entry.action == AuditLogEntry.Action.REVERT and entry.reverts_id is not None:
        return entry.reverts_id
    return entry.pk


def _duplicate_names(entries) -> dict[int, str]:
    """Merge entry id -> the name of the duplicate it merged (one query)."""
    ids = [_merge_entry_id(entry) for entry in entries if "merged_into" in (entry.changes or {})]
    if not ids:
        return {}
    return dict(
        AuthorMerge.objects.filter(audit_entry_id__in=ids).values_list(
            "audit_entry_id", "duplicate__name"
        )
    )


_ENTRY_MARK = re.compile(r"\(enrichment audit entry #(\d+)")


def history_rows_as_entries_say(rows) -> None:
    """Rewrite in place the History rows history_record wrote for audit entries by what
    history_message says of those entries now: a row an older version wrote ("Changed Credits
    moved here, Merged into by admin") reads as a new one. A row is its entry's only when that
    entry changed the row's object. Three queries for any number of rows."""
    marked = []
    for row in rows:
        found = isinstance(row, LogEntry) and _ENTRY_MARK.search(row.change_message or "")
        if found:
            marked.append((row, int(found.group(1))))
    if not marked:
        return
    entries = (
        AuditLogEntry.objects.select_related("actor", "edition")
        .filter(pk__in={pk for _row, pk in marked})
        .in_bulk()
    )
    duplicates = _duplicate_names(entries.values())
    types = ContentType.objects.get_for_models(Author, Work)  # cached: no query after the first
    for row, pk in marked:
        entry = entries.get(pk)
        if entry is None:
            continue
        changed = (Author, entry.author_id) if entry.author_id else (Work, entry.work_id)
        if (row.content_type_id, row.object_id) == (types[changed[0]].pk, str(changed[1])):
            row.change_message = history_message(entry, duplicates=duplicates)


def _merge_moved(entry: AuditLogEntry) -> tuple[int, int, str]:
    """What a merge moved (its revert gave back): (credits moved, credits both authors held that
    the duplicate lost, "VIAF, ISNI")."""
    reverting = entry.action == AuditLogEntry.Action.REVERT
    moved = (entry.changes.get("credits") or {}).get("old" if reverting else "new") or []
    dropped = (entry.changes.get("dropped_credits") or {}).get("new" if reverting else "old")
    fields = [
        _label(name, change)
        for name, change in in_field_order(entry.changes)
        if name not in ("credits", "dropped_credits", "merged_into")
    ]
    return len(moved), len(dropped or []), ", ".join(fields)


def _credits(count: int) -> str:
    return ngettext("%(n)s credit", "%(n)s credits", count) % {"n": count}


def _merge_message(entry: AuditLogEntry, values: dict) -> str:
    """A merge (or its revert) in the kept author's History: which duplicate was merged into
    it, and what that brought (took back)."""
    moved, dropped, values["fields"] = _merge_moved(entry)
    values["credits"], values["dropped"] = _credits(moved), _credits(dropped)
    if entry.action == AuditLogEntry.Action.REVERT:
        parts = [gettext("Reverted by %(who)s: the merge of %(duplicate)s into this author")]
        if moved:
            parts.append(gettext("; the %(credits)s it brought went back to it"))
        if dropped:
            parts.append(gettext("; it has again the %(dropped)s it shared with this author"))
        if values["fields"]:
            parts.append(gettext("; %(fields)s as before the merge"))
        parts.append(
            gettext(
                "; it is an author of its own again (enrichment audit entry #%(entry)s, which "
                "reverts #%(reverted)s)."
            )
        )
    else:
        parts = [gettext("%(duplicate)s merged into this author by %(who)s")]
        if moved:
            parts.append(gettext(": its %(credits)s moved here"))
        if dropped:
            parts.append(gettext("; it lost the %(dropped)s it shared with this author"))
        if values["fields"]:
            parts.append(gettext("; %(fields)s filled from it"))
        parts.append(gettext("; it now redirects here (enrichment audit entry #%(entry)s)."))
    return "".join(parts) % values


def history_note_if_empty(response, *, of_author: bool = False) -> None:
    """On a work's (an author's) History with no row, say what it would list, in place of
    Django's guess ("It probably wasn't added via this admin site": an imported book was not,
    and may have been changed by an import since)."""
    context = getattr(response, "context_data", None) or {}
    if "action_list" in context and not context["action_list"].paginator.count:
        context["history_note"] = (
            gettext(
                "Nothing is recorded here yet: this History lists the changes made to this "
                "author on this admin site and by enrichment (imports are not listed here)."
            )
            if of_author
            else gettext(
                "Nothing is recorded here yet: this History lists the changes made to this "
                "work on this admin site and by enrichment (imports are not listed here)."
            )
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
        values = {
            "kept": entry.author,
            "who": _who(entry),
            "entry": entry.pk,
            "merge": entry.reverts_id,
        }
        moved, dropped, values["fields"] = _merge_moved(entry)
        values["credits"], values["dropped"] = _credits(moved), _credits(dropped)
        if entry.action == AuditLogEntry.Action.REVERT:
            parts = [gettext("Its merge into %(kept)s was reverted by %(who)s")]
            if moved or dropped:
                values["credits"] = _credits(moved + dropped)
                parts.append(gettext(": its %(credits)s came back to it"))
            parts.append(
                gettext(
                    "; it is an author of its own again (enrichment audit entry #%(entry)s, "
                    "which reverts #%(merge)s)."
                )
            )
        else:
            parts = [gettext("Merged into %(kept)s by %(who)s")]
            if moved:
                parts.append(gettext(": its %(credits)s moved there"))
            if dropped:
                parts.append(gettext("; it lost the %(dropped)s it shared with that author"))
            if values["fields"]:
                parts.append(gettext("; that author’s %(fields)s filled from it"))
            parts.append(gettext("; it redirects there (enrichment audit entry #%(entry)s)."))
        user = entry.actor or _former_user(entry) or enrichment_worker_user()
        rows.append(HistoryRow(entry.created_at, user, "".join(parts) % values))
    return rows
