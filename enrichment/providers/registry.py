"""Provider names -> client classes, their labels, and the enabled providers in
`ENRICHMENT_PROVIDERS` order. Each class describes itself (label, capabilities, settings,
`book_url`): see `enrichment.providers.base.Provider`."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from enrichment.providers.base import Provider

logger = logging.getLogger(__name__)

#: Every provider the project knows. A name whose module is missing is skipped (and the
#: start-up check names it), so a half-installed provider never stops the others.
PROVIDER_CLASSES = {
    "openlibrary_dump": "enrichment.providers.openlibrary_dump.OpenLibraryDumpProvider",
    "openlibrary": "enrichment.providers.openlibrary.OpenLibraryProvider",
    "google_books": "enrichment.providers.google_books.GoogleBooksProvider",
    "isbndb": "enrichment.providers.isbndb.IsbndbProvider",
    "wikidata": "enrichment.providers.wikidata.WikidataProvider",
    "archive_org": "enrichment.providers.archive_org.ArchiveOrgProvider",
}


def import_if_present(path: str):
    """The class at the dotted `path`, or None when its module is missing (a screen or a run
    naming a source the project no longer has must not fail on it)."""
    try:
        return import_string(path)
    except ModuleNotFoundError as exc:
        if exc.name != path.rsplit(".", 1)[0]:
            raise  # the module exists but imports something missing: a real error
        return None


def provider_class(name: str) -> type[Provider] | None:
    """The client class for `name`, or None for an unknown name or one whose module is missing."""
    path = PROVIDER_CLASSES.get(name)
    if path is None:
        return None
    cls = import_if_present(path)
    if cls is None:
        logger.debug("Enrichment provider %r has no client yet: skipped", name)
    return cls


def provider_label(name: str) -> str:
    """What a screen or a report shows for a provider key: its label ("Google Books"); the key
    itself for one the project no longer knows (it may still be in stored data)."""
    cls = provider_class(name) if name else None
    return str(cls.label) if cls is not None and cls.label else name


def provider_choices() -> list[tuple[str, str]]:
    """(key, label) of the configured providers, in `ENRICHMENT_PROVIDERS` order: filters."""
    return [(name, provider_label(name)) for name in settings.ENRICHMENT_PROVIDERS]


def record_links(ids: dict[str, str]) -> list[tuple[str, str]]:
    """(label, url) of the provider pages a candidate's `provider_ids` point to, one per page."""
    classes = [cls for name in PROVIDER_CLASSES if (cls := provider_class(name)) is not None]
    # A web source first: a page the local dump shares with Open Library is labelled Open Library.
    classes.sort(key=lambda cls: not cls.setting_names.url)
    links: dict[str, str] = {}
    for cls in classes:
        for kind, url in cls.book_pages(ids or {}):
            if url not in links:
                links[url] = f"{cls.label} {kind}" if kind else str(cls.label)
    return [(label, url) for url, label in links.items()]


def get_provider(name: str, **options) -> Provider | None:
    """A client for `name`, or None for a name no provider has (the start-up check says so).

    `options` reach the constructor (`clock`, `sleep`, `max_wait`).
    """
    if name not in PROVIDER_CLASSES:
        logger.warning("Unknown enrichment provider %r in ENRICHMENT_PROVIDERS: skipped", name)
        return None
    cls = provider_class(name)
    return cls(**options) if cls is not None else None


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
