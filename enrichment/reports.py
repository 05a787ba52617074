"""Coverage figures: what the catalog really has. Only covers whose bytes were fetched and
verified count (a guessed URL is not a cover). A few aggregate queries, whatever the size."""

from enrichment import provider_figures, selectors


def coverage_report() -> dict:
    """The figures as `enrichment_report --json` prints them (the keys are a contract)."""
    counts = selectors.catalog_counts()
    works = counts["total"]
    by_source = dict(sorted(selectors.covers_by_source().items()))
    open_library = sum(n for s, n in by_source.items() if s in selectors.OPEN_LIBRARY_SOURCES)
    other = sum(by_source.values()) - open_library
    missing = works - counts["verified"]
    metadata = selectors.metadata_counts()
    queue_counts, _by_confidence = selectors.queue_counts()
    providers = {
        health.name: {
            # False: listed in ENRICHMENT_PROVIDERS but never asked (no key; the dump not loaded).
            "configured": health.configured,
            "requests_today": health.requests_today,
            "daily_budget": health.budget or None,
            "budget_left": health.budget_left,
            "quota_exhausted": health.quota_exhausted,
            "breaker": health.breaker,
            "last_error": health.last_error,
            "last_error_kind": health.last_fault.kind if health.last_fault else "",
            "last_error_host": health.last_fault.host if health.last_fault else "",
        }
        for health in provider_figures.provider_health()
    }
    reachability = provider_figures.providers_reachability()
    authors = selectors.author_counts()
    # Beside the stored statuses (a contract), as the author list and the dashboard show them;
    # the text form prints these.
    authors["by_enrichment_status_as_listed"] = selectors.author_statuses_as_listed(authors)

    return {
        "works": works,
        "covers": {
            "verified_open_library_and_archive_org": open_library,
            "verified_other_providers": other,
            "missing": missing,
            "by_source": by_source,
        },
        "metadata": metadata,
        # Author completeness beside the works' (redirects counted apart: selectors.author_counts).
        "authors": authors,
        # The catalog backfill: months by status, books found, synthetic works still waiting.
        "backfill": selectors.backfill_counts(),
        "queue": queue_counts,
        "providers": providers,
        "providers_unreachable": [
            {
                "provider": p.name,
                "host": p.host,
                "kind": p.kind,
                "since": p.since.isoformat() if p.since else None,
                "breaker_open": p.breaker_open,
                "next_try_at": p.next_try_at.isoformat() if p.next_try_at else None,
            }
            for p in reachability.unreachable
        ],
    }
