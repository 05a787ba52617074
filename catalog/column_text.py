"""A value cut to fit a column: at a word's end where one is near, for the importers' cells and
the providers' records alike."""


def cut_at_word_boundary(value: str, limit: int) -> str:
    """`value` in at most `limit` characters, ending with the last whole word that fits.

    A value with no space in the second half of what fits is cut at `limit` exactly: finding
    a boundary there would throw away more than a hard cut does.
    """
    if len(value) <= limit:
        return value
    kept = value[:limit]
    if value[limit].isspace() or kept[-1].isspace():
        return kept.rstrip()
    head = kept.rsplit(maxsplit=1)[0].rstrip()
    return head if len(head) >= limit // 2 and len(head) < len(kept) else kept
