"""Works whose title ends with its article (`Amber Spyglass, The`, `Monde selon Garp (le)`) get
the lookup key the title has with its article in front (`the amber spyglass`), as
`catalog.text.normalize_title` now makes it: an import of `The Amber Spyglass` then finds the
work instead of creating a second one.

Only titles the database finds ending with an article are read, and each key is recomputed by
the rule itself; a key that does not change is not written. Reversing leaves the keys as they
are (the earlier rule's keys for these titles are not needed by anything).
"""

from django.db import migrations

BATCH = 1000


def recompute_keys(apps, schema_editor):
    from catalog.text import ARTICLES, normalize_title

    Work = apps.get_model("catalog", "Work")
    changed = []
    # The titles ending with an article (the rule's own list), found by the database.
    ends_with_article = rf"(,\s*|\(\s*)({ARTICLES})\)?\s*$"
    works = Work.objects.filter(title__iregex=ends_with_article).only(
        "pk", "title", "title_normalized"
    )
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
    dependencies = [("catalog", "0023_no_prefix_pattern_indexes")]

    operations = [migrations.RunPython(recompute_keys, migrations.RunPython.noop, elidable=True)]
