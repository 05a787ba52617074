"""The review page's score lines (enrichment.match_summary.score_line): each score says what it
measured, and where nothing could be compared (we hold no ISBN, the record lists none, a book
known by its Open Library key alone, an author we hold no id for) it says so instead of "0/5"."""

import pytest

from enrichment import engine, queue
from enrichment.match_summary import score_line
from enrichment.models import EnrichmentRequest
from enrichment.proposals import CandidateSeen, HeldAuthor, HeldQuery, MatchDetails, Scores
from tests.enrichment.fakes import FakeProvider
from tests.enrichment.test_review import needs_review, ol_record
from tests.enrichment.test_review_admin import change_url, librarian
from tests.enrichment.test_review_labels import visible_text
from tests.factories import make_edition, make_work


def work_request(query: HeldQuery | None) -> EnrichmentRequest:
    return EnrichmentRequest(work_id=1, match_details=MatchDetails(query=query))


def held(**fields) -> HeldQuery:
    """What we held for a book, with its author."""
    return HeldQuery(authors=["Neil Gaiman"], **fields)


def seen(**fields) -> CandidateSeen:
    return CandidateSeen(provider="openlibrary", **fields)


@pytest.mark.parametrize(
    ("query", "scores", "candidate", "expected"),
    [
        # We hold an ISBN: its score, whatever the record.
        (
            held(isbn13="9780380789016"), Scores(5, 2, 5), None,
            "ISBN 5/5 · title 2/5 · author 5/5",
        ),
        (
            held(isbn13="9780380789016"), Scores(0, 5, 5), seen(isbn13=["9780380789023"]),
            "ISBN 0/5 · title 5/5 · author 5/5",
        ),
        # The record lists no ISBN: nothing to compare ours with.
        (
            held(isbn13="9780380789016"), Scores(0, 5, 5), seen(),
            "no ISBN on the record · title 5/5 · author 5/5",
        ),
        # We hold no ISBN, nor an Open Library key.
        (
            held(title="Dune"), Scores(0, 5, 5), None,
            "no ISBN of ours · title 5/5 · author 5/5",
        ),
        # Known by its Open Library key alone: the identifier scored is the key.
        (
            held(openlibrary_edition_key="OL1M"), Scores(5, 5, 0),
            seen(ids={"openlibrary_edition": "OL1M"}),
            "Open Library key 5/5 · title 5/5 · author 0/5",
        ),
        (
            held(openlibrary_work_key="OL1W"), Scores(0, 5, 5),
            seen(ids={"google_books": "x"}),
            "no Open Library key on the record · title 5/5 · author 5/5",
        ),
        # Our ISBN and key; the record lists no ISBN but is our key's.
        (
            held(isbn13="9780380789016", openlibrary_edition_key="OL1M"), Scores(5, 5, 5),
            seen(ids={"openlibrary_edition": "OL1M"}),
            "Open Library key 5/5 · title 5/5 · author 5/5",
        ),
        # Recorded before what was looked up was kept: the score as it was.
        (None, Scores(0, 5, 5), None, "ISBN 0/5 · title 5/5 · author 5/5"),
    ],
)  # fmt: skip
def test_a_books_score_line_says_what_was_compared(query, scores, candidate, expected):
    assert score_line(work_request(query), scores, candidate) == expected


@pytest.mark.parametrize(
    ("held_ids", "candidate", "expected"),
    [
        ({}, None, "no id of ours · works 5/5 · name 5/5"),
        ({"wikidata": ""}, None, "no id of ours · works 5/5 · name 5/5"),
        ({"wikidata": "Q1"}, seen(ids={}), "no id on the record · works 5/5 · name 5/5"),
        ({"wikidata": "Q1"}, seen(ids={"viaf": "9"}), "id 0/5 · works 5/5 · name 5/5"),
    ],
)
def test_an_authors_score_line_says_when_no_id_could_be_compared(held_ids, candidate, expected):
    request = EnrichmentRequest(
        author_id=1, match_details=MatchDetails(held_author=HeldAuthor(name="X", ids=held_ids))
    )
    assert score_line(request, Scores(0, 5, 5), candidate) == expected


@pytest.mark.django_db
def test_the_review_page_never_scores_an_isbn_the_record_does_not_list(client):
    """Open Library's record for our ISBN lists no ISBN itself (a medium match): the headline's
    line, each field's and the record's say so, where they read "ISBN 0/5" and "ISBN 0"."""
    request = needs_review()
    client.force_login(librarian())

    text = visible_text(client, change_url(request))

    assert "ISBN 0" not in text, text
    assert "no ISBN on the record · title 5/5 · author 5/5" in text
    assert text.count("no ISBN on the record") >= 3  # the match, its fields, its record


@pytest.mark.django_db
def test_a_book_we_hold_no_isbn_for_is_not_scored_isbn_0(client):
    work = make_work("Neverwhere", authors=["Neil Gaiman"])  # no edition, no ISBN
    ids = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    found = ol_record("", isbn13=["9780380789016"], provider_ids={})
    engine.process_requests(
        queue.requests_claim(request_ids=ids), providers=[FakeProvider(search_answers=[found])]
    )
    request = EnrichmentRequest.objects.get(pk=ids[0])
    assert request.confidence == "medium"
    client.force_login(librarian())

    text = visible_text(client, change_url(request))

    assert "ISBN 0" not in text, text
    assert "no ISBN of ours · title 5/5 · author 5/5" in text
    assert "Found by title and author search (we hold no ISBN)." in text
    assert "no ISBN match" not in text


@pytest.mark.parametrize(
    ("query", "candidate", "expected"),
    [
        (
            held(isbn13="9780380789016"), seen(isbn13=["9780380789016"], names_authors=False),
            "ISBN 5/5 · title 5/5 · no author on the record",
        ),
        (
            HeldQuery(isbn13="9780380789016", authors=[]), None,
            "ISBN 5/5 · title 5/5 · no author of ours",
        ),
        # Recorded before names_authors was kept: the score as it was.
        (
            held(isbn13="9780380789016"), seen(isbn13=["9780380789016"]),
            "ISBN 5/5 · title 5/5 · author 0/5",
        ),
    ],
)  # fmt: skip
def test_an_author_nobody_could_compare_is_said_so_not_scored_0(query, candidate, expected):
    assert score_line(work_request(query), Scores(5, 5, 0), candidate) == expected


@pytest.mark.django_db
def test_a_record_naming_no_author_is_not_said_to_disagree_with_ours(client):
    """Open Library's record for our ISBN names no author: matched on the ISBN and the title.
    The page said "the author (0/5) does not" agree and "author 0/5"; nothing was compared."""
    work = make_work("Neverwhere", authors=["Neil Gaiman"])
    edition = make_edition(work)
    ids = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    answer = ol_record(edition.isbn13, authors=[], isbn13=[edition.isbn13])
    engine.process_requests(
        queue.requests_claim(request_ids=ids),
        providers=[FakeProvider(answers={edition.isbn13: [answer]})],
    )
    request = EnrichmentRequest.objects.get(pk=ids[0])
    assert (request.proposal.scores.isbn, request.proposal.scores.author) == (5, 0)
    client.force_login(librarian())

    text = visible_text(client, change_url(request))

    assert (
        "The ISBN and the title agree; no author could be compared: the identifier decides." in text
    )
    assert "the author (0/5)" not in text and "author 0" not in text, text
    assert "ISBN 5/5 · title 5/5 · no author on the record" in text
