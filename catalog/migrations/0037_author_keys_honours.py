"""Authors whose name begins with a title of honour (`Sir Arthur Conan Doyle`, `Dame Edith
Sitwell`: catalog.name_order.HONOURS) get the lookup key `catalog.text.normalize_person_name` now
makes, without it (`arthur conan doyle`), so that an import crediting the person with or without
the title finds the one stored author instead of creating a second one.

Only names beginning with such a word are read; a key that does not change is not written (`Lady
Gregory`, one word after the title, keeps hers).

An author an import named from a peer's library heading with the title's name twice (`Edward
Bulwer Lytton Lytton`, sorted `Lytton, Edward Bulwer Lytton`, from Project Gutenberg's `Lytton,
Edward Bulwer Lytton, Baron, 1803-1873`) gets the name, sort name and key the import gives it now
(`Edward Bulwer Lytton`: catalog.person_names.peers_given_names): only a name whose last two words
are one, and only when the import rows of the author's works wrote that heading before a title of
honour or rank (Edwin Abbott Abbott, whose heading has none, keeps his name).

Two authors coming to share a key stay two authors (an import credits the older one; `manage.py
reconcile_authors` proposes them for merging when they share a work), and reversing leaves the
keys and names as they are.
"""

import re

from django.db import migrations

# The rows read for one author's cells: enough to see how its exports wrote the name.
ROWS_READ = 50


def recompute_keys(apps, schema_editor):
    from catalog.author_keys import author_keys_recompute
    from catalog.name_order import HONOURS, TITLE_RANKS

    Author = apps.get_model("catalog", "Author")
    honours = "|".join(sorted(HONOURS))
    author_keys_recompute(
        Author.objects.filter(name__iregex=rf"^\s*({honours})\.?\s"), cells_of=lambda author: ()
    )
    rename_peers(apps, "|".join(sorted(HONOURS | TITLE_RANKS)))


def rename_peers(apps, titles: str) -> None:
    from catalog.person_names import peers_given_names
    from catalog.text import normalize_person_name

    Author = apps.get_model("catalog", "Author")
    WorkAuthor = apps.get_model("catalog", "WorkAuthor")
    ImportRow = apps.get_model("catalog", "ImportRow")
    key_length = Author._meta.get_field("name_normalized").max_length
    for author in Author.objects.filter(name__regex=r"(\S+) \1$").only(
        "pk", "name", "sort_name", "name_normalized"
    ):
        last, _comma, given = author.sort_name.partition(", ")
        if author.name != f"{given} {last}" or given.rpartition(" ")[2] != last:
            continue  # not a name the import made of `Last, Given… Last`
        works = WorkAuthor.objects.filter(author_id=author.pk).values("work_id")
        rows = ImportRow.objects.filter(work_id__in=works).values_list("raw", flat=True)
        cells = [cell for raw in rows[:ROWS_READ] for cell in raw or [] if isinstance(cell, str)]
        heading = re.compile(rf"{re.escape(author.sort_name)}, ({titles})\b", re.IGNORECASE)
        titled = next((found for cell in cells if (found := heading.search(cell))), None)
        if titled is None:
            continue  # `Abbott, Edwin Abbott`: his own name
        given = peers_given_names(last, given, titled[1])
        author.sort_name, author.name = f"{last}, {given}", f"{given} {last}"
        author.name_normalized = normalize_person_name(author.name)[:key_length]
        author.save(update_fields=["name", "sort_name", "name_normalized"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0036_workauthor_named_credit")]

    operations = [migrations.RunPython(recompute_keys, migrations.RunPython.noop, elidable=True)]
