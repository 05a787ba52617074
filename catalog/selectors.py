"""Read-side queries for the catalog (writes live in services.py)."""

from django.db.models import OuterRef, Q, QuerySet, Subquery

from catalog import isbn
from catalog.models import Edition, Work


def works_with_display_cover(queryset: QuerySet[Work] | None = None) -> QuerySet[Work]:
    """Works annotated with their first covered edition's image names, for `display_cover`
    without a query per row."""
    queryset = Work.objects.all() if queryset is None else queryset
    covered = Edition.objects.filter(work=OuterRef("pk")).exclude(cover="").order_by("id")
    return queryset.annotate(
        edition_cover_name=Subquery(covered.values("cover")[:1]),
        edition_thumbnail_name=Subquery(covered.values("cover_thumbnail")[:1]),
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
