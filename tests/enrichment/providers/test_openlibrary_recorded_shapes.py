"""What Open Library's answers propose, shape by shape, on its recorded bodies and the dump's
real lines: its error bodies, a catalogue's punctuation and spacing (split from
test_openlibrary.py)."""

import re

import pytest

from enrichment.candidates import Contributor, LookupStatus
from enrichment.models import SourceRecord
from enrichment.providers import openlibrary_marc
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.providers.helpers import FIXTURES, body, load

BOOKS_API = "https://openlibrary.org/api/books"
DUMP_FIXTURES = FIXTURES.parent / "openlibrary_dump"


@pytest.fixture
def openlibrary(make):
    return make(OpenLibraryProvider)


def test_a_search_open_library_could_not_run_is_a_failure_to_retry_not_no_match(http, openlibrary):
    """Open Library answers a search its Solr could not run with HTTP 200, no docs and the
    reason in `error`: the book is not "unknown to Open Library"; the search is asked again
    (nothing cached) and the outcome says why."""
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "synthetic-search__solr_failed__200_error.json"),
    )

    result = openlibrary.search(title="Use of Weapons", author="Iain M. Banks")

    assert result.status == LookupStatus.SERVER_ERROR
    assert "Read timed out" in result.error
    assert not SourceRecord.objects.exists()


def test_a_books_api_error_body_is_a_failure_not_every_isbn_unknown(http, openlibrary):
    http.get(
        BOOKS_API,
        body=body("openlibrary", "synthetic-search__solr_failed__200_error.json"),
    )

    result = openlibrary.lookup_isbns(["9780316030571"])["9780316030571"]

    assert result.status == LookupStatus.SERVER_ERROR
    assert not SourceRecord.objects.exists()


@pytest.mark.parametrize("status", [200, 404])
def test_a_record_open_library_says_is_not_found_is_no_match_not_an_empty_book(
    http, openlibrary, status
):
    """`{"error": "notfound", "key": …}` is Open Library's "no such record", with a 404 or
    (through a cache that keeps the body) a 200: never a record with no title."""
    http.get(
        "https://openlibrary.org/books/OL99000001M.json",
        status=status,
        body=body("openlibrary", "synthetic-edition__OL99000001M__notfound.json"),
    )

    result = openlibrary.edition("OL99000001M")

    assert result.status == LookupStatus.NOT_FOUND
    assert result.candidates == []


def test_a_double_space_inside_a_title_or_a_publisher_is_not_proposed(http, openlibrary):
    """Open Library's recorded search answer has "The Treason of Isengard.  Being the Third
    Book of The Lord of the Rings" and the publisher "Harper Collins Publishers  Stock
    Account": proposed single-spaced, as the importers keep a cell."""
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json"),
    )

    candidates = openlibrary.search(title="lord of the rings", author="tolkien").candidates

    # The title is its first part (settle.series_from_title); the note quotes it whole.
    notes = " ".join(note for c in candidates for note in c.notes)
    assert "“The Treason of Isengard. Being the Third Book of The Lord of the Rings”" in notes
    assert "Harper Collins Publishers Stock Account" in [c.publisher for c in candidates]
    assert not [
        text for c in candidates for text in (c.title, c.publisher, c.subtitle) if "  " in text
    ]


def test_an_empty_parenthesis_ending_a_title_is_not_proposed(http, openlibrary):
    """Open Library's recorded search answer titles a Russian edition "The Hobbit, 1937. The
    Lord of the Rings, 1937!!!. The Silmarillion, 1977 (IN RUSSIAN LANGUAGE)  (  )": the
    parenthesis that holds nothing is no part of the title."""
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json"),
    )

    candidates = openlibrary.search(title="lord of the rings", author="tolkien").candidates

    [russian] = [c for c in candidates if c.provider_ids == {"openlibrary_work": "OL14933367W"}]
    assert russian.title == (
        "The Hobbit, 1937. The Lord of the Rings, 1937!!!. The Silmarillion, 1977 "
        "(IN RUSSIAN LANGUAGE)"
    )
    assert not [c.title for c in candidates if "()" in c.title.replace(" ", "")]


def dump_edition_line(file: str, key: str) -> str:
    """The record of a real dump line (its fifth column): what `/books/{key}.json` serves."""
    return next(
        line.split("\t")[4]
        for line in (DUMP_FIXTURES / file).read_text(encoding="utf-8").splitlines()
        if line.split("\t")[1] == f"/books/{key}"
    )


@pytest.mark.parametrize(
    ("key", "title", "subtitle"),
    [
        ("OL23557795M", "Crime and punishment", ""),
        ("OL5976650M", "Chekhov", "and other essays"),
    ],
)
def test_the_catalogue_s_closing_full_stop_is_no_part_of_a_title(
    http, openlibrary, key, title, subtitle
):
    """Library records end a title (or its subtitle) with MARC's full stop: Open Library's
    "Crime and punishment.", "Chekhov" : "and other essays." (real dump lines)."""
    record = dump_edition_line("booklink_editions_grep_dostoyevsky50.txt", key)
    http.get(f"https://openlibrary.org/books/{key}.json", body=record)
    http.get(re.compile(r"https://openlibrary.org/authors/.*"), status=404)

    [candidate] = openlibrary.edition(key).candidates

    assert (candidate.title, candidate.subtitle) == (title, subtitle)


def test_the_year_a_catalogue_wrote_after_the_publisher_is_no_part_of_its_name(http, openlibrary):
    """A real dump line's `publishers` is ["St. Martin's Press, 1975."]: MARC's imprint, the
    publisher with its year; the publisher is St. Martin's Press."""
    record = dump_edition_line("booklink_editions_grep_dostoyevsky50.txt", "OL19078215M")
    http.get("https://openlibrary.org/books/OL19078215M.json", body=record)
    http.get(re.compile(r"https://openlibrary.org/authors/.*"), status=404)

    [candidate] = openlibrary.edition("OL19078215M").candidates

    assert candidate.publisher == "St. Martin's Press"


def test_an_imprint_s_year_after_the_publisher_without_a_comma_is_no_part_of_it(http, openlibrary):
    """Open Library's recorded search answer names the publisher of "A Stroll in Old Iffley"
    "The Baldur Press 1991.": the imprint's year, closed by its full stop."""
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__start100__2019__orphaned_editions.json"),
    )

    candidates = openlibrary.search(title="A stroll in old Iffley", author="Reynolds").candidates

    publishers = {c.provider_ids.get("openlibrary_work"): c.publisher for c in candidates}
    assert publishers["OL4642756W"] == "The Baldur Press"
    assert publishers["OL4642755W"] == "Baldur Press"


@pytest.mark.parametrize(
    ("key", "subjects"),
    [
        ("OL3305307M", ["Dostoyevsky, Fyodor, 1821-1881"]),
        ("OL22094553M", ["Dostoyevsky, Fyodor, 1821-1881"]),
        (
            "OL20086208M",
            [
                "Dostoyevsky, Fyodor, 1821-1881",
                "Berdi︠a︡ev, Nikolaĭ, 1874-1948",
                "Philosophy",
                "Philosophy, Russian",
                "Creation (Literary, artistic, etc.)",
                "Religion -- Philosophy",
                "Russian literature -- History and criticism",
                "Russia -- History",
            ],
        ),
    ],
)
def test_a_person_s_heading_among_the_subjects_reads_as_one_heading(
    http, openlibrary, key, subjects
):
    """Real dump lines file Dostoyevsky as a subject three ways, "Dostoyevsky, Fyodor,
    1821-1881.", "Dostoyevsky, Fyodor, -- 1821-1881." and "… -- 1821-1881,": the catalogue's
    closing stop (after the dates too) and comma, and the "--" Open Library put before the
    dates, are no part of the heading, which is one heading."""
    record = dump_edition_line("booklink_editions_grep_dostoyevsky50.txt", key)
    http.get(f"https://openlibrary.org/books/{key}.json", body=record)
    http.get(re.compile(r"https://openlibrary.org/authors/.*"), status=404)

    [candidate] = openlibrary.edition(key).candidates

    assert candidate.subjects == subjects


def test_an_error_answer_cached_before_it_was_read_as_one_is_asked_again(http, openlibrary, clock):
    """Before this reading, a search Open Library could not run was cached as "no match" (and a
    `notfound` served with a 200 as a record): such a cached answer is asked again, not
    believed for the cache's days."""
    from datetime import UTC, datetime, timedelta

    from enrichment.providers.base import search_key

    now = datetime.fromtimestamp(clock.time(), tz=UTC)
    failed = load("openlibrary", "synthetic-search__solr_failed__200_error.json")
    SourceRecord.objects.create(
        provider="openlibrary",
        lookup_key=search_key(title="Use of Weapons", author="Iain M. Banks"),
        status=SourceRecord.Status.MISS,
        payload=failed,
        fetched_at=now,
        expires_at=now + timedelta(days=30),
    )
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json"),
    )

    result = openlibrary.search(title="Use of Weapons", author="Iain M. Banks")

    assert not result.from_cache and len(http.calls) == 1
    assert result.status == LookupStatus.FOUND  # the answer asked again


def test_a_cached_notfound_record_is_no_record(openlibrary, clock):
    from datetime import UTC, datetime, timedelta

    now = datetime.fromtimestamp(clock.time(), tz=UTC)
    SourceRecord.objects.create(
        provider="openlibrary",
        lookup_key="edition:OL99000001M",
        status=SourceRecord.Status.HIT,
        payload=load("openlibrary", "synthetic-edition__OL99000001M__notfound.json"),
        fetched_at=now,
        expires_at=now + timedelta(days=30),
    )

    result = openlibrary.edition("OL99000001M")

    assert result.status == LookupStatus.NOT_FOUND and result.candidates == []


def test_people_of_other_editions_are_not_proposed_as_the_books_authors(openlibrary):
    """A real Books API answer for Wyrd Sisters (ISBN 0575043636, Gollancz 1988) lists Joanne
    Harris, Stephen Briggs and Celia Imrie among its authors;
    its statement of responsibility says "by Terry Pratchett.": only he is proposed, where all
    four were."""
    [record] = load(
        "openlibrary", "books_api_jscmd_data__ISBN_0575043636__wyrd_sisters.json"
    ).values()

    candidate = openlibrary.parse_books_api_record(record)

    assert [person.name for person in candidate.authors] == ["Terry Pratchett"]
    assert candidate.page_count == 251 and candidate.publisher == "V. Gollancz"


#: Wyrd Sisters' people as the real Books API answer names them, by their author keys.
WYRD_SISTERS_PEOPLE = {
    "OL25712A": "Terry Pratchett",
    "OL4929687A": "Joanne Harris",
    "OL5196765A": "Stephen Briggs",
    "OL7311709A": "Celia Imrie",
}


def test_an_edition_records_authors_are_those_its_statement_names(http, openlibrary):
    """The edition record Wyrd Sisters' Books API answer is made from (OL1614567M, rewritten in
    the edition record's shape: synthetic-edition__OL1614567M__wyrd_sisters.json) names four
    authors by key beside "by Terry Pratchett.": read as the Books API's record is (one rule,
    `openlibrary_marc.catalogue_fields`), only he is proposed, where all four were. The author
    records served are the least Open Library answers (key, name, type), made here."""
    http.get(
        "https://openlibrary.org/books/OL1614567M.json",
        body=body("openlibrary", "synthetic-edition__OL1614567M__wyrd_sisters.json"),
    )
    for key, name in WYRD_SISTERS_PEOPLE.items():
        http.get(
            f"https://openlibrary.org/authors/{key}.json",
            json={"key": f"/authors/{key}", "name": name, "type": {"key": "/type/author"}},
        )

    [candidate] = openlibrary.edition("OL1614567M").candidates

    assert [(p.name, p.provider_id) for p in candidate.authors] == [("Terry Pratchett", "OL25712A")]


def test_a_books_api_page_count_comes_from_its_pagination_when_no_number_is_given(openlibrary):
    """The real Wyrd Sisters answer without its `number_of_pages` (synthetic-…__pagination_only):
    its `pagination` "251 p. ;" gives 251 pages, as an edition record's and the dump's do;
    before, no page count was proposed."""
    [record] = load(
        "openlibrary", "synthetic-books_api__ISBN_0575043636__wyrd_sisters__pagination_only.json"
    ).values()

    candidate = openlibrary.parse_books_api_record(record)

    assert candidate.page_count == 251
    assert candidate.publisher == "V. Gollancz"


def test_a_books_api_pagination_that_states_no_count_proposes_none(openlibrary):
    [record] = load(
        "openlibrary", "synthetic-books_api__ISBN_0575043636__wyrd_sisters__pagination_only.json"
    ).values()

    candidate = openlibrary.parse_books_api_record({**record, "pagination": "1 v. (unpaged)"})

    assert candidate.page_count is None


@pytest.mark.parametrize(
    ("statement", "kept"),
    [
        ("by Terry Pratchett.", ["Terry Pratchett"]),
        # Russell and Norvig's statement (olclient's recorded edition) names some, "et al.":
        # nobody is left out on its word.
        (
            "Stuart J. Russell and Peter Norvig ; contributing writers, John F. Canny ... "
            "[et al.].",
            ["Stuart J. Russell", "Peter Norvig", "Ernest Davis"],
        ),
        # A name the statement spells otherwise: it names none of them, all stay.
        ("Fyodor Dostoyevsky", ["Fëdor Dostoevsky", "Constance Garnett"]),
        ("村上春樹著", ["村上春樹"]),
        ("", ["Stuart J. Russell", "Peter Norvig", "Ernest Davis"]),
    ],
)
def test_the_statement_of_responsibility_keeps_whom_it_names(statement, kept):
    people = {
        "by Terry Pratchett.": ["Terry Pratchett", "Joanne Harris"],
        "Fyodor Dostoyevsky": ["Fëdor Dostoevsky", "Constance Garnett"],
        "村上春樹著": ["村上春樹", "Jay Rubin"],
    }.get(statement, ["Stuart J. Russell", "Peter Norvig", "Ernest Davis"])

    stated = openlibrary_marc.stated_authors([Contributor(name) for name in people], statement)

    assert [person.name for person in stated] == kept


def test_an_older_records_article_filed_apart_is_part_of_the_proposed_title(http, openlibrary):
    """A real edition (OL3187531M, a dump line: the document /books/OL3187531M.json serves)
    files its title's article apart, `title_prefix` "The " and `title` "idiot": "The idiot" is
    proposed, where "idiot" was."""
    http.get(
        "https://openlibrary.org/books/OL3187531M.json",
        body=body("openlibrary", "edition__OL3187531M__from_dump.json"),
    )
    http.get("https://openlibrary.org/authors/OL242232A.json", status=404)

    [candidate] = openlibrary.edition("OL3187531M").candidates

    assert candidate.title == "The idiot"
    assert candidate.subtitle == "Dostoevsky's fantastic prince : a phenomenological approach"


def test_a_bookseller_subject_path_and_its_general_are_not_proposed_whole(openlibrary):
    """A real edition of Sabriel (OL9952943M, in the recorded editions of work OL15832982W)
    has the bookseller's subjects "Juvenile Fiction / Science Fiction, Fantasy, Magic" and
    "General": proposed as "Juvenile Fiction" and "Science Fiction, Fantasy, Magic", and no
    subject "General"."""
    entries = load("openlibrary", "work_editions__OL15832982W.json")["entries"]
    [record] = [entry for entry in entries if entry["key"] == "/books/OL9952943M"]
    openlibrary.author_names = lambda keys: []  # its authors are not what is read here

    candidate = openlibrary.parse_edition(record)

    assert candidate.subjects == [
        "Action & Adventure",  # "Action & Adventure - General": the same path, dashed
        "Science Fiction, Fantasy, & Magic",
        "Juvenile Fiction",
        "Science Fiction, Fantasy, Magic",
        "Children's Books",
        "Young Adult Fiction",
        "Children: Young Adult (Gr. 7-9)",
    ]


def test_a_title_filed_with_its_article_last_is_proposed_with_it_first(http, openlibrary):
    """Open Library's recorded search answer titles a HarperCollins edition (OL14933439W) "Lord
    of the Rings, the", a catalogue's filing form: "The Lord of the Rings" is proposed, where
    "Lord of the Rings, the" was."""
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json"),
    )

    candidates = openlibrary.search(title="lord of the rings", author="tolkien").candidates

    [harper] = [c for c in candidates if c.provider_ids == {"openlibrary_work": "OL14933439W"}]
    assert harper.title == "The Lord of the Rings"
    assert not [c.title for c in candidates if c.title.casefold().endswith(", the")]
