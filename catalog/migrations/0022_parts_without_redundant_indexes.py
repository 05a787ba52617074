"""Credits, series entries and import rows lose two indexes each that no query needs (issue 18,
goal 3: an import writes one of each a row, and every index costs each insert):

- the foreign key to the work (the job for a row): the unique constraint's index begins with it,
  and serves the lookups and the cascading deletes;
- `created_at`: nothing lists them by date.

The state changes as `AlterField`s; the database only drops the indexes (Django's own names for
them, the same on SQLite and PostgreSQL), so that SQLite does not rebuild the tables, a million
rows each in a large catalog.
"""

import django.db.models.deletion
from django.db import migrations, models

#: (table, column, Django's name for the column's index)
INDEXES = [
    ("catalog_importrow", "created_at", "catalog_importrow_created_at_99df8c77"),
    ("catalog_importrow", "job_id", "catalog_importrow_job_id_1f6021d1"),
    ("catalog_workauthor", "created_at", "catalog_workauthor_created_at_31c86359"),
    ("catalog_workauthor", "work_id", "catalog_workauthor_work_id_daf1df72"),
    ("catalog_workseries", "created_at", "catalog_workseries_created_at_f8df19c3"),
    ("catalog_workseries", "work_id", "catalog_workseries_work_id_a0297bc6"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0021_import_job_retry_on_a_worker"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
                )
                for table, column, name in INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="importrow",
                    name="created_at",
                    field=models.DateTimeField(auto_now_add=True),
                ),
                migrations.AlterField(
                    model_name="importrow",
                    name="job",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rows",
                        to="catalog.importjob",
                    ),
                ),
                migrations.AlterField(
                    model_name="workauthor",
                    name="created_at",
                    field=models.DateTimeField(auto_now_add=True),
                ),
                migrations.AlterField(
                    model_name="workauthor",
                    name="work",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="credits",
                        to="catalog.work",
                    ),
                ),
                migrations.AlterField(
                    model_name="workseries",
                    name="created_at",
                    field=models.DateTimeField(auto_now_add=True),
                ),
                migrations.AlterField(
                    model_name="workseries",
                    name="work",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="series_entries",
                        to="catalog.work",
                    ),
                ),
            ],
        ),
    ]
