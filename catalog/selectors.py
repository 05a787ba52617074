"""Read-side queries for the catalog (writes live in services/)."""

from collections import Counter

from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from catalog import isbn
from catalog.models import Edition, Work

# "A work has a cover" lives here and only here: the work or one of its editions holds a cover
# image. Only fetched and checked bytes, or a librarian's own upload, ever fill `cover`; the
# `verified=True` variants also require `cover_verified_at` (set when the bytes were checked).


def _cover_q(*, verified: bool = False) -> Q:
    own = ~Q(cover="")
    return own & Q(cover_verified_at__isnull=False) if verified else own


def works_with_cover_q(*, verified: bool = False) -> Q:
    """A filter on Work: its own cover or one of its editions' (negate it for the missing)."""
    # IN (an uncorrelated subquery): both databases build its set once, where a correlated
    # EXISTS is probed for every work (3-4x slower on 100,000 works inside COUNT ... FILTER).
    covered_editions = Edition.objects.filter(_cover_q(verified=verified)).values("work_id")
    return _cover_q(verified=verified) | Q(pk__in=covered_editions)


def works_missing_metadata_q() -> Q:
    """A filter on Work: it lacks key metadata when its title is only a placeholder (an Open
    Library key), or it has no description, no first publication year, no subjects, or no
    edition with a publisher and a page count. Enrichment queues these; the API lists them."""
    complete_edition = Edition.objects.filter(work=OuterRef("pk")).exclude(publisher="")
    complete_edition = complete_edition.exclude(page_count__isnull=True)
    return (
        Q(title_is_placeholder=True)
        | Q(description="")
        | Q(first_published_year__isnull=True)
        | Q(subjects=[])
        | ~Q(Exists(complete_edition))
    )


def work_has_cover(work: Work) -> bool:
    """The same rule on one work; reads prefetched editions when there are some (no query)."""
    if work.cover:
        return True
    if "editions" in getattr(work, "_prefetched_objects_cache", {}):
        return any(edition.cover for edition in work.editions.all())
    return work.editions.exclude(cover="").exists()


def cover_holder(work: Work) -> Work | Edition | None:
    """What holds the cover a work shows: the work itself, else its first (lowest id) edition
    with a cover (as Work.display_cover picks it); reads prefetched editions when there are some."""
    if work.cover:
        return work
    if "editions" in getattr(work, "_prefetched_objects_cache", {}):
        covered = [edition for edition in work.editions.all() if edition.cover]
        return min(covered, key=lambda e: e.pk) if covered else None
    return work.editions.exclude(cover="").order_by("pk").first()


#: The annotation works_with_cover_source adds. Named through a plain `str`: the type checker's
#: Django plugin knows model fields, not annotations.
COVER_SOURCE: str = "verified_cover_source"


def works_with_cover_source(queryset: QuerySet[Work] | None = None) -> QuerySet[Work]:
    """Works annotated with `verified_cover_source`, the source of the verified cover they show:
    their own verified cover's, else their first (lowest id) verified edition cover's. "" when
    the source is unknown, None when the work has no verified cover. Each work counts once."""
    queryset = Work.objects.all() if queryset is None else queryset
    verified_edition = (
        Edition.objects.filter(_cover_q(verified=True), work=OuterRef("pk"))
        .order_by("pk")
        .values("cover_source")[:1]
    )
    return queryset.annotate(
        verified_cover_source=Case(
            When(_cover_q(verified=True), then=F("cover_source")),
            default=Subquery(verified_edition),
        )
    )


def works_by_cover_source() -> dict[str, int]:
    """How many works show a verified cover from each source ("" when it was not recorded):
    works_with_cover_source's rule, counted by two grouped queries in one rather than a subquery
    per work: the works' own verified covers, then for the others their first verified edition's."""
    verified = _cover_q(verified=True)
    own = Work.objects.filter(verified)
    first_verified = (
        Edition.objects.filter(verified).values("work_id").annotate(first=Min("pk")).values("first")
    )
    inherited = Edition.objects.filter(pk__in=first_verified).exclude(work_id__in=own.values("pk"))
    own_rows = own.values_list("cover_source").annotate(n=Count("pk")).order_by()
    inherited_rows = inherited.values_list("cover_source").annotate(n=Count("pk")).order_by()
    totals: Counter[str] = Counter()
    for source, n in own_rows.union(inherited_rows, all=True):  # one query
        totals[source] += n
    return dict(totals)


def works_showing_cover_from(
    source: str | None, queryset: QuerySet[Work] | None = None
) -> QuerySet[Work]:
    """Works whose shown verified cover came from `source` ("": not recorded); any verified
    cover when `source` is None (see works_with_cover_source)."""
    lookup: dict[str, object] = (
        {f"{COVER_SOURCE}__isnull": False} if source is None else {COVER_SOURCE: source}
    )
    return works_with_cover_source(queryset).filter(**lookup)


def works_with_display_cover(queryset: QuerySet[Work] | None = None) -> QuerySet[Work]:
    """Works annotated with their first covered edition's image names, for `display_cover`
    without a query per row."""
    queryset = Work.objects.all() if queryset is None else queryset
    covered = Edition.objects.filter(_cover_q(), work=OuterRef("pk")).order_by("id")
    return queryset.annotate(
        edition_cover_name=Subquery(covered.values("cover")[:1]),
        edition_thumbnail_name=Subquery(covered.values("cover_thumbnail")[:1]),
    )


def works_with_listed_isbn(queryset: QuerySet[Work] | None = None) -> QuerySet[Work]:
    """Works annotated with `listed_isbn`, the ISBN a list shows for them: the ISBN-13 of their
    first (lowest id) edition that has one, else the first ISBN-10; None without either."""
    queryset = Work.objects.all() if queryset is None else queryset
    editions = Edition.objects.filter(work=OuterRef("pk")).order_by("id")
    return queryset.annotate(
        listed_isbn=Coalesce(
            Subquery(editions.filter(isbn13__gt="").values("isbn13")[:1]),
            Subquery(editions.exclude(isbn10="").values("isbn10")[:1]),
        )
    )


def isbn_filter(term: str, *, prefix: str = "") -> Q | None:
    """A filter matching editions by any spelling of an ISBN (hyphens, spaces, ISBN-10 or 13),
    or None when the term is not an ISBN. `prefix` reaches editions from another model."""
    parsed = isbn.parse_isbn(term)
    if parsed is None:
        return None
    condition = Q(**{f"{prefix}isbn13": parsed.isbn13})
    if parsed.isbn10:
        condition |= Q(**{f"{prefix}isbn10": parsed.isbn10})
    return condition
