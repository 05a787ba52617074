"""Provider names -> client classes, and the enabled providers in `ENRICHMENT_PROVIDERS` order."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from enrichment.providers.base import Provider

logger = logging.getLogger(__name__)

#: Every provider the project knows. A class may not exist yet (the local Open Library dump
#: comes with its own issue): such a name is skipped until its module is written.
PROVIDER_CLASSES = {
    "openlibrary_dump": "enrichment.providers.openlibrary_dump.OpenLibraryDumpProvider",
    "openlibrary": "enrichment.providers.openlibrary.OpenLibraryProvider",
    "google_books": "enrichment.providers.google_books.GoogleBooksProvider",
    "isbndb": "enrichment.providers.isbndb.IsbndbProvider",
    "wikidata": "enrichment.providers.wikidata.WikidataProvider",
    "archive_org": "enrichment.providers.archive_org.ArchiveOrgProvider",
}


def get_provider(name: str, **options) -> Provider | None:
    """A client for `name`, or None for an unknown name or one whose module is not written yet.

    `options` reach the constructor (`clock`, `sleep`, `max_wait`).
    """
    path = PROVIDER_CLASSES.get(name)
    if path is None:
        logger.warning("Unknown enrichment provider %r in ENRICHMENT_PROVIDERS: skipped", name)
        return None
    try:
        provider_class = import_string(path)
    except ModuleNotFoundError as exc:
        if exc.name != path.rsplit(".", 1)[0]:
            raise  # the module exists but imports something missing: a real error
        logger.debug("Enrichment provider %r has no client yet: skipped", name)
        return None
    return provider_class(**options)


def enabled_providers(**options) -> list[Provider]:
    """The configured providers, in `ENRICHMENT_PROVIDERS` order (no key, no provider)."""
    providers = []
    for name in settings.ENRICHMENT_PROVIDERS:
        provider = get_provider(name, **options)
        if provider is None:
            continue
        if not provider.is_configured():
            logger.debug("Enrichment provider %r is not configured: skipped", name)
            continue
        providers.append(provider)
    return providers
