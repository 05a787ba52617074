"""What the audit log's list asks of the whole log, cheaply at any size."""

from django.db import connection

from enrichment.models import AuditLogEntry


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
