"""An index on editions' LibraryThing id: an import looks each batch's LibraryThing ids up
(catalog.services.index), which read every edition without it, on both databases."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0019_import_job_recovery"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="edition",
            index=models.Index(fields=["librarything_id"], name="edition_librarything_idx"),
        ),
    ]
