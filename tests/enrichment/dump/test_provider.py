"""The openlibrary_dump provider: Candidates from the dump tables, the cover chain, batching."""

import json

import pytest
from django.db import connection
from django.utils import translation

from catalog import isbn
from enrichment.candidate_notes import note_text
from enrichment.candidates import Contributor, CoverRef, LookupStatus
from enrichment.dump import tables
from enrichment.providers import enabled_providers, get_provider
from enrichment.providers.openlibrary_dump import OpenLibraryDumpProvider
from tests.enrichment.dump.conftest import REAL_EDITIONS, fixture_path, real_lines
from tests.synthetic_translations import use_synthetic_catalog

pytestmark = pytest.mark.django_db(transaction=True)

# The synthetic join set (tests/fixtures/openlibrary_dump/synthetic-*.txt): 979-0 ISBNs.
OWN_COVER = "9790000000018"  # OL99000001M, cover 99000101; its work has 99000201
WORK_COVER = "9790000000025"  # OL99000002M, no cover; work OL99000001W has 99000201
SIBLING_COVER = "9790000000032"  # OL99000003M, covers [-1]; siblings OL99000004M, OL99000005M
NO_COVER = "9790000000063"  # OL99000006M: no cover in the edition, work or siblings
MISSING_WORK = "9790000000070"  # OL99000007M: work OL99000009W absent; sibling OL99000008M
ONLY_ISBN10 = "999999007X"  # OL99000009M


@pytest.fixture
def provider():
    return OpenLibraryDumpProvider()


def test_an_edition_with_its_own_cover_looks_like_the_online_clients_candidate(
    synthetic, provider, settings
):
    settings.OPENLIBRARY_COVERS_URL = "https://covers.example.org"
    settings.OPENLIBRARY_URL = "https://ol.example.org"

    result = provider.lookup_isbns([OWN_COVER])[OWN_COVER]

    assert result.status == LookupStatus.FOUND
    assert result.provider == "openlibrary_dump"
    [candidate] = result.candidates
    assert candidate.provider == "openlibrary_dump"
    assert candidate.provider_ids == {
        "openlibrary_edition": "OL99000001M",
        "openlibrary_work": "OL99000001W",
    }
    assert candidate.isbn13 == [OWN_COVER]
    assert candidate.queried_isbn == OWN_COVER
    assert candidate.title == "Synthetic edition with its own cover"
    assert candidate.authors == [Contributor("Synthetic Author One", "author", "OL99000001A")]
    assert candidate.publisher == "Synthetic Press"
    assert candidate.publication_date == "2001"
    assert candidate.description == "A plain-string description."
    assert candidate.subjects == ["Synthetic subject"]
    assert candidate.first_published_year == 1999
    assert candidate.covers == [
        CoverRef(
            "openlibrary_dump", "https://covers.example.org/b/id/99000101-L.jpg", "99000101", "L"
        ),
        CoverRef(
            "openlibrary_dump", "https://covers.example.org/b/id/99000101-M.jpg", "99000101", "M"
        ),
    ]
    assert candidate.source_url == "https://ol.example.org/books/OL99000001M"
    assert candidate.notes == ["cover from the edition"]


@pytest.mark.parametrize(
    ("asked", "cover_id", "note"),
    [
        (WORK_COVER, "99000201", "cover from the work OL99000001W"),
        (SIBLING_COVER, "99000104", "cover from sibling edition OL99000004M of work OL99000002W"),
        (MISSING_WORK, "99000108", "cover from sibling edition OL99000008M of work OL99000009W"),
        (NO_COVER, None, "no cover in the edition, its work or another edition of the work"),
    ],
)
def test_the_cover_chain_edition_work_sibling(synthetic, provider, asked, cover_id, note):
    [candidate] = provider.lookup_isbns([asked])[asked].candidates

    assert [ref.cover_id for ref in candidate.covers][:1] == ([cover_id] if cover_id else [])
    assert candidate.notes == [note]


def test_a_sibling_lends_all_its_cover_ids_in_order(synthetic, provider):
    [candidate] = provider.lookup_isbns([SIBLING_COVER])[SIBLING_COVER].candidates

    assert [(ref.cover_id, ref.size_label) for ref in candidate.covers] == [
        ("99000104", "L"),
        ("99000104", "M"),
        ("99000114", "L"),
        ("99000114", "M"),
    ]
    assert candidate.page_count == 320
    assert candidate.description == "A typed description."
    assert candidate.authors == [Contributor("Synthetic Author Two", "author", "OL99000002A")]


def test_an_isbn10_only_edition_answers_its_isbn13(synthetic, provider):
    isbn13 = isbn.to_isbn13(ONLY_ISBN10)

    results = provider.lookup_isbns([ONLY_ISBN10])

    [candidate] = results[isbn13].candidates
    assert candidate.provider_ids == {"openlibrary_edition": "OL99000009M"}
    assert (candidate.isbn13, candidate.isbn10) == ([isbn13], [ONLY_ISBN10])


def test_unknown_and_invalid_isbns(synthetic, provider):
    results = provider.lookup_isbns(["9780306406157", "12345"])

    assert results["9780306406157"].status == LookupStatus.NOT_FOUND
    assert results["12345"].status == LookupStatus.NOT_FOUND
    assert results["12345"].error == "not a valid ISBN"


def test_two_editions_with_the_same_isbn_are_two_candidates(load_dump, dump_file, provider):
    lines = fixture_path("synthetic-editions.txt").read_bytes().splitlines(keepends=True)
    # A second record of OL99000001M's ISBN: the first line again under another key.
    twin = lines[0].replace(b"OL99000001M", b"OL99000010M")
    load_dump(editions=dump_file(b"".join([*lines, twin])))

    candidates = provider.lookup_isbns([OWN_COVER])[OWN_COVER].candidates

    assert [c.provider_ids["openlibrary_edition"] for c in candidates] == [
        "OL99000001M",
        "OL99000010M",
    ]


def test_a_batch_of_1000_isbns_costs_a_few_queries(
    load_dump, dump_file, provider, django_assert_max_num_queries
):
    load_dump(
        editions=dump_file(real_lines(REAL_EDITIONS)), works=fixture_path("synthetic-works.txt")
    )
    known = ["9780107805401", "9780704325425", OWN_COVER]
    asked = known + [
        (first12 := f"978{n:09d}") + isbn.isbn13_check_digit(first12)
        for n in range(100_000_000, 100_000_997)
    ]

    with django_assert_max_num_queries(8):
        results = provider.lookup_isbns(asked)

    assert len(results) == 1000
    found = {key for key, result in results.items() if result.status == LookupStatus.FOUND}
    assert found == {"9780107805401", "9780704325425"}


def test_not_configured_until_a_dump_is_loaded(load_dump, dump_file, provider, settings):
    settings.ENRICHMENT_PROVIDERS = ["openlibrary_dump", "google_books"]
    assert not provider.is_configured()
    assert provider.lookup_isbns([OWN_COVER])[OWN_COVER].status == LookupStatus.NOT_CONFIGURED
    assert [p.name for p in enabled_providers()] == ["google_books"]

    tables.create_new_tables("edition")  # tables exist, but hold nothing
    with connection.cursor() as cursor:
        for table in ("edition", "isbn"):
            cursor.execute(
                f"ALTER TABLE {tables.new_name(table)} RENAME TO {tables.live_name(table)}"
            )
    assert not provider.is_configured()

    load_dump(editions=fixture_path("synthetic-editions.txt"), options=["--allow-shrink"])
    assert provider.is_configured()
    assert [p.name for p in enabled_providers()] == ["openlibrary_dump", "google_books"]


def test_the_registry_builds_it_and_its_title_search_skips_itself_without_a_dump(provider):
    assert isinstance(get_provider("openlibrary_dump"), OpenLibraryDumpProvider)
    assert provider.batch_size == 1000
    assert provider.supports_search
    result = provider.search(title="Anything", author="Anyone")
    assert result.status == LookupStatus.NOT_CONFIGURED
    assert result.was_skipped


def test_a_dumps_long_title_is_cut_like_an_online_answer(load_dump, dump_file, provider):
    # The synthetic editions with OL99000001M's title made 2,000 words long.
    editions = fixture_path("synthetic-editions.txt").read_bytes()
    long_title = " ".join(f"word{i}" for i in range(2_000))
    editions = editions.replace(b"Synthetic edition with its own cover", long_title.encode(), 1)
    load_dump(editions=dump_file(editions, name="editions.txt"))

    (candidate,) = provider.lookup_isbns([OWN_COVER])[OWN_COVER].candidates

    assert len(candidate.title) <= 500
    assert long_title.startswith(candidate.title)
    assert any("title cut to 500 characters" in note for note in candidate.notes)


def test_an_authors_heading_is_named_in_reading_order(load_dump, dump_file, provider):
    """The dump's author records are catalogue headings (`Kiss, Lenke.`, real lines): the
    candidate names the person as written, `Lenke Kiss`, and a meeting's heading as it is. A
    real edition line, linked to the two real author lines as test_candidates_unchanged links
    them."""
    authors = [
        line
        for line in fixture_path("booklink_authors_tail300.txt").read_bytes().splitlines()
        if line.split(b"\t")[1] in (b"/authors/OL808070A", b"/authors/OL796348A")
    ]
    columns = real_lines(REAL_EDITIONS).splitlines()[0].split(b"\t")
    record = json.loads(columns[4])
    record["authors"] = [{"key": "/authors/OL808070A"}, {"key": "/authors/OL796348A"}]
    columns[4] = json.dumps(record).encode()
    load_dump(
        editions=dump_file(b"\t".join(columns) + b"\n", name="editions.txt"),
        authors=dump_file(b"\n".join(authors) + b"\n", name="authors.txt"),
    )
    [asked] = record["isbn_13"]

    [candidate] = provider.lookup_isbns([asked])[asked].candidates

    assert [person.name for person in candidate.authors] == [
        "Lenke Kiss",
        "Conferencia por la Paz (1st 1990 Lima, Peru)",
    ]


FRENCH_NOTES = {
    "cover from the edition": "couverture de l’édition",
    "cover from the work %(work)s": "couverture de l’œuvre %(work)s",
    "cover from sibling edition %(edition)s of work %(work)s": (
        "couverture de l’édition sœur %(edition)s de l’œuvre %(work)s"
    ),
    "no cover in the edition, its work or another edition of the work": (
        "aucune couverture dans l’édition, son œuvre ni une autre édition de l’œuvre"
    ),
}


@pytest.mark.parametrize(
    ("asked", "note"),
    [
        (OWN_COVER, "couverture de l’édition"),
        (WORK_COVER, "couverture de l’œuvre OL99000001W"),
        (SIBLING_COVER, "couverture de l’édition sœur OL99000004M de l’œuvre OL99000002W"),
        (NO_COVER, "aucune couverture dans l’édition, son œuvre ni une autre édition de l’œuvre"),
    ],
)
def test_the_cover_chain_note_is_in_the_sites_language(
    synthetic, provider, monkeypatch, asked, note
):
    """A reviewer reads the chain step among the request's candidates: it was written in
    English whatever the site's language, past gettext."""
    use_synthetic_catalog(monkeypatch, FRENCH_NOTES)

    [candidate] = provider.lookup_isbns([asked])[asked].candidates

    assert candidate.notes == [note]


def test_a_batch_switches_to_english_once_for_its_notes_not_once_a_note(
    synthetic, provider, monkeypatch
):
    """Each candidate's notes keep their English text (said in the reader's language when
    shown); writing them switched the language to English and back for every note, about half
    of a note's cost over a batch of 1,000 ISBNs (issue 18, goal 4: < 50 ms a batch)."""
    switched = []
    real_activate = translation._trans.activate
    monkeypatch.setattr(
        translation._trans,
        "activate",
        lambda language: switched.append(language) or real_activate(language),
    )
    asked = [OWN_COVER, WORK_COVER, SIBLING_COVER, NO_COVER, MISSING_WORK]

    with translation.override("fr"):
        results = provider.lookup_isbns(asked)
        switched.clear()  # the override's own switch, and the first batch's
        results = provider.lookup_isbns(asked)
        during = list(switched)

    notes = [note for isbn13 in asked for c in results[isbn13].candidates for note in c.notes]
    assert len(notes) >= 5
    assert during == ["en", "fr"]  # to English for the batch, then back
    assert "cover from the edition" in notes
    assert any(note.startswith("cover from sibling edition OL99000004M") for note in notes)
    assert all(note.message and note == note_text(note) for note in notes)
