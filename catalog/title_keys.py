"""Stored works given the title keys of the current rule (`catalog.text.normalize_title`): the
work of a data migration that changes what a key leaves out, so that re-importing finds them.

Migrations 0024 and 0026 hold their own copy of this loop (landed migrations stay as they were);
later ones call this."""

BATCH = 1000


def title_keys_recompute(works) -> int:
    """Each of `works` (a queryset of a migration's historical Work) whose key differs from the
    rule's gets the rule's, written in batches; returns how many changed. A key that does not
    change is not written."""
    from catalog.text import normalize_title

    model = works.model
    max_length = model._meta.get_field("title_normalized").max_length
    changed, total = [], 0
    for work in works.only("pk", "title", "title_normalized").iterator(chunk_size=BATCH):
        key = normalize_title(work.title)[:max_length]
        if key != work.title_normalized:
            work.title_normalized = key
            changed.append(work)
        if len(changed) >= BATCH:
            total += model.objects.bulk_update(changed, ["title_normalized"])
            changed = []
    return total + model.objects.bulk_update(changed, ["title_normalized"])
