"""A provider's language, as the catalog stores it. Pure: no Django, no database.

Every provider client (`enrichment.providers.fields.language_code` re-exports it) and the merge
read languages here: the catalog's one rule (catalog.languages), the one the importers read an
export's cell by, with MARC's own codes read too, as Open Library keeps them on old records.
"""

from catalog import languages


def language_code(value: object) -> str:
    """A provider's language as the catalog stores it (catalog.languages.language_code): "eng",
    "English", "/languages/eng" -> "en", MARC's "esp" -> "eo"; "und", "N/A" -> ""."""
    return languages.language_code(value, marc=True)
