"""A month's books written into the catalog (`works.works_from_backfill`): resolved books as works
with an edition and credits, unresolved ones as synthetic works that keep their discovery, are
never shown as resolved and are left out of "enrich missing". The books are built here."""

import pytest
from django.urls import reverse

from catalog.models import Author, Edition, Work
from enrichment import queue
from enrichment.backfill import dedupe, works
from enrichment.backfill.books import DiscoveredBook
from enrichment.backfill.resolve import ResolvedBook, books_resolve
from enrichment.backfill.works import works_from_backfill
from enrichment.models import EnrichmentRequest
from enrichment.selectors import catalog_counts
from tests.factories import make_author, make_edition, make_isbn13, make_work

pytestmark = pytest.mark.django_db

MONTH = "2015-06"


def discovered(title="Children of Time", *authors, source="openlibrary_search", **fields):
    return DiscoveredBook(
        title=title,
        authors=list(authors) or ["Adrian Tchaikovsky"],
        source=source,
        year=2015,
        month=6,
        **fields,
    )


def test_a_resolved_book_becomes_a_work_with_its_edition_and_credits():
    book = discovered(
        description="Who will inherit this new Earth?",
        genres=["Science Fiction", "science fiction", " Space  opera "],
        openlibrary_work_key="OL17075811W",
        edition_count=42,
    )
    isbn13 = "9780316452502"

    written = works_from_backfill(
        [ResolvedBook(book, isbn13=isbn13, provider="google_books")], month_label=MONTH
    )

    (work_id,) = written.resolved_work_ids
    assert written.synthetic_work_ids == [] and written.already_held == []
    work = Work.objects.get(pk=work_id)
    assert (work.title, work.first_published_year) == ("Children of Time", 2015)
    assert work.subjects == ["Science Fiction", "Space opera"]  # capped, each once
    assert work.openlibrary_work_key == "OL17075811W"
    assert work.description == ""  # enrichment fills it, with its source, audited
    assert not work.synthetic
    assert work.discovery["month"] == MONTH
    assert work.discovery["resolved_by"] == "google_books"
    assert work.discovery["description"] == "Who will inherit this new Earth?"
    assert work.discovery["edition_count"] == 42
    (edition,) = work.editions.all()
    assert (edition.isbn13, edition.isbn10) == (isbn13, "0316452505")
    assert [(c.author.name, c.role) for c in work.credits.all()] == [
        ("Adrian Tchaikovsky", "author")
    ]
    assert work.completeness > 0  # authors and year, by the usual rule
    # Not queued here: the month queues all its resolved works in one call.
    assert not EnrichmentRequest.objects.exists()


def test_credits_go_through_the_imports_author_lookup_redirects_included():
    kept = make_author("Stephen King")
    redirect = make_author("Richard Bachman")
    Author.objects.filter(pk=redirect.pk).update(merged_into=kept)
    known = make_author("Peter Straub")
    book = discovered("The Regulators", "Richard Bachman", "Peter Straub", "A New Writer")

    written = works_from_backfill(
        [ResolvedBook(book, isbn13=make_isbn13(), provider="openlibrary")], month_label=MONTH
    )

    work = Work.objects.get(pk=written.resolved_work_ids[0])
    credited = [(c.author_id, c.position) for c in work.credits.order_by("position")]
    new_writer = Author.objects.get(name="A New Writer")
    assert credited == [(kept.pk, 0), (known.pk, 1), (new_writer.pk, 2)]
    assert Author.objects.filter(name="Richard Bachman").count() == 1  # no second Bachman


def test_an_unresolved_book_becomes_a_synthetic_work_never_shown_as_resolved():
    book = discovered("Orbital", "Samantha Harvey", genres=["Literary fiction"])
    unresolved = books_resolve([book], providers=[]).books[0]

    written = works_from_backfill([unresolved], month_label="2023-11")

    (work_id,) = written.synthetic_work_ids
    work = Work.objects.get(pk=work_id)
    assert work.synthetic
    # No provider could be asked: it waits for them (the daily retry), it is not "unknown".
    assert work.enrichment_status == Work.EnrichmentStatus.WAITING
    assert not work.editions.exists()
    assert [c.author.name for c in work.credits.all()] == ["Samantha Harvey"]
    assert work.discovery["source"] == "openlibrary_search"
    assert work.discovery["month"] == "2023-11"
    assert work.discovery["unresolved"]["not_searched"] == "providers_unavailable"
    assert "resolved_by" not in work.discovery
    # The usual rule: authors (15), year (10) and subjects (10), nothing else.
    assert work.completeness == 35
    counts = catalog_counts()
    # Counted apart, never as enriched nor as "unknown to every provider" (it was not asked).
    assert (counts["synthetic"], counts["unresolved"]) == (1, 0)


def test_a_synthetic_work_is_left_out_of_enrich_missing_and_says_why(admin_client):
    written = works_from_backfill(
        [books_resolve([discovered("Orbital", "Samantha Harvey")], providers=[]).books[0]],
        month_label=MONTH,
    )
    (synthetic_id,) = written.synthetic_work_ids
    imported = make_work("Imported without a cover", authors=["Someone"])

    assert list(queue.works_needing_enrichment().values_list("pk", flat=True)) == [imported.pk]
    assert queue.works_enqueue_enrichment(work_ids=[synthetic_id], dispatch=False) == []
    # Chosen by hand in the works list: not queued, and the librarian is told why.
    from enrichment.review import SYNTHETIC, works_enrich_bulk

    result = works_enrich_bulk(queryset=Work.objects.filter(pk=synthetic_id), actor=None)
    assert result.changed == 0 and result.reasons == {SYNTHETIC: 1}
    page = admin_client.get(reverse("admin:catalog_work_enrich_missing"))
    assert "Covers only (1)" in page.content.decode()  # the imported work alone


def test_the_works_list_marks_and_filters_synthetic_works(admin_client):
    proposed = discovered("Orbital", "Samantha Harvey", source="llm")
    written = works_from_backfill(books_resolve([proposed], providers=[]).books, month_label=MONTH)
    make_work("Imported Book", authors=["Someone"])
    url = reverse("admin:catalog_work_changelist")

    listed = admin_client.get(url).content.decode()
    synthetic_only = admin_client.get(url, {"synthetic": "yes"}).content.decode()
    others = admin_client.get(url, {"synthetic": "no"}).content.decode()
    page = admin_client.get(
        reverse("admin:catalog_work_change", args=[written.synthetic_work_ids[0]])
    ).content.decode()

    assert listed.count('class="title-synthetic"') == 1
    assert "Orbital" in synthetic_only and "Imported Book" not in synthetic_only
    assert "Imported Book" in others and "Orbital" not in others
    assert "Synthetic: no provider has resolved it yet" in page
    assert "Found by" in page and "June 2015" in page  # its month, named


def test_an_isbn_an_edition_holds_is_counted_as_already_held_not_an_error():
    holder = make_edition(make_work("Children of Time", authors=["Adrian Tchaikovsky"]))
    other = discovered("Another Book", "Someone Else")

    written = works_from_backfill(
        [
            ResolvedBook(discovered(), isbn13=holder.isbn13, provider="google_books"),
            ResolvedBook(other, isbn13=make_isbn13(), provider="openlibrary"),
        ],
        month_label=MONTH,
    )

    assert [(d.book.title, d.work_id, d.reason) for d in written.already_held] == [
        ("Children of Time", holder.work_id, "isbn")
    ]
    assert len(written.resolved_work_ids) == 1
    assert Work.objects.filter(title="Children of Time").count() == 1


def test_an_isbn_taken_meanwhile_by_another_work_is_already_held(monkeypatch):
    # The race: the month read the catalog, then an import took the ISBN before this insert.
    isbn13 = make_isbn13()
    holder = make_edition(make_work("Taken Meanwhile", authors=["Someone"]), isbn13=isbn13)
    monkeypatch.setattr(works, "isbn_holders", lambda isbn13s: {})
    books = [
        ResolvedBook(discovered(), isbn13=isbn13, provider="google_books"),
        ResolvedBook(discovered("Second Book", "Writer"), isbn13=make_isbn13(), provider="x"),
    ]

    written = works_from_backfill(books, month_label=MONTH)

    assert [(d.work_id, d.reason) for d in written.already_held] == [(holder.work_id, "isbn")]
    assert len(written.resolved_work_ids) == 1  # the month's other books are written
    assert not Work.objects.filter(title="Children of Time").exists()  # rolled back alone
    assert Edition.objects.filter(isbn13=isbn13).count() == 1


def test_an_open_library_work_key_another_work_holds_is_not_given_twice():
    make_work("Held", openlibrary_work_key="OL1W")
    twice = [
        ResolvedBook(discovered("First", "A", openlibrary_work_key="OL2W"), isbn13=make_isbn13()),
        ResolvedBook(discovered("Second", "B", openlibrary_work_key="OL2W"), isbn13=make_isbn13()),
        ResolvedBook(discovered("Third", "C", openlibrary_work_key="OL1W")),
    ]

    written = works_from_backfill(twice, month_label=MONTH)

    keys = dict(
        Work.objects.filter(
            pk__in=written.resolved_work_ids + written.synthetic_work_ids
        ).values_list("title", "openlibrary_work_key")
    )
    assert keys == {"First": "OL2W", "Second": None, "Third": None}


def test_what_a_language_model_said_stays_in_discovery():
    proposed = discovered("Orbital", "Samantha Harvey", source="llm", genres=["Space"])
    merged = discovered("Piranesi", "Susanna Clarke", also_from=["llm"], genres=["Fantasy"])

    written = works_from_backfill(
        [
            ResolvedBook(proposed, isbn13=make_isbn13(), provider="openlibrary"),
            ResolvedBook(merged),
        ],
        month_label=MONTH,
    )

    for work in Work.objects.filter(pk__in=written.resolved_work_ids + written.synthetic_work_ids):
        assert (work.first_published_year, work.subjects) == (None, [])
        assert work.discovery["year"] == 2015 and work.discovery["genres"]


def test_a_month_run_again_finds_the_synthetic_works_it_wrote():
    book = discovered("Orbital", "Samantha Harvey")
    written = works_from_backfill(books_resolve([book], providers=[]).books, month_label=MONTH)

    kept, duplicates = dedupe.catalog_duplicates([discovered("Orbital", "Samantha Harvey")])

    assert kept == []
    assert [(d.work_id, d.reason) for d in duplicates] == [
        (written.synthetic_work_ids[0], "title_author")
    ]


@pytest.mark.django_db
def test_an_import_giving_a_synthetic_work_an_edition_resolves_it(settings):
    """A synthetic work that a librarian's export names with an ISBN is no longer synthetic: it
    has an edition enrichment can look up, and the import queues it like any other book."""
    from catalog.models import Edition, Work
    from enrichment.models import EnrichmentRequest
    from tests.catalog.import_rows import goodreads_file, goodreads_row, run_import
    from tests.factories import make_work

    settings.ENRICHMENT_AUTO_ENABLED = True
    work = make_work("Synthetic Backfilled Tale", authors=["Synthetic Writer"])
    Work.objects.filter(pk=work.pk).update(
        synthetic=True, discovery={"source": "llm", "month": "2024-03"}
    )
    run_import(
        goodreads_file(
            goodreads_row(
                Title="Synthetic Backfilled Tale",
                Author="Synthetic Writer",
                ISBN13='="9780306406157"',
            )
        )
    )
    work.refresh_from_db()
    assert not work.synthetic
    assert work.discovery["resolved_by"] == "import"
    assert work.discovery["month"] == "2024-03"  # what the backfill found is kept
    assert Edition.objects.get(isbn13="9780306406157").work == work
    assert EnrichmentRequest.objects.filter(work=work).exists()


def test_a_synthetic_work_every_provider_answered_for_is_unknown_to_them(provider_server):
    """Both providers answered and neither knew the book: "No provider knows it" is true."""
    book = discovered("A Book Nobody Knows", "Nobody", source="llm")
    resolved = books_resolve([book]).books[0]
    assert resolved.final and not resolved.resolved

    (work_id,) = works_from_backfill([resolved], month_label=MONTH).synthetic_work_ids

    work = Work.objects.get(pk=work_id)
    assert work.synthetic
    assert work.enrichment_status == Work.EnrichmentStatus.UNRESOLVED
