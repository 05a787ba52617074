"""Works whose title carries a marketplace listing's bracketed tags (`Influence( The Psychology
of Persuasion)[INFLUENCE REV/E][Paperback]`, `Birthday Stories (…) (2006) ISBN: 4124034946
[Japanese Import]`, `Statistical Mechanics by Pathria, R K, Beale, Paul D.. (Academic
Press,2011) [Paperback] 3rd EDITION`), or a range of years across a spaced dash (`A History of
the Classical Greek World, 478 - 323 BC`, which read as the title `…, 478` with the subtitle
`323 BC`), get the lookup key `catalog.text.normalize_title` now makes, so that an import of the
same book finds the stored work instead of creating a second one.

Only titles holding `[`, ` by ` before a closing parenthesis (a listing whose year follows its
publisher, `(Academic Press,2011)`), or a spaced dash are read, and each key is recomputed by
the rule itself; a key that does not change is not written. As with 0024 and 0026–0028, two
works coming to share a key stay two works, and reversing leaves the keys as they are. A stored
title is not rewritten.
"""

from django.db import migrations
from django.db.models import Q


def recompute_keys(apps, schema_editor):
    from catalog.title_keys import title_keys_recompute

    Work = apps.get_model("catalog", "Work")
    dashes = (
        Q(title__contains=" - ") | Q(title__contains=" \u2013 ") | Q(title__contains=" \u2014 ")
    )
    listings = Q(title__contains="[") | Q(title__contains=" by ", title__endswith=")")
    title_keys_recompute(Work.objects.filter(listings | dashes))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0028_title_keys_alternative_titles")]

    operations = [migrations.RunPython(recompute_keys, migrations.RunPython.noop, elidable=True)]
