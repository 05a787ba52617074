"""Stored authors given the name key of the current rule (`catalog.text.normalize_person_name`):
the work of a data migration that changes what the key leaves out, so that an import finds them.
The authors' counterpart of catalog.title_keys."""

from collections.abc import Callable, Iterable

from catalog.name_order import CJK_SCRIPT, is_family_name_first, sort_name_turned_around

BATCH = 1000
#: The names the rule changes: those holding a character of Chinese, Japanese or Korean script
#: (a regular expression both databases read).
CJK_NAME_PATTERN = CJK_SCRIPT.pattern


def name_turned_the_western_way(name: str, sort_name: str, cells: Iterable[str]) -> str:
    """The name an import wrote before a sorted name in Chinese, Japanese or Korean script was
    read family name first: `遼太郎 司馬` from the cell `司馬, 遼太郎` -> `司馬遼太郎`, the name the
    import writes now (sort_name_turned_around). Only when the rows that credited the author
    (`cells`) wrote the sort name and never the name: a Goodreads row writes the name itself
    (`さいとう たかを`), beside an Author l-f turned around (`たかを, さいとう`), and that name is
    right. Any other name -> ""."""
    if sort_name.count(",") != 1:
        return ""
    last, first = (part.strip() for part in sort_name.split(","))
    if not (last and first and is_family_name_first(last, first)) or name != f"{first} {last}":
        return ""
    cells = list(cells)
    if not any(sort_name in cell for cell in cells) or any(name in cell for cell in cells):
        return ""
    return sort_name_turned_around(last, first)


def author_keys_recompute(authors, *, cells_of: Callable[[object], Iterable[str]]) -> int:
    """Each of `authors` (a queryset of a migration's historical Author) whose key differs from
    the rule's gets the rule's, and a name written given name first by the old reading of a CJK
    sort name gets the name the import writes now (name_turned_the_western_way, given the cells
    of the rows that credited the author: `cells_of(author)`); written in batches, returns how
    many changed. Two authors coming to share a key stay two authors."""
    from catalog.text import normalize_person_name

    model = authors.model
    max_length = model._meta.get_field("name_normalized").max_length
    changed, total = [], 0
    for author in authors.only("pk", "name", "sort_name", "name_normalized").iterator(
        chunk_size=BATCH
    ):
        name = author.name
        if author.sort_name.count(",") == 1:  # a candidate: read its rows' cells
            name = (
                name_turned_the_western_way(author.name, author.sort_name, cells_of(author)) or name
            )
        key = normalize_person_name(name)[:max_length]
        if (name, key) != (author.name, author.name_normalized):
            author.name, author.name_normalized = name, key
            changed.append(author)
        if len(changed) >= BATCH:
            total += model.objects.bulk_update(changed, ["name", "name_normalized"])
            changed = []
    return total + model.objects.bulk_update(changed, ["name", "name_normalized"])
