"""An Open Library edition's title as a reader sees it: a pure rule shared by the online client
(enrichment.providers.openlibrary) and the dump's loader (enrichment.dump.reader), whose worker
processes import no Django models."""

from typing import Any


def edition_title(title: Any, title_prefix: Any) -> str:
    """An edition's title with the article older catalogue records file apart (`title_prefix`,
    MARC 245's non-filing characters: "The " and "idiot", "La " and "roulette et le
    souterrain"), which is part of the title a reader sees. A title that already starts with
    it, or a prefix alone, is left as written."""
    written = title.strip() if isinstance(title, str) else ""
    prefix = title_prefix.strip() if isinstance(title_prefix, str) else ""
    head = prefix if prefix.endswith(("'", "’")) else f"{prefix} "
    if not prefix or not written or written.casefold().startswith(head.casefold()):
        return written
    return head + written
