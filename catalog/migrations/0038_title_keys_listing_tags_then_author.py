"""Works whose title ends with a marketplace listing's bracketed binding or date and then the
author's name (`Pyjamas are Forgiving [Paperback] TWINKLE KHANNA`, `Mr Oliver's Diary [Feb 15,
2010] Bond, Ruskin`) get the lookup key of the title without them (`pyjamas are forgiving`), as
`catalog.text.normalize_title` now makes it: an import of the same book, whose title the importer
now reads without them, then finds the work instead of creating a second one.

Only titles holding "] " are read, and each key is recomputed by the rule itself; a key that
does not change is not written (`[Oshi No Ko], Vol. 1` keeps its key). As with 0024 and
0026-0035, reversing leaves the keys as they are, and a stored title is not rewritten.
"""

from django.db import migrations


def recompute_keys(apps, schema_editor):
    from catalog.title_keys import title_keys_recompute

    Work = apps.get_model("catalog", "Work")
    title_keys_recompute(Work.objects.filter(title__contains="] "))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0037_author_keys_honours")]

    operations = [migrations.RunPython(recompute_keys, migrations.RunPython.noop, elidable=True)]
