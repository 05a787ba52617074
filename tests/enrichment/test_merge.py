"""Merging candidates field by field: pure, no database."""

from enrichment.candidates import Candidate, Contributor, CoverRef
from enrichment.merge import (
    clean_description,
    completeness,
    is_empty,
    merge_candidates,
    normalize_language,
    placeholder,
)
from enrichment.proposals import Scores, build_proposal

ORDER = ["openlibrary_dump", "openlibrary", "google_books", "isbndb"]


def test_precedence_rules_per_field():
    ol = Candidate(
        provider="openlibrary",
        publisher="Penguin Books Ltd",
        description="Short.",
        publication_date="1995",
        page_count=320,
        language="eng",
        subjects=["Fantasy", "London"],
        first_published_year=1996,
        provider_ids={"openlibrary_edition": "OL1M", "openlibrary_work": "OL1W"},
        authors=[Contributor("Neil Gaiman", provider_id="OL1A")],
    )
    google = Candidate(
        provider="google_books",
        publisher="Penguin",
        description="<p>A much <b>longer</b> description of the book.</p>",
        publication_date="1995-06-01",
        page_count=400,
        language="en",
        subjects=["fantasy", "Fiction"],
        first_published_year=1997,
        provider_ids={"google_books": "abc"},
    )
    merged = merge_candidates([google, ol], provider_order=ORDER)
    f = merged.fields
    assert f["publisher"].value == "Penguin" and f["publisher"].source == "google_books"
    assert f["description"].value == "A much longer description of the book."
    assert f["publication_date"].value == "1995-06-01"  # same year, more precise
    assert f["page_count"].value == 320 and f["page_count"].source == "openlibrary"
    assert f["language"].value == "en" and f["language"].agree == ["google_books"]
    assert f["subjects"].value == ["Fantasy", "London", "Fiction"]
    assert f["first_published_year"].value == 1996
    assert f["openlibrary_edition_key"].value == "OL1M"
    assert f["google_books_id"].value == "abc"
    assert merged.authors_source == "openlibrary"
    assert merged.contributors()["language"] == ["openlibrary", "google_books"]


def test_covers_keep_every_providers_references():
    a = Candidate(provider="openlibrary", covers=[CoverRef("openlibrary", "https://x/1-L.jpg")])
    b = Candidate(provider="google_books", covers=[CoverRef("google_books", "https://y/2")])
    assert [c.provider for c in merge_candidates([b, a], provider_order=ORDER).covers] == [
        "openlibrary",
        "google_books",
    ]


def test_language_codes_become_iso_639_1():
    assert normalize_language("/languages/spa") == "es"
    assert normalize_language("ger") == "de"
    assert normalize_language("en") == "en"


def test_proposal_marks_which_fields_fill_empty_ones_and_skips_equal_values():
    merged = merge_candidates(
        [Candidate(provider="openlibrary", publisher="Ace", page_count=896, language="eng")],
        provider_order=ORDER,
    )
    proposal = build_proposal(
        current={"publisher": "Chilton Books", "page_count": None, "language": "en"},
        merged=merged,
        tier="high",
        scores=Scores(isbn=5, title=5, author=5),
    )
    assert proposal.fields["page_count"].fills_empty is True
    assert proposal.fields["publisher"].fills_empty is False
    assert proposal.fields["publisher"].current == "Chilton Books"
    assert "language" not in proposal  # already holds the same value


def test_completeness_counts_weighted_key_fields():
    assert completeness({}) == 0
    assert completeness({"cover": True, "description": "x"}) == 40
    full = dict.fromkeys(
        [
            "cover",
            "description",
            "authors",
            "first_published_year",
            "subjects",
            "publisher",
            "page_count",
            "language",
            "publication_date",
        ],
        "x",
    )
    assert completeness(full) == 100


def test_a_title_is_proposed_only_in_place_of_a_placeholder():
    merged = merge_candidates(
        [Candidate(provider="openlibrary", title="The Great Gatsby")], provider_order=ORDER
    )
    assert merged.fields["title"].value == "The Great Gatsby"
    ours = build_proposal(
        current={"title": "The great Gatsby (Penguin Classics)"},
        merged=merged,
        tier="high",
        scores=Scores(),
    )
    assert "title" not in ours  # a provider's spelling never replaces the catalog's title
    keyed = build_proposal(
        current={"title": placeholder("OL468431W")}, merged=merged, tier="high", scores=Scores()
    )
    assert keyed.fields["title"].fills_empty is True
    assert keyed.fields["title"].current == {"placeholder": "OL468431W"}


def test_a_placeholder_counts_as_empty():
    assert is_empty(placeholder("OL468431W"))
    assert is_empty("") and is_empty(None) and is_empty([])
    assert not is_empty("OL468431W") and not is_empty({"other": "x"})


def test_a_tag_name_cut_off_at_a_sentence_s_end_is_dropped_and_no_word_is():
    # Shapes of Google Books' "…new Earth?span" with more or less of the tag's "</" and ">".
    assert clean_description("Who are the heirs of Earth?span") == "Who are the heirs of Earth?"
    assert clean_description("The end.</span") == "The end."
    assert clean_description("The end.”/div>\n\nA second paragraph.") == (
        "The end.”\n\nA second paragraph."
    )
    # A word or a letter that is the text's own stays.
    assert clean_description("Volume I") == "Volume I"
    assert clean_description('He said: "I') == 'He said: "I'
    assert clean_description("Spoken word. Plan B") == "Spoken word. Plan B"
