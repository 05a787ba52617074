"""One rule for whether two people's ids say they are two (author_matching.ids_say_two_people):
matching a record and the duplicate finder ask it alike. Open Library holds one person under two
keys until it merges them; two Wikidata items, VIAF clusters or ISNIs are two people."""

import json
from pathlib import Path

import pytest

from enrichment import author_matching, reconcile
from enrichment.author_matching import AuthorQuery, AuthorRecordSummary, score_author_record
from enrichment.matching import Tier
from enrichment.models import AuthorMerge
from tests.factories import make_author, make_work

DUMP = Path(__file__).resolve().parents[1] / "fixtures" / "openlibrary_dump"


def forwell_keys() -> list[str]:
    """Open Library's two records of `Michael Forwell`, made 85 seconds apart by its import
    (real lines of its authors dump)."""
    lines = [
        json.loads(line.split("\t")[4])
        for line in (DUMP / "booklink_authors_grep_orwell37.txt").read_text().splitlines()
        if "Michael Forwell" in line
    ]
    return sorted(record["key"].rsplit("/", 1)[-1] for record in lines)


def test_a_second_open_library_record_of_our_author_is_reviewed_not_refused():
    """Open Library holds `Michael Forwell` twice. Our author holds one key; the other record,
    the same name on the same work, was "not ours" (low) in matching while the duplicate finder
    proposed two authors holding the two keys as one person: now both say "maybe one"."""
    ours_key, other_key = forwell_keys()
    work = "Synthetic work both are credited on"
    ours = AuthorQuery("Michael Forwell", work_titles=(work,), ids={"openlibrary_author": ours_key})
    record = AuthorRecordSummary(
        "openlibrary_dump",
        "Michael Forwell",
        work_titles=(work,),
        ids={"openlibrary_author": other_key},
    )
    score = score_author_record(ours, record)
    assert score.tier == Tier.MEDIUM  # its photo, not its fields: those wait for review
    assert (
        f"the source may hold this person twice (Open Library {other_key}, ours {ours_key}): "
        "kept for review" in score.reasons
    )


def test_two_wikidata_items_still_say_another_person():
    ours = AuthorQuery("Michael Forwell", work_titles=("A work",), ids={"wikidata": "Q1"})
    record = AuthorRecordSummary(
        "wikidata", "Michael Forwell", work_titles=("A work",), ids={"wikidata": "Q2"}
    )
    score = score_author_record(ours, record)
    assert score.tier == Tier.LOW
    assert "the record's ids are not ours (Wikidata Q2, ours Q1): kept for review" in score.reasons


@pytest.mark.parametrize(
    ("ours", "theirs", "one_person"),
    [
        ({"openlibrary_author": "OL7305209A"}, {"openlibrary_author": "OL7305269A"}, True),
        ({"openlibrary_author": "ol7305209a"}, {"openlibrary_author": "OL7305209A"}, True),
        ({"wikidata": "Q1"}, {"wikidata": "Q2"}, False),
        ({"viaf": "1", "openlibrary_author": "OL1A"}, {"viaf": "2"}, False),
        ({"wikidata": "Q1"}, {"openlibrary_author": "OL1A"}, True),  # nothing to compare
    ],
)
def test_one_rule_says_whether_ids_make_two_people(ours, theirs, one_person):
    assert author_matching.ids_say_two_people(ours, theirs) is not one_person
    assert author_matching.ids_say_two_people(theirs, ours) is not one_person


@pytest.mark.django_db
def test_matching_and_the_duplicate_finder_agree_on_two_open_library_keys():
    """The duplicate finder proposes the two authors holding Forwell's two keys, and matching
    one to the other's record is medium: both read ids_say_two_people."""
    keys = forwell_keys()
    first, second = (make_author("Michael Forwell", openlibrary_key=key) for key in keys)
    for author in (first, second):
        make_work("Synthetic work both are credited on", authors=[author])
    assert reconcile.author_duplicates_propose().proposed == 1
    assert AuthorMerge.objects.get().evidence["conflicting_ids"] == {"openlibrary_author": keys}
    ours = AuthorQuery(
        "Michael Forwell",
        work_titles=("Synthetic work both are credited on",),
        ids={"openlibrary_author": keys[0]},
    )
    record = AuthorRecordSummary(
        "openlibrary",
        "Michael Forwell",
        work_titles=("Synthetic work both are credited on",),
        ids={"openlibrary_author": keys[1]},
    )
    assert score_author_record(ours, record).tier == Tier.MEDIUM
