"""A provider's language, as the catalog stores it. Pure: no Django, no database.

Every provider client (`enrichment.providers.fields.language_code` re-exports it) and the merge
read languages here, with the table the catalog's importers read (catalog.text.LANGUAGES: ISO
639-2 codes, English names), so a book's language means the same wherever it came from.
"""

import re
from typing import Any

from catalog.text import LANGUAGES

# MARC codes that are no ISO 639-2 code, as Open Library keeps them on old records. Not in the
# importers' table: in a home-made list "esp" may mean Spanish (español); in MARC it is Esperanto.
MARC_ONLY_LANGUAGES = {"esp": "eo", "scc": "sr", "scr": "hr", "gag": "gl", "tag": "tl"}
# ISO 639-1 codes withdrawn for new ones, which old records still carry (Java's Locale writes
# "iw" for Hebrew to this day).
RENAMED_LANGUAGES = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}
# "unknown", "undetermined", "multiple languages", "uncoded", "no linguistic content": no
# language to propose.
NO_LANGUAGE = frozenset({"un", "und", "unk", "mul", "mis", "zxx"})
# Open Library's key of a language: "/languages/eng".
_KEY_PREFIX = re.compile(r"^/languages/")
# The languages a value lists ("English; French", "eng, fre"): the first is the book's, as the
# importers read a cell (catalog.importers.cells.parse_language).
_LIST_SEPARATOR = re.compile(r"[,;|/]")
# A code (ISO 639-1, 639-2 or 639-3), and the region or script a tag names after it ("pt-BR",
# "en_US", "zh-Hant"), kept as the importers keep it: a Brazilian edition is "pt-br".
_CODE = re.compile(r"([a-z]{2,3})(?:[-_]([a-z]{2,4}|\d{3}))?")


def language_code(value: Any) -> str:
    """ "/languages/eng", "eng", "English" or "en" -> "en", "EN-us" -> "en-us"; a code the table
    does not know is kept as given ("tha"); anything that names no language ("N/A", "--", "und",
    a name the table does not know) -> ""."""
    if value is None or isinstance(value, dict | list):
        return ""
    # As every stored text: NULs dropped, lone surrogates replaced (PostgreSQL refuses both).
    raw = str(value).encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    raw = _KEY_PREFIX.sub("", raw.strip())
    raw = _LIST_SEPARATOR.split(raw, maxsplit=1)[0].strip().casefold()
    if raw in LANGUAGES or raw in MARC_ONLY_LANGUAGES:
        return MARC_ONLY_LANGUAGES.get(raw) or LANGUAGES[raw]
    match = _CODE.fullmatch(raw)
    if match is None:
        return ""
    code, region = match.groups()
    if code in NO_LANGUAGE:
        return ""
    code = RENAMED_LANGUAGES.get(code) or MARC_ONLY_LANGUAGES.get(code) or LANGUAGES.get(code, code)
    return f"{code}-{region}" if region else code
