"""Pure text normalization shared by the importers, the catalog's lookup keys and matching."""

import re
import unicodedata

# "Ninth House (Alex Stern, #1)", "Dune (Dune Chronicles #1)", "Title (Series, #2.5)"
SERIES_SUFFIX = re.compile(r"\s*\((?P<series>[^()]*?),?\s*#\s*(?P<number>[\d.]+(?:-[\d.]+)?)\)\s*$")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def split_series(title: str) -> tuple[str, str, str]:
    """`Title (Series, #2)` -> ("Title", "Series", "2"); other titles come back unchanged."""
    title = (title or "").strip()
    match = SERIES_SUFFIX.search(title)
    if not match or match.start() == 0:
        return title, "", ""
    return title[: match.start()].strip(), match["series"].strip(), match["number"]


def normalize_text(text: str) -> str:
    """Case-folded, accent-free, punctuation-free, single-spaced."""
    text = strip_accents(unicodedata.normalize("NFKC", text or "")).casefold()
    text = text.replace("&", " and ")
    text = _NON_WORD.sub(" ", text.replace("'", "").replace("\u2019", ""))
    return _SPACES.sub(" ", text).strip()


def normalize_title(title: str) -> str:
    """The lookup key for a title: no series suffix, no subtitle, no punctuation or case."""
    main, _series, _number = split_series(title or "")
    main = re.split(r"\s*[:;]\s+|\s+[-\u2013\u2014]\s+", main, maxsplit=1)[0]
    return normalize_text(main)


def normalize_person_name(name: str) -> str:
    """The lookup key for a person: `Last, First` turned around, initials spaced, no case."""
    name = (name or "").strip()
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        if first and first.lower().rstrip(".") not in {"jr", "sr", "ii", "iii", "iv"}:
            name = f"{first} {last}"
    name = re.sub(r"\.(?=\S)", ". ", name)  # "J.K." -> "J. K."
    return normalize_text(name)


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
