"""Presenters of the review panel: plain functions that turn requests, proposals and results
into what the pages show (the review page's rows, cover panel and candidates, labels, the
summary of a bulk action, the dashboard's links). No request handling here: `enrichment.views`.
"""

from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from catalog import text
from catalog.models import Work
from enrichment import apply, cover_apply, dashboard, review
from enrichment.covers import medium_thumbnail_url, ordered_cover_refs
from enrichment.covers.errors import CoverRejected
from enrichment.covers.hosts import check_cover_url, upgrade_to_https
from enrichment.merge import FIELDS, PLACEHOLDER, is_empty, is_placeholder
from enrichment.models import EnrichmentRequest
from enrichment.providers.registry import provider_label, record_links

Status = EnrichmentRequest.Status

FIELD_LABELS = {
    "title": "Title",
    "subtitle": "Subtitle",
    "description": "Description",
    "first_published_year": "First published",
    "subjects": "Subjects",
    "openlibrary_work_key": "Open Library work",
    "publisher": "Publisher",
    "publication_date": "Published",
    "page_count": "Pages",
    "language": "Language",
    "format": "Format",
    "isbn13": "ISBN-13",
    "openlibrary_edition_key": "Open Library edition",
    "google_books_id": "Google Books id",
    "authors": "Authors",
    "cover": "Cover",
}
TIER_WORDS = {
    "high": "The ISBN (or Open Library key) and the title agree: the same book.",
    "medium": "The title and the author agree, but no ISBN confirms it: check the edition.",
    "low": "Only the title agrees; the author or the ISBN does not: check it is the same book.",
    "none": "Nothing matched well enough.",
}


def value_text(value) -> str:
    if is_placeholder(value):
        return gettext("%(key)s (a placeholder)") % {"key": value[PLACEHOLDER]}
    if value in (None, "", []):
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def web_url(url: str) -> str:
    """The URL if it is http(s), else "": provider data is never trusted with a link's scheme
    (a "javascript:" URL would run in the reviewer's session)."""
    url = (url or "").strip()
    return url if urlsplit(url).scheme in ("http", "https") else ""


def displayable_cover_url(url: str) -> tuple[str, str]:
    """(url to show in an <img>, "") when the URL is on the cover allowlist over https (or an
    operator's own host), else ("", why not). No DNS lookup: the browser fetches it, not us."""
    url = upgrade_to_https((url or "").strip())
    try:
        check_cover_url(url)
    except CoverRejected as rejected:
        return "", rejected.message or str(rejected.reason)
    return url, ""


def current_cover(work: Work):
    """The work's own cover, else its first covered edition's (editions are prefetched)."""
    if work.cover:
        return work
    covered = [e for e in work.editions.all() if e.cover]
    return min(covered, key=lambda e: e.pk) if covered else None


def review_rows(req: EnrichmentRequest, *, can_review: bool) -> list[dict]:
    """One row per proposed field: current (live) vs proposed, source, score, checkbox."""
    work = req.work
    edition = apply.target_edition(req)
    live = apply.current_values(work, edition)
    proposal = req.proposal or {}
    rows = []
    for name in FIELDS:
        item = proposal.get(name)
        if not item:
            continue
        current = live.get(name, item.get("current"))
        applied, refused = bool(item.get("applied")), item.get("refused", "")
        replaces = not item.get("fills_empty") or not is_empty(current)
        rows.append(
            {
                "name": name,
                "label": FIELD_LABELS.get(name, name),
                "current": value_text(current),
                "proposed": value_text(item.get("proposed")),
                "long": name == "description",
                "source": item.get("source", ""),
                "agree": item.get("agree") or [],
                "tier": item.get("tier", ""),
                "score": item.get("score") or {},
                "target": item.get("target", ""),
                "applied": applied,
                "reverted": bool(item.get("reverted")),
                "refused": refused,
                "replaces": replaces and not applied,
                "changed_since": value_text(current) != value_text(item.get("current")),
                "can_tick": can_review and not applied,
                "ticked": not applied and not replaces,
            }
        )
    people = (req.match_details or {}).get("authors") or []
    credits = [c.author.name for c in work.credits.all()]
    same = [text.normalize_person_name(n) for n in credits] == [
        text.normalize_person_name(p["name"]) for p in people
    ]
    if people and not same:
        applied = "authors" in (req.fields_applied or [])
        rows.append(
            {
                "name": "authors",
                "label": "Authors",
                "current": "; ".join(credits),
                "proposed": "; ".join(p["name"] for p in people),
                "source": people[0].get("source", ""),
                "agree": [],
                "applied": applied,
                "refused": "" if not credits or applied else "the work has credits: edit them",
                "replaces": False,
                "can_tick": can_review and not applied and not credits,
                "ticked": not applied and not credits,
            }
        )
    return rows


def cover_context(req: EnrichmentRequest, *, can_review: bool) -> dict:
    work = req.work
    holder = current_cover(work)
    current = {}
    if holder is not None:
        url = medium_thumbnail_url(holder) or holder.cover.url
        current = {
            "url": url,
            "original": holder.cover.url,
            "source": holder.cover_source,
            "source_url": web_url(holder.cover_source_url),
            "size": f"{holder.cover_width}×{holder.cover_height}" if holder.cover_width else "",
            "verified": holder.cover_verified_at,
        }
    item = (req.proposal or {}).get("cover") or {}
    proposed = []
    for ref in ordered_cover_refs(cover_apply.cover_refs(req))[:4]:
        shown, why_not = displayable_cover_url(ref.url)
        size = f"{ref.width}×{ref.height}" if ref.width and ref.height else ref.size_label
        proposed.append(
            {
                "url": web_url(ref.url),
                "applied": bool(item.get("applied")) and ref.url == item.get("chosen"),
                "shown": shown,
                "why_not": why_not,
                "provider": provider_label(ref.provider),
                "size": size,
            }
        )
    applied = bool(item.get("applied"))
    return {
        "current": current,
        "proposed": proposed,
        "item": item,
        "applied": applied,
        "chosen": item.get("chosen", ""),
        "status": req.get_cover_status_display() if req.cover_status else "",
        "rejections": [
            {**rejection, "provider": provider_label(rejection.get("provider", ""))}
            for rejection in (req.match_details or {}).get("cover_rejections") or []
        ],
        "can_tick": can_review and bool(proposed) and not applied,
        "ticked": not applied and not current and bool(proposed),
        "replaces": bool(current) and not applied,
    }


def candidates_context(req: EnrichmentRequest) -> list[dict]:
    details = req.match_details or {}
    out = []
    for candidate in details.get("candidates") or []:
        isbns = candidate.get("isbn13") or []
        title, provider = candidate.get("title", ""), candidate.get("provider", "")
        out.append(
            {
                "provider": provider_label(provider),
                "provider_name": provider,
                "title": title,
                "tier": candidate.get("tier", ""),
                "scores": [
                    ("ISBN", candidate.get("isbn_score", 0)),
                    ("title", candidate.get("title_score", 0)),
                    ("author", candidate.get("author_score", 0)),
                ],
                "reasons": candidate.get("reasons") or [],
                "notes": candidate.get("notes") or [],
                "source_url": web_url(candidate.get("source_url", "")),
                "links": record_links(candidate.get("ids") or {}),
                "isbns": isbns,
                "cache_url": reverse("admin:enrichment_sourcerecord_changelist")
                + "?"
                + urlencode({"provider__exact": provider, "q": isbns[0] if isbns else ""}),
            }
        )
    return out


def next_for_review(current: EnrichmentRequest | None = None) -> int | None:
    """The request after `current` in the queue's order (needs review first, then priority,
    then age), wrapping around; None when nothing else waits."""
    waiting = EnrichmentRequest.objects.filter(status=Status.NEEDS_REVIEW)
    order = ("-priority", "created_at", "pk")
    if current is None:
        return waiting.order_by(*order).values_list("pk", flat=True).first()
    waiting = waiting.exclude(pk=current.pk)
    p, c = current.priority, current.created_at
    after = waiting.filter(
        Q(priority__lt=p)
        | Q(priority=p, created_at__gt=c)
        | Q(priority=p, created_at=c, pk__gt=current.pk)
    )
    return (
        after.order_by(*order).values_list("pk", flat=True).first()
        or waiting.order_by(*order).values_list("pk", flat=True).first()
    )


def review_context(req: EnrichmentRequest, *, can_review: bool) -> dict:
    details = req.match_details or {}
    scores = next((item.get("score") for item in (req.proposal or {}).values() if item), None)
    next_id = next_for_review(req)
    return {
        "req": req,
        "can_review": can_review,
        "reviewable": req.status in (Status.NEEDS_REVIEW, Status.COMPLETED),
        "rows": review_rows(req, can_review=can_review),
        "cover": cover_context(req, can_review=can_review),
        "candidates": candidates_context(req),
        "tier_words": TIER_WORDS.get(req.confidence, ""),
        "scores": scores or {},
        "skipped": details.get("skipped") or [],
        "faults": details.get("faults") or [],
        "reason": details.get("reason", ""),
        "via_title_search": details.get("via_title_search", False),
        "history": list(
            req.audit_entries.select_related("actor").order_by("-created_at", "-pk")[:20]
        ),
        "next_url": reverse("admin:enrichment_enrichmentrequest_change", args=[next_id])
        if next_id
        else "",
        "approve_url": reverse("admin:enrichment_enrichmentrequest_approve", args=[req.pk]),
        "dismiss_url": reverse("admin:enrichment_enrichmentrequest_dismiss", args=[req.pk]),
        "rerun_url": reverse("admin:enrichment_enrichmentrequest_rerun", args=[req.pk]),
        "work_url": reverse("admin:catalog_work_change", args=[req.work_id]),
    }


def bulk_summary(result: review.BulkResult, *, verb: str) -> str:
    text = f"{result.changed:,} {verb}"
    if result.unchanged:
        text += f", {result.unchanged:,} left as they were"
    if result.failed:
        text += f", {result.failed:,} failed"
    if result.reasons:
        reasons = "; ".join(f"{n:,} {why}" for why, n in result.reasons.most_common(5))
        text += f" ({reasons})"
    return text + "."


def dashboard_context(figures: dashboard.Figures) -> dict:
    """The dashboard's figures, each bar linked to the list it counts."""
    works_url = reverse("admin:catalog_work_changelist")
    requests_url = reverse("admin:enrichment_enrichmentrequest_changelist")
    for i, bar in enumerate(figures.missing_fields):
        bar.url = f"{works_url}?missing={i}"
    for bar in figures.covers_by_source:
        bar.url = f"{works_url}?{urlencode({'cover_source': bar.label})}"
        bar.label = provider_label(bar.label)  # the key made the link; people read the label
    for (_label, low, high), bar in zip(
        dashboard.COMPLETENESS_BUCKETS, figures.completeness, strict=True
    ):
        bar.url = f"{works_url}?completeness={low}-{high}"
    for bar in figures.queue:
        bar.url = f"{requests_url}?status__exact={bar.colour}"
    for bar in figures.review_by_confidence:
        bar.url = f"{requests_url}?status__exact=needs_review&confidence__exact={bar.colour}"
    for bar in figures.activity:
        since = urlencode({"action__exact": bar.colour, "created_at__gte": _yesterday()})
        bar.url = f"{reverse('admin:enrichment_auditlogentry_changelist')}?{since}"
    total, x, cover_split = figures.works["total"], 0.0, []
    for label, key, colour in (
        ("Verified", "verified", "completed"),
        ("Not verified", "unverified", "pending"),
        ("Missing", "missing_cover", "failed"),
    ):
        count = figures.works[key]
        width = 100 * count / total if total else 0.0
        cover_split.append(
            {"label": label, "count": count, "colour": colour, "x": x, "width": width}
        )
        x += width
    return {
        "cover_split": cover_split,
        "figures": figures,
        "works": figures.works,
        "works_url": works_url,
        "requests_url": requests_url,
        "cover_total": figures.works["total"],
    }


def _yesterday() -> str:
    return str((timezone.now() - timedelta(days=1)).replace(microsecond=0))
