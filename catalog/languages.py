"""A book's language as the catalog stores it. Pure: no Django, no database.

The importers read an export's language cell here and every provider a record's language
(`enrichment.languages`), with one table (catalog.text.LANGUAGES: names, ISO 639-2 codes ->
ISO 639-1), so a book's language means the same wherever it came from. One deliberate
difference: MARC's own codes are read only in a provider's record (`marc`).
"""

import re

from catalog.text import LANGUAGES

# MARC codes that are no ISO 639-2 code, as Open Library keeps them on old records. Not read in
# an export: in a home-made list "esp" may mean Spanish (español); in MARC it is Esperanto.
MARC_ONLY_LANGUAGES = {"esp": "eo", "scc": "sr", "scr": "hr", "gag": "gl", "tag": "tl"}
# ISO 639-1 codes withdrawn for new ones, which old records still carry (Java's Locale writes
# "iw" for Hebrew to this day).
RENAMED_LANGUAGES = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}
# "unknown", "undetermined", "multiple languages", "uncoded", "no linguistic content": no
# language to store.
NO_LANGUAGE = frozenset({"un", "und", "unk", "mul", "mis", "zxx"})
# Open Library's key of a language: "/languages/eng".
_KEY_PREFIX = "/languages/"
# The languages a value lists ("English; French", "eng, fre"): the first is the book's.
_LIST_SEPARATOR = re.compile(r"[,;|/]")
# A code (ISO 639-1, 639-2 or 639-3), and the region or script a tag names after it ("pt-BR",
# "en_US", "zh-Hant", "es-419"), kept in lower case: a Brazilian edition is "pt-br".
_CODE = re.compile(r"([a-z]{2,3})(?:[-_]([a-z]{2,4}|\d{3}))?")


def language_code(value: object, *, marc: bool = False) -> str:
    """ "English", "eng", "en" or "/languages/eng" -> "en"; "EN-us" or "en_US" -> "en-us"; a
    list's first language ("English; French" -> "en"); a withdrawn code as its new one ("iw" ->
    "he"); a code the table does not know is kept as given ("tha"); anything that names no
    language ("N/A", "--", "und", "mul", a name the table does not know) -> "".

    `marc`: the value comes from a MARC record (a provider's), so "esp" is Esperanto, "scr"
    Croatian; an export's "esp" is kept as written.
    """
    if value is None or isinstance(value, dict | list):
        return ""
    raw = (value if type(value) is str else str(value)).strip().casefold()
    if not raw:
        return ""
    # The importers ask this for every row: one lookup answers most values ("English", "eng").
    if raw in LANGUAGES:
        return LANGUAGES[raw]
    if raw.isascii() and raw.isalpha() and len(raw) <= 3:  # "en", "und", "esp": no regex
        return _language_of_code(raw, marc=marc) if len(raw) > 1 else ""
    first = raw.replace("\x00", "").removeprefix(_KEY_PREFIX)
    first = _LIST_SEPARATOR.split(first, maxsplit=1)[0].strip()
    if first in LANGUAGES:
        return LANGUAGES[first]
    match = _CODE.fullmatch(first)
    if match is None:
        return ""
    code, region = match.groups()
    code = _language_of_code(code, marc=marc)
    return f"{code}-{region}" if code and region else code


def _language_of_code(code: str, *, marc: bool) -> str:
    """A code of two or three letters as the catalog stores it (ISO 639-1 where the table knows
    one), "" for one that names no language."""
    if code in NO_LANGUAGE:
        return ""
    if marc and code in MARC_ONLY_LANGUAGES:
        return MARC_ONLY_LANGUAGES[code]
    return RENAMED_LANGUAGES.get(code) or LANGUAGES.get(code, code)
