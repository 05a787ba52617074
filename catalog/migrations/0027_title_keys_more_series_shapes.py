"""Works whose title ends with a series Amazon numbers after a comma (`Built to Last (Good to
Great, 2)`, `… Том 4 (Канашибари, 4)`), in Roman numerals (`(Learn to Play Go, Volume III)`) or
with No. (`Les Faux-Monnayeurs (Folio Ser.: No.879)`) get the lookup key of the title without it,
as `catalog.text.normalize_title` now makes it: an import of the same book, whose title the
importer now reads without it, then finds the work instead of creating a second one.

As 0026: only titles ending with a parenthesis are read, each key is recomputed by the rule
itself and written only when it changes; works that come to share a key stay two works.
Reversing leaves the keys as they are.
"""

from django.db import migrations

BATCH = 1000


def recompute_keys(apps, schema_editor):
    from catalog.text import normalize_title

    Work = apps.get_model("catalog", "Work")
    changed = []
    works = Work.objects.filter(title__endswith=")").only("pk", "title", "title_normalized")
    for work in works.iterator(chunk_size=BATCH):
        key = normalize_title(work.title)[:500]
        if key != work.title_normalized:
            work.title_normalized = key
            changed.append(work)
        if len(changed) >= BATCH:
            Work.objects.bulk_update(changed, ["title_normalized"])
            changed = []
    Work.objects.bulk_update(changed, ["title_normalized"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0026_title_keys_amazon_suffixes")]

    operations = [migrations.RunPython(recompute_keys, migrations.RunPython.noop, elidable=True)]
