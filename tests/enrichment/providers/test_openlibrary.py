import re

import pytest

from enrichment.candidates import Contributor, LookupStatus
from enrichment.matching import BookQuery, Tier, score_candidate
from enrichment.merge import merge_candidates
from enrichment.models import SourceRecord
from enrichment.providers.fields import description_text
from enrichment.providers.google_books import GoogleBooksProvider
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.providers.helpers import FIXTURES, body, load

BOOKS_API = "https://openlibrary.org/api/books"
DUMP_FIXTURES = FIXTURES.parent / "openlibrary_dump"


@pytest.fixture
def openlibrary(make):
    return make(OpenLibraryProvider)


def test_books_api_record_becomes_a_candidate_with_cover_ids(http, openlibrary):
    http.get(BOOKS_API, body=body("openlibrary", "books_api_jscmd_data__ISBN_9780316030571.json"))

    results = openlibrary.lookup_isbns(["0-316-03057-0"])  # asked as an ISBN-10

    result = results["9780316030571"]
    assert result.status == LookupStatus.FOUND
    [candidate] = result.candidates
    assert candidate.title == "Use of Weapons"
    assert candidate.isbn13 == ["9780316030571"]
    assert candidate.isbn10 == ["0316030570"]
    assert candidate.authors == [Contributor("Iain M. Banks", "author", "OL6924809A")]
    assert candidate.publisher == "Orbit"
    assert candidate.publication_date == "2008-07-28"
    assert candidate.page_count == 480
    assert "Space warfare" in candidate.subjects
    assert candidate.provider_ids == {
        "openlibrary_edition": "OL10426208M",
        "goodreads": "3395563",
        "archive_org": "useofweapons00bank_0",
    }
    assert [(c.cover_id, c.size_label, c.url) for c in candidate.covers] == [
        ("2379038", "L", "https://covers.openlibrary.org/b/id/2379038-L.jpg"),
        ("2379038", "M", "https://covers.openlibrary.org/b/id/2379038-M.jpg"),
    ]
    assert candidate.source_url == "https://openlibrary.org/books/OL10426208M"
    assert candidate.queried_isbn == "9780316030571"
    assert candidate.cache_key == "isbn:9780316030571"

    request = http.calls[0].request
    assert request.params == {
        "bibkeys": "ISBN:9780316030571",
        "format": "json",
        "jscmd": "data",
    }
    assert request.headers["User-Agent"] == "bookstore/1.0 (+mailto:librarian@example.org)"


def test_an_answer_keyed_by_the_isbn10_still_answers_the_isbn13_asked(http, openlibrary):
    # Recorded for bibkeys=ISBN:2070379043; we send the ISBN-13 of the same book.
    http.get(BOOKS_API, body=body("openlibrary", "books_api_jscmd_data__ISBN_2070379043.json"))

    result = openlibrary.lookup_isbns(["9782070379040"])["9782070379040"]

    [candidate] = result.candidates
    assert candidate.title == "Les Enchanteurs"
    assert candidate.publication_date == "1988-01-22"
    assert candidate.authors[0].name == "Romain Gary"
    assert candidate.covers[0].url == "https://covers.openlibrary.org/b/id/967767-L.jpg"


def test_a_record_with_only_an_isbn10_and_no_cover(http, openlibrary):
    http.get(
        BOOKS_API,
        body=body(
            "openlibrary", "synthetic-books_api__ISBN_9782070379040__no_cover_no_isbn13.json"
        ),
    )

    [candidate] = openlibrary.lookup_isbns(["9782070379040"])["9782070379040"].candidates

    assert candidate.title == "Les Enchanteurs"
    assert candidate.isbn13 == ["9782070379040"]  # derived from its ISBN-10 2070379043
    assert candidate.covers == []


def test_a_batch_answer_has_keys_only_for_the_isbns_found(http, openlibrary):
    http.get(
        BOOKS_API,
        body=body("openlibrary", "synthetic-books_api__ISBN_9780316030571_9782070379040.json"),
    )

    results = openlibrary.lookup_isbns(["9780316030571", "9782070379040", "9780000000002"])

    assert len(http.calls) == 1
    assert http.calls[0].request.params["bibkeys"] == (
        "ISBN:9780316030571,ISBN:9782070379040,ISBN:9780000000002"
    )
    assert results["9780316030571"].candidates[0].title == "Use of Weapons"
    assert results["9782070379040"].candidates[0].title == "Les Enchanteurs"
    assert results["9780000000002"].status == LookupStatus.NOT_FOUND
    statuses = dict(SourceRecord.objects.values_list("lookup_key", "status"))
    assert statuses == {
        "isbn:9780316030571": "hit",
        "isbn:9782070379040": "hit",
        "isbn:9780000000002": "miss",
    }


def test_250_isbns_take_exactly_3_requests_of_at_most_100(http, openlibrary, settings):
    from tests.factories import make_isbn13

    settings.OPENLIBRARY_BATCH_SIZE = 100
    http.get(BOOKS_API, json={})
    isbns = [make_isbn13() for _ in range(250)]

    results = openlibrary.lookup_isbns(isbns)

    sizes = [len(call.request.params["bibkeys"].split(",")) for call in http.calls]
    assert sizes == [100, 100, 50]
    assert set(results) == set(isbns)
    assert {result.status for result in results.values()} == {LookupStatus.NOT_FOUND}


def test_edition_record_with_a_typed_description_format_and_language(http, openlibrary):
    # The JSON column of a real dump line: the same document /books/OL3421079M.json serves.
    http.get(
        "https://openlibrary.org/books/OL3421079M.json",
        body=body("openlibrary", "edition__OL3421079M__from_dump.json"),
    )
    author = http.get("https://openlibrary.org/authors/OL22242A.json", status=404)

    result = openlibrary.edition("OL3421079M")

    [candidate] = result.candidates
    assert candidate.title == "The Brothers Karamazov"
    assert candidate.description.startswith("Completed only a few months")
    assert candidate.format == "paperback"
    assert candidate.language == "en"
    assert candidate.isbn13 == ["9780486437910"] and candidate.isbn10 == ["0486437914"]
    assert candidate.provider_ids["openlibrary_work"] == "OL10432709W"
    assert candidate.publisher == "Dover Publications"
    assert candidate.publication_date == "2005"
    assert [c.cover_id for c in candidate.covers if c.size_label == "L"] == ["314291"]
    assert Contributor("Constance Garnett", "translator") in candidate.authors
    # Edition records name their authors by key: the client asks for the author record.
    assert author.call_count == 1
    assert result.candidates[0].cache_key == "edition:OL3421079M"


def test_edition_record_covers_and_credited_contributors(http, openlibrary):
    http.get(
        "https://openlibrary.org/books/OL23109860M.json",
        body=body("openlibrary", "edition__OL23109860M__isbn_9780743273565.json"),
    )
    http.get("https://openlibrary.org/authors/OL27349A.json", status=404)

    [candidate] = openlibrary.edition("OL23109860M").candidates

    assert candidate.title == "The Great Gatsby"
    assert candidate.authors == [Contributor("Francis Cugat", "illustrator")]  # "Cover Art"
    assert [c.cover_id for c in candidate.covers if c.size_label == "L"] == [
        "6776207",
        "6725316",
        "6390463",
    ]
    assert all(re.search(r"/b/id/\d+-[LM]\.jpg$", cover.url) for cover in candidate.covers)
    assert candidate.format == "paperback"  # "Trade Paperback"
    assert candidate.provider_ids["google_books"] == "iXn5U2IzVH0C"
    assert "Fiction" in candidate.subjects  # genres join the subjects (without MARC's full stop)


def test_descriptions_come_as_a_string_or_as_a_typed_value():
    assert description_text("A plain description.") == "A plain description."
    assert description_text({"type": "/type/text", "value": " Typed. "}) == "Typed."
    assert description_text(None) == ""


def test_work_record_with_a_typed_description_covers_and_subjects(http, openlibrary):
    # The JSON column of a real dump line: the same document /works/OL100126W.json serves.
    http.get(
        "https://openlibrary.org/works/OL100126W.json",
        body=body("openlibrary", "work__OL100126W__from_dump.json"),
    )
    http.get("https://openlibrary.org/authors/OL32262A.json", status=404)

    [candidate] = openlibrary.work("OL100126W").candidates

    assert candidate.title == ".45-Caliber Deathtrap"
    assert candidate.description.startswith("After Cuno Massey")
    assert [c.url for c in candidate.covers] == [
        "https://covers.openlibrary.org/b/id/1225920-L.jpg",
        "https://covers.openlibrary.org/b/id/1225920-M.jpg",
    ]
    assert candidate.subjects[:2] == ["Western", "Fiction"]
    assert candidate.source_url == "https://openlibrary.org/works/OL100126W"


def test_author_record(http, openlibrary):
    http.get(
        "https://openlibrary.org/authors/OL1A.json", body=body("openlibrary", "author__OL1A.json")
    )

    [candidate] = openlibrary.author("OL1A").candidates

    assert candidate.authors == [Contributor("Sachi Rautroy", "author", "OL1A")]


def test_a_missing_record_is_not_found(http, openlibrary):
    http.get(
        "https://openlibrary.org/works/OL1W.json",
        status=404,
        body=body("openlibrary", "synthetic-work__OL1W__notfound.json"),
    )

    assert openlibrary.work("OL1W").status == LookupStatus.NOT_FOUND


def test_search_turns_works_into_candidates_with_isbns(http, openlibrary):
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json"),
    )

    result = openlibrary.search(title="The Lord of the Rings", author="J. R. R. Tolkien")

    first = result.candidates[0]
    assert first.title == "The Lord of the Rings"
    assert first.authors[0].name == "J. R. R. Tolkien"
    assert first.first_published_year == 1954
    assert "9780395193952" in first.isbn13
    assert first.covers[0].url == "https://covers.openlibrary.org/b/id/6308838-L.jpg"
    assert first.provider_ids["openlibrary_work"]
    assert len(result.candidates) > 1
    assert first.cache_key == "search:the lord of the rings|j r r tolkien"


def test_a_search_result_proposes_only_what_every_edition_of_the_work_shares(http, openlibrary):
    """A search result is a work: its `language` and `publisher` list every edition's (the
    Lord of the Rings: ["spa", "eng"], 33 publishers). Their first is no edition's language or
    publisher, and was proposed as this book's (a Spanish Lord of the Rings)."""
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json"),
    )
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__this_is_how_you_lose_the_time_war.json"),
    )

    lotr = openlibrary.search(title="The Lord of the Rings", author="Tolkien").candidates[0]
    time_war = openlibrary.search(title="This Is How You Lose the Time War", author="").candidates

    assert (lotr.language, lotr.publisher) == ("", "")
    assert (time_war[0].language, time_war[0].publisher) == ("en", "Simon and Schuster")


def test_search_reads_the_2013_schema(http, openlibrary):
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json"),
    )

    candidates = openlibrary.search(title="lord of the rings", author="tolkien").candidates

    assert len(candidates) == 81
    first = candidates[0]
    assert first.provider_ids == {"openlibrary_work": "OL27448W"}  # a bare key in 2013
    assert first.isbn13[0] == "9780395193952"
    assert "9780261103405" in first.isbn13  # from the ISBN-10 0261103407
    assert first.authors[0] == Contributor("J. R. R. Tolkien", "author", "OL26320A")


def test_a_title_cut_inside_its_parenthesis_and_a_quoted_publisher(http, openlibrary):
    """Open Library's real search answer lists "The Fellowship of the Ring (Lord of the Rings"
    (a bookseller's listing cut inside its series) and the publisher `"Kniga"` in the quotation
    marks Russian catalogues put around a name: the title without the broken parenthesis, the
    publisher without the marks."""
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json"),
    )

    candidates = openlibrary.search(title="lord of the rings", author="tolkien").candidates

    titles = [c.title for c in candidates]
    assert "The Fellowship of the Ring" in titles and "The Return of the King" in titles
    assert not [title for title in titles if title.count("(") > title.count(")")]
    fellowship = next(c for c in candidates if c.title == "The Fellowship of the Ring")
    assert fellowship.notes[-1] == (
        "The title ends in a parenthesis never closed, dropped: “(Lord of the Rings”."
    )
    russian = next(c for c in candidates if c.title == "Vlastelin Kolec / Lord of the Rings")
    assert russian.publisher == "Kniga"
    # A title whose parentheses close keeps them.
    assert "Tolkien 12 SW (Lord of Rings)" in titles


def test_a_title_keeps_no_separator_left_at_its_end(http, openlibrary):
    """The real edition OL10057430M is titled "Official Journal of the European Communities: "
    (its subtitle filed apart): the title is proposed without the colon."""
    line = next(
        line
        for line in (DUMP_FIXTURES / "booklink_editions_head300.txt")
        .read_text(encoding="utf-8")
        .splitlines()
        if line.split("\t")[1] == "/books/OL10057430M"
    )
    http.get("https://openlibrary.org/books/OL10057430M.json", body=line.split("\t")[4])

    [candidate] = openlibrary.edition("OL10057430M").candidates

    assert candidate.title == "Official Journal of the European Communities"
    assert candidate.notes == []


def test_an_edition_no_work_holds_is_found_as_that_edition(http, openlibrary):
    """Open Library's search lists an edition that belongs to no work under a work's path with
    the edition's own id ("/works/OL12746338M"): that id names the edition, never a work (no
    /works/OL…M record exists). Read as a work key it was proposed as the book's work and
    linked reviewers to a missing page, and a book holding that edition key was not known as
    that record."""
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__start100__2019__orphaned_editions.json"),
    )

    candidates = openlibrary.search(title="Vor-Ort-Analytik", author="Barczewski").candidates

    orphan = next(c for c in candidates if c.title.startswith("Vor-Ort-Analytik"))
    assert orphan.provider_ids == {"openlibrary_edition": "OL12746338M"}
    assert orphan.publisher == "Schmidt"  # "Schmidt, Berlin": Berlin is where, not who
    assert orphan.source_url == "https://openlibrary.org/books/OL12746338M"
    assert "openlibrary_work_key" not in merge_candidates([orphan]).fields
    ours = BookQuery(
        title="Vor-Ort-Analytik für die Erkundung von kontaminierten Standorten",
        authors=("Baldur Barczewski",),
        openlibrary_edition_key="OL12746338M",
    )
    assert score_candidate(ours, orphan).tier == Tier.HIGH
    works = [
        c.provider_ids["openlibrary_work"]
        for c in candidates
        if c.provider_ids.get("openlibrary_work")
    ]
    assert works and all(key.endswith("W") for key in works)  # real works keep their key
    assert sum("openlibrary_edition" in c.provider_ids for c in candidates) == 19


def test_marc_language_codes_become_the_catalogs_codes(http, openlibrary):
    """Open Library writes languages in MARC codes, some of them no ISO 639-2 code: "ice"
    (Icelandic) and the discontinued "esp" (Esperanto), which read as "Spanish" to a reviewer.
    Both become the catalog's ISO 639-1 code, in the candidate and in what is proposed."""
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__start100__2019__orphaned_editions.json"),
    )

    candidates = openlibrary.search(title="Íslandsferð 1858", author="").candidates
    by_title = {c.title: c for c in candidates}

    esperanto, icelandic = by_title["El tero kaj etero"], by_title["Íslandsferð 1858"]
    assert (esperanto.language, icelandic.language) == ("eo", "is")
    proposed = merge_candidates([esperanto]).fields["language"].value
    assert proposed == "eo"


def test_a_marc_genres_closing_full_stop_is_no_part_of_the_subject(http, openlibrary, make):
    """Open Library's MARC records end each genre with the catalogue's full stop ("Fiction."):
    beside Google Books' "Fiction" the merged subjects listed both, and a subject never
    matched another provider's spelling of it."""
    http.get(
        "https://openlibrary.org/books/OL3421079M.json",
        body=body("openlibrary", "edition__OL3421079M__from_dump.json"),
    )
    http.get("https://openlibrary.org/authors/OL22242A.json", status=404)
    http.get(
        "https://www.googleapis.com/books/v1/volumes",
        body=body("google_books", "volumes__q_children_of_time_2015.json"),
    )

    [edition] = openlibrary.edition("OL3421079M").candidates
    google = make(GoogleBooksProvider).search(title="Children of Time", author="").candidates[0]
    merged = merge_candidates([edition, google]).fields["subjects"].value

    assert edition.subjects[-1] == "Fiction"
    assert google.subjects == ["Fiction"]
    assert merged.count("Fiction") == 1 and "Fiction." not in merged
    assert "Russia -- Social life and customs -- 1533-1917 -- Fiction" in merged


def test_a_name_keeps_no_marc_closing_full_stop(http, openlibrary):
    """Names catalogued from MARC headings end in the heading's full stop ("Sigurður
    Ægisson."): no part of the name a new author would be created with; initials keep theirs."""
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__start100__2019__orphaned_editions.json"),
    )
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json"),
    )

    names = {
        person.name
        for candidate in openlibrary.search(title="Icelandic whales", author="").candidates
        for person in candidate.authors
    }
    tolkien = openlibrary.search(title="The Lord of the Rings", author="Tolkien").candidates

    assert {"Sigurður Ægisson", "Halldór Halldórsson", "Ólafur Kvaran"} <= names
    assert not any(name.endswith("son.") for name in names)
    assert tolkien[0].authors[0].name == "J. R. R. Tolkien"


def test_one_unreadable_search_doc_leaves_the_others_of_the_answer(http, openlibrary):
    # The real 2013 answer with its second doc's author list replaced by a number (built here,
    # not recorded): that doc is left out, the other 80 works still count.
    answer = load("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json")
    answer["docs"][1]["author_key"] = 7
    http.get("https://openlibrary.org/search.json", json=answer)

    result = openlibrary.search(title="The Lord of the Rings", author="Tolkien")

    assert result.status == LookupStatus.FOUND
    assert len(result.candidates) == 80
    assert result.candidates[0].provider_ids == {"openlibrary_work": "OL27448W"}


def test_an_author_open_library_keeps_twice_is_proposed_once(http, openlibrary):
    """Open Library keeps two records of Andrzej Sapkowski (OL368638A, OL7212792A), and its
    real search result for The Last Wish names him once for each: he was proposed twice
    ("Andrzej Sapkowski, Andrzej Sapkowski") and the audit log credited him twice."""
    doc = load("openlibrary", "search_doc__OL2577482W__the_last_wish__2021.json")
    http.get("https://openlibrary.org/search.json", json={"numFound": 1, "start": 0, "docs": [doc]})

    [candidate] = openlibrary.search(title="The Last Wish", author="Sapkowski").candidates

    assert candidate.authors == [Contributor("Andrzej Sapkowski", provider_id="OL368638A")]
    assert [person.name for person in merge_candidates([candidate]).authors] == [
        "Andrzej Sapkowski"
    ]


def test_the_internet_archives_lending_flags_are_no_subjects(http, openlibrary):
    """The real work record OL10013W (Romancero de Champagne) files "Accessible book", the
    Internet Archive's flag for a book a print-disabled reader may borrow, among its subjects:
    it was proposed to the librarian as one."""
    line = next(
        line
        for line in (DUMP_FIXTURES / "booklink_works_head300.txt")
        .read_text(encoding="utf-8")
        .splitlines()
        if line.split("\t")[1] == "/works/OL10013W"
    )
    http.get("https://openlibrary.org/works/OL10013W.json", body=line.split("\t")[4])
    http.get("https://openlibrary.org/authors/OL280378A.json", status=404)

    [candidate] = openlibrary.work("OL10013W").candidates

    assert candidate.title == "Romancero de Champagne"
    # Its places (`subject_places`) follow its subjects.
    assert candidate.subjects == [
        "French literature",
        "French poetry",
        "Champagne-Ardenne",
        "France",
    ]


def test_the_new_york_times_lists_machine_tags_are_no_subjects(http, openlibrary):
    """The real work record of Quiet (OL16484595W) files the New York Times lists it was on as
    machine tags among its subjects, one with its key capitalised:
    "Nyt:paperback-nonfiction=2013-02-17" was proposed to the librarian as a subject. So were
    the lists in words ("New York Times bestseller", "New York Times reviewed"), a bookseller's
    reading levels ("Reading Level-Grade 11") and a large-print edition's "Large type books"
    (the work gathers its editions' subjects): none says what the book is about."""
    http.get(
        "https://openlibrary.org/works/OL16484595W.json",
        body=body("openlibrary", "work__OL16484595W__quiet.json"),
    )
    http.get("https://openlibrary.org/authors/OL7071534A.json", status=404)

    [candidate] = openlibrary.work("OL16484595W").candidates

    assert candidate.subjects == [
        "Extraversion",
        "Introverts",
        "Interpersonal relations",
        "Introversion",
        "Self-actualization (psychology)",
        "Temperament",
        "Popular Works",
        "Psychological Introversion",
        "Psychological Extraversion",
        "Personality",
        "Introversion (Psychology)",
        "Extraversion (Psychology)",
    ]


def test_the_lists_a_book_is_on_are_no_subjects(http, openlibrary):
    """The real Books API record of Use of Weapons names the Long Now Foundation's list it is on
    ("Long Now Manual for Civilization") among its subjects: a list, not what the book is
    about, and it was proposed as a subject."""
    http.get(BOOKS_API, body=body("openlibrary", "books_api_jscmd_data__ISBN_9780316030571.json"))

    [candidate] = openlibrary.lookup_isbns(["9780316030571"])["9780316030571"].candidates

    assert candidate.subjects == [
        "Fiction",
        "Science Fiction",
        "Science Fiction & Fantasy",
        "Space warfare",
    ]


def test_a_publisher_catalogued_as_unknown_is_no_publisher(http, openlibrary):
    """Catalogues write "[s. n.]" (sine nomine) where the publisher is not known, as the real
    edition OL22094553M does: no publisher's name, never proposed (and the merge, which
    prefers the shortest publisher, chose it over a real name)."""
    line = next(
        line
        for line in (DUMP_FIXTURES / "booklink_editions_grep_dostoyevsky50.txt")
        .read_text(encoding="utf-8")
        .splitlines()
        if line.split("\t")[1] == "/books/OL22094553M"
    )
    http.get("https://openlibrary.org/books/OL22094553M.json", body=line.split("\t")[4])

    [candidate] = openlibrary.edition("OL22094553M").candidates

    assert candidate.title == "Dostojewskij und Tübingen"
    assert candidate.publisher == ""


def test_a_year_written_as_december_31_is_proposed_as_the_year(http, openlibrary):
    """Open Library's bulk imports wrote a year alone as "December 31, <year>" (177 of the 266
    dates with a day in the real dump slice): the real edition OL10002595M, a 1992 bill, is
    proposed as published in 1992, not on 31 December 1992."""
    line = next(
        line
        for line in (DUMP_FIXTURES / "booklink_editions_head300.txt")
        .read_text(encoding="utf-8")
        .splitlines()
        if line.split("\t")[1] == "/books/OL10002595M"
    )
    http.get("https://openlibrary.org/books/OL10002595M.json", body=line.split("\t")[4])
    http.get("https://openlibrary.org/authors/OL2656742A.json", status=404)

    [candidate] = openlibrary.edition("OL10002595M").candidates

    assert candidate.title == "British Coal and British Rail (Transfer Proposals) Bill"
    assert candidate.publication_date == "1992"


def test_hosts_come_from_settings(http, make, settings):
    settings.OPENLIBRARY_URL = "http://127.0.0.1:8765"
    settings.OPENLIBRARY_COVERS_URL = "http://127.0.0.1:8766"
    http.get(
        "http://127.0.0.1:8765/api/books",
        body=body("openlibrary", "books_api_jscmd_data__ISBN_9780316030571.json"),
    )

    [candidate] = (
        make(OpenLibraryProvider).lookup_isbns(["9780316030571"])["9780316030571"].candidates
    )

    assert candidate.covers[0].url == "http://127.0.0.1:8766/b/id/2379038-L.jpg"
    assert candidate.source_url == "http://127.0.0.1:8765/books/OL10426208M"


def test_an_audiobooks_page_count_is_not_proposed(http, openlibrary):
    """The real record of Sabriel on Collins Audio cassettes (OL9922813M, one of the editions
    of OL15832982W) says "640 pages": an audiobook has none, and 640 was proposed as the
    edition's page count. A printed edition of the same work keeps its pages."""
    entries = load("openlibrary", "work_editions__OL15832982W.json")["entries"]
    cassettes = next(e for e in entries if e["key"] == "/books/OL9922813M")
    printed = next(e for e in entries if e.get("physical_format") == "Paperback")
    for record in (cassettes, printed):
        http.get(f"https://openlibrary.org{record['key']}.json", json=record)
    http.get(re.compile(r"https://openlibrary\.org/authors/.*"), status=404)

    [audiobook] = openlibrary.edition("OL9922813M").candidates
    [paperback] = openlibrary.edition(printed["key"].rsplit("/", 1)[1]).candidates

    assert (audiobook.format, audiobook.page_count) == ("audiobook", None)
    assert any("640" in note and "audiobook" in note for note in audiobook.notes)
    assert (paperback.format, paperback.page_count) == ("paperback", printed["number_of_pages"])
