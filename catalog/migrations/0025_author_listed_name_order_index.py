"""The author list's order is the name an author is listed by, its sort name or else its name
(an author the source gave no sort name no longer comes before every other), then the newest
first: the index 0017 made for the old order (sort name, name) is replaced by one on that
expression, so the list is still read in order until a page is full. The expression must read
exactly as catalog.admin.works.AUTHOR_LISTED_NAME writes it, or neither database uses it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("catalog", "0024_title_keys_front_article")]

    operations = [
        migrations.RunSQL(
            [
                "CREATE INDEX IF NOT EXISTS catalog_author_listed_name_idx ON catalog_author "
                "((COALESCE(NULLIF(sort_name, ''), name)), name, id DESC)",
                "DROP INDEX IF EXISTS catalog_author_list_order_idx",
            ],
            [
                "CREATE INDEX IF NOT EXISTS catalog_author_list_order_idx "
                "ON catalog_author (sort_name, name, id DESC)",
                "DROP INDEX IF EXISTS catalog_author_listed_name_idx",
            ],
            elidable=False,
        )
    ]
