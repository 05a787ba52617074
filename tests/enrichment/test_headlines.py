"""The review page's headline (enrichment/headlines.py): what agreed and what did not, from the
scores and the tier, with the thresholds the tiers use. Pure: no database."""

import itertools

import pytest

from enrichment import headlines
from enrichment.headlines import match_headline, no_match_headline
from enrichment.matching import AUTHOR_AGREES, ISBN_AGREES, TITLE_AGREES, Tier, tier_for

# (tier, isbn, title, author) -> the sentence a reviewer reads.
MATCH_HEADLINES = [
    # The case: ISBN 5/5 · title 2/5 · author 5/5 once said "Only the title agrees".
    (
        Tier.LOW, 5, 2, 5,
        "The ISBN and the author agree; the title (2/5) does not: check it is the same book.",
    ),
    (Tier.HIGH, 5, 5, 5, "The ISBN, the title and the author agree: the same book."),
    (Tier.HIGH, 4, 3, 2, "The ISBN, the title and the author agree: the same book."),
    (
        Tier.HIGH, 5, 4, 0,
        "The ISBN and the title agree; the author (0/5) does not: the identifier decides.",
    ),
    (
        Tier.MEDIUM, 0, 5, 5,
        "The title and the author agree; no ISBN confirms it: check the edition.",
    ),
    (
        Tier.LOW, 0, 5, 0,
        "The title agrees; the author (0/5) does not, and no ISBN confirms it: "
        "check it is the same book.",
    ),
    (
        Tier.LOW, 0, 2, 0,
        "The title (2/5) and the author (0/5) do not agree, and no ISBN confirms it: "
        "check it is the same book.",
    ),
    (
        Tier.LOW, 4, 2, 0,
        "The ISBN agrees; the title (2/5) and the author (0/5) do not: "
        "check it is the same book.",
    ),
    # Every score agrees, yet the record was kept for review (a study guide, another edition).
    (
        Tier.LOW, 5, 5, 5,
        "The ISBN, the title and the author agree, but the record was kept for review "
        "(see why below): check it is the same book.",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("tier", "isbn", "title", "author", "expected"), MATCH_HEADLINES)
def test_the_headline_says_what_agreed_and_what_did_not(tier, isbn, title, author, expected):
    assert match_headline(tier=tier, isbn=isbn, title=title, author=author) == expected


def test_a_book_known_by_its_open_library_key_names_the_key_not_an_isbn():
    assert match_headline(tier=Tier.HIGH, isbn=5, title=5, author=5, by_key=True) == (
        "The Open Library key, the title and the author agree: the same book."
    )
    assert match_headline(tier=Tier.MEDIUM, isbn=0, title=4, author=4, by_key=True) == (
        "The title and the author agree; no Open Library key confirms it: check the edition."
    )


@pytest.mark.parametrize(
    ("tier", "isbn", "title", "expected"),
    [
        (
            Tier.HIGH, 5, 5,
            "The ISBN and the title agree; no author could be compared: the identifier decides.",
        ),
        (
            Tier.LOW, 5, 2,
            "The ISBN agrees; the title (2/5) does not agree, and no author could be compared: "
            "check it is the same book.",
        ),
        (
            Tier.LOW, 0, 4,
            "The title agrees; no ISBN confirms it, and no author could be compared: check it is "
            "the same book.",
        ),
    ],
)  # fmt: skip
def test_an_author_one_side_does_not_name_is_not_said_to_disagree(tier, isbn, title, expected):
    """The record names no author (or we hold none): its 0 compared nothing."""
    said = match_headline(tier=tier, isbn=isbn, title=title, author=0, author_compared=False)
    assert said == expected
    assert "the author (0/5)" not in said


def agreeing_parts(headline: str) -> str:
    """The parts the headline says agree: the words before " agree" in its first clause."""
    first = headline.split(";")[0].split(":")[0]
    return "" if " not agree" in first else first.split(" agree")[0]


@pytest.mark.parametrize(
    ("isbn", "title", "author"), list(itertools.product(range(6), range(6), range(6)))
)
def test_every_score_combination_names_exactly_the_parts_at_or_above_their_threshold(
    isbn, title, author
):
    tier = tier_for(isbn, title, author)
    if tier == Tier.NONE:
        return  # no match: no_match_headline speaks instead
    headline = match_headline(tier=tier, isbn=isbn, title=title, author=author)
    agreeing = agreeing_parts(headline)
    assert ("ISBN" in agreeing) == (isbn >= ISBN_AGREES), headline
    assert ("title" in agreeing) == (title >= TITLE_AGREES), headline
    assert ("author" in agreeing) == (author >= AUTHOR_AGREES), headline
    # What does not agree is named with its score, and an unconfirmed ISBN is said so.
    if title < TITLE_AGREES:
        assert f"the title ({title}/5)" in headline.lower(), headline
    if author < AUTHOR_AGREES:
        assert f"the author ({author}/5)" in headline.lower(), headline
    assert ("no ISBN confirms it" in headline) == (isbn < ISBN_AGREES), headline
    assert headline.endswith(".") and headline[0].isupper()


NO_MATCH_HEADLINES = [
    # (looked_up, answered, unavailable, failed, records_seen, via_title_search, final)
    # -> sentence. The issue's offline skip: every provider unavailable, a title search "tried".
    (True, False, True, False, 0, True, True, "Not looked up: the providers were unavailable."),
    (
        True, False, True, False, 0, True, False,
        "Not looked up yet: the providers are unavailable for now; they will be asked again.",
    ),
    (False, False, False, False, 0, False, False, "Not looked up yet."),
    (True, False, False, False, 0, False, True, "Not looked up: no provider was asked."),
    (
        True, False, False, True, 0, False, True,
        "Not looked up: the providers failed to answer (see below).",
    ),
    (
        True, False, False, True, 0, False, False,
        "Not looked up yet: the providers failed to answer (see below); they will be asked "
        "again.",
    ),
    # Some answered, some failed: a retry follows (pending), or it was decided without them.
    (
        True, True, False, True, 0, False, False,
        "Nothing found yet: the providers that answered do not know this book; the others "
        "failed to answer (see below): they will be asked again.",
    ),
    (
        True, True, False, True, 0, False, True,
        "Nothing was found: the providers that answered do not know this book; the others "
        "failed to answer (see below).",
    ),
    (
        True, True, False, True, 2, True, True,
        "Nothing was found: none of the 2 records the providers gave is this book; the others "
        "failed to answer (see below).",
    ),
    (True, True, False, False, 0, False, True, "Nothing was found: no provider knows this book."),
    (
        True, True, False, False, 0, True, True,
        "Nothing was found: no provider knows this book, not even by a title and author "
        "search.",
    ),
    (
        True, True, True, False, 0, False, True,
        "Nothing was found: the providers that answered do not know this book; the others were "
        "unavailable.",
    ),
    # Waiting for the providers unavailable for now: nothing is decided yet.
    (
        True, True, True, False, 0, False, False,
        "Nothing found yet: the providers that answered do not know this book; the others are "
        "unavailable for now: they will be asked again.",
    ),
    (
        True, True, False, False, 1, False, True,
        "Nothing was found: the record the providers gave is not this book.",
    ),
    (
        True, True, False, False, 3, True, True,
        "Nothing was found: none of the 3 records the providers gave is this book.",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    (
        "looked_up",
        "answered",
        "unavailable",
        "failed",
        "records",
        "via_search",
        "final",
        "expected",
    ),
    NO_MATCH_HEADLINES,
)
def test_without_a_match_the_headline_says_what_happened(
    looked_up, answered, unavailable, failed, records, via_search, final, expected
):
    headline = no_match_headline(
        looked_up=looked_up,
        answered=answered,
        unavailable=unavailable,
        failed=failed,
        records_seen=records,
        via_title_search=via_search,
        final=final,
    )
    assert headline == expected
    assert "Found by" not in headline and "confidence" not in headline


@pytest.mark.parametrize("states", list(itertools.product((False, True), repeat=6)))
def test_no_headline_promises_a_retry_that_will_not_come(states):
    """Every state: a request that will not be tried again by itself never reads "yet" nor
    "asked again"; one that will, and whose providers failed or were unavailable, says so."""
    looked_up, answered, unavailable, failed, seen, final = states
    headline = no_match_headline(
        looked_up=looked_up,
        answered=answered,
        unavailable=unavailable,
        failed=failed,
        records_seen=3 if seen else 0,
        via_title_search=False,
        final=final,
    )
    if final:
        assert " yet" not in headline and "again" not in headline, headline
    elif failed or unavailable:
        assert " yet" in headline and "will be asked again" in headline, headline
    if answered and failed:  # those that answered are not called failing, nor the reverse
        assert "Not looked up" not in headline and "failed to answer" in headline, headline
    assert headline.endswith(".") and headline[0].isupper(), headline


@pytest.mark.parametrize(
    ("tier", "identifier", "works", "name", "expected"),
    [
        ("high", 5, 0, 4, "An id of ours is on the record and the name agrees: the same person."),
        (
            "low",
            0,
            0,
            4,
            "The name agrees, but no work of theirs is on the record: check it is the same "
            "person (a name alone is never enough).",
        ),
        (
            "medium",
            0,
            5,
            3,
            "A work of theirs is on the record, but the name is only close (3/5): check it is "
            "the same person.",
        ),
        (
            "low",
            5,
            0,
            0,
            "An id of ours is on the record, but the name differs (0/5): check it is the same "
            "person.",
        ),
    ],
)
def test_an_authors_headline_speaks_of_ids_works_and_names_not_isbns(
    tier, identifier, works, name, expected
):
    said = headlines.author_match_headline(tier=tier, identifier=identifier, works=works, name=name)
    assert said == expected
    assert "ISBN" not in said and "title" not in said


def test_an_author_nothing_matched_is_not_called_a_book():
    said = headlines.author_no_match_headline(
        looked_up=True, answered=True, failed=False, records_seen=2, final=True
    )
    assert said == "Nothing was found: none of the 2 records the sources gave is this author."


@pytest.mark.parametrize(
    ("answered", "failed", "final", "expected"),
    [
        # Some sources answered and one failed: it was looked up, whatever the failure.
        (
            True, True, True,
            "Nothing was found: the sources that answered do not know this author; the others "
            "failed to answer (see below).",
        ),
        (
            True, True, False,
            "Nothing found yet: the sources that answered do not know this author; the others "
            "failed to answer (see below): they will be asked again.",
        ),
        (False, True, True, "Not looked up: the sources failed to answer (see below)."),
        (
            False, True, False,
            "Not looked up yet: the sources failed to answer (see below); they will be asked "
            "again.",
        ),
    ],
)  # fmt: skip
def test_an_authors_headline_tells_a_decision_from_a_retry(answered, failed, final, expected):
    said = headlines.author_no_match_headline(
        looked_up=True, answered=answered, failed=failed, records_seen=0, final=final
    )
    assert said == expected
