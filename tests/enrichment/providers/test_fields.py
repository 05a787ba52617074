"""The provider fields' readers (pure): the text caps (what is cut, where, and the note reviewers
see) and the bindings."""

import json
from pathlib import Path

import pytest

from catalog.importers.publishers import publisher_name as import_publisher_name
from catalog.models import Author, Edition, Work
from enrichment.candidates import Candidate, Contributor
from enrichment.providers import fields, settle


def cut(**values) -> Candidate:
    return fields.cap_candidate_text(Candidate(provider="openlibrary", **values))


def words(count: int, word: str = "word") -> str:
    return " ".join(f"{word}{i}" for i in range(count))


def test_a_candidate_within_every_cap_is_left_alone_without_a_note():
    candidate = cut(
        title="Use of Weapons",
        description="A short one.",
        subjects=["Fiction"],
        authors=[Contributor("Iain M. Banks")],
    )
    assert (candidate.title, candidate.description, candidate.notes) == (
        "Use of Weapons",
        "A short one.",
        [],
    )


def test_each_text_field_is_cut_at_a_word_to_fit_its_column():
    long = words(20_000)
    candidate = cut(title=long, subtitle=long, publisher=long, description=long)

    columns = {
        "title": Work._meta.get_field("title").max_length,
        "subtitle": Edition._meta.get_field("subtitle").max_length,
        "publisher": Edition._meta.get_field("publisher").max_length,
        "description": fields.DESCRIPTION_MAX_CHARS,
    }
    for name, limit in columns.items():
        value = getattr(candidate, name)
        assert 0.9 * limit < len(value) <= limit, name
        assert long[len(value)] == " ", name  # ends with a whole word
    (note,) = candidate.notes
    assert note == (
        "The provider's answer was too long: title cut to 500 characters; subtitle cut to 500 "
        "characters; publisher cut to 255 characters; description cut to 20,000 characters."
    )


def test_subjects_are_limited_in_number_and_length():
    candidate = cut(subjects=[f"Subject {i}" for i in range(10_000)])
    assert candidate.subjects == [f"Subject {i}" for i in range(50)]

    candidate = cut(subjects=[words(100, "a"), words(100, "b"), "Short"])
    assert [len(s) <= fields.SUBJECT_MAX_CHARS for s in candidate.subjects] == [True] * 3
    assert candidate.subjects[2] == "Short"
    assert "subjects cut to 200 characters each" in candidate.notes[0]


def test_authors_are_limited_in_number_and_name_length():
    many = [Contributor(f"Author {i}", role="editor") for i in range(500)]
    candidate = cut(authors=many)
    assert candidate.authors == many[:50]

    candidate = cut(authors=[Contributor(words(200), provider_id="OL1A")])
    (author,) = candidate.authors
    assert len(author.name) <= Author._meta.get_field("name").max_length
    assert author.provider_id == "OL1A"
    assert "author names cut to 255 characters" in candidate.notes[0]


def test_ids_longer_than_their_column_are_dropped_never_cut():
    candidate = cut(
        provider_ids={
            "google_books": "x" * 33,
            "openlibrary_edition": "OL" + "1" * 100 + "M",
            "openlibrary_work": "OL27258W",
            "archive_org": "useofweapons00bank_0",
        },
        authors=[Contributor("Iain M. Banks", provider_id="OL" + "9" * 100 + "A")],
    )

    assert candidate.provider_ids == {
        "openlibrary_work": "OL27258W",
        "archive_org": "useofweapons00bank_0",
    }
    assert candidate.authors == [Contributor("Iain M. Banks")]
    assert (
        "ids too long to be real dropped: google_books, openlibrary_edition" in (candidate.notes[0])
    )


def test_storable_text_drops_nul_and_lone_surrogates():
    assert fields.storable("a\x00b") == "ab"
    assert fields.storable("caf\u00e9 \ud800") == "caf\u00e9 ?"
    assert fields.text("  Title\x00 ") == "Title"


def test_a_providers_binding_is_read_by_the_catalogs_table_of_bindings():
    # Real Open Library editions of one work: each physical_format as a reviewer should see it.
    path = (
        Path(__file__).parents[2] / "fixtures/providers/openlibrary/work_editions__OL15832982W.json"
    )
    editions = json.loads(path.read_text(encoding="utf-8"))["entries"]
    bindings = {edition["physical_format"] for edition in editions if "physical_format" in edition}
    read = {binding: fields.edition_format(binding) for binding in bindings}
    assert read == {
        "Hardcover": Edition.Format.HARDCOVER,
        "Paperback": Edition.Format.PAPERBACK,
        "School & Library Binding": Edition.Format.HARDCOVER,
        "Electronic resource": Edition.Format.EBOOK,
        "eBook": Edition.Format.EBOOK,
        "Audio CD": Edition.Format.AUDIOBOOK,
        "Audio Cassette": Edition.Format.AUDIOBOOK,
        "Unknown Binding": "",  # says no binding: the format stays empty, not "other"
    }
    # Bindings real exports write, read the same way from a provider as from an import.
    assert fields.edition_format("Leather Bound") == Edition.Format.HARDCOVER
    assert fields.edition_format("MP3 CD") == Edition.Format.AUDIOBOOK
    assert fields.edition_format("Board book") == Edition.Format.OTHER


def test_open_librarys_flags_and_machine_tags_are_no_subjects():
    """The subjects of a real Open Library search result (The Last Wish, 2021): the Internet
    Archive's lending flags, the New York Times list's machine tag and that list in words ("New
    York Times bestseller", a list the book was on, as "Open Library Staff Picks" is) say
    nothing of the book; every heading is kept."""
    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "providers" / "openlibrary"
    doc = json.loads((fixture / "search_doc__OL2577482W__the_last_wish__2021.json").read_text())

    assert fields.subjects(doc["subject"]) == [
        "Fantasy",
        "Fiction",
        "Translations into English",
        "Polish fiction",
        "Fiction, fantasy, general",
        "Fiction, fantasy, short stories",
    ]
    # The lists Open Library puts a book on, as its records write them.
    lists = ["Open Library Staff Picks", "Popular Print Disabled Books", "Foxes"]
    assert fields.subjects(lists) == ["Foxes"]
    # A heading with a colon is no machine tag: it has a space, or a capital after the colon.
    assert fields.subjects(["Fiction: general", "Audience:Children"]) == [
        "Fiction: general",
        "Audience:Children",
    ]


@pytest.mark.parametrize("unknown", ["N/A", "none", "[s. n.]", "[publisher not identified]", "---"])
def test_a_publisher_unknown_is_no_publisher_for_providers_and_imports_alike(unknown):
    # One rule (catalog.importers.publishers.names_no_publisher): a provider's "N/A" was proposed
    # as a publisher, and an export's "[s. n.]" was imported as one.
    assert fields.publisher_name([unknown, "Gollancz"]) == "Gollancz"
    assert import_publisher_name(unknown) == ""


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ('"Kniga"', "Kniga"),  # Open Library's real search answer (test_openlibrary)
        ("«Наука»", "Наука"),
        ("“Progress”", "Progress"),
        ('Izd-vo "Kniga"', 'Izd-vo "Kniga"'),  # quotes inside a name stay
        ('"Kniga" and "Mir"', '"Kniga" and "Mir"'),
    ],
)
def test_quotation_marks_around_a_whole_publisher_are_no_part_of_it(written, name):
    assert fields.publisher_name([written]) == name


def test_a_series_number_the_catalog_cannot_hold_leaves_the_subtitle_alone():
    """Synthetic: a number longer than Work.series_number (16) is no book's place in a series;
    the subtitle stays what the provider sent."""
    candidate = settle.series_from_subtitle(
        Candidate(provider="google_books", subtitle="Book 12345678901234567 of the Long Saga")
    )

    assert candidate.subtitle == "Book 12345678901234567 of the Long Saga"
    assert (candidate.series, candidate.series_number, candidate.notes) == ("", "", [])


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("St. Martin's Press, 1975.", "St. Martin's Press"),
        ("Gallimard, c1988", "Gallimard"),
        ("Orbit, [2008]", "Orbit"),
        ("The Baldur Press 1991.", "The Baldur Press"),
        # A number that is the name's own stays: no comma, no imprint's closing stop.
        ("Studio 2000", "Studio 2000"),
        ("Editions 1900", "Editions 1900"),
    ],
)
def test_the_year_an_imprint_writes_after_the_publisher_is_no_part_of_its_name(written, name):
    assert fields.publisher_name([written]) == name


@pytest.mark.parametrize(
    ("written", "name"),
    [
        # Real imprints in ISBD's "Place : Publisher" (Libris records, bookwyrm's recorded
        # libris_search.json; Archive.org's `publisher` is written the same way).
        ("Stockholm : Rabén & Sjögren", "Rabén & Sjögren"),
        ("[Oslo] : Damm", "Damm"),
        ("[Stockholm] : Albert Bonniers förlag", "Albert Bonniers förlag"),
        ("Falun : Ait Falun AB", "Ait Falun AB"),
        ("London ; New York : Penguin ; Toronto : Viking", "Penguin"),
        ("New York : Orbit, 2008.", "Orbit"),
        ("[S.l.] : [s.n.]", ""),  # no publisher at all
        # Open Library's real search answer (search__start100__2019__orphaned_editions.json).
        ("Schmidt, Berlin", "Schmidt"),
        # Real names with a comma keep it: no place after it.
        ("Little, Brown", "Little, Brown"),
        ("Harcourt, Brace and Company", "Harcourt, Brace and Company"),
        ("Houghton, Mifflin", "Houghton, Mifflin"),
        ("Kessinger Publishing, LLC", "Kessinger Publishing, LLC"),
        ("Orion Publishing Group, Limited", "Orion Publishing Group, Limited"),
        ("Langenscheidt Fachv., M.", "Langenscheidt Fachv., M."),
        # A colon inside a name, without ISBD's space before it, stays.
        ("Tor: A Tom Doherty Associates Book", "Tor: A Tom Doherty Associates Book"),
    ],
)
def test_the_place_an_imprint_names_with_the_publisher_is_no_part_of_its_name(written, name):
    """The catalog has no place of publication: the publisher alone is proposed."""
    assert fields.publisher_name([written]) == name


@pytest.mark.parametrize(
    ("written", "name"),
    [
        # A real Goodreads export's Publisher (tests/fixtures/imports/mapmyreads, Piketty's
        # Capital); Open Library's editions imported from the same trade feeds write it so.
        ("Belknap Press: An Imprint of Harvard University Press", "Belknap Press"),
        # Real catalogue imprints (NYPL's, and a library's record of Brigid Delaney's book).
        (
            "London ; New York, NY : Bloomsbury Academic, an imprint of Bloomsbury Publishing "
            "Plc, 2017.",
            "Bloomsbury Academic",
        ),
        ("New York : Harper, an imprint of HarperCollins Publishers", "Harper"),
        ("HarperOne - An Imprint of HarperCollins Publishers", "HarperOne"),
        ("Orbit : an imprint of Little, Brown", "Orbit"),
        ("Orbit, an imprint of Little, Brown, [2008]", "Orbit"),
        # No imprint before it: nothing to keep, the name stays as written.
        ("An imprint of Little, Brown", "An imprint of Little, Brown"),
        ("Imprint of Excellence Press", "Imprint of Excellence Press"),
    ],
)
def test_the_house_an_imprint_belongs_to_is_no_part_of_the_publisher(written, name):
    """The imprint is the publisher; before, "Orbit : an imprint of Little, Brown" was proposed
    as the publisher "an imprint of Little, Brown" (the " : " read as a place's)."""
    assert fields.publisher_name([written]) == name


def test_a_place_the_record_gives_is_read_off_the_publisher_after_a_comma():
    # Synthetic: an Open Library edition's `publishers` and `publish_places`; Bielefeld is no
    # place the importers know, the record says it is one.
    assert fields.publisher_name(["Schmidt, Bielefeld"], places=["Bielefeld"]) == "Schmidt"
    # A real dump line (booklink_editions_grep_dostoyevsky50.txt): Moskva is its place, not the
    # department named after the comma.
    written = "Moskovskiĭ pedagog. universitet, Kafedra russkoĭ klassicheskoĭ lit-ry"
    assert fields.publisher_name([written], places=["Moskva"]) == written


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("Engineering - Civil", ["Engineering", "Civil"]),
        ("Children's Audio - 9-12", ["Children's Audio"]),  # an age range is no subject
        # A span between two numbers, a MARC subdivision and a heading ending in a dash: no path.
        ("World War, 1939 - 1945", ["World War, 1939 - 1945"]),
        ("Foot -- Diseases.", ["Foot -- Diseases"]),
        ("Postwar, from c 1945 -", ["Postwar, from c 1945 -"]),
        ("Science-fiction", ["Science-fiction"]),
    ],
)  # fmt: skip
def test_a_path_joined_by_dashes_and_what_is_no_path(written, read):
    assert fields.subjects([written]) == read
