"""What the audit log's list asks of the whole log, cheaply at any size."""

from django.db import connection
from django.db.models import Q

from enrichment.models import AuditLogEntry, AuthorMerge

#: The `actor_label`s of the worker's entries: its label, or none in the oldest entries.
_WORKER_LABELS = ("", AuditLogEntry.WORKER_LABEL)


def by_worker_q() -> Q:
    """The entries the enrichment worker made: no user, and the worker's label."""
    return Q(actor__isnull=True, actor_label__in=_WORKER_LABELS)


def _removed_user_ranges() -> tuple[Q, Q]:
    """The entries of a user deleted since: no user any more (the foreign key was set to null),
    but the name they had, which the worker's entries never carry: a name other than "" and the
    worker's, as the two ranges either side of the worker's, each one probe of
    audit_actor_label_idx (a NOT IN passed over every entry of the worker)."""
    worker, no_user = AuditLogEntry.WORKER_LABEL, Q(actor__isnull=True)
    below = no_user & Q(actor_label__gt="", actor_label__lt=worker)
    return below, no_user & Q(actor_label__gt=worker)


def by_removed_user_q() -> Q:
    """The entries of a user deleted since (`_removed_user_ranges`), for the user filter."""
    below, above = _removed_user_ranges()
    return below | above


def removed_users_made_entries() -> bool:
    """Whether any entry is a user's since removed: the user filter offers them only then. One
    query at any size of the log, a probe of audit_actor_label_idx per range (said as one OR,
    PostgreSQL probed the worker's entries and filtered them)."""
    below, above = _removed_user_ranges()
    entries = AuditLogEntry.objects.order_by()
    return entries.filter(below).union(entries.filter(above), all=True).exists()


def made_by_worker(entry: AuditLogEntry) -> bool:
    """by_worker_q, for one entry."""
    return entry.actor_id is None and entry.actor_label in _WORKER_LABELS


def made_by_removed_user(entry: AuditLogEntry) -> bool:
    """by_removed_user_q, for one entry."""
    return entry.actor_id is None and entry.actor_label not in _WORKER_LABELS


def entries_of_author_q(author_id: int) -> Q:
    """An author's entries: those recorded on it, and the merges that made it a redirect and
    their reverts, which are recorded on the author it was merged into but changed it too (its
    credits, ids and redirect): its page counts them and its link lists them (the audit log's
    AuthorEntriesFilter). The merges' few ids are read first, so that each part of the OR
    probes its own index rather than the log being scanned for a subquery."""
    merge_entries = list(
        AuthorMerge.objects.filter(duplicate_id=author_id, audit_entry__isnull=False).values_list(
            "audit_entry", flat=True
        )
    )
    if not merge_entries:
        return Q(author_id=author_id)
    return Q(author_id=author_id) | Q(pk__in=merge_entries) | Q(reverts__in=merge_entries)


#: The actions whose entries name no provider: a revert is a reviewer's act, and the values it
#: puts back are the catalog's own, not a provider's. Reverts recorded before said so copied the
#: provider (and confidence) of the entry they revert: read as naming none.
NO_PROVIDER_ACTIONS = (AuditLogEntry.Action.REVERT,)


def entry_providers(entry: AuditLogEntry) -> list[str]:
    """The providers whose values the entry records (`provider` lists them, comma-separated),
    none for a NO_PROVIDER_ACTIONS entry, as the provider filter lists it (`provider_named_q`)."""
    if entry.action in NO_PROVIDER_ACTIONS:
        return []
    return [name for name in entry.provider.split(",") if name]


def entry_tier(entry: AuditLogEntry) -> str:
    """The confidence of the match whose values the entry records ("" for a revert)."""
    return "" if entry.action in NO_PROVIDER_ACTIONS else entry.tier


def provider_named_q(name: str) -> Q:
    """The entries that name this provider among their sources (`entry_providers`)."""
    named = (
        Q(provider=name)
        | Q(provider__startswith=f"{name},")
        | Q(provider__endswith=f",{name}")
        | Q(provider__contains=f",{name},")
    )
    return named & ~Q(action__in=NO_PROVIDER_ACTIONS)


def providers_named() -> list[str]:
    """Every provider the log names, each once, sorted (an entry's `provider` lists the sources
    of its values, comma-separated): a loose index scan, one probe of audit_provider_idx per
    distinct value rather than a DISTINCT over every entry."""
    table = connection.ops.quote_name(AuditLogEntry._meta.db_table)
    sql = f"""
        WITH RECURSIVE named(provider) AS (
            SELECT MIN(provider) FROM {table} WHERE provider > ''
            UNION ALL
            SELECT (SELECT MIN(provider) FROM {table} WHERE provider > named.provider)
            FROM named WHERE named.provider IS NOT NULL
        )
        SELECT provider FROM named WHERE provider IS NOT NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        values = [value for (value,) in cursor.fetchall()]
    return sorted({name for value in values for name in value.split(",") if name})
