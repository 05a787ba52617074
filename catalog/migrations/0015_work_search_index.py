"""The admin's text search through an index rather than a LIKE over every work (issue 18,
goal 6: 695 ms at 1,000,000 works). Works' title, subtitle and series, and authors' names:

- SQLite: FTS5 external-content tables over `catalog_work` and `catalog_author`, kept in sync
  by triggers (every write, the import's bulk inserts included); the trigram tokenizer matches
  substrings, case-insensitively, as Django's `icontains` search did (`catalog.selectors.
  work_search_q`). The triggers live with the table: a later migration
  that rebuilds `catalog_work` or `catalog_author` on SQLite drops them, and must create them
  again (tests/catalog/test_search_index.py checks they are there after every migration).
- PostgreSQL: trigram GIN indexes on the same lower-cased text, which answer the admin's
  substring search (`LIKE '%…%'`).
"""

from django.db import migrations

WORK_FTS = "catalog_work_search"
AUTHOR_FTS = "catalog_author_search"
#: The PostgreSQL indexes' expressions: catalog.selectors.WORK_SEARCH_SQL / AUTHOR_SEARCH_SQL
#: must stay the same text, or the planner will not use them.
WORK_TEXT = "lower(title || ' ' || subtitle || ' ' || series)"
AUTHOR_TEXT = "lower(name)"

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {WORK_FTS} USING fts5(
        title, subtitle, series, content='catalog_work', content_rowid='id',
        tokenize='trigram')""",
    f"""CREATE TRIGGER IF NOT EXISTS {WORK_FTS}_insert AFTER INSERT ON catalog_work BEGIN
        INSERT INTO {WORK_FTS}(rowid, title, subtitle, series)
        VALUES (new.id, new.title, new.subtitle, new.series);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {WORK_FTS}_delete AFTER DELETE ON catalog_work BEGIN
        INSERT INTO {WORK_FTS}({WORK_FTS}, rowid, title, subtitle, series)
        VALUES ('delete', old.id, old.title, old.subtitle, old.series);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {WORK_FTS}_update
    AFTER UPDATE OF title, subtitle, series ON catalog_work BEGIN
        INSERT INTO {WORK_FTS}({WORK_FTS}, rowid, title, subtitle, series)
        VALUES ('delete', old.id, old.title, old.subtitle, old.series);
        INSERT INTO {WORK_FTS}(rowid, title, subtitle, series)
        VALUES (new.id, new.title, new.subtitle, new.series);
    END""",
    f"INSERT INTO {WORK_FTS}({WORK_FTS}) VALUES ('rebuild')",
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {AUTHOR_FTS} USING fts5(
        name, content='catalog_author', content_rowid='id',
        tokenize='trigram')""",
    f"""CREATE TRIGGER IF NOT EXISTS {AUTHOR_FTS}_insert AFTER INSERT ON catalog_author BEGIN
        INSERT INTO {AUTHOR_FTS}(rowid, name) VALUES (new.id, new.name);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {AUTHOR_FTS}_delete AFTER DELETE ON catalog_author BEGIN
        INSERT INTO {AUTHOR_FTS}({AUTHOR_FTS}, rowid, name) VALUES ('delete', old.id, old.name);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {AUTHOR_FTS}_update
    AFTER UPDATE OF name ON catalog_author BEGIN
        INSERT INTO {AUTHOR_FTS}({AUTHOR_FTS}, rowid, name) VALUES ('delete', old.id, old.name);
        INSERT INTO {AUTHOR_FTS}(rowid, name) VALUES (new.id, new.name);
    END""",
    f"INSERT INTO {AUTHOR_FTS}({AUTHOR_FTS}) VALUES ('rebuild')",
]
SQLITE_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS {table}_{event}"
        for table in (WORK_FTS, AUTHOR_FTS)
        for event in ("insert", "delete", "update")
    ),
    f"DROP TABLE IF EXISTS {WORK_FTS}",
    f"DROP TABLE IF EXISTS {AUTHOR_FTS}",
]
POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS catalog_work_search_trgm_idx ON catalog_work "
    f"USING gin (({WORK_TEXT}) gin_trgm_ops)",
    f"CREATE INDEX IF NOT EXISTS catalog_author_name_trgm_idx ON catalog_author "
    f"USING gin (({AUTHOR_TEXT}) gin_trgm_ops)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS catalog_work_search_trgm_idx",
    "DROP INDEX IF EXISTS catalog_author_name_trgm_idx",
]


def statements(vendor: str, *, create: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    if vendor == "postgresql":
        return POSTGRES_CREATE if create else POSTGRES_DROP
    return []


def create_index(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, create=True):
        schema_editor.execute(sql)


def drop_index(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, create=False):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0014_work_title_trigram_index")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
