"""Works whose title ends in a colon or a spaced dash and a number alone (`Hokuto No Ken: 15`,
`HBR Classics Collection - 1`, `Title - II`) get the lookup key `catalog.text.normalize_title`
now makes, the number kept (`hokuto no ken 15`), where the earlier key read the number as a
subtitle and left it out: every volume of a series had one key.

Only such titles are read, and each key is recomputed by the rule itself; a key that does not
change is not written. As with 0024 and 0026–0029, reversing leaves the keys as they are. A
stored title is not rewritten: a work an import stored split (title `Hokuto No Ken`, subtitle
`15`) keeps its title and key.
"""

from django.db import migrations

# A number alone after a title's colon or spaced dash, as both databases read a pattern.
_NUMBER_AFTER_SEPARATOR = r"(:|\s[-\u2013\u2014])\s*([0-9]+|[IVXLC]+)$"


def recompute_keys(apps, schema_editor):
    from catalog.title_keys import title_keys_recompute

    Work = apps.get_model("catalog", "Work")
    title_keys_recompute(Work.objects.filter(title__regex=_NUMBER_AFTER_SEPARATOR))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0031_author_keys_cjk_names")]

    operations = [migrations.RunPython(recompute_keys, migrations.RunPython.noop, elidable=True)]
