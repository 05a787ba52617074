"""A value as a column keeps it, for the importers' cells and the providers' records alike:
single-spaced, and cut to fit at a word's end where one is near."""

import re

_SPACES = re.compile(r"\s+")
# Invisible characters that only break a word's letters apart (Goodreads' own title `A \u200bCourt
# of Silver Flames` is not found by a search for "A Court"): the zero-width space, the word
# joiner and a byte order mark inside a cell or a provider's text. The zero-width (non-)joiners
# shape Persian and Indic words and stay.
_ZERO_WIDTH = re.compile("[\u200b\u2060\ufeff]")


def single_spaced(value: str) -> str:
    """`value` on one line as people write it: zero-width spaces dropped, every run of
    whitespace (a double space, a tab, a line break, a no-break space) one space, none at either
    end. How a CSV cell and a provider's short text (a title, a name) are kept."""
    # Nearly every value is single-spaced already: printable text holds no whitespace but " "
    # and none of the zero-width characters, so two C-speed tests stand for both passes.
    if value.isprintable() and "  " not in value and value[:1] != " " and value[-1:] != " ":
        return value
    return _SPACES.sub(" ", _ZERO_WIDTH.sub("", value)).strip()


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
