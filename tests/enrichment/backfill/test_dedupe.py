"""The catalog check before any provider is asked (`dedupe.catalog_duplicates`): a discovered
book the catalog holds (its ISBN, another edition of its work, or a work of an alike title by
the same authors) is dropped, a different book is kept. Run on SQLite (trigram similarity in
Python over the works of the book's authors) and on PostgreSQL (pg_trgm and its GIN index). The
books are built here."""

import pytest
from django.db import connection, transaction

from catalog.models import Author
from enrichment.backfill import dedupe
from enrichment.backfill.books import DiscoveredBook
from enrichment.backfill.dedupe import DuplicateFound, catalog_duplicates
from tests.factories import make_author, make_edition, make_isbn13, make_work

pytestmark = pytest.mark.django_db


def book(title, *authors, **fields) -> DiscoveredBook:
    return DiscoveredBook(title=title, authors=list(authors), source="openlibrary_dump", **fields)


def reasons(duplicates: list[DuplicateFound]) -> dict[str, tuple[int, str]]:
    return {found.book.title: (found.work_id, found.reason) for found in duplicates}


def test_a_book_whose_first_isbn_an_edition_holds_is_dropped():
    held = make_work("The Left Hand of Darkness", authors=["Ursula K. Le Guin"])
    edition = make_edition(held)
    new = book("Piranesi", "Susanna Clarke", isbns=[make_isbn13()])
    # Its title and author would not find it: the ISBN does.
    same = book("La main gauche de la nuit", "Anyone", isbns=[edition.isbn13, make_isbn13()])

    kept, duplicates = catalog_duplicates([new, same])

    assert kept == [new]
    assert reasons(duplicates) == {"La main gauche de la nuit": (held.pk, "isbn")}


def test_an_isbn_10_of_the_book_finds_the_edition_of_its_isbn_13():
    edition = make_edition(make_work("Use of Weapons", authors=["Iain M. Banks"]))

    kept, duplicates = catalog_duplicates([book("Other", isbns=[edition.isbn10])])

    assert kept == []
    assert reasons(duplicates) == {"Other": (edition.work_id, "isbn")}


def test_another_edition_of_the_same_work_is_a_related_duplicate():
    held = make_work("The Dispossessed", authors=["Ursula K. Le Guin"])
    other_edition = make_edition(held)
    # The source's preferred edition is new to the catalog; another of the work's is not.
    found = book("Les Dépossédés", "U. Le Guin", isbns=[make_isbn13(), other_edition.isbn13])

    kept, duplicates = catalog_duplicates([found])

    assert kept == []
    assert reasons(duplicates) == {"Les Dépossédés": (held.pk, "related_isbn")}


def test_the_open_library_work_the_catalog_holds_is_a_related_duplicate():
    held = make_work("Neverwhere", authors=["Neil Gaiman"], openlibrary_work_key="OL1806129W")

    kept, duplicates = catalog_duplicates(
        [book("Neverwhere (Author's Preferred Text)", openlibrary_work_key="OL1806129W")]
    )

    assert kept == []
    assert [(d.work_id, d.reason) for d in duplicates] == [(held.pk, "related_isbn")]


@pytest.mark.parametrize(
    ("title", "author"),
    [
        ("Left Hand of Darkness", "Le Guin, Ursula K."),  # no article, "Last, First"
        ("The Left Hand of Darkness: A Novel", "ursula k. le guin"),  # a subtitle, no case
        ("The Left Hand of Darknes", "Ursula K. Le Guin"),  # a typo
    ],
)
def test_an_alike_title_by_the_same_author_is_a_title_and_author_duplicate(title, author):
    held = make_work("The Left Hand of Darkness", authors=["Ursula K. Le Guin"])
    make_work("The Lathe of Heaven", authors=["Ursula K. Le Guin"])

    kept, duplicates = catalog_duplicates([book(title, author)])

    assert kept == []
    assert reasons(duplicates) == {title: (held.pk, "title_author")}


def test_a_different_book_with_an_alike_title_by_another_author_is_kept():
    make_work("The Women", authors=["Kristin Hannah"])
    boyle = book("The Women", "T. C. Boyle")  # the same title, another book
    spears = book("The Woman in Me", "Britney Spears")  # 67 % alike to The Women

    kept, duplicates = catalog_duplicates([boyle, spears])

    assert kept == [boyle, spears]
    assert duplicates == []


def test_a_book_naming_no_author_is_a_duplicate_only_of_its_very_title():
    held = make_work("Piranesi", authors=["Susanna Clarke"])
    same = book("Piranesi")
    alike = book("Piranesi's Return")

    kept, duplicates = catalog_duplicates([same, alike])

    assert kept == [alike]
    assert reasons(duplicates) == {"Piranesi": (held.pk, "title_author")}


def test_a_work_credited_to_a_redirect_counts_as_the_author_it_points_to():
    king = make_author("Stephen King")
    bachman = make_author("Richard Bachman")
    held = make_work("The Running Man", authors=[king])
    # A merge moved the pen name's credits to King; "Richard Bachman" is a redirect now.
    Author.objects.filter(pk=bachman.pk).update(merged_into=king)

    kept, duplicates = catalog_duplicates([book("The Running Man", "Richard Bachman")])

    assert kept == []
    assert reasons(duplicates) == {"The Running Man": (held.pk, "title_author")}


def test_a_redirect_named_by_the_book_finds_the_works_of_the_author_it_points_to():
    # SQLite finds candidates through the book's author names: a redirect's name must lead to
    # the works now credited to the author it was merged into.
    kept_author = make_author("Iain M. Banks")
    redirect = make_author("Iain Banks (SF)")
    Author.objects.filter(pk=redirect.pk).update(merged_into=kept_author)
    held = make_work("Consider Phlebas", authors=[kept_author])
    misspelt = book("Consider Phlebass (Culture #1)", "Iain Banks (SF)")  # no title equal to it

    kept, duplicates = catalog_duplicates([misspelt])

    assert kept == []
    assert reasons(duplicates) == {misspelt.title: (held.pk, "title_author")}


def test_a_placeholder_title_never_matches():
    make_work("OL102749W", authors=["Neil Gaiman"], title_is_placeholder=True)

    kept, duplicates = catalog_duplicates([book("OL102749W", "Neil Gaiman")])

    assert len(kept) == 1 and duplicates == []


def test_a_synthetic_work_is_found_when_its_month_runs_again():
    synthetic = make_work("Orbital", authors=["Samantha Harvey"], synthetic=True)

    kept, duplicates = catalog_duplicates([book("Orbital", "Samantha Harvey")])

    assert kept == []
    assert reasons(duplicates) == {"Orbital": (synthetic.pk, "title_author")}


def test_the_queries_do_not_grow_with_the_books(django_assert_max_num_queries):
    for i in range(5):
        make_edition(make_work(f"Held book {i}", authors=[f"Author {i}"]))
    few = [book(f"New book {i}", f"Writer {i}", isbns=[make_isbn13()]) for i in range(3)]
    many = [book(f"New book {i}", f"Writer {i}", isbns=[make_isbn13()]) for i in range(60)]

    with django_assert_max_num_queries(60) as few_queries:
        catalog_duplicates(few)
    with django_assert_max_num_queries(200) as many_queries:
        kept, _duplicates = catalog_duplicates(many)

    assert len(kept) == 60
    if connection.vendor == "sqlite":
        assert len(many_queries.captured_queries) == len(few_queries.captured_queries) <= 10
    else:
        # Exact checks in one statement each; one trigram statement per book (an index scan).
        extra_books = len(many) - len(few)
        assert len(many_queries.captured_queries) == len(few_queries.captured_queries) + extra_books


# --- PostgreSQL: the trigram path -----------------------------------------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_trgm and its GIN index: PostgreSQL"
)


@postgres_only
def test_the_trigram_lookup_is_served_by_the_gin_index():
    """The index answers the check's very statement (its `%` on the varchar column matches the
    index's gin_trgm_ops). On a test's handful of rows a sequential scan is cheaper, so it is
    ruled out here; on 100,000 works the planner picks the index by itself (see the README)."""
    make_work("The Left Hand of Darkness", authors=["Ursula K. Le Guin"])
    title = "left hand of darkness"

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', '0.6', true)")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN " + dedupe.TRIGRAM_SQL, [title, title, dedupe.TRIGRAM_CANDIDATES_MAX]
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Bitmap Index Scan on catalog_work_title_trgm_idx" in plan, plan
    assert "Seq Scan" not in plan, plan


@postgres_only
def test_the_similarity_threshold_is_put_back_after_the_check():
    make_work("Piranesi", authors=["Susanna Clarke"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', '0.3', true)")

        catalog_duplicates([book("Piranesi", "Susanna Clarke")])

        cursor.execute("SELECT current_setting('pg_trgm.similarity_threshold')")
        assert cursor.fetchone()[0] == "0.3"


def test_the_next_volume_of_a_series_by_the_same_author_is_not_a_duplicate():
    """An edit ratio calls these 68 % and 83 % alike; trigrams and the numbers tell them apart,
    on both databases."""
    make_work("Harry Potter and the Chamber of Secrets", authors=["J. K. Rowling"])
    make_work("The Expanse Book 1", authors=["James S. A. Corey"])
    azkaban = book("Harry Potter and the Prisoner of Azkaban", "J.K. Rowling")
    second = book("The Expanse Book 2", "James S.A. Corey")
    same = book("Harry Potter and the Chamber of Secrets: Illustrated", "Rowling, J. K.")

    kept, duplicates = catalog_duplicates([azkaban, second, same])

    assert kept == [azkaban, second]
    assert [found.book for found in duplicates] == [same]


def test_two_books_of_different_open_library_works_are_never_one():
    first = book("Poems", "Emily Dickinson", openlibrary_work_key="OL1W")
    second = book("Poems", "Emily Dickinson", openlibrary_work_key="OL2W")
    unknown = book("Poems", "Emily Dickinson")  # no key: the title and author decide

    assert dedupe.distinct_books([first, second, unknown]) == [first, second]


@postgres_only
def test_the_python_trigram_similarity_is_pg_trgms():
    """SQLite and the discovered books use `catalog.similarity.trigram_similarity`; PostgreSQL uses
    pg_trgm: the same number for the same titles, accents and digits included."""
    from catalog.similarity import trigram_similarity
    from catalog.text import normalize_title

    pairs = [
        ("Harry Potter and the Chamber of Secrets", "Harry Potter and the Prisoner of Azkaban"),
        ("A Court of Thorns and Roses", "A Court of Mist and Fury"),
        ("L'Étranger", "Létranger"),
        ("Catch-22", "Catch 22"),
        ("The Women", "The Woman in Me"),
        ("Les Misérables", "Les Miserables"),
        ("Дети времени", "Дети Дюны"),
    ]
    with connection.cursor() as cursor:
        for a, b in pairs:
            a, b = normalize_title(a), normalize_title(b)
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
            assert trigram_similarity(a, b) == pytest.approx(cursor.fetchone()[0], abs=1e-6), (a, b)
