"""Authors enriched through the shared queue (issue 15, items 1-2 and 4): enqueued with
`authors_enqueue_enrichment`, worked by the real task (`tasks.process_enrichment_batch`, which
hands author requests to enrichment.author_engine), with the real provider clients asking a
local server on 127.0.0.1 that this module starts and stops.

What the server answers:
- Open Library: real recorded author records (George Orwell's and William Hazlitt's as the JSON
  column of real dump lines, which is what `/authors/OL…A.json` serves; Stuart J. Russell's and
  Peter Norvig's recorded API answers) and a real edition record (OL28002220M), from
  tests/fixtures/providers/openlibrary/ (see its PROVENANCE.md); Orwell's works list is the
  synthetic-author_works__OL118077A__limit100.json there.
- Wikidata and Wikimedia Commons: the synthetic-* SPARQL and Commons bodies of
  tests/fixtures/providers/wikidata/ (no real WDQS answer to a people query exists).
- Photos: images drawn with Pillow here (tests/fixtures/covers/synthetic.py), and Open
  Library's 43-byte "no photo" GIF; faults (503) and redirects are built here.
"""

import datetime
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from catalog.models import Author, Work
from enrichment import engine, queue, tasks, throttle
from enrichment.candidates import LookupStatus
from enrichment.covers.placeholders import OPENLIBRARY_MISSING_COVER_GIF
from enrichment.dump import tables as dump_tables
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.providers.wikidata import WikidataProvider
from enrichment.revert import audit_revert
from tests.enrichment.providers.helpers import body
from tests.factories import make_author, make_edition, make_work
from tests.fixtures.covers.synthetic import cover_jpeg

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status
BATCH_TASK = "enrichment.tasks.process_enrichment_batch"
COVER_TASK = "enrichment.tasks.fetch_covers_for_requests"
ORWELL_KEY = "OL118077A"
ORWELL_PHOTO = "George_Orwell_press_photo.jpg"
DUMP = Path(__file__).resolve().parents[1] / "fixtures" / "openlibrary_dump"


class SourcesServer:
    """Open Library, Wikidata's SPARQL endpoint, Wikimedia Commons and their images on one
    loopback port, each under its own path prefix; `routes` maps a path (no query) to
    (status, body, headers), SPARQL answers go by the kind of query."""

    def __init__(self):
        self.requests: list[str] = []
        self.routes: dict[str, tuple[int, bytes, dict[str, str]]] = {}
        self.sparql: dict[str, bytes] = {}  # "P648" / "P2963" / "label" -> body
        server = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # no delayed-ACK stall between headers and body

            def do_GET(self):
                path = unquote(urlsplit(self.path).path)
                server.requests.append(path)
                status, payload, headers = server.routes.get(path, (404, b"{}", {}))
                if path.startswith("/commons/wiki/Special:FilePath/"):
                    name = path.rsplit("/", 1)[1]
                    status, payload, headers = server.routes.get(f"/upload/{name}", (404, b"", {}))
                    if status == 200:  # Commons redirects to its upload host
                        status, payload = 302, b""
                        headers = {"Location": f"{server.url}/upload/{name}"}
                self.answer(status, payload, headers)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                query = parse_qs(self.rfile.read(length).decode()).get("query", [""])[0]
                kind = next((k for k in ("P648", "P2963") if f"wdt:{k} ?asked" in query), "label")
                server.requests.append(f"/sparql {kind}")
                self.answer(200, server.sparql.get(kind, EMPTY_SPARQL), {})

            def answer(self, status, payload, headers):
                self.send_response(status)
                headers = {"Content-Type": "application/json", **headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def json(self, path: str, payload: bytes, status: int = 200) -> None:
        self.routes[path] = (status, payload, {})

    def image(self, path: str, payload: bytes) -> None:
        self.routes[path] = (200, payload, {"Content-Type": "image/jpeg"})


EMPTY_SPARQL = b'{"head": {"vars": []}, "results": {"bindings": []}}'


@pytest.fixture
def sources(settings):
    server = SourcesServer()
    server.thread.start()
    settings.ENRICHMENT_PROVIDERS = ["openlibrary", "wikidata"]
    settings.OPENLIBRARY_URL = f"{server.url}/ol"
    settings.OPENLIBRARY_COVERS_URL = f"{server.url}/covers"
    settings.WIKIDATA_SPARQL_URL = f"{server.url}/sparql"
    settings.WIKIMEDIA_COMMONS_URL = f"{server.url}/commons"
    settings.COVER_ALLOWED_HOSTS = [f"127.0.0.1:{server.httpd.server_port}"]
    settings.ENRICHMENT_CONTACT_EMAIL = "librarian@example.org"
    settings.OPENLIBRARY_RATE = settings.WIKIDATA_RATE = 1000.0  # no spacing in a test
    settings.OPENLIBRARY_DAILY_BUDGET = settings.WIKIDATA_DAILY_BUDGET = 0
    settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT = settings.COVER_CONNECT_TIMEOUT = 1.0
    settings.ENRICHMENT_HTTP_READ_TIMEOUT = settings.COVER_READ_TIMEOUT = 2.0
    settings.ENRICHMENT_RETRY_BASE_SECONDS = 60
    settings.Q_SYNC = False
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
    server.thread.join(5)


def serve_orwell(sources: SourcesServer) -> None:
    """Open Library's record of Orwell, and Wikidata's (by his key and by his name)."""
    orwell = body("openlibrary", "author__OL118077A__from_dump.json")
    sources.json(f"/ol/authors/{ORWELL_KEY}.json", orwell)
    sources.sparql["P648"] = body("wikidata", "synthetic-sparql__authors_by_openlibrary_id.json")
    sources.sparql["label"] = body("wikidata", "synthetic-sparql__authors_by_label.json")
    sources.json(
        "/commons/w/api.php", body("wikidata", "synthetic-commons__imageinfo_extmetadata.json")
    )


@pytest.fixture
def work_queue(sent_tasks, django_capture_on_commit_callbacks):
    """Play the cluster: enqueue authors, then run every task the queue sent, as a worker."""

    def run_tasks() -> None:
        done = 0
        while done < len(sent_tasks):
            task = sent_tasks[done]
            done += 1
            with django_capture_on_commit_callbacks(execute=True):
                if task.func == BATCH_TASK:
                    tasks.process_enrichment_batch(*task.args)
                elif task.func == COVER_TASK:
                    tasks.fetch_covers_for_requests(*task.args)

    def enrich(*authors: Author) -> list[EnrichmentRequest]:
        with django_capture_on_commit_callbacks(execute=True):
            ids = queue.authors_enqueue_enrichment(author_ids=[a.pk for a in authors])
        assert {t.func for t in sent_tasks} == {BATCH_TASK}
        run_tasks()
        return list(EnrichmentRequest.objects.filter(pk__in=ids).order_by("pk"))

    enrich.run_tasks = run_tasks
    return enrich


def fresh(author: Author) -> Author:
    author.refresh_from_db()
    return author


# --- Known by their Open Library key: high, empty fields only, audited, revertible ------------


def test_an_author_known_by_key_gets_the_empty_fields_filled_audited_and_revertible(
    sources, work_queue, admin_user
):
    serve_orwell(sources)
    orwell = make_author("George Orwell", openlibrary_key=ORWELL_KEY)

    [request] = work_queue(orwell)

    assert (request.status, request.confidence) == (Status.COMPLETED, "high")
    orwell = fresh(orwell)
    assert (orwell.birth_year, orwell.death_year) == (1903, 1950)
    assert orwell.birth_date == "25 June 1903"  # Open Library's, first in provider order
    assert orwell.bio.startswith("George Orwell, originally born as Eric Arthur Blair")
    assert orwell.bio_source == f"{sources.url}/ol/authors/{ORWELL_KEY}"
    assert orwell.short_description == "English novelist, essayist and critic (1903–1950)"
    assert (orwell.gender, orwell.nationality) == ("male", "United Kingdom")
    assert (orwell.wikidata_id, orwell.viaf_id, orwell.goodreads_author_id) == (
        "Q3335",
        "95155403",
        "3706",
    )
    assert orwell.openlibrary_key == ORWELL_KEY
    assert orwell.enrichment_status == "enriched"
    assert orwell.completeness >= 75  # bio, ids, birth year, description, nationality
    # What the librarian reads on the review page: the records and why they matched.
    [held] = [request.match_details.held_author]
    assert (held.name, held.ids) == ("George Orwell", {"openlibrary_author": ORWELL_KEY})
    seen = {(c.provider, c.title, c.tier) for c in request.match_details.candidates}
    assert seen == {("openlibrary", "George Orwell", "high"), ("wikidata", "George Orwell", "high")}
    assert any("the record holds our id" in r for r in request.match_details.candidates[0].reasons)
    # One audit entry by the worker, with the old values.
    [entry] = AuditLogEntry.objects.filter(author=orwell)
    assert (entry.action, entry.actor_label, entry.work_id) == (
        "auto_apply",
        "enrichment worker",
        None,
    )
    assert entry.changes["birth_year"] == {"old": None, "new": 1903, "target": "author"}
    assert entry.changes["bio"]["old"] == ""

    result = audit_revert(entry=entry, actor=admin_user)

    assert "bio" in result.reverted and not result.refused
    orwell = fresh(orwell)
    assert (orwell.bio, orwell.birth_year, orwell.wikidata_id, orwell.short_description) == (
        "",
        None,
        "",
        "",
    )
    assert orwell.openlibrary_key == ORWELL_KEY  # ours before, untouched


def test_the_batch_counts_its_provider_requests(sources, work_queue):
    serve_orwell(sources)
    orwell = make_author("George Orwell", openlibrary_key=ORWELL_KEY)
    ids = queue.authors_enqueue_enrichment(author_ids=[orwell.pk], dispatch=False)

    stats = engine.process_requests(queue.requests_claim(request_ids=ids))

    assert dict(stats.statuses) == {Status.COMPLETED: 1}
    # The author record, Wikidata by key, and no label search or Commons licences (no photo
    # is applied without a verified download, but the licence is asked only for matched ones).
    assert dict(stats.provider_requests) == {"openlibrary": 1, "wikidata": 2}
    assert sources.requests.count("/sparql label") == 0


def test_an_existing_bio_is_never_overwritten_it_is_proposed(sources, work_queue):
    serve_orwell(sources)
    orwell = make_author("George Orwell", openlibrary_key=ORWELL_KEY, bio="Our own words.")

    [request] = work_queue(orwell)

    orwell = fresh(orwell)
    assert orwell.bio == "Our own words."
    assert orwell.birth_year == 1903  # an empty field is filled
    bio = request.proposal.fields["bio"]
    assert (bio.current, bio.fills_empty, bio.applied) == ("Our own words.", False, False)
    assert bio.proposed.startswith("George Orwell, originally born")
    assert "bio" not in AuditLogEntry.objects.get(author=orwell).changes
    assert "bio" in request.proposal.pending()  # a reviewer may choose it


# --- Matching without an id --------------------------------------------------------------


def test_a_name_alone_goes_to_review_and_applies_nothing(sources, work_queue, admin_client):
    serve_orwell(sources)
    orwell = make_author("George Orwell")  # no id, no work

    [request] = work_queue(orwell)

    assert (request.status, request.confidence) == (Status.NEEDS_REVIEW, "low")
    orwell = fresh(orwell)
    assert (orwell.bio, orwell.birth_year, orwell.wikidata_id) == ("", None, "")
    assert orwell.enrichment_status == "needs_review"
    assert not AuditLogEntry.objects.filter(author=orwell).exists()
    assert request.proposal.cover is None  # no photo below medium
    # One person's record is proposed (the first namesake the label search found), for review.
    assert request.proposal.fields["wikidata_id"].proposed == "Q3335"
    assert not request.proposal.fields["wikidata_id"].applied
    reasons = [r for c in request.match_details.candidates for r in c.reasons]
    assert "a name alone is never enough: kept for review" in reasons
    assert len(request.match_details.candidates) == 3  # the namesakes are listed too
    assert request.cover_status == EnrichmentRequest.CoverStatus.NONE
    # The review page shows the records seen and why none is enough.
    page = admin_client.get(
        reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk])
    ).content.decode()
    assert "A name alone is never enough: kept for review." in page
    assert "English novelist, essayist and critic" in page  # the proposed description


def test_a_shared_work_title_and_the_name_make_a_high_match(sources, work_queue):
    serve_orwell(sources)
    sources.json(
        f"/ol/authors/{ORWELL_KEY}/works.json",
        body("openlibrary", "synthetic-author_works__OL118077A__limit100.json"),
    )
    orwell = make_author("George Orwell")
    make_work("Animal Farm", authors=[orwell])  # no ISBN, no key

    [request] = work_queue(orwell)

    assert (request.status, request.confidence) == (Status.COMPLETED, "high")
    orwell = fresh(orwell)
    assert orwell.openlibrary_key == ORWELL_KEY  # Open Library's own record, asked once matched
    assert orwell.wikidata_id == "Q3335"
    assert orwell.bio.startswith("George Orwell, originally born")
    assert orwell.birth_year == 1903
    reasons = [r for c in request.match_details.candidates for r in c.reasons]
    assert "our work 'Animal Farm' is the record's 'Animal Farm' (5/5)" in reasons
    assert f"/ol/authors/{ORWELL_KEY}/works.json" in sources.requests


def test_an_author_found_through_the_record_of_their_work_s_open_library_key(sources, work_queue):
    sources.json(
        "/ol/books/OL28002220M.json",
        body("openlibrary", "edition__OL28002220M__isbn_9780134610993.json"),
    )
    sources.json("/ol/authors/OL440500A.json", body("openlibrary", "author__OL440500A.json"))
    sources.json("/ol/authors/OL772166A.json", body("openlibrary", "author__OL772166A.json"))
    sources.sparql["P648"] = body("wikidata", "synthetic-sparql__authors_by_openlibrary_id.json")
    russell = make_author("Stuart Russell")
    book = make_work(
        "Artificial Intelligence: A Modern Approach", authors=[russell, "Peter Norvig"]
    )
    make_edition(book, isbn13=None, openlibrary_edition_key="OL28002220M")

    [request] = work_queue(russell)

    assert (request.status, request.confidence) == (Status.COMPLETED, "high")
    russell = fresh(russell)
    assert russell.openlibrary_key == "OL440500A"  # not Norvig's, his co-author on the record
    assert (russell.wikidata_id, russell.birth_year, russell.isni) == (
        "Q3656334",
        1962,
        "0000000083978047",
    )
    assert "/sparql label" not in sources.requests  # found by the key, not the name


def test_an_author_known_by_goodreads_id_gets_each_id_from_its_own_source(sources, work_queue):
    serve_orwell(sources)
    sources.sparql["P2963"] = body("wikidata", "synthetic-sparql__authors_by_goodreads_id.json")
    orwell = make_author("George Orwell", goodreads_author_id="3706")

    [request] = work_queue(orwell)

    assert (request.status, request.confidence) == (Status.COMPLETED, "high")
    orwell = fresh(orwell)
    assert orwell.wikidata_id == "Q3335"
    # Wikidata names his Open Library key: Open Library's own record of it gave the key and bio.
    assert orwell.openlibrary_key == ORWELL_KEY
    assert orwell.bio.startswith("George Orwell, originally born")
    assert "/sparql P2963" in sources.requests and "/sparql label" not in sources.requests
    assert request.match_details.learned_ids["openlibrary_author"] == ORWELL_KEY


def test_a_key_open_library_merged_into_another_leads_to_that_record(sources, work_queue):
    serve_orwell(sources)
    sources.json(  # built here: the shape Open Library gives a merged author's old key
        "/ol/authors/OL9999999A.json",
        b'{"key": "/authors/OL9999999A", "type": {"key": "/type/redirect"}, '
        b'"location": "/authors/OL118077A"}',
    )
    orwell = make_author("George Orwell", openlibrary_key="OL9999999A")

    [request] = work_queue(orwell)

    assert (request.status, request.confidence) == (Status.COMPLETED, "high")
    assert request.match_details.learned_ids["openlibrary_author"] == ORWELL_KEY
    orwell = fresh(orwell)
    assert orwell.birth_year == 1903
    assert orwell.openlibrary_key == "OL9999999A"  # ours is never replaced automatically
    key = request.proposal.fields["openlibrary_key"]
    assert (key.proposed, key.fills_empty, key.applied) == (ORWELL_KEY, False, False)


# --- Faults and unavailable sources ------------------------------------------------------


def test_a_provider_5xx_backs_off_and_counts_an_attempt(sources, work_queue, settings):
    settings.ENRICHMENT_PROVIDERS = ["openlibrary"]
    sources.json(f"/ol/authors/{ORWELL_KEY}.json", b"busy", status=503)
    orwell = make_author("George Orwell", openlibrary_key=ORWELL_KEY)
    before = timezone.now()

    [request] = work_queue(orwell)

    assert (request.status, request.attempts, request.claim_token) == (Status.PENDING, 1, "")
    assert request.next_attempt_at >= before + datetime.timedelta(seconds=59)
    assert request.last_error == (
        f"Open Library: 127.0.0.1:{sources.httpd.server_port} answered HTTP 503: a server error"
    )
    assert fresh(orwell).enrichment_status == Work.EnrichmentStatus.WAITING
    assert fresh(orwell).bio == ""


def test_a_provider_out_of_budget_makes_the_author_wait_without_an_attempt(
    sources, work_queue, settings
):
    settings.ENRICHMENT_PROVIDERS = ["wikidata"]
    settings.WIKIDATA_DAILY_BUDGET = 1
    limits = throttle.limits_for("wikidata")
    permit = throttle.acquire_permit(provider="wikidata", limits=limits, max_wait=1)
    throttle.record_outcome(permit=permit, status=LookupStatus.FOUND, limits=limits)
    orwell = make_author("George Orwell")

    [request] = work_queue(orwell)

    assert (request.status, request.attempts) == (Status.PENDING, 0)
    tomorrow = (timezone.now().astimezone(datetime.UTC) + datetime.timedelta(days=1)).date()
    assert request.next_attempt_at == datetime.datetime.combine(
        tomorrow, datetime.time(), tzinfo=datetime.UTC
    )
    assert request.last_error == (
        "Waiting for providers unavailable for now: Wikidata: its daily quota is spent."
    )
    assert fresh(orwell).enrichment_status == Work.EnrichmentStatus.WAITING
    assert sources.requests == []  # nothing was sent


def test_a_source_that_raises_never_leaves_a_request_in_progress(sources, work_queue, monkeypatch):
    serve_orwell(sources)

    def broken(self, queries):
        raise RuntimeError("a bug in our label search")

    monkeypatch.setattr(WikidataProvider, "authors_by_label", broken)
    known = make_author("George Orwell", openlibrary_key=ORWELL_KEY)
    unknown = make_author("Sergei Lukyanenko")

    requests = {r.author_id: r for r in work_queue(known, unknown)}

    assert requests[known.pk].status == Status.COMPLETED  # matched by its key all the same
    failed = requests[unknown.pk]
    assert (failed.status, failed.attempts, failed.claim_token) == (Status.PENDING, 1, "")
    assert "a bug in our label search" in failed.last_error


def test_a_work_and_an_author_in_one_batch_are_both_worked(sources, work_queue, settings):
    settings.OPENLIBRARY_SEARCH_GATHER_SECONDS = 0  # the book's title search in its batch
    serve_orwell(sources)
    sources.json("/ol/api/books", b"{}")  # Open Library knows no book by this ISBN,
    sources.json("/ol/search.json", b'{"numFound": 0, "docs": []}')  # nor by its title
    orwell = make_author("George Orwell", openlibrary_key=ORWELL_KEY)
    book = make_edition(make_work("Some Book", authors=["Someone"])).work
    with_work = queue.works_enqueue_enrichment(work_ids=[book.pk], dispatch=False)
    with_author = queue.authors_enqueue_enrichment(author_ids=[orwell.pk], dispatch=False)

    statuses = tasks.process_enrichment_batch([*with_work, *with_author])

    assert statuses == {Status.COMPLETED: 1, Status.SKIPPED: 1}
    assert EnrichmentRequest.objects.get(pk=with_work[0]).status == Status.SKIPPED
    assert EnrichmentRequest.objects.get(pk=with_author[0]).status == Status.COMPLETED


def test_a_stale_author_request_is_given_back_like_a_work_s(sources, work_queue, settings):
    serve_orwell(sources)
    orwell = make_author("George Orwell", openlibrary_key=ORWELL_KEY)
    ids = queue.authors_enqueue_enrichment(author_ids=[orwell.pk], dispatch=False)
    [claimed] = queue.requests_claim(request_ids=ids)  # a worker took it, then died
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.ENRICHMENT_STALE_SECONDS + 1)
    EnrichmentRequest.objects.filter(pk=claimed.pk).update(claimed_at=long_ago)

    assert queue.requests_dispatch_due() == 1  # the sweep gives it back and sends it again

    request = EnrichmentRequest.objects.get(pk=claimed.pk)
    assert (request.status, request.attempts, request.claim_token) == (Status.PENDING, 1, "")
    assert request.last_error == "The worker stopped while processing this request."
    work_queue.run_tasks()
    request.refresh_from_db()
    assert (request.status, request.attempts) == (Status.COMPLETED, 2)
    assert fresh(orwell).birth_year == 1903


# --- Photos: the verified cover pipeline, with their licence --------------------------------


def test_the_photo_is_verified_and_stored_with_the_licence_its_source_states(sources, work_queue):
    serve_orwell(sources)
    # Both sources offer a real image: the one whose licence Commons states is the one kept.
    for photo_id in ("9160343", "6388323"):
        for size in ("L", "M"):
            sources.image(f"/covers/a/id/{photo_id}-{size}.jpg", cover_jpeg(300, 400, seed=3))
    sources.image(f"/upload/{ORWELL_PHOTO}", cover_jpeg(300, 400, seed=15))
    orwell = make_author("George Orwell", openlibrary_key=ORWELL_KEY)

    [request] = work_queue(orwell)

    request.refresh_from_db()
    assert request.cover_status == EnrichmentRequest.CoverStatus.APPLIED
    orwell = fresh(orwell)
    assert orwell.photo and orwell.photo.storage.exists(orwell.photo.name)
    assert orwell.photo_thumbnail  # the same thumbnails as a cover
    assert (orwell.photo_width, orwell.photo_height) == (300, 400)
    assert orwell.photo_source == "wikidata"
    assert (orwell.photo_licence, orwell.photo_artist) == ("Public domain", "Placeholder & Co.")
    assert orwell.photo_source_url.endswith(f"Special:FilePath/{ORWELL_PHOTO}?width=1000")
    [photo_entry] = AuditLogEntry.objects.filter(author=orwell, action="cover")
    assert photo_entry.changes["cover"]["target"] == "author"
    assert f"/upload/{ORWELL_PHOTO}" in sources.requests  # Commons redirected there
    assert not [path for path in sources.requests if path.startswith("/covers/")]


def test_only_a_placeholder_photo_is_rejected_and_nothing_is_stored(sources, work_queue, settings):
    settings.ENRICHMENT_PROVIDERS = ["openlibrary"]
    serve_orwell(sources)
    for photo_id in ("9160343", "6388323"):
        for size in ("L", "M"):
            sources.image(f"/covers/a/id/{photo_id}-{size}.jpg", OPENLIBRARY_MISSING_COVER_GIF)
    orwell = make_author("George Orwell", openlibrary_key=ORWELL_KEY)

    [request] = work_queue(orwell)

    request.refresh_from_db()
    assert request.cover_status == EnrichmentRequest.CoverStatus.REJECTED
    assert not fresh(orwell).photo
    assert {r.reason for r in request.match_details.cover_rejections} == {"placeholder"}
    assert fresh(orwell).birth_year == 1903  # the metadata was applied all the same


def test_wikimedia_s_image_host_is_on_the_cover_allowlist(settings):
    from enrichment.covers import hosts

    settings.WIKIMEDIA_COMMONS_URL = "https://commons.wikimedia.org"
    for url in (
        "https://upload.wikimedia.org/wikipedia/commons/9/99/George_Orwell_press_photo.jpg",
        f"https://commons.wikimedia.org/wiki/Special:FilePath/{ORWELL_PHOTO}?width=1000",
    ):
        location = hosts.check_cover_url(url)
        assert not location.operator  # public hosts: https and public addresses only


# --- The local dump: no request at all ---------------------------------------------------------


@pytest.fixture
def loaded_dump(tmp_path):
    """Real author lines (tests/fixtures/openlibrary_dump/booklink_authors_grep_orwell37.txt,
    George Orwell's among them) and the synthetic join set (an edition of ISBN 9790000000018 by
    the synthetic OL99000001A), loaded by `load_openlibrary_dump`; dropped afterwards (raw SQL
    tables, outside Django's flush)."""
    authors = tmp_path / "authors.txt"
    authors.write_bytes(
        (DUMP / "booklink_authors_grep_orwell37.txt").read_bytes()
        + (DUMP / "synthetic-authors.txt").read_bytes()
    )
    call_command(
        "load_openlibrary_dump",
        "--editions",
        str(DUMP / "synthetic-editions.txt"),
        "--works",
        str(DUMP / "synthetic-works.txt"),
        "--authors",
        str(authors),
        stdout=StringIO(),
    )
    yield
    with connection.cursor() as cursor:
        for name in dump_tables.existing_tables():
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


@pytest.mark.django_db(transaction=True)
def test_the_local_dump_answers_keys_and_finds_them_through_its_editions(
    loaded_dump, sources, work_queue, settings
):
    settings.ENRICHMENT_PROVIDERS = ["openlibrary_dump"]
    orwell = make_author("George Orwell", openlibrary_key=ORWELL_KEY)
    synthetic = make_author("Synthetic Author One")  # no key: their work's ISBN finds it
    make_edition(make_work("Synthetic edition with its own cover", authors=[synthetic]),
                 isbn13="9790000000018")  # fmt: skip

    requests = {r.author_id: r for r in work_queue(orwell, synthetic)}

    assert {r.status for r in requests.values()} == {Status.COMPLETED}
    orwell = fresh(orwell)
    assert (orwell.birth_year, orwell.death_year, orwell.viaf_id) == (1903, 1950, "95155403")
    assert orwell.wikidata_id == ""  # Wikidata's own id comes from Wikidata only
    synthetic = fresh(synthetic)
    assert (synthetic.openlibrary_key, synthetic.birth_year) == ("OL99000001A", 1900)
    assert sources.requests == []  # local tables: nothing asked over HTTP
