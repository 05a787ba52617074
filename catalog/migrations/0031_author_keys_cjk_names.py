"""Authors whose name is written in Chinese, Japanese or Korean script get the lookup key
`catalog.text.normalize_person_name` now makes, with no space between the name's parts
(`司馬 遼太郎` and `司馬遼太郎` are one key), so that an import of either spelling finds the stored
author instead of creating a second one.

An author an import stored given name first from a sorted name (`遼太郎 司馬` from the cell
`司馬, 遼太郎`, before the import read such a name family name first) gets the name the import
writes now, `司馬遼太郎` (catalog.author_keys.name_turned_the_western_way): only a name that is
exactly its sort name turned around the Western way, and only when the import rows of the
author's works wrote the sort name and never the name (a Goodreads export writes `さいとう たかを`
rightly, beside its Author l-f `たかを, さいとう`: that name stays).

Only names holding a character of those scripts are read; a key or name that does not change
is not written. Two authors coming to share a key stay two authors (an import credits the
older one; `manage.py reconcile_authors` proposes them for merging when they share a work), and
reversing leaves the keys and names as they are.
"""

from django.db import migrations

# The rows read for one author's cells: enough to see how its exports wrote the name.
ROWS_READ = 50


def recompute_keys(apps, schema_editor):
    from catalog.author_keys import CJK_NAME_PATTERN, author_keys_recompute

    Author = apps.get_model("catalog", "Author")
    WorkAuthor = apps.get_model("catalog", "WorkAuthor")
    ImportRow = apps.get_model("catalog", "ImportRow")

    def cells_of(author):
        works = WorkAuthor.objects.filter(author_id=author.pk).values("work_id")
        rows = ImportRow.objects.filter(work_id__in=works).values_list("raw", flat=True)
        return [cell for raw in rows[:ROWS_READ] for cell in raw or [] if isinstance(cell, str)]

    author_keys_recompute(Author.objects.filter(name__regex=CJK_NAME_PATTERN), cells_of=cells_of)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0030_import_file_status_not_found")]

    operations = [migrations.RunPython(recompute_keys, migrations.RunPython.noop, elidable=True)]
