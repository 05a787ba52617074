"""What the audit log's list asks of the whole log, cheaply at any size."""

from django.db import connection
from django.db.models import Q

from enrichment.models import AuditLogEntry, AuthorMerge

#: The `actor_label`s of the worker's entries: its label, or none in the oldest entries.
_WORKER_LABELS = ("", AuditLogEntry.label_for(None))


def by_worker_q() -> Q:
    """The entries the enrichment worker made: no user, and the worker's label."""
    return Q(actor__isnull=True, actor_label__in=_WORKER_LABELS)


def by_removed_user_q() -> Q:
    """The entries of a user deleted since: no user any more (the foreign key was set to null),
    but the name they had, which the worker's entries never carry."""
    return Q(actor__isnull=True) & ~Q(actor_label__in=_WORKER_LABELS)


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
