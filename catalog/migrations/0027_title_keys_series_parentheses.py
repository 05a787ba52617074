"""Works whose title ends with two catalogs' series, each in its parenthesis (`The Way of the
Moving Horse (Learn to Play Go, Volume II) (Learn to Play Go Ser)`, `The Paradiso (Barnes &
Noble Classics Series) (Barnes & Noble Classics)`), with a Japanese publisher's series (`異邦人
(新潮文庫)`, `蒼天の拳 (1) (Bunch comics)`), with a series numbered with nº (`(Inspector
Santana nº 2)`), with a language suffix before a series (`… (French Edition) (Collection
Folio)`) or in French or Spanish (`The Catcher in the Rye (en anglais)`), or with a
bookseller's listing suffix (`Tomorrow by Jane Doe (2015-09-01)`, `… by Doe, Jane (2004)
Paperback`) get the lookup key of the title without them (`the way of the moving horse`), as
`catalog.text.normalize_title` now makes it: an import of the same book, whose title the
importer now reads without them, then finds the work instead of creating a second one.

Only titles ending with a parenthesis, Paperback or Hardcover are read, and each key is
recomputed by the rule itself; a key that does not change is not written. Two works may come
to share a key; as with 0024 and 0026 they stay two works (the key is a lookup, not an
identity: nothing is merged). Reversing leaves the keys as they are (the earlier rule's keys
for these titles are not needed by anything). A stored subtitle is not rewritten (a listing
suffix the importer used to leave in it stays until a librarian edits it).
"""

from django.db import migrations
from django.db.models import Q


def recompute_keys(apps, schema_editor):
    from catalog.title_keys import title_keys_recompute

    Work = apps.get_model("catalog", "Work")
    # A bookseller's listing suffix may end with its binding (`… (2004) Paperback`).
    suffixed = Q(title__endswith=")") | Q(title__endswith="Paperback") | Q(title__endswith="Hardcover")
    title_keys_recompute(Work.objects.filter(suffixed))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0026_title_keys_amazon_suffixes")]

    operations = [migrations.RunPython(recompute_keys, migrations.RunPython.noop, elidable=True)]
