"""Works whose title joins an alternative title with a comma (`The Hobbit, or There and Back
Again`, `Blood Meridian, or, the Evening Redness in the West`) get the lookup key of the title
before it (`the hobbit`), as `catalog.text.normalize_title` now makes it: the alternative title
is the subtitle however it is joined, as after `;` or `:` (`The Hobbit: or There and Back
Again`), so that the same book from two exports is one work, and an import of the same book
finds the stored work instead of creating a second one.

Only titles holding `, or` are read, and each key is recomputed by the rule itself; a key that
does not change is not written (a list, `Red, White, or Blue`, keeps its own). As with 0024,
0026 and 0027, two works coming to share a key stay two works, and reversing leaves the keys as
they are. A stored title is not rewritten.
"""

from django.db import migrations


def recompute_keys(apps, schema_editor):
    from catalog.title_keys import title_keys_recompute

    Work = apps.get_model("catalog", "Work")
    title_keys_recompute(Work.objects.filter(title__icontains=", or"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0027_title_keys_series_parentheses")]

    operations = [migrations.RunPython(recompute_keys, migrations.RunPython.noop, elidable=True)]
