"""PostgreSQL: the catalog's `varchar_pattern_ops` ("_like") indexes dropped (issue 18, goal 3).

Django gives every indexed or unique `CharField` a second index for prefix `LIKE` queries under
a non-C collation. Nothing here runs one on these columns (keys and hashes are looked up whole,
the admin's search goes through the trigram indexes), and an import writes works, editions and
authors by the hundred thousand: each of these nine indexes cost every insert. The equality
indexes and unique constraints stay.

Django recreates such an index when a later migration changes one of these fields' type or
indexing (`test_the_catalog_has_no_prefix_pattern_indexes` in
tests/catalog/test_import_throughput.py says so if it happens).
"""

from django.db import migrations

#: (table, column) whose prefix-pattern index goes
COLUMNS = [
    ("catalog_author", "name_normalized"),
    ("catalog_author", "openlibrary_key"),
    ("catalog_author", "photo_sha256"),
    ("catalog_edition", "cover_sha256"),
    ("catalog_edition", "isbn13"),
    ("catalog_edition", "openlibrary_edition_key"),
    ("catalog_work", "cover_sha256"),
    ("catalog_work", "openlibrary_work_key"),
    ("catalog_work", "title_normalized"),
]


def _like_index_name(schema_editor, table: str, column: str) -> str:
    # The name Django gave it, and the one its own AlterField would drop.
    return schema_editor._create_index_name(table, [column], suffix="_like")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in COLUMNS:
        name = _like_index_name(schema_editor, table, column)
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for table, column in COLUMNS:
        name = _like_index_name(schema_editor, table, column)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} "
            f"({quote(column)} varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0022_parts_without_redundant_indexes")]

    operations = [migrations.RunPython(drop_indexes, create_indexes, elidable=False)]
