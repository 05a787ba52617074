"""The coverage figures, computed once for both the `enrichment_report` command (reports.py) and
the admin dashboard (dashboard.py), so that both count the same things the same way.

Every figure is computed by the database (COUNT with filters, GROUP BY), never row by row, so
they cost the same handful of queries on 100 works and on 100,000. Covers are counted in works,
never in images: a work counts once, under the source of the verified cover it shows (its own
cover's, else its first verified edition's: catalog.selectors.works_with_cover_source).
"""

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Avg, Count, Exists, Max, OuterRef, Q, QuerySet, Sum, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from catalog.models import Author, EnrichmentStatus, Work, WorkAuthor
from catalog.selectors import works_by_cover_source, works_with_cover_q
from enrichment import queue
from enrichment.author_state import author_has_id_q, author_live_q, authors_missing_q
from enrichment.candidates import lookup_status_label
from enrichment.models import BackfillMonth, EnrichmentRequest
from enrichment.proposals import MatchDetails
from enrichment.providers.registry import provider_label
from enrichment.request_status import NOTHING_ADDED, target_status_choices, target_status_q
from enrichment.waiting import UNAVAILABLE_FOR_NOW

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: Completeness buckets: (label, lowest, highest), as the works list's filter has them.
COMPLETENESS_BUCKETS = (
    ("0–24 %", 0, 24),
    ("25–49 %", 25, 49),
    ("50–74 %", 50, 74),
    ("75–99 %", 75, 99),
    ("100 %", 100, 100),
)
#: Fields whose absence is counted: (label, condition on Work).
MISSING_FIELDS = (
    ("description", Q(description="")),
    ("first published year", Q(first_published_year__isnull=True)),
    ("subjects", Q(subjects=[])),
)
#: The works list's "missing" filter has these and authors (counted apart: see catalog_counts).
MISSING_AUTHORS = ("authors", ~Q(pk__in=WorkAuthor.objects.values("work_id")))
#: Cover sources the source document counted as "high-res Archive.org" covers.
OPEN_LIBRARY_SOURCES = ("openlibrary", "openlibrary_dump", "archive_org")
#: Unreachable is not unknown: works that providers answered and none knew, and works waiting
#: for providers that could not be asked, are counted apart (report and dashboard).
#: A synthetic work (found by the backfill, resolved by no provider yet) is counted apart too:
#: it was not necessarily asked about (providers out of budget), and is retried daily.
UNRESOLVED_WORKS = Q(enrichment_status=Work.EnrichmentStatus.UNRESOLVED, synthetic=False)
SYNTHETIC_WORKS = Q(synthetic=True)
WAITING_WORKS = Q(enrichment_status=Work.EnrichmentStatus.WAITING)


def catalog_counts() -> dict:
    """Works; works with a verified cover (`verified`), with a cover whose bytes were never
    verified only (`unverified`), with none (`missing_cover`); average completeness, its buckets
    and the missing fields: one query, plus one for the credits."""
    aggregates = {
        "total": Count("*"),
        "verified": Count("pk", filter=works_with_cover_q(verified=True)),
        "with_cover": Count("pk", filter=works_with_cover_q()),
        "average": Avg("completeness"),
        "unresolved": Count("pk", filter=UNRESOLVED_WORKS),
        "waiting": Count("pk", filter=WAITING_WORKS),
        "synthetic": Count("pk", filter=SYNTHETIC_WORKS),
    }
    for i, (_label, low, high) in enumerate(COMPLETENESS_BUCKETS):
        aggregates[f"bucket{i}"] = Count("pk", filter=Q(completeness__range=(low, high)))
    for i, (_label, condition) in enumerate(MISSING_FIELDS):
        aggregates[f"missing{i}"] = Count("pk", filter=condition)
    counts = Work.objects.aggregate(**aggregates)
    # Works with credits from the credits' own index: cheaper than NOT IN over every work.
    credited = WorkAuthor.objects.values("work_id").distinct().count()
    counts[f"missing{len(MISSING_FIELDS)}"] = counts["total"] - credited
    counts["missing_cover"] = counts["total"] - counts["with_cover"]
    counts["unverified"] = counts["with_cover"] - counts["verified"]
    counts["average"] = round(counts["average"] or 0)
    return counts


def covers_by_source() -> dict[str, int]:
    """Works with a verified cover, by the source of the cover they show ("unknown" when it was
    not recorded), most first: each work counts once, however many editions have covers."""
    totals: dict[str, int] = {}
    for source, n in works_by_cover_source().items():
        totals[source or "unknown"] = totals.get(source or "unknown", 0) + n
    return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))


def metadata_counts() -> dict:
    """Average completeness and the works lacking each key field (the report's figures)."""
    metadata = Work.objects.aggregate(
        average_completeness=Avg("completeness"),
        missing_description=Count("pk", filter=Q(description="")),
        missing_first_published_year=Count("pk", filter=Q(first_published_year__isnull=True)),
        missing_subjects=Count("pk", filter=Q(subjects=[])),
        unresolved=Count("pk", filter=UNRESOLVED_WORKS),
        waiting=Count("pk", filter=WAITING_WORKS),
    )
    metadata["missing_any_key_metadata"] = Work.objects.filter(
        queue.works_missing_metadata()
    ).count()
    metadata["average_completeness"] = round(metadata["average_completeness"] or 0, 1)
    return metadata


# --- Authors -----

#: A redirect (an author merged into another) is nobody of its own: counted apart, never enriched.
AUTHOR_NOT_REDIRECT = author_live_q()
#: What the report and the dashboard count authors by, and the author list filters by:
#: (key, label, condition on Author: the author holds it).
AUTHOR_DETAILS = (
    ("bio", _("a bio"), ~Q(bio="")),
    ("birth_year", _("a birth year"), Q(birth_year__isnull=False)),
    ("id", _("an id"), author_has_id_q()),
    ("photo", _("a photo"), ~Q(photo="")),
)
#: An author's enrichment status as a key (JSON, links): "" is "not enriched yet".
NOT_ENRICHED_KEY = "not_enriched"
#: The author list's "missing" choice for what `enrich_missing --authors` queues.
AUTHORS_MISSING_KEY = "bio_dates_or_ids"


def backfill_counts() -> dict:
    """The catalog backfill's months by status, what their runs found in all (earlier runs
    included), and the synthetic works waiting for a provider now: two aggregate queries, the
    earlier runs of the months run again, and a count on a partial index."""
    by_status = dict(BackfillMonth.objects.values_list("status").annotate(n=Count("pk")).order_by())
    totals = BackfillMonth.objects.aggregate(
        books_discovered=Sum("books_discovered"),
        duplicates_dropped=Sum("duplicates_dropped"),
        isbns_resolved=Sum("isbns_resolved"),
        synthetic_works=Sum("synthetic_works"),
    )
    totals = {name: n or 0 for name, n in totals.items()}
    # A month run again (or a partly failed one retried) keeps its earlier runs' figures in
    # `earlier_runs`: the works those runs resolved and created count too (the next run finds
    # them as duplicates). Few months have any: read here rather than in SQL over JSON.
    for runs in BackfillMonth.objects.exclude(earlier_runs=[]).values_list(
        "earlier_runs", flat=True
    ):
        for run in runs or []:
            for name in totals:
                value = run.get(name) if isinstance(run, dict) else None
                totals[name] += value if isinstance(value, int) else 0
    return {
        "months": {value: by_status.get(value, 0) for value in BackfillMonth.Status.values},
        "books_discovered": totals["books_discovered"],
        "duplicates_dropped": totals["duplicates_dropped"],
        "isbns_resolved": totals["isbns_resolved"],
        "synthetic_created": totals["synthetic_works"],
        "synthetic_works_now": Work.objects.filter(SYNTHETIC_WORKS).count(),
    }


def author_counts() -> dict:
    """Authors (redirects counted apart, in no other figure), those holding each detail, those
    `enrich_missing --authors` would queue (author_state.authors_missing_q), average
    completeness, completeness buckets and enrichment statuses as stored, and of the "enriched"
    those that read "Matched, nothing added" (`enriched_nothing_added`: the author list's rule,
    request_status.target_status_q, two index probes for each enriched author only): one
    aggregate query."""
    live = AUTHOR_NOT_REDIRECT
    aggregates = {
        "total": Count("pk", filter=live),
        "redirects": Count("pk", filter=~live),
        "average": Avg("completeness", filter=live),
        "missing": Count("pk", filter=authors_missing_q()),
        "nothing_added": Count("pk", filter=live & target_status_q(NOTHING_ADDED, target="author")),
    }
    for key, _detail, condition in AUTHOR_DETAILS:
        aggregates[f"with_{key}"] = Count("pk", filter=live & condition)
    for i, (_bucket, low, high) in enumerate(COMPLETENESS_BUCKETS):
        aggregates[f"bucket{i}"] = Count("pk", filter=live & Q(completeness__range=(low, high)))
    for i, value in enumerate(EnrichmentStatus.values):
        aggregates[f"status{i}"] = Count("pk", filter=live & Q(enrichment_status=value))
    counts = Author.objects.aggregate(**aggregates)
    return {
        "total": counts["total"],
        "redirects": counts["redirects"],
        **{f"with_{key}": counts[f"with_{key}"] for key, _detail, _q in AUTHOR_DETAILS},
        "missing_bio_dates_or_ids": counts["missing"],
        "average_completeness": round(counts["average"] or 0, 1),
        "completeness": {
            f"{low}-{high}": counts[f"bucket{i}"]
            for i, (_bucket, low, high) in enumerate(COMPLETENESS_BUCKETS)
        },
        "by_enrichment_status": {
            value or NOT_ENRICHED_KEY: counts[f"status{i}"]
            for i, value in enumerate(EnrichmentStatus.values)
        },
        "enriched_nothing_added": counts["nothing_added"],  # of by_enrichment_status["enriched"]
    }


def author_statuses_as_listed(counts: dict) -> dict[str, int]:
    """Authors by enrichment status as the author list shows them, from author_counts' figures
    (a snapshot's too), in the list's order (request_status.target_status_choices): "enriched"
    less those that read "Matched, nothing added", and those apart (NOTHING_ADDED). The
    dashboard's bars and both forms of `enrichment_report` say these figures."""
    stored = counts["by_enrichment_status"]
    as_listed = {
        value or NOT_ENRICHED_KEY: (
            counts["enriched_nothing_added"]
            if value == NOTHING_ADDED
            else stored.get(value or NOT_ENRICHED_KEY, 0)
        )
        for value, _label in target_status_choices()
    }
    as_listed[EnrichmentStatus.ENRICHED] -= as_listed[NOTHING_ADDED]
    return as_listed


def _credit_of_work(condition: Q) -> Exists:
    """EXISTS a credit of the outer work whose author meets `condition`."""
    return Exists(WorkAuthor.objects.filter(condition, work=OuterRef("pk")))


def works_by_author_completeness() -> tuple[tuple[str, "StrOrPromise", Q], ...]:
    """The works list's "author completeness" choices: (key, label, condition on Work), each a
    correlated EXISTS on the credits (their (work, …) index) and the authors' completeness."""
    credited = _credit_of_work(Q())
    incomplete = _credit_of_work(Q(author__completeness__lt=100))
    return (
        ("complete", _("Every author complete (100 %)"), Q(credited) & ~Q(incomplete)),
        ("incomplete", _("Some author incomplete (under 100 %)"), Q(incomplete)),
        (
            "missing",
            _("Some author lacks a bio, dates or ids"),
            Q(_credit_of_work(authors_missing_q("author__"))),
        ),
        (
            "never_enriched",
            _("Some author never enriched"),
            Q(_credit_of_work(Q(author__enrichment_status=EnrichmentStatus.NOT_ENRICHED))),
        ),
        ("no_author", _("No author"), ~Q(credited)),
    )


def queue_counts() -> tuple[dict[str, int], dict[str, int]]:
    """Current requests by status (current_requests: one per work or author), every status
    present, and the works' ones of them waiting for review by confidence: the same rows, so
    that the "Needs review" bar is the confidence bars plus the authors' requests, and each bar
    counts the list it links to (the works' own state, counted before, could disagree)."""
    current = current_requests(for_counting=True)
    counted = dict(current.values_list("status").annotate(n=Count("*")).order_by())
    by_status = {status: counted.get(status, 0) for status in EnrichmentRequest.Status.values}
    by_confidence = dict(
        current.filter(status=EnrichmentRequest.Status.NEEDS_REVIEW, work__isnull=False)
        .values_list("confidence")
        .annotate(n=Count("*"))
        .order_by()
    )
    return by_status, by_confidence


def current_requests(
    *, queryset: QuerySet[EnrichmentRequest] | None = None, for_counting: bool = False
) -> QuerySet[EnrichmentRequest]:
    """Each work's (each author's) current request: its newest (highest id), so the older ones
    it superseded (skipped while offline, re-run, dismissed) are history. The queue opens on
    these and the dashboard counts them."""
    queryset = EnrichmentRequest.objects.all() if queryset is None else queryset
    if connection.vendor == "sqlite":
        if for_counting:
            # Counting every row: SQLite groups the newest id per target on the (target_key,
            # id) index 2.5x faster than it probes NOT EXISTS per row.
            newest = EnrichmentRequest.objects.values("target_key").annotate(newest=Max("pk"))
            return queryset.filter(pk__in=newest.values("newest"))
        # SQLite reads a generated column from the table, never from an index: the rows are
        # read from the (work, author) index and each probes its own kind's foreign key index
        # (3.5x faster than a table scan on 100,000 requests, measured).
        newer_of_work = EnrichmentRequest.objects.filter(
            work_id=OuterRef("work_id"), pk__gt=OuterRef("pk")
        )
        newer_of_author = EnrichmentRequest.objects.filter(
            author_id=OuterRef("author_id"), pk__gt=OuterRef("pk")
        )
        # The kind by the sign of target_key, which no index answers: an index on "author_id IS
        # NULL" tempts the planner into reading every row and sorting them rather than reading
        # the queue's order index until a page is full (enrichment migration 0019).
        return queryset.filter(
            (Q(target_key__gt=0) & ~Exists(newer_of_work))
            | (Q(target_key__lt=0) & ~Exists(newer_of_author))
        )
    # NOT EXISTS a newer one of the same target, answered by the (target_key, id) index: the
    # first rows of an ordered page stop early (a grouped MAX per target was 5x slower on
    # PostgreSQL, measured; an OR of a work's and an author's probe 3x slower).
    newer = EnrichmentRequest.objects.filter(
        target_key=OuterRef("target_key"), pk__gt=OuterRef("pk")
    )
    return queryset.filter(~Exists(newer))


def requests_asking_provider(
    queryset: QuerySet[EnrichmentRequest], provider: str
) -> QuerySet[EnrichmentRequest]:
    """The requests that asked `provider` (its key is in their providers_attempted): the queue's
    provider filter, in the admin and the API."""
    if connection.vendor == "postgresql":
        # jsonb containment, which the planner has statistics for: it estimates a LIKE over the
        # cast text at a handful of rows, so it scanned and sorted every request to fill a page
        # (112 ms against 0.2 ms for the queue's first page on 100,000 requests, measured).
        return queryset.filter(providers_attempted__contains=[provider])
    # SQLite has no JSON containment: the JSON list as text holds "name" in quotes.
    return queryset.alias(providers_text=Cast("providers_attempted", TextField())).filter(
        providers_text__contains=f'"{provider}"'
    )


def request_last_try_at(request: EnrichmentRequest) -> datetime.datetime | None:
    """When a request was last tried, as the work page's "Last try" says it: in progress, since
    its claim; pending, its last finished or claimed attempt (None: not tried yet); otherwise
    when it ended (its last change, for a row that never recorded it)."""
    Status = EnrichmentRequest.Status
    if request.status == Status.IN_PROGRESS:
        return request.claimed_at
    tried = request.finished_at or (request.claimed_at if request.attempts else None)
    if request.status == Status.PENDING:
        return tried
    return tried or request.updated_at


@dataclass
class WorkEnrichment:
    """What the work page shows of a work's enrichment: its current request and how many
    requests and audit entries it has."""

    current: EnrichmentRequest | None
    request_count: int
    audit_count: int


def work_enrichment(work: Work) -> WorkEnrichment:
    requests = EnrichmentRequest.objects.filter(work=work)
    return WorkEnrichment(
        current=requests.order_by("-pk").first(),  # the newest, as current_requests has it
        request_count=requests.count(),
        audit_count=work.enrichment_audit.count(),
    )


@dataclass(frozen=True)
class WaitingRequests:
    """Requests still pending after a run: how many, when the first is tried again, and why
    they wait (each provider once: what kept it from answering, in words)."""

    count: int = 0
    next_try_at: datetime.datetime | None = None
    unreachable: dict[str, str] = field(default_factory=dict)  # label -> "connection refused"
    unavailable: dict[str, str] = field(default_factory=dict)  # label -> "paused after …"


def requests_waiting(request_ids: list[int]) -> WaitingRequests:
    """Of these requests, those pending, with the providers their last try could not reach
    (a fault of an unreachable kind) or could not ask for now (breaker, quota, rate limit)."""
    pending = EnrichmentRequest.objects.filter(
        pk__in=request_ids, status=EnrichmentRequest.Status.PENDING
    )
    unreachable: dict[str, str] = {}
    unavailable: dict[str, str] = {}
    count, next_try = 0, None
    for stored, next_at in pending.values_list("match_details", "next_attempt_at").iterator():
        details = MatchDetails.from_json(stored)  # values_list leaves the stored JSON
        count += 1
        next_try = next_at if next_try is None or next_at < next_try else next_try
        for fault in details.faults:
            if fault.unreachable and fault.provider:
                unreachable.setdefault(provider_label(fault.provider), fault.kind_label)
        for skip in details.skipped:
            if skip.status in UNAVAILABLE_FOR_NOW:
                label = provider_label(skip.provider)
                unavailable.setdefault(label, lookup_status_label(skip.status))
    for label in unreachable:
        unavailable.pop(label, None)  # its fault says more than its breaker
    return WaitingRequests(count, next_try, unreachable, unavailable)
