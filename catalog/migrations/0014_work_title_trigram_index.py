"""A trigram index on works' normalized titles, for the backfill's fuzzy duplicate check
(`title_normalized % …`, similarity ≥ 0.6). PostgreSQL only: SQLite compares titles with
rapidfuzz over the works of the book's authors instead.

pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
"""

from django.db import migrations

INDEX = "catalog_work_title_trgm_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalog_work "
        "USING gin (title_normalized gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0013_work_synthetic")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
