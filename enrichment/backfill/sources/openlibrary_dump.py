"""The loaded Open Library dump as a discovery source: the works first published in a month,
most editions first (the number of editions is the notability figure), from local tables with
no request at all.

"First published in the month" is `enrichment.publication_dates.first_published_in`, asked of
the edition table's `publish_month` column (`enrichment.dump.first_published`). A
dump loaded before that column existed has to be loaded again; until then this source answers
with an error saying so, as it does when no dump is loaded.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enrichment.backfill.books import DiscoveredBook
from enrichment.backfill.sources import openlibrary_common as common
from enrichment.backfill.sources.base import DiscoverySource, SourceAnswer
from enrichment.dump import first_published, lookup
from enrichment.dump.isbn_keys import isbns_of_keys


def book_of_month_work(
    found: first_published.MonthWork, *, year: int, month: int
) -> DiscoveredBook | None:
    """A work of the dump as a discovered book: the work's title and authors, else its first
    edition's; its editions' ISBN-13s, the first-published edition's first. None without a
    title (nothing to resolve or show)."""
    work, editions = found.work, found.editions
    title = common.capped_title(work.title if work and work.title else "")
    if not title:
        title = common.capped_title(next((e.title for e in editions if e.title), ""))
    if not title:
        return None
    first = editions[0] if editions else None
    return DiscoveredBook(
        title=title,
        authors=common.capped_authors(author.name for author in found.authors),
        source=OpenLibraryDumpSource.name,
        year=year,
        month=month,
        description=work.description if work else "",
        genres=common.capped_genres(work.subjects if work else []),
        isbns=common.capped_isbn13s(
            isbn13 for edition in editions for isbn13 in isbns_of_keys(edition.isbn_keys)[0]
        ),
        openlibrary_work_key=common.work_key(found.work_id),
        edition_count=found.edition_count,
        extra=(
            {
                "openlibrary_edition_key": f"OL{first.edition_id}M",
                "publish_date": first.publish_date,
            }
            if first
            else {}
        ),
    )


class OpenLibraryDumpSource(DiscoverySource):
    name = "openlibrary_dump"
    label = _("Open Library dump")

    def discover(self, *, year: int, month: int, limit: int) -> SourceAnswer:
        present = lookup.dump_tables_present()
        if "edition" not in present:
            return SourceAnswer(
                error=gettext(
                    "No Open Library dump is loaded: load its editions (and works and authors)"
                    " with manage.py load_openlibrary_dump."
                )
            )
        if not lookup.publish_months_loaded(present):
            return SourceAnswer(
                error=gettext(
                    "The Open Library dump was loaded by an older version, without publication"
                    " months: load its editions file again with manage.py load_openlibrary_dump"
                    " (without --resume)."
                )
            )
        found = first_published.works_first_published(
            year=year, month=month, limit=limit, present=present
        )
        books = [book_of_month_work(work, year=year, month=month) for work in found]
        return SourceAnswer(books=[book for book in books if book is not None])
