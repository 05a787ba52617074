"""Authors whose name begins with a title of honour (`Sir Arthur Conan Doyle`, `Dame Edith
Sitwell`: catalog.name_order.HONOURS) get the lookup key `catalog.text.normalize_person_name` now
makes, without it (`arthur conan doyle`), so that an import crediting the person with or without
the title finds the one stored author instead of creating a second one.

Only names beginning with such a word are read; a key that does not change is not written (`Lady
Gregory`, one word after the title, keeps hers). Two authors coming to share a key stay two
authors (an import credits the older one; `manage.py reconcile_authors` proposes them for merging
when they share a work), and reversing leaves the keys as they are; no name is rewritten.
"""

from django.db import migrations


def recompute_keys(apps, schema_editor):
    from catalog.author_keys import author_keys_recompute
    from catalog.name_order import HONOURS

    Author = apps.get_model("catalog", "Author")
    honours = "|".join(sorted(HONOURS))
    author_keys_recompute(
        Author.objects.filter(name__iregex=rf"^\s*({honours})\.?\s"), cells_of=lambda author: ()
    )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0036_workauthor_named_credit")]

    operations = [migrations.RunPython(recompute_keys, migrations.RunPython.noop, elidable=True)]
