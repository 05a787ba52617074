"""Merging the author sources' records of one person into one proposal (pure, no database).

Open Library's side is the real record of George Orwell (tests/fixtures/providers/openlibrary/
author__OL118077A__from_dump.json, the JSON column of a real dump line, which is what
`/authors/OL118077A.json` serves), read by the one parser of author records; Wikidata's side is
the synthetic SPARQL row of tests/fixtures/providers/wikidata/ (no real WDQS answer exists; see
its PROVENANCE.md). Other records are built here.
"""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from enrichment.author_candidates import AuthorCandidate, PhotoRef
from enrichment.author_matching import AuthorMatchScore
from enrichment.author_proposal import (
    candidates_to_merge,
    merge_author_candidates,
    photo_cover_refs,
)
from enrichment.candidates import CoverRef
from enrichment.matching import Tier
from enrichment.proposals import HeldAuthor, MatchDetails, Scores, build_proposal
from enrichment.providers import openlibrary_authors, wikidata_authors
from tests.enrichment.providers.helpers import load

ORDER = ["openlibrary_dump", "openlibrary", "google_books", "wikidata"]
OL_PAGE = "https://openlibrary.org/authors/OL118077A"


def score(tier: Tier, *, identifier=0, name=5, works=0) -> AuthorMatchScore:
    return AuthorMatchScore(identifier=identifier, name=name, works=works, tier=tier)


HIGH = score(Tier.HIGH, identifier=5)


def orwell_from_openlibrary() -> AuthorCandidate:
    return openlibrary_authors.author_candidate(
        load("openlibrary", "author__OL118077A__from_dump.json"),
        provider="openlibrary",
        base_url="https://openlibrary.org",
        covers_url="https://covers.openlibrary.org",
    )


def orwell_from_wikidata() -> AuthorCandidate:
    rows = wikidata_authors.rows_by_asked(
        load("wikidata", "synthetic-sparql__authors_by_openlibrary_id.json"), ["OL118077A"]
    )
    [person] = wikidata_authors.people(
        rows["OL118077A"], provider="wikidata", commons_url="https://commons.wikimedia.org"
    )
    return person


def person(provider="wikidata", **values) -> AuthorCandidate:
    return AuthorCandidate(provider=provider, name=values.pop("name", "George Orwell"), **values)


def test_each_field_from_the_source_the_table_names():
    openlibrary, wikidata = orwell_from_openlibrary(), orwell_from_wikidata()

    merged = merge_author_candidates([(wikidata, HIGH), (openlibrary, HIGH)], provider_order=ORDER)

    fields = merged.fields
    assert fields["bio"].value.startswith("George Orwell, originally born as Eric Arthur Blair")
    assert (fields["bio"].source, fields["bio_source"].value) == ("openlibrary", OL_PAGE)
    assert fields["short_description"].value == "English novelist, essayist and critic (1903–1950)"
    assert (fields["gender"].value, fields["nationality"].value) == ("male", "United Kingdom")
    # The years agree: the first source in provider order gives them, its date as it writes it.
    assert (fields["birth_year"].value, fields["birth_year"].source) == (1903, "openlibrary")
    assert fields["birth_year"].agree == ["wikidata"]
    assert (fields["birth_date"].value, fields["death_date"].value) == (
        "25 June 1903",
        "21 January 1950",
    )
    assert fields["death_year"].value == 1950
    # Each of our sources' own ids from its own records (Wikidata lists the Open Library key,
    # Open Library the Wikidata id: neither is taken from the other).
    assert (fields["openlibrary_key"].value, fields["openlibrary_key"].source) == (
        "OL118077A",
        "openlibrary",
    )
    assert fields["openlibrary_key"].agree == []
    assert (fields["wikidata_id"].value, fields["wikidata_id"].source) == ("Q3335", "wikidata")
    # Other ids: the first source that names one.
    assert (fields["viaf_id"].value, fields["viaf_id"].source) == ("95155403", "openlibrary")
    assert fields["viaf_id"].agree == ["wikidata"]
    assert fields["goodreads_author_id"].value == "3706"  # only Wikidata names it
    assert "isni" not in fields
    assert merged.providers == ["openlibrary", "wikidata"]


def test_a_bio_is_plain_text_and_the_longest_wins_with_its_own_page():
    short = person("openlibrary", bio="<p>Short bio.</p>", bio_source="https://ol/a")
    long = person("openlibrary_dump", bio="<b>A much longer</b> bio of the writer.")

    merged = merge_author_candidates([(short, HIGH), (long, HIGH)], provider_order=ORDER)

    assert merged.fields["bio"].value == "A much longer bio of the writer."
    assert merged.fields["bio"].source == "openlibrary_dump"
    assert "bio_source" not in merged.fields  # the longest bio's record names no page


def test_a_markdown_bio_is_proposed_as_plain_text():
    """Open Library writes bios in Markdown (the real record of William Hazlitt ends
    "**Source**: [William Hazlitt](https://en.wikipedia.org/wiki/William_Hazlitt) on
    Wikipedia."): the proposed bio is text a reader can read, the link's address kept."""
    hazlitt = openlibrary_authors.author_candidate(
        load("openlibrary", "author__OL220326A__from_dump.json"),
        provider="openlibrary",
        base_url="https://openlibrary.org",
        covers_url="https://covers.openlibrary.org",
    )

    bio = merge_author_candidates([(hazlitt, HIGH)], provider_order=ORDER).fields["bio"].value

    assert bio.startswith("William Hazlitt (10 April 1778 – 18 September 1830) was an English")
    assert bio.endswith(
        "Source: William Hazlitt (https://en.wikipedia.org/wiki/William_Hazlitt) on Wikipedia."
    )
    assert "**" not in bio and "](" not in bio


def dump_author(key: str) -> dict:
    """The JSON column of a real authors dump line (tests/fixtures/openlibrary_dump)."""
    dump = Path(__file__).resolve().parents[1] / "fixtures" / "openlibrary_dump"
    for path in sorted(dump.glob("booklink_authors_*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.split("\t")[1] == f"/authors/{key}":
                return json.loads(line.split("\t")[4])
    raise LookupError(key)


@pytest.mark.parametrize(
    ("record", "ending"),
    [
        # "… democratic socialism. ([Source][1].)\r\n\r\n[1]:http://en.wikipedia.org/…"
        (
            lambda: load("openlibrary", "author__OL118077A__from_dump.json"),
            "a belief in democratic socialism. (Source "
            "(http://en.wikipedia.org/wiki/George_Orwell).)",
        ),
        # "> ...[in Foster's _Men at the Bar_][1]" and its address in a line of its own below.
        (
            lambda: dump_author("OL1003081A"),
            "7, King's Bench Walk, Temple, E.C.\"\n...in Foster's Men at the Bar "
            "(https://en.wikisource.org/wiki/Men-at-the-Bar/Eversley,_William_Pinder)",
        ),
    ],
    ids=["George Orwell", "William Pinder Eversley"],
)
def test_a_bio_s_reference_links_read_as_their_text_and_address(record, ending):
    """Open Library's bios also write links as references ("[Source][1]" and, below, "[1]:
    http://…"): the proposed bio of George Orwell ended "([Source][1].)" and a line "[1]:http://
    en.wikipedia.org/…"; each link now reads as its text and address, as inline links do."""
    candidate = openlibrary_authors.author_candidate(
        record(),
        provider="openlibrary",
        base_url="https://openlibrary.org",
        covers_url="https://covers.openlibrary.org",
    )

    bio = merge_author_candidates([(candidate, HIGH)], provider_order=ORDER).fields["bio"].value

    assert bio.endswith(ending)
    assert "][" not in bio and "[1]" not in bio and "_Men" not in bio


@pytest.mark.parametrize(
    ("written", "read"),
    [
        # Markdown's autolink: the address is the link's text, and was dropped as an HTML tag.
        (
            "Source: <https://en.wikipedia.org/wiki/Danilo_Ki%C5%A1>",
            "Source: https://en.wikipedia.org/wiki/Danilo_Ki%C5%A1",
        ),
        # Invisible format characters (William Pinder Eversley's real bio has a word joiner,
        # "born \u2060, 1851"): nothing a reader sees, and no part of the words around them.
        ("born \u2060, 1851, at Zero\u200bWidth\ufeff", "born , 1851, at ZeroWidth"),
    ],
)
def test_a_bio_s_autolinks_and_invisible_characters(written, read):
    bio = merge_author_candidates(
        [(person("openlibrary", bio=written), HIGH)], provider_order=ORDER
    )

    assert bio.fields["bio"].value == read


@pytest.mark.parametrize(
    ("their_years", "proposed"),
    [
        ((1903, 1903), 1903),
        ((1903, 1904), 1903),  # within a year: calendars and cataloguing differ
        ((1903, 1905), None),  # the sources disagree: none proposed
    ],
)
def test_years_are_proposed_only_when_the_sources_agree_within_a_year(their_years, proposed):
    first = person("openlibrary", birth_year=their_years[0], birth_date=f"{their_years[0]}")
    second = person("wikidata", birth_year=their_years[1], birth_date=f"{their_years[1]}-06-25")

    merged = merge_author_candidates([(second, HIGH), (first, HIGH)], provider_order=ORDER)

    year = merged.fields.get("birth_year")
    assert (year.value if year else None) == proposed
    date = merged.fields.get("birth_date")
    assert (date.value if date else None) == (str(proposed) if proposed else None)


def test_a_death_before_the_birth_proposes_neither_year():
    muddled = person("openlibrary", birth_year=1950, death_year=1903)

    merged = merge_author_candidates([(muddled, HIGH)], provider_order=ORDER)

    assert not {"birth_year", "death_year"} & set(merged.fields)


def test_only_records_matched_at_medium_or_better_are_merged():
    ours = person("openlibrary", bio="The right person.", birth_year=1903)
    namesake = person(
        "wikidata",
        description="another person with the same name",
        birth_year=1938,
        photos=[PhotoRef("wikidata", "https://commons.example/namesake.jpg", licence="CC0")],
    )

    merged = merge_author_candidates(
        [(ours, score(Tier.MEDIUM, name=3, works=5)), (namesake, score(Tier.LOW))],
        provider_order=ORDER,
    )

    assert merged.fields["birth_year"].value == 1903  # the namesake's 1938 is no disagreement
    assert "short_description" not in merged.fields
    assert merged.covers == []
    assert merged.providers == ["openlibrary"]


def test_a_name_alone_proposes_one_person_s_record_never_a_blend():
    first = person("wikidata", provider_ids={"wikidata": "Q1"}, birth_year=1903)
    second = person("wikidata", provider_ids={"wikidata": "Q2"}, description="someone else")

    scored = [(first, score(Tier.LOW)), (second, score(Tier.LOW))]
    merged = merge_author_candidates(scored, provider_order=ORDER)

    assert candidates_to_merge(scored) == [scored[0]]
    assert merged.fields["wikidata_id"].value == "Q1"
    assert "short_description" not in merged.fields  # the second person's
    assert merge_author_candidates([(first, score(Tier.NONE))]).fields == {}


def test_photos_become_cover_refs_with_their_licence_stated_ones_first():
    openlibrary = orwell_from_openlibrary()
    wikidata = orwell_from_wikidata()
    [commons] = wikidata.photos
    wikidata.photos = [
        replace(commons, licence="Public domain", licence_url="", artist="Placeholder & Co.")
    ]

    refs = photo_cover_refs([openlibrary, wikidata], provider_order=ORDER)

    assert refs[0] == CoverRef(
        provider="wikidata",
        url="https://commons.wikimedia.org/wiki/Special:FilePath/"
        "George_Orwell_press_photo.jpg?width=1000",
        cover_id="George Orwell press photo.jpg",
        licence="Public domain",
        artist="Placeholder & Co.",
    )
    assert [(r.provider, r.cover_id, r.size_label, r.licence) for r in refs[1:]] == [
        ("openlibrary", "9160343", "L", ""),
        ("openlibrary", "6388323", "L", ""),
        ("openlibrary", "9160343", "M", ""),
        ("openlibrary", "6388323", "M", ""),
    ]
    assert (
        merge_author_candidates(
            [(openlibrary, HIGH), (wikidata, HIGH)], provider_order=ORDER
        ).covers
        == refs
    )
    assert photo_cover_refs([openlibrary, openlibrary]) == photo_cover_refs([openlibrary])


def test_a_value_wider_than_its_column_is_not_proposed_rather_than_cut():
    wordy = person(
        "wikidata",
        gender="x" * 40,  # Author.gender holds 32
        birth_year=1903,
        birth_date="on a rainy Tuesday in the summer of the year 1903, as his mother told it" * 2,
    )

    merged = merge_author_candidates([(wordy, HIGH)], provider_order=ORDER)

    assert "gender" not in merged.fields
    assert "birth_date" not in merged.fields
    assert merged.fields["birth_year"].value == 1903


def test_the_proposal_fills_empty_author_fields_and_only_proposes_over_ours():
    merged = merge_author_candidates([(orwell_from_openlibrary(), HIGH)], provider_order=ORDER)
    current = {"bio": "Our own words.", "birth_year": None, "openlibrary_key": "OL118077A"}

    proposal = build_proposal(
        current=current, merged=merged, tier="high", scores=Scores(isbn=5, title=0, author=5)
    )

    assert proposal.fields["bio"].fills_empty is False  # a reviewer's choice, never automatic
    assert proposal.fields["birth_year"].fills_empty is True
    assert proposal.fields["bio"].target == "author"
    assert "openlibrary_key" not in proposal.fields  # we hold that one already


def test_match_details_keep_what_was_held_of_the_author_and_old_rows_still_load():
    details = MatchDetails(
        held_author=HeldAuthor(
            name="George Orwell",
            ids={"openlibrary_author": "OL118077A"},
            work_titles=["Animal Farm"],
            birth_year=1903,
        ),
        learned_ids={"wikidata": "Q3335"},
    )

    assert MatchDetails.from_json(details.to_json()) == details
    old_row = MatchDetails.from_json({"reason": "stored before authors"})
    assert (old_row.held_author, old_row.learned_ids) == (None, {})
