"""Works whose title ends with Amazon's suffix of a bilingual edition (`Pather Panchali (English
and Bengali Edition)`, `The School for Wives; … (English and French Edition)`) get the lookup key
of the title without it (`pather panchali`), as `catalog.text.normalize_title` now makes it: an
import of the same book, whose title the importer now reads without the suffix, then finds the
work instead of creating a second one.

Only titles ending with " Edition)" and holding " and " are read, and each key is recomputed by
the rule itself; a key that does not change is not written (`(Updated and Expanded Edition)`
names no languages and keeps its key). As with 0024 and 0026–0032, reversing leaves the keys as
they are, and a stored title is not rewritten.
"""

from django.db import migrations
from django.db.models import Q


def recompute_keys(apps, schema_editor):
    from catalog.title_keys import title_keys_recompute

    Work = apps.get_model("catalog", "Work")
    title_keys_recompute(
        Work.objects.filter(Q(title__endswith=" Edition)") & Q(title__contains=" and "))
    )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0034_import_rows_not_book_index")]

    operations = [migrations.RunPython(recompute_keys, migrations.RunPython.noop, elidable=True)]
