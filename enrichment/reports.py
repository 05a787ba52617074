"""Coverage figures: what the catalog really has. Only covers whose bytes were fetched and
verified count (a guessed URL is not a cover). A few aggregate queries, whatever the size."""

from django.conf import settings
from django.db.models import Avg, Case, Count, F, OuterRef, Q, Subquery, When

from catalog.models import Edition, Work
from enrichment import queue
from enrichment.models import EnrichmentRequest, ProviderState

#: Cover sources the source document counted as "high-res Archive.org" covers.
OPEN_LIBRARY_SOURCES = ("openlibrary", "openlibrary_dump", "archive_org")


def works_with_cover_source():
    """Works annotated with `verified_cover_source`: their own verified cover's source, else
    their first verified edition cover's ("" when the source is unknown, None when none)."""
    verified_edition = (
        Edition.objects.filter(work=OuterRef("pk"), cover_verified_at__isnull=False)
        .exclude(cover="")
        .order_by("pk")
        .values("cover_source")[:1]
    )
    own_verified = ~Q(cover="") & Q(cover_verified_at__isnull=False)
    return Work.objects.annotate(
        verified_cover_source=Case(
            When(own_verified, then=F("cover_source")), default=Subquery(verified_edition)
        )
    )


def coverage_report() -> dict:
    works = Work.objects.count()
    by_source = {
        row["verified_cover_source"]: row["n"]
        for row in works_with_cover_source()
        .values("verified_cover_source")
        .annotate(n=Count("pk"))
        .order_by()
    }
    missing = by_source.pop(None, 0)
    by_source = {(source or "unknown"): n for source, n in sorted(by_source.items(), key=str)}
    open_library = sum(n for s, n in by_source.items() if s in OPEN_LIBRARY_SOURCES)
    other = sum(by_source.values()) - open_library

    metadata = Work.objects.aggregate(
        average_completeness=Avg("completeness"),
        missing_description=Count("pk", filter=Q(description="")),
        missing_first_published_year=Count("pk", filter=Q(first_published_year__isnull=True)),
        missing_subjects=Count("pk", filter=Q(subjects=[])),
        unresolved=Count("pk", filter=Q(enrichment_status=Work.EnrichmentStatus.UNRESOLVED)),
    )
    metadata["missing_any_key_metadata"] = Work.objects.filter(
        queue.works_missing_metadata()
    ).count()
    metadata["average_completeness"] = round(metadata["average_completeness"] or 0, 1)

    statuses = dict(
        EnrichmentRequest.objects.values_list("status").annotate(n=Count("pk")).order_by()
    )
    queue_counts = {status: statuses.get(status, 0) for status in EnrichmentRequest.Status.values}

    providers = {}
    states = {state.provider: state for state in ProviderState.objects.all()}
    for name in settings.ENRICHMENT_PROVIDERS:
        state = states.get(name)
        budget = state.daily_budget if state else 0
        used = state.requests_today if state else 0
        providers[name] = {
            "requests_today": used,
            "daily_budget": budget or None,
            "budget_left": max(budget - used, 0) if budget else None,
            "quota_exhausted": bool(state and state.quota_exhausted),
            "breaker": state.breaker_state if state else "closed",
            "last_error": state.last_error if state else "",
        }

    return {
        "works": works,
        "covers": {
            "verified_open_library_and_archive_org": open_library,
            "verified_other_providers": other,
            "missing": missing,
            "by_source": by_source,
        },
        "metadata": metadata,
        "queue": queue_counts,
        "providers": providers,
    }
