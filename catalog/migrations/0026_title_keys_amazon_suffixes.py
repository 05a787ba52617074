"""Works whose title ends with a series in Amazon's words (`Mirage (The Oregon Files Book 9)`,
`The Protocols (TCP/IP Illustrated, Volume 1)`), after a comma (`Built to Last (Good to Great,
2)`), in Roman numerals (`(Learn to Play Go, Volume III)`), numbered with No. (`Les
Faux-Monnayeurs (Folio Ser.: No.879)`), or with Amazon's language suffix (`Vagabond Volume 4 (in
Japanese)`, `… (Spanish Edition)`, `…, Hebrew Edition`) get the lookup key of the title without
it (`mirage`), as `catalog.text.normalize_title` now makes it: an import of the same
book, whose title the importer now reads without it, then finds the work instead of creating a
second one.

Only titles ending with a parenthesis or with "Edition" are read, and each key is recomputed by
the rule itself; a key that does not change is not written. Two works may come to share a key;
as with 0024 they stay two works (the key is a lookup, not an identity: nothing is merged).
Reversing leaves the keys as they are (the earlier rule's keys for these titles are not needed by
anything).
"""

from django.db import migrations
from django.db.models import Q

BATCH = 1000


def recompute_keys(apps, schema_editor):
    from catalog.text import normalize_title

    Work = apps.get_model("catalog", "Work")
    changed = []
    suffixed = Q(title__endswith=")") | Q(title__endswith="Edition")
    works = Work.objects.filter(suffixed).only("pk", "title", "title_normalized")
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
    dependencies = [("catalog", "0025_author_listed_name_order_index")]

    operations = [migrations.RunPython(recompute_keys, migrations.RunPython.noop, elidable=True)]
