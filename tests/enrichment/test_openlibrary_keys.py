"""Books known only by their Open Library keys (the reading log's old layout: Work Id, Edition Id,
Bookshelf) are identified by those keys: from the import, through `enrich_missing --now` and the
real Open Library client over recorded edition and work records
(tests/fixtures/providers/openlibrary, see its PROVENANCE.md), to the applied title and its
audit entry, and back by a reviewer's revert."""

import json
from io import StringIO
from pathlib import Path

import pytest
import responses
from django.core.management import CommandError, call_command

from catalog import services, text
from catalog.models import Edition, Work
from enrichment import engine, presenters, queue, revert, review, review_page
from enrichment.candidates import Candidate, CoverRef, LookupResult, LookupStatus
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.fakes import FakeProvider
from tests.enrichment.test_enrich_missing import covers_resolve_publicly  # noqa: F401 (fixture)
from tests.factories import make_edition, make_work
from tests.fixtures.covers import synthetic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("covers_resolve_publicly")]
OL = "https://openlibrary.org"
OL_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "providers" / "openlibrary"
#: Real records: /books/OL23109860M.json (The Great Gatsby), and the JSON column of real dump
#: lines, which the record endpoints serve: /books/OL3421079M.json (The Brothers Karamazov)
#: and /works/OL100126W.json (.45-Caliber Deathtrap).
GATSBY_EDITION = OL_FIXTURES / "edition__OL23109860M__isbn_9780743273565.json"
KARAMAZOV_EDITION = OL_FIXTURES / "edition__OL3421079M__from_dump.json"
DEATHTRAP_WORK = OL_FIXTURES / "work__OL100126W__from_dump.json"
#: Records these name that no fixture holds: Open Library answers them as unknown (404) here.
NOT_RECORDED = (
    "/authors/OL27349A.json",
    "/authors/OL22242A.json",
    "/authors/OL32262A.json",
    "/works/OL468431W.json",
    "/works/OL10432709W.json",
)
#: Synthetic rows in the reading log's pre-2022 layout: keys only, no title or author.
READING_LOG = (
    "Work Id,Edition Id,Bookshelf\n"
    "OL468431W,OL23109860M,Read\n"
    "OL100126W,,Want to Read\n"
    ",OL3421079M,Currently Reading\n"
)


@pytest.fixture
def open_library(settings):
    settings.ENRICHMENT_PROVIDERS = ["openlibrary"]
    settings.OPENLIBRARY_RATE = 1000.0  # no waiting between the recorded answers
    settings.Q_SYNC = False
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for path, body in (
            ("/books/OL23109860M.json", GATSBY_EDITION),
            ("/books/OL3421079M.json", KARAMAZOV_EDITION),
            ("/works/OL100126W.json", DEATHTRAP_WORK),
        ):
            mock.get(f"{OL}{path}", body=body.read_bytes(), content_type="application/json")
        for path in NOT_RECORDED:
            mock.get(f"{OL}{path}", status=404)
        for seed, cover_id in enumerate(("6776207", "314291", "1225920")):
            mock.get(
                f"https://covers.openlibrary.org/b/id/{cover_id}-L.jpg",
                body=synthetic.cover_jpeg(400, 600, seed=seed),
                content_type="image/jpeg",
            )
        yield mock


def import_reading_log(csv: str) -> None:
    job = services.import_job_create(data=csv.encode(), filename="reading-log.csv", enrich=False)
    services.import_job_run(job=job)
    job.refresh_from_db()
    assert job.failed_count == 0


def enrich_missing() -> dict:
    out = StringIO()
    call_command("enrich_missing", "--now", "--json", stdout=out)
    return json.loads(out.getvalue())


def asked(mock, path: str) -> int:
    return sum(1 for call in mock.calls if call.request.url.startswith(f"{OL}{path}"))


def work_with_edition_key(key: str) -> Work:
    return Edition.objects.get(openlibrary_edition_key=key).work


def test_a_key_only_reading_log_is_identified_by_its_open_library_keys(open_library):
    import_reading_log(READING_LOG)
    assert Work.objects.filter(title_is_placeholder=True).count() == 3

    summary = enrich_missing()

    assert (summary["enqueued"], summary["completed"], summary["failed"]) == (3, 3, 0)
    # Per book: its edition's record, its work's, the author they name (3 + 2 + 3; no covers).
    assert summary["provider_requests"] == {"openlibrary": 8}
    gatsby = work_with_edition_key("OL23109860M")
    assert (gatsby.title, gatsby.title_is_placeholder) == ("The Great Gatsby", False)
    assert gatsby.title_normalized == text.normalize_title("The Great Gatsby")
    edition = gatsby.editions.get(openlibrary_edition_key="OL23109860M")
    # Its record lists one ISBN: the edition now has it, so every provider can be asked by it.
    assert edition.isbn13 == "9780743273565"
    assert (edition.publisher, edition.page_count) == ("Scribner", 180)
    assert edition.cover_source_url == "https://covers.openlibrary.org/b/id/6776207-L.jpg"
    assert edition.cover_verified_at is not None
    entry = AuditLogEntry.objects.get(work=gatsby, action="auto_apply")
    assert entry.changes["title"] == {
        "old": {"placeholder": "OL468431W"},
        "new": "The Great Gatsby",
        "target": "work",
    }
    assert entry.changes["isbn13"] == {"old": "", "new": "9780743273565", "target": "edition"}
    assert presenters.value_text(entry.changes["title"]["old"]) == "OL468431W (a placeholder)"

    deathtrap = Work.objects.get(openlibrary_work_key="OL100126W")
    assert (deathtrap.title, deathtrap.title_is_placeholder) == (".45-Caliber Deathtrap", False)
    assert deathtrap.description.startswith("After Cuno Massey")

    karamazov = work_with_edition_key("OL3421079M")
    assert karamazov.title == "The Brothers Karamazov"
    # The work our edition's record names is ours: its key is filled and its record asked.
    assert karamazov.openlibrary_work_key == "OL10432709W"
    assert asked(open_library, "/works/OL10432709W.json") == 1
    assert karamazov.editions.get().isbn13 == "9780486437910"
    request = EnrichmentRequest.objects.get(work=karamazov, trigger="command")
    assert request.match_details.learned_from_openlibrary == {
        "openlibrary_work_key": "OL10432709W",
        "isbn13": "9780486437910",
        "title": "The Brothers Karamazov",
        "subtitle": "",
        "title_is_placeholder": False,
    }
    # Identified by key: no ISBN batch and no title search was needed (nor asked with a key).
    assert asked(open_library, "/api/books") == asked(open_library, "/search.json") == 0
    assert not Work.objects.filter(title_is_placeholder=True).exists()


def test_a_reviewers_revert_brings_the_placeholder_back(open_library, django_user_model):
    import_reading_log(READING_LOG)
    enrich_missing()
    gatsby = work_with_edition_key("OL23109860M")
    entry = AuditLogEntry.objects.get(work=gatsby, action="auto_apply")
    reviewer = django_user_model.objects.create_user("carol")

    result = revert.audit_revert(entry=entry, actor=reviewer)

    assert not result.refused
    gatsby.refresh_from_db()
    assert (gatsby.title, gatsby.title_is_placeholder) == ("OL468431W", True)
    assert gatsby.title_normalized == text.normalize_title("OL468431W")
    assert gatsby.editions.get(openlibrary_edition_key="OL23109860M").isbn13 is None
    assert result.reverted["title"]["new"] == {"placeholder": "OL468431W"}
    revert_entry = AuditLogEntry.objects.get(action="revert")
    assert (revert_entry.actor, revert_entry.reverts) == (reviewer, entry)
    # A placeholder again: the work is missing metadata and will be enriched again.
    missing = queue.works_needing_enrichment(covers=False, metadata=True)
    assert missing.filter(pk=gatsby.pk).exists()


def test_a_record_for_another_key_is_never_applied(open_library):
    # Asked for OL999M, the server answers with another edition's record (OL23109860M).
    open_library.get(
        f"{OL}/books/OL999M.json",
        body=GATSBY_EDITION.read_bytes(),
        content_type="application/json",
    )
    import_reading_log("Work Id,Edition Id,Bookshelf\n,OL999M,Read\n")

    summary = enrich_missing()

    assert summary["skipped"] == 1
    work = work_with_edition_key("OL999M")
    assert (work.title, work.title_is_placeholder) == ("OL999M", True)
    assert work.editions.get().isbn13 is None and not work.openlibrary_work_key
    request = EnrichmentRequest.objects.get(work=work, trigger="command")
    assert request.match_details.reason == (
        "No record found by this book's Open Library keys is this book."
    )
    assert not AuditLogEntry.objects.exists()
    # The other record's work is not ours: not even asked.
    assert asked(open_library, "/works/OL468431W.json") == 0


def test_our_edition_filed_under_another_work_waits_for_a_reviewer(open_library, django_user_model):
    # The reading log says work OL1W; Open Library files edition OL23109860M under OL468431W.
    open_library.get(f"{OL}/works/OL1W.json", status=404)
    import_reading_log("Work Id,Edition Id,Bookshelf\nOL1W,OL23109860M,Read\n")

    summary = enrich_missing()

    assert summary["needs_review"] == 1
    work = Work.objects.get(openlibrary_work_key="OL1W")
    assert (work.title, work.title_is_placeholder) == ("OL1W", True)
    assert not AuditLogEntry.objects.exists()
    request = EnrichmentRequest.objects.get(work=work, trigger="command")
    assert request.confidence == "low"
    assert asked(open_library, "/works/OL468431W.json") == 0
    # The review page offers the title in place of the placeholder, filling it; not ticked
    # for the reviewer on low confidence: they tick what they have checked.
    rows = review_page.review_rows(request, can_review=True)
    [row] = [r for r in rows if r["name"] == "title"]
    assert (row["current"], row["proposed"]) == ("OL1W (a placeholder)", "The Great Gatsby")
    assert row["can_tick"] and not row["ticked"] and not row["replaces"]

    # No one-click approval on low confidence (enrichment.safe_approval): the reviewer ticks
    # each field that fills an empty one.
    filling = [r["name"] for r in rows if r["can_tick"] and not r["replaces"]]
    reviewer = django_user_model.objects.create_user("dan")
    review.request_approve(request=request, actor=reviewer, fields=filling)

    work.refresh_from_db()
    assert (work.title, work.title_is_placeholder) == ("The Great Gatsby", False)
    assert work.openlibrary_work_key == "OL1W"  # a key it holds is never replaced unasked


def test_a_titled_book_with_an_edition_key_and_no_isbn_is_looked_up_by_its_key(open_library):
    work = make_work("The great Gatsby")  # a catalog's own spelling
    make_edition(work, isbn13=None, openlibrary_edition_key="OL23109860M")

    summary = enrich_missing()

    assert summary["completed"] == 1
    work.refresh_from_db()
    assert work.title == "The great Gatsby"  # the catalog's title is never replaced
    edition = work.editions.get()
    assert (edition.isbn13, edition.publisher) == ("9780743273565", "Scribner")
    request = EnrichmentRequest.objects.get(work=work)
    assert "title" not in request.proposal


def test_the_edition_open_library_describes_is_the_one_that_gets_its_isbn(open_library):
    work = make_work("OL468431W", openlibrary_work_key="OL468431W", title_is_placeholder=True)
    unknown = make_edition(work, isbn13=None)  # a row of the log that named the work only
    described = make_edition(work, isbn13=None, openlibrary_edition_key="OL23109860M")

    enrich_missing()

    unknown.refresh_from_db()
    described.refresh_from_db()
    assert (described.isbn13, described.publisher) == ("9780743273565", "Scribner")
    assert (unknown.isbn13, unknown.publisher) == (None, "")


def test_an_isbn_another_edition_holds_is_not_given_twice(open_library):
    make_edition(make_work("The Great Gatsby"), isbn13="9780743273565")  # imported before
    work = make_work("OL468431W", openlibrary_work_key="OL468431W", title_is_placeholder=True)
    keyed = make_edition(work, isbn13=None, openlibrary_edition_key="OL23109860M")

    # The earlier import's own lookup is not recorded here (refused): the command says so.
    with pytest.raises(CommandError, match="1 of 2 waiting for providers that could not be"):
        enrich_missing()

    keyed.refresh_from_db()
    work.refresh_from_db()
    assert keyed.isbn13 is None and work.title == "The Great Gatsby"
    request = EnrichmentRequest.objects.get(work=work)
    refused = request.proposal.fields["isbn13"].refused
    assert refused == "9780743273565 already belongs to another record"


def test_a_placeholder_work_counts_as_missing_metadata():
    complete = {"description": "d", "first_published_year": 1925, "subjects": ["Fiction"]}
    keyed = make_work("OL468431W", title_is_placeholder=True, **complete)
    titled = make_work("The Great Gatsby", **complete)
    for work in (keyed, titled):
        make_edition(work, publisher="Scribner", page_count=180)

    missing = queue.works_needing_enrichment(covers=False, metadata=True)

    assert list(missing) == [keyed]


class RecordsOnlyOpenLibrary(OpenLibraryProvider):
    """Open Library's record lookups answered in memory (for the decision logic, as
    tests/enrichment/fakes.py): our edition's record, which lists one ISBN and no cover."""

    def __init__(self):
        super().__init__()
        self.isbn_calls = []

    def edition(self, edition_id):
        record = Candidate(
            provider=self.name,
            provider_ids={"openlibrary_edition": edition_id},
            title="The Brothers Karamazov",
            isbn13=["9780486437910"],
        )
        return LookupResult(self.name, edition_id, LookupStatus.FOUND, candidates=[record])

    def work(self, work_id):
        return LookupResult(self.name, work_id, LookupStatus.NOT_FOUND)

    def lookup_isbns(self, isbns):
        self.isbn_calls.append(list(isbns))
        return {i: LookupResult(self.name, i, LookupStatus.NOT_FOUND) for i in isbns}


def test_the_isbn_our_edition_record_gives_is_asked_of_the_next_providers(monkeypatch):
    monkeypatch.setattr("enrichment.apply.covers_dispatch", lambda request_ids: None)
    work = make_work("OL3421079M", title_is_placeholder=True)
    make_edition(work, isbn13=None, openlibrary_edition_key="OL3421079M")
    cover = CoverRef("google_books", "https://books.google.com/books/content?id=x", "x")
    google = FakeProvider(
        "google_books",
        answers={
            "9780486437910": [
                Candidate(
                    provider="google_books",
                    title="The Brothers Karamazov",
                    isbn13=["9780486437910"],
                    covers=[cover],
                )
            ]
        },
    )
    openlibrary = RecordsOnlyOpenLibrary()
    ids = queue.works_enqueue_enrichment(dispatch=False)

    engine.process_requests(queue.requests_claim(request_ids=ids), providers=[openlibrary, google])

    # Our record gave no cover: the next providers are asked by the ISBN it gave.
    assert openlibrary.isbn_calls == google.lookup_calls == [["9780486437910"]]
    request = EnrichmentRequest.objects.get(pk=ids[0])
    google_match = next(c for c in request.match_details.candidates if c.provider != "openlibrary")
    assert google_match.tier == "high"
    # Compared with the title our record gave, not taken on trust as the placeholder was.
    assert any("agree at 100%" in reason for reason in google_match.reasons)
    assert request.proposal.cover.source == "google_books"


def test_a_placeholder_title_is_never_searched_for(monkeypatch):
    work = make_work("OL3421079M", authors=["Fyodor Dostoyevsky"], title_is_placeholder=True)
    make_edition(work, isbn13=None, openlibrary_edition_key="OL3421079M")
    searchable = FakeProvider("google_books", search_answers=[])
    openlibrary = RecordsOnlyOpenLibrary()
    monkeypatch.setattr(openlibrary, "edition", openlibrary.work)  # Open Library knows none
    ids = queue.works_enqueue_enrichment(dispatch=False)

    engine.process_requests(
        queue.requests_claim(request_ids=ids), providers=[openlibrary, searchable]
    )

    assert searchable.search_calls == []
    assert EnrichmentRequest.objects.get(pk=ids[0]).status == "skipped"
