"""What every parsed record goes through (enrichment.providers.settle), as pure functions."""

import pytest

from enrichment.candidates import Candidate, Contributor
from enrichment.providers import settle


def test_every_short_text_field_is_proposed_single_spaced():
    """A double space, a tab or a line break inside a name (as Open Library's search has
    "Harper Collins Publishers  Stock Account") is one space; a description keeps its lines."""
    record = settle.settle_candidate(
        Candidate(
            provider="google_books",
            title="The Left Hand\tof  Darkness",
            subtitle="A  Novel\n",
            series="Hainish\u00a0 Cycle",
            authors=[Contributor("Ursula K.  Le Guin"), Contributor("Jo\u200b  Walton", "editor")],
            publisher="Ace\n Books",
            subjects=["Science  fiction"],
            description="First paragraph.\n\nSecond paragraph.",
        )
    )

    assert (record.title, record.subtitle, record.series, record.publisher) == (
        "The Left Hand of Darkness",
        "A Novel",
        "Hainish Cycle",
        "Ace Books",
    )
    assert record.authors == [Contributor("Ursula K. Le Guin"), Contributor("Jo Walton", "editor")]
    assert record.subjects == ["Science fiction"]
    assert record.description == "First paragraph.\n\nSecond paragraph."


def test_a_catalogue_s_closing_full_stop_is_dropped_but_an_abbreviation_or_an_ellipsis_stays():
    def title_of(title: str) -> str:
        return settle.settle_candidate(Candidate(provider="openlibrary", title=title)).title

    assert title_of("Crime and punishment.") == "Crime and punishment"
    assert title_of("And Then There Were None...") == "And Then There Were None..."
    assert title_of("Letters to Mr.") == "Letters to Mr."
    assert title_of("The Collected Poems of W. B.") == "The Collected Poems of W. B."


@pytest.mark.parametrize(
    ("series", "number", "publisher"),
    [
        # Real Open Library editions' `series` and `publishers` (the dump lines in
        # tests/fixtures/openlibrary_dump: booklink_editions_*.txt).
        ("The Library of America", "292", ""),  # OL26925052M
        ("Dover Giant Thrift Editions", "", "Dover Publications"),  # OL3421079M
        ("World's classics", "", "Oxford University Press"),  # OL23745796M
        ("Bantam Classic", "", "Bantam Books"),  # OL24937987M
        ("Routledge introductions to environment", "", "Routledge"),  # OL1002068M
        ("Cambridge companions to literature", "", "Cambridge University Press"),  # OL3567949M
        ("Illinois studies in language and literature", "63", "University of Illinois Press"),
        ("American university studies", "1", "P. Lang"),  # OL3187531M
        ("Arbeiten und Texte zur Slavistik", "42", "O. Sagner in Kommission"),  # OL2127822M
        ("Ann Arbor paperbacks", "AA113", "University of Michigan Press"),  # OL5976650M
        ("Collection Idées", "48", "Gallimard"),  # OL16388474M
        ("Mosby's ace the boards", "", "Mosby"),  # OL1002411M
        ("Penguin Classics", "", "Penguin Books"),
        ("Heyne science fiction & fantasy", "06/4400", "Heyne"),
        # The same lists with the word "series" a catalogue adds after the name, and the
        # typographic apostrophe: before, proposed as the work's series.
        ("Penguin modern classics series", "", ""),
        ("Everyman's library series", "", "Dent"),
        ("Everyman’s Library", "", "Knopf"),
        ("Oxford World's Classics (Series)", "", ""),
        ("Barnes & Noble Classics Series", "", ""),
    ],
)
def test_a_publishers_series_is_not_proposed_as_the_works_series(series, number, publisher):
    """A publisher's list of books is no story the work is part of: before, "Penguin Classics"
    or "The Library of America ; 292" were proposed as the work's Series and Number."""
    record = settle.settle_candidate(
        Candidate(
            provider="openlibrary",
            title="A title",
            series=series,
            series_number=number,
            publisher=publisher,
        )
    )

    assert (record.series, record.series_number) == ("", "")
    assert record.notes == [
        f"“{series}” is the publisher's series, not the work's: it is not proposed as the "
        "work's series."
    ]


@pytest.mark.parametrize(
    ("series", "publisher"),
    [
        ("Discworld", "Corgi"),
        ("The Invisible Library", "Tor"),  # Genevieve Cogman's novels: a story's library
        ("Harry Potter", "Bloomsbury"),
        ("Elric Saga", "Gollancz"),
        ("Torchwood", "Tor Books"),  # a word that starts like the publisher's is not its name
        ("Hainish Cycle", "Ace Books"),
        ("Old Kingdom series", "HarperCollins"),  # a story's series, named with the word
        ("The Inheritance Cycle series", "Knopf"),
    ],
)
def test_a_story_series_is_still_proposed(series, publisher):
    record = settle.settle_candidate(
        Candidate(provider="openlibrary", series=series, series_number="2", publisher=publisher)
    )

    assert (record.series, record.series_number, record.notes) == (series, "2", [])


@pytest.mark.parametrize(
    ("series", "subjects", "kept"),
    [
        ("Pain series", ["Foot -- Diseases", "Pain"], False),
        ("Foot series", ["Foot -- Diseases", "Pain"], False),
        # A story's series may name its world among the subjects.
        ("Discworld series", ["Discworld (Imaginary place)", "Discworld", "Fantasy fiction"], True),
        # No "series" word: the name alone may be the work's.
        ("Pain", ["Pain"], True),
        ("Pain series", ["Ankle -- Wounds and injuries"], True),
    ],
)
def test_a_series_named_for_one_of_the_subjects_is_a_publishers(series, subjects, kept):
    record = settle.settle_candidate(
        Candidate(provider="openlibrary", series=series, series_number="2", subjects=subjects)
    )

    assert (record.series, record.series_number) == ((series, "2") if kept else ("", ""))
