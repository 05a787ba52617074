"""A provider's language, as the catalog stores it. Pure: no Django, no database.

Every provider client (`enrichment.providers.fields.language_code` re-exports it) and the merge
read languages here, with the table the catalog's importers read (catalog.text.LANGUAGES: ISO
639-2 codes, English names), so a book's language means the same wherever it came from.
"""

from typing import Any

from catalog.text import LANGUAGES

# MARC codes that are no ISO 639-2 code, as Open Library keeps them on old records. Not in the
# importers' table: in a home-made list "esp" may mean Spanish (español); in MARC it is Esperanto.
MARC_ONLY_LANGUAGES = {"esp": "eo", "scc": "sr", "scr": "hr", "gag": "gl", "tag": "tl"}
# "unknown", "undetermined", "no linguistic content": no language to propose.
NO_LANGUAGE = frozenset({"un", "und", "unk", "zxx"})


def language_code(value: Any) -> str:
    """ "/languages/eng", "eng", "English" or "en" -> "en"; unknown codes are kept as given."""
    if value is None or isinstance(value, dict | list):
        return ""
    # As every stored text: NULs dropped, lone surrogates replaced (PostgreSQL refuses both).
    raw = str(value).encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    raw = raw.rsplit("/", 1)[-1].strip().casefold()
    if not raw or raw in NO_LANGUAGE:
        return ""
    return MARC_ONLY_LANGUAGES.get(raw) or LANGUAGES.get(raw, raw)
