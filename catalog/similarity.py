"""How alike two titles are, the same measure in Python as PostgreSQL's pg_trgm, and the numbers
that tell volumes apart (split from catalog.text)."""

import re

_TRIGRAM_WORD = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"\d+")


def trigrams(value: str) -> frozenset[str]:
    """pg_trgm's trigrams of a text: each word (letters and digits), lower-cased and padded
    with two spaces before and one after, cut into every run of three characters."""
    grams: set[str] = set()
    for word in _TRIGRAM_WORD.findall(value.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm's `similarity(a, b)` (0–1): shared trigrams over all trigrams of both. The same
    measure in Python and in PostgreSQL, so that both databases find the same duplicates. It
    tells series volumes apart better than an edit ratio: "Harry Potter and the Chamber of
    Secrets" / "… Prisoner of Azkaban" are 0.45 alike (68 % by rapidfuzz's ratio)."""
    grams_a, grams_b = trigrams(a), trigrams(b)
    if not grams_a or not grams_b:
        return 0.0
    shared = len(grams_a & grams_b)
    return shared / (len(grams_a) + len(grams_b) - shared)


def title_numbers(title: str) -> list[str]:
    """The numbers in a title, in order ("Book 2" -> ["2"]): volumes that differ by them are
    different books, however alike the rest is."""
    return [number.lstrip("0") or "0" for number in _DIGITS.findall(title)]
