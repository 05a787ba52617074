"""What the coverage dashboard's page shows of its figures: each bar linked to the list it
counts, and the covers' split in whole percents (split from enrichment.presenters)."""

from collections.abc import Callable, Sequence
from urllib.parse import urlencode

from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from catalog.models import Author, ImportJob, Work
from enrichment import dashboard
from enrichment.models import AuditLogEntry, BackfillMonth, BulkOperation, ProviderState
from enrichment.presenters import ALL_HISTORY, HISTORY_PARAMETER, cover_source_label
from enrichment.request_status import activity_list_query


def whole_percents(counts: Sequence[int]) -> list[int]:
    """Each count's share in whole percents adding up to 100 (the largest remainders get the
    points rounding lost): 15, 0 and 9 of 24 read 63, 0 and 37 %, not 63, 0 and 38."""
    total = sum(counts)
    if not total:
        return [0] * len(counts)
    exact = [100 * count / total for count in counts]
    percents = [int(share) for share in exact]
    by_remainder = sorted(range(len(counts)), key=lambda i: exact[i] - percents[i], reverse=True)
    for i in by_remainder[: 100 - sum(percents)]:
        percents[i] += 1
    return percents


def dashboard_context(
    figures: dashboard.Figures, *, may_view: Callable[[type[Model]], bool] = lambda model: True
) -> dict:
    """The dashboard's figures, each bar linked to the list it counts where the reader
    `may_view` that list (a link that answers 403 offers nothing: the figure is shown
    unlinked)."""
    works_url = reverse("admin:catalog_work_changelist") if may_view(Work) else ""
    requests_url = reverse("admin:enrichment_enrichmentrequest_changelist")
    for i, bar in enumerate(figures.missing_fields):
        bar.url = f"{works_url}?missing={i}"
    for bar in figures.covers_by_source:
        bar.url = f"{works_url}?{urlencode({'cover_source': bar.label})}"
        bar.label = cover_source_label(str(bar.label))  # the key made the link; people read this
    for (_label, low, high), bar in zip(
        dashboard.COMPLETENESS_BUCKETS, figures.completeness, strict=True
    ):
        bar.url = f"{works_url}?completeness={low}-{high}"
    for bar in figures.queue:
        bar.url = f"{requests_url}?status__exact={bar.colour}"
    for bar in figures.review_by_confidence:  # works' requests: the bars count works
        chosen = {"target": "works", "status__exact": "needs_review"}
        bar.url = f"{requests_url}?{urlencode(chosen)}&confidence__exact={bar.colour}"
    for bar in figures.activity:
        since = dashboard.activity_since(figures.as_of or timezone.now())
        # bar.colour is the entry_activity it counts: a re-run's dismissals apart.
        query = urlencode({**activity_list_query(bar.colour), "created_at__gte": str(since)})
        bar.url = f"{reverse('admin:enrichment_auditlogentry_changelist')}?{query}"
    _unlinked_where_refused(figures, works_url=works_url, may_view=may_view)
    total, x, cover_split = figures.works["total"], 0.0, []
    parts = (
        (gettext("Verified"), "verified", "completed"),
        (gettext("Not verified"), "unverified", "pending"),
        (gettext("Missing"), "missing_cover", "failed"),
    )
    percents = whole_percents([figures.works[key] for _label, key, _colour in parts])
    for (label, key, colour), percent in zip(parts, percents, strict=True):
        count = figures.works[key]
        width = 100 * count / total if total else 0.0
        cover_split.append(
            {
                "label": label,
                "count": count,
                "colour": colour,
                "x": x,
                "width": width,
                "percent": percent,
            }
        )
        x += width
    return {
        "can_view": {
            "imports": may_view(ImportJob),
            "bulk_operations": may_view(BulkOperation),
            "provider_states": may_view(ProviderState),
        },
        "queue_total": sum(bar.count for bar in figures.queue),
        "cover_split": cover_split,
        "figures": figures,
        "works": figures.works,
        "works_url": works_url,
        "requests_url": requests_url,
        "history_url": f"{requests_url}?{urlencode({HISTORY_PARAMETER: ALL_HISTORY})}",
        "cover_total": figures.works["total"],
    }


def _unlinked_where_refused(
    figures: dashboard.Figures, *, works_url: str, may_view: Callable[[type[Model]], bool]
) -> None:
    """The bars and links of lists the reader may not open, left without their link."""
    refused: list[dashboard.Bar] = []
    if not works_url:
        refused += [*figures.missing_fields, *figures.covers_by_source, *figures.completeness]
    if not may_view(AuditLogEntry):
        refused += figures.activity
    if not may_view(BackfillMonth):
        refused += figures.backfill_months
    authors = figures.authors
    if not may_view(Author):
        refused += [*authors.details, *authors.completeness, *authors.statuses]
        authors.list_url = authors.missing_url = authors.redirects_url = ""
    for bar in refused:
        bar.url = ""
