"""What the review panel's screens say (issue 14, items 4 and 5): headlines built from the scores,
and labels where internal keys were shown (providers, outcome codes, tiers, languages). Each
screen is read as a browser shows it: the visible text of the HTML, tooltips included."""

import html
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Author, Edition
from enrichment import engine, match_summary, queue, review
from enrichment.candidates import CoverRef, LookupStatus
from enrichment.faults import ClassifiedFault
from enrichment.matching import Tier
from enrichment.models import AuditLogEntry, EnrichmentRequest, ProviderState, SourceRecord
from enrichment.proposals import MatchDetails, ProviderSkip
from tests.enrichment.fakes import FakeProvider
from tests.enrichment.test_author_requests import PHOTO_URL, decide
from tests.enrichment.test_review import needs_review, ol_record
from tests.enrichment.test_review_admin import QUEUE_URL, change_url, librarian
from tests.factories import make_author, make_edition, make_work

pytestmark = pytest.mark.django_db
AUDIT_URL = reverse("admin:enrichment_auditlogentry_changelist")
WORKS_URL = reverse("admin:catalog_work_changelist")
EDITIONS_URL = reverse("admin:catalog_edition_changelist")
#: Internal keys no screen may show: provider keys and lookup outcome codes.
RAW_KEYS = re.compile(
    r"(?<![\w./-])(openlibrary|openlibrary_dump|google_books|archive_org|isbndb|wikidata|"
    r"circuit_open|no_title_search|quota_exhausted|not_configured|server_error|page_count)"
    r"(?![\w.-])"
)


@pytest.fixture(autouse=True)
def no_task_queue(monkeypatch, sent_tasks):
    monkeypatch.setattr("enrichment.apply.covers_dispatch", lambda request_ids: None)
    return sent_tasks


class VisibleText(HTMLParser):
    """The text a browser shows: element text outside scripts and styles, and the tooltips
    and alternative texts (title, alt) a reader sees on hover."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        self.parts += [f" {value} " for name, value in attrs if name in ("title", "alt") and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = VisibleText()
    parser.feed(response.content.decode())
    return re.sub(r"\s+", " ", "".join(parser.parts))


def raw_keys(text: str) -> list[str]:
    return sorted(set(RAW_KEYS.findall(text)))


def low_confidence_request() -> EnrichmentRequest:
    """Our ISBN and author on a record whose title is another ("Nevermore" for "Neverwhere"):
    the ISBN and the author agree, the title does not (2/5), so it waits as low."""
    work = make_work("Neverwhere", authors=["Neil Gaiman"])
    edition = make_edition(work)
    ids = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    answer = ol_record(edition.isbn13, title="Nevermore", isbn13=[edition.isbn13], language="jpn")
    provider = FakeProvider(answers={edition.isbn13: [answer]})
    engine.process_requests(queue.requests_claim(request_ids=ids), providers=[provider])
    request = EnrichmentRequest.objects.get(pk=ids[0])
    assert (request.status, request.confidence) == ("needs_review", "low")
    scores = request.proposal.scores
    assert (scores.isbn, scores.title, scores.author) == (5, 2, 5)
    return request


# --- Item 4: headlines from the scores ---------------------------------------------------------


def test_a_low_match_whose_isbn_and_author_agree_says_so(client):
    request = low_confidence_request()
    client.force_login(librarian())
    text = visible_text(client, change_url(request))
    assert "Low confidence." in text
    assert (
        "The ISBN and the author agree; the title (2/5) does not: check it is the same book."
        in text
    )
    assert "ISBN 5/5 · title 2/5 · author 5/5" in text
    assert "Only the title agrees" not in text


def test_an_offline_skip_says_it_was_not_looked_up(client):
    """Every provider unavailable (breaker open): nothing was found by any search, and there is
    no match, so no confidence either."""
    work = make_work("Harry Potter and the Philosopher's Stone", authors=["J. K. Rowling"])
    make_edition(work)
    ids = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    offline = [
        FakeProvider("openlibrary", status=LookupStatus.CIRCUIT_OPEN),
        FakeProvider("google_books", status=LookupStatus.CIRCUIT_OPEN),
    ]
    engine.process_requests(queue.requests_claim(request_ids=ids), providers=offline)
    request = EnrichmentRequest.objects.get(pk=ids[0])
    assert request.confidence in ("", "none") and not request.match_details.answered
    client.force_login(librarian())

    text = visible_text(client, change_url(request))
    assert request.status == "pending"  # it waits for the breakers: not decided
    assert (
        "Not looked up yet: the providers are unavailable for now; they will be asked again."
        in text
    )
    assert "Found by title and author search" not in text
    assert "None confidence" not in text and "none confidence" not in text.lower()
    assert "Open Library: paused after repeated failures" in text
    assert "No provider answered." in text and "No provider record matched" not in text
    # The queue list: no confidence badge, no provider named as having answered.
    queue_text = visible_text(client, f"{QUEUE_URL}?q=Harry")
    row = queue_text.split("Answered by")[1].split("current request")[0]
    assert "Harry Potter" in row, row
    assert not re.search(r"\bNone\b|Open Library|Google Books", row), row


def test_a_stored_offline_skip_that_tried_a_title_search_is_not_found_by_it(client):
    """The issue's request as it was stored: skipped, every provider unavailable, a title
    search attempted (and skipped too), confidence none."""
    work = make_work("Harry Potter and the Philosopher's Stone", authors=["J. K. Rowling"])
    request = EnrichmentRequest.objects.create(
        work=work,
        trigger="post_import",
        status="skipped",
        confidence="none",
        attempts=1,
        match_details={
            "via_title_search": True,
            "skipped": ["openlibrary: circuit_open", "google_books: no_title_search"],
        },
    )
    client.force_login(librarian())
    text = visible_text(client, change_url(request))
    assert "Not looked up: the providers were unavailable." in text
    assert "Found by title and author search" not in text and "None confidence" not in text
    assert "Google Books: it cannot search by title" in text
    assert raw_keys(text) == [], raw_keys(text)


def test_found_by_title_search_only_when_that_search_found_the_match(client):
    """A book without an ISBN whose title search found it says so beside its headline."""
    work = make_work("Neverwhere", authors=["Neil Gaiman"])
    ids = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    found = ol_record("", isbn13=["9780380789016"], provider_ids={})
    provider = FakeProvider(search_answers=[found])
    engine.process_requests(queue.requests_claim(request_ids=ids), providers=[provider])
    request = EnrichmentRequest.objects.get(pk=ids[0])
    assert request.confidence == "medium"
    client.force_login(librarian())
    text = visible_text(client, change_url(request))
    assert "Medium confidence." in text and "Found by title and author search" in text
    assert "The title and the author agree; no ISBN confirms it: check the edition." in text


# --- Item 5: labels, not keys ------------------------------------------------------------------


def test_the_review_page_shows_labels_not_keys(client):
    request = low_confidence_request()
    details = request.match_details
    details.skipped = [ProviderSkip("google_books", "no_title_search")]
    EnrichmentRequest.objects.filter(pk=request.pk).update(match_details=details)
    review.request_approve(request=request, actor=None, fields=["page_count"])
    client.force_login(librarian())

    text = visible_text(client, change_url(request))
    assert raw_keys(text) == [], raw_keys(text)
    assert "Japanese" in text  # the proposed language, by its name ("jpn" -> "ja")
    assert "Google Books: it cannot search by title" in text
    assert "Open Library: Nevermore Low" in text  # the record's provider and its tier's label
    assert re.search(r"Answered by:? Open Library", text)
    assert "Pages" in text  # the history names the fields it changed


def test_the_queue_list_shows_labels_and_who_answered(client):
    request = needs_review()
    # Google Books was asked too, and failed: it did not answer, so it is not listed.
    details = request.match_details
    details.faults = [ClassifiedFault(provider="google_books", kind="http_5xx", http_status=503)]
    details.answered = []  # a request recorded before the engine listed who answered
    EnrichmentRequest.objects.filter(pk=request.pk).update(
        match_details=details, providers_attempted=["openlibrary", "google_books"]
    )
    # Another book: Google Books was its only provider asked, and it failed.
    failing = EnrichmentRequest.objects.create(
        work=make_work("Stardust"),
        trigger="command",
        attempts=1,
        providers_attempted=["google_books"],
        match_details=MatchDetails(faults=[ClassifiedFault(provider="google_books")]),
    )
    client.force_login(librarian())

    text = visible_text(client, QUEUE_URL)
    assert raw_keys(text) == [], raw_keys(text)
    assert "Medium" in text and "medium" not in text
    rows = text.split("Answered by")[1].split("current requests")[0]
    neverwhere = rows.split("Neverwhere")[1].split("Stardust")[0]
    assert "Open Library" in neverwhere and "Google Books" not in neverwhere
    stardust = rows.split("Stardust")[1]
    assert "no provider answered" in stardust and "Google Books" not in stardust
    assert failing.status == "pending"
    assert "No match" in text  # the confidence filter says "No match", not "None"


def test_the_audit_log_shows_labels_not_keys(client):
    request = low_confidence_request()
    user = librarian()
    review.request_approve(request=request, actor=user, fields=["language", "page_count"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    client.force_login(user)

    listing = visible_text(client, AUDIT_URL)
    assert raw_keys(listing) == [], raw_keys(listing)
    assert "Language: empty → Japanese" in listing
    page = visible_text(client, reverse("admin:enrichment_auditlogentry_change", args=[entry.pk]))
    assert raw_keys(page) == [], raw_keys(page)
    assert "Open Library" in page and "Japanese" in page and re.search(r"Confidence:? Low", page)


def test_the_providers_cached_answers_and_states_show_labels_not_keys(client):
    needs_review()  # asks the (fake) Open Library: an answer kept, a state written
    record = SourceRecord.objects.create(
        provider="openlibrary",
        lookup_key="isbn:9780060557812",
        status=SourceRecord.Status.HIT,
        payload={"title": "Neverwhere", "authors": [{"key": "/authors/OL1A"}]},
        fetched_at=timezone.now(),
        expires_at=timezone.now(),
    )
    state, _created = ProviderState.objects.get_or_create(provider="google_books")
    client.force_login(librarian())
    url = reverse("admin:enrichment_sourcerecord_change", args=[record.pk])
    text = visible_text(client, url)
    assert raw_keys(text) == [], raw_keys(text)
    assert "Open Library: isbn:9780060557812 (Hit)" in text
    # The answer indented to be read, not one line of JSON.
    answer = html.unescape(client.get(url).content.decode())
    assert '"authors": [\n    {\n      "key": "/authors/OL1A"' in answer
    page = visible_text(client, reverse("admin:enrichment_providerstate_change", args=[state.pk]))
    assert raw_keys(page) == [], raw_keys(page)
    assert "Google Books" in page


def test_a_format_is_shown_by_its_label_in_the_audit_log(client):
    request = needs_review()
    user = librarian()
    AuditLogEntry.objects.create(
        work_id=request.work_id,
        action=AuditLogEntry.Action.REVIEW_APPLY,
        actor=user,
        changes={"format": {"old": "", "new": "mass_market"}},
    )
    client.force_login(user)
    assert "Format: empty → Mass market paperback" in visible_text(client, AUDIT_URL)


def test_the_dashboard_shows_labels_not_keys(client):
    needs_review()
    client.force_login(librarian())
    text = visible_text(client, reverse("admin:enrichment_dashboard"))
    assert raw_keys(text) == [], raw_keys(text)
    assert "Open Library" in text and "Google Books" in text


def test_what_queued_a_request_is_named_for_people_not_by_its_command(client):
    """ "enrich_missing command" named a management command; the queue's filter said it too."""
    request = needs_review()
    EnrichmentRequest.objects.filter(pk=request.pk).update(trigger="command")
    imported = EnrichmentRequest.objects.create(work=make_work("Stardust"), trigger="post_import")
    client.force_login(librarian())

    page = visible_text(client, change_url(request))
    assert re.search(r"Trigger:? Command line", page) and "enrich_missing" not in page
    listing = visible_text(client, QUEUE_URL + "?show=all")
    filters = listing.split("By trigger")[1][:300]
    assert "Command line" in filters and "After an import" in filters
    assert "enrich_missing" not in listing
    # The filter keeps the field filter's query string: links to it still work.
    chosen = visible_text(client, QUEUE_URL + "?show=all&trigger__exact=command")
    assert "Neverwhere" in chosen and "Stardust" not in chosen
    assert imported.trigger == "post_import"


def test_an_authors_photo_credit_names_its_source_by_its_label(client):
    author = make_author("Ursula K. Le Guin", photo="covers/ab/photo.jpg")
    Author.objects.filter(pk=author.pk).update(
        photo_source="wikidata", photo_licence="CC BY-SA 4.0", photo_artist="Marian Wood Kolisch"
    )
    client.force_login(librarian())
    page = visible_text(client, reverse("admin:catalog_author_change", args=[author.pk]))
    assert "Wikidata · CC BY-SA 4.0 · Marian Wood Kolisch" in page
    assert raw_keys(page) == [], raw_keys(page)


@pytest.mark.parametrize(
    ("url", "param"), [(WORKS_URL, "editions__language"), (EDITIONS_URL, "language")]
)
def test_the_language_filter_names_languages_and_has_no_blank_option(client, url, param):
    japanese = make_work("Kitchen")
    make_edition(japanese, language="ja")
    make_edition(japanese, language="ja")  # two editions: the work is still listed once
    make_edition(make_work("Dune"), language="en")
    make_edition(make_work("Untold"), language="")
    client.force_login(librarian())

    text = visible_text(client, f"{url}?_facets=True")
    filters = text.split("By language")[1][:200]
    assert "Japanese (" in filters and "English (" in filters and "no language (" in filters
    assert not re.search(r"(?<![\w)])\s\(\d+\)", filters), filters  # no blank "(N)" option
    assert re.search(r"\bja\b", filters) is None
    kitchen = visible_text(client, f"{url}?{param}=ja")
    assert "Kitchen" in kitchen and "Dune" not in kitchen and "Untold" not in kitchen
    untold = visible_text(client, f"{url}?{param}=none")
    assert "Untold" in untold and "Kitchen" not in untold and "Dune" not in untold
    if url == WORKS_URL:
        assert "1 work" in kitchen  # listed once, though two editions are Japanese
    assert Edition.objects.filter(language="ja").count() == 2


def test_a_provider_without_title_search_is_not_called_unavailable():
    """Open Library answered "not found" by ISBN and by title; ISBNdb cannot search by title:
    nothing was found, and no provider was unavailable."""
    request = EnrichmentRequest(
        status="skipped",
        confidence="none",
        attempts=1,
        providers_attempted=["openlibrary", "isbndb"],
        match_details=MatchDetails(
            via_title_search=True,
            answered=["openlibrary", "isbndb"],
            skipped=[ProviderSkip("isbndb", "no_title_search")],
        ),
    )
    assert match_summary.request_headline(request) == (
        "Nothing was found: no provider knows this book, not even by a title and author search."
    )
    request.match_details.skipped.append(ProviderSkip("google_books", "quota_exhausted"))
    assert "the others were unavailable" in match_summary.request_headline(request)


# --- The cover (photo) step, in the page's own words -----------------------------------------


def test_the_cover_step_is_said_once_and_an_authors_image_is_a_photo(client):
    """ "Cover: Cover download queued." said the cover twice, and an author's request said
    "Cover" of its photo (the model's choice labels, read as they were)."""
    client.force_login(librarian())
    work_request = needs_review()
    review.request_approve(request=work_request, actor=None, fields=["cover"])
    text = visible_text(client, change_url(work_request))
    assert "Cover: Download queued." in text  # the line below the images
    assert re.search(r"Cover: Download queued (?!\.)", text)  # the request's Cover field
    assert "Cover download queued" not in text

    author = make_author("Sergei Lukyanenko")
    author_request = decide(
        author, Tier.LOW, covers=[CoverRef("wikidata", PHOTO_URL)], birth_year=1968
    )
    review.request_approve(request=author_request, actor=None, fields=["cover"])
    text = visible_text(client, change_url(author_request))
    assert "Photo: Download queued." in text
    assert re.search(r"Photo: Download queued (?!\.)", text)
    assert "Cover: " not in text and "Cover download queued" not in text


# --- A request's title names its book or its author ---------------------------------------------


def test_a_request_is_named_by_its_book_or_its_author_not_by_an_id(admin_client):
    """Its History's title and breadcrumb, and the deletion page of its work (author), which
    lists it: "Enrichment #4 of “Dune”", where they said "Enrichment #4 of work 4"."""
    work_request = needs_review("Dune", "Frank Herbert")
    author_request = decide(make_author("Ursula K. Le Guin"), Tier.LOW, birth_year=1929)
    work_title = f"Enrichment #{work_request.pk} of “Dune” (needs review)"
    author_title = f"Enrichment #{author_request.pk} of Ursula K. Le Guin (needs review)"

    for request, title in ((work_request, work_title), (author_request, author_title)):
        url = reverse("admin:enrichment_enrichmentrequest_history", args=[request.pk])
        text = visible_text(admin_client, url)
        assert f"Change history: {title}" in text  # the page's heading
        assert f"Enrichment requests › {title} › History" in text  # its breadcrumb

    work_page = reverse("admin:catalog_work_delete", args=[work_request.work_id])
    assert f"Enrichment request: {work_title}" in visible_text(admin_client, work_page)
    author_page = reverse("admin:catalog_author_delete", args=[author_request.author_id])
    assert f"Enrichment request: {author_title}" in visible_text(admin_client, author_page)


def test_the_queue_names_each_row_by_its_book_or_author_in_the_lists_own_query(client):
    """Each row's checkbox says which request it selects by the book's title or the author's
    name, read from the work (author) the list selects with each request: never a query a
    row."""
    client.force_login(librarian())

    def queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(QUEUE_URL).content.decode()
        return len(captured), page

    book = needs_review("Dune", "Frank Herbert")
    person = decide(make_author("Ursula K. Le Guin"), Tier.LOW, birth_year=1929)
    few, page = queries()
    select = "Select this object for an action - Enrichment #%s of %s (needs review)"
    assert select % (book.pk, "“Dune”") in page
    assert select % (person.pk, "Ursula K. Le Guin") in page
    for i in range(4):
        needs_review(f"Book {i}", f"Author {i}")
        decide(make_author(f"Person {i}"), Tier.LOW, birth_year=1900 + i)
    many, page = queries()
    assert select % (person.pk + 1, "“Book 0”") in page
    assert many == few
