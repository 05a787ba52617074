"""From a CSV import to applied metadata and covers, through `enrich_missing --now`, the real
Open Library client and recorded bodies (tests/fixtures/providers/openlibrary)."""

import json
import socket
from io import StringIO
from pathlib import Path

import pytest
import responses
from django.contrib.admin.utils import display_for_value
from django.core.management import CommandError, call_command

from catalog import services
from catalog.models import Edition, Work
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.outcomes import RunStats
from tests.catalog.test_importers import GOODREADS_24
from tests.enrichment.test_faults import refused_port
from tests.factories import make_author, make_work
from tests.fixtures.covers import synthetic

pytestmark = pytest.mark.django_db
OL_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "providers" / "openlibrary"
# Real Books API records of "Use of Weapons" and "Les Enchanteurs" under one multi-key answer
# (see that folder's PROVENANCE.md).
BOOKS_API_BODY = OL_FIXTURES / "synthetic-books_api__ISBN_9780316030571_9782070379040.json"
SEARCH_BODY = OL_FIXTURES / "search__author_tolkien__title_lord_of_the_rings__2013.json"
PUBLIC_IP = "93.184.216.34"

CSV = (
    "\n".join(
        [
            GOODREADS_24,
            '1,Use of Weapons (Culture #3),Iain M. Banks,"Banks, Iain M.",,'
            '"=""""","=""9780316030571"""',
            '2,Les Enchanteurs,Romain Gary,"Gary, Romain",,"=""2070379043""","="""""',
            '3,A Book Nobody Knows,Jane Unknown,"Unknown, Jane",,"=""""","=""9780306406157"""',
        ]
    )
    + "\n"
)


@pytest.fixture
def covers_resolve_publicly(monkeypatch):
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "covers.openlibrary.org":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC_IP, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def open_library(settings, covers_resolve_publicly):
    settings.ENRICHMENT_PROVIDERS = ["openlibrary"]
    settings.Q_SYNC = False
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(
            "https://openlibrary.org/api/books",
            body=BOOKS_API_BODY.read_bytes(),
            content_type="application/json",
        )
        # The unknown ISBN falls back to a title search; the recorded answer is about other
        # books (The Lord of the Rings), so nothing may match.
        mock.get(
            "https://openlibrary.org/search.json",
            body=SEARCH_BODY.read_bytes(),
            content_type="application/json",
        )
        cover = synthetic.cover_jpeg(400, 600)
        for cover_id in ("2379038", "967767"):
            mock.get(
                f"https://covers.openlibrary.org/b/id/{cover_id}-L.jpg",
                body=cover,
                content_type="image/jpeg",
            )
        yield mock


def enrich(*args) -> dict:
    out = StringIO()
    call_command("enrich_missing", "--now", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_import_then_enrich_missing_applies_metadata_and_verified_covers(open_library, sent_tasks):
    job = services.import_job_create(data=CSV.encode(), filename="goodreads.csv")
    services.import_job_run(job=job)
    job.refresh_from_db()
    assert (job.created_count, job.enqueued_count) == (3, 3)  # the import queued them

    # The import's requests wait for a worker; --now enqueues nothing new but works them here.
    EnrichmentRequest.objects.update(status="skipped")
    summary = enrich()
    assert summary["enqueued"] == 3
    assert (summary["completed"], summary["skipped"], summary["failed"]) == (2, 1, 0)
    # One batched Books API call for the three ISBNs, one title search for the unknown one.
    assert summary["provider_requests"] == {"openlibrary": 2}
    searches = [c for c in open_library.calls if "/search.json" in c.request.url]
    assert len(searches) == 1 and "Nobody" in searches[0].request.url
    books_calls = [c for c in open_library.calls if "/api/books" in c.request.url]
    assert len(books_calls) == 1
    assert "ISBN%3A9780316030571" in books_calls[0].request.url

    weapons = Edition.objects.get(isbn13="9780316030571")
    assert weapons.publisher == "Orbit" and weapons.page_count == 480
    assert weapons.publication_date_display == "2008-07-28"
    assert weapons.cover.name.startswith("covers/") and weapons.cover_source == "openlibrary"
    assert weapons.cover_source_url == "https://covers.openlibrary.org/b/id/2379038-L.jpg"
    assert weapons.cover_verified_at is not None and len(weapons.cover_sha256) == 64
    assert weapons.work.display_cover.name == weapons.cover.name
    enchanteurs = Edition.objects.get(isbn13="9782070379040")
    assert enchanteurs.publisher == "Gallimard"
    # The same image for two books is stored once.
    assert enchanteurs.cover.name == weapons.cover.name

    unknown = Work.objects.get(title="A Book Nobody Knows")
    assert unknown.enrichment_status == "unresolved"
    actions = sorted(AuditLogEntry.objects.values_list("action", flat=True))
    assert actions == ["auto_apply", "auto_apply", "cover", "cover"]

    # Asking again is answered from the cache: no HTTP request at all.
    calls_before = len(open_library.calls)
    EnrichmentRequest.objects.filter(status="pending").update(status="skipped")
    again = enrich()
    assert again["provider_requests"] == {} and again["cache_hits"] >= 1
    assert len(open_library.calls) == calls_before


def test_dry_run_counts_and_changes_nothing():
    Work.objects.create(title="Bare")
    out = StringIO()
    call_command("enrich_missing", "--dry-run", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["missing"], result["would_enqueue"]) == (1, 1)
    assert not EnrichmentRequest.objects.exists()


def test_a_works_run_says_how_many_are_queued_already_or_wait_for_review(sent_tasks):
    """ "3 works lack a cover or metadata. … Queued 1" left one of the three unexplained: a
    works run says, as an authors run does, how many are queued already and how many wait for
    review; the counts add up to the works missing, in words and in --json."""
    queued, waiting, _free = (Work.objects.create(title=t) for t in ("Q", "W", "F"))
    EnrichmentRequest.objects.create(work=queued, trigger="post_import", status="in_progress")
    EnrichmentRequest.objects.create(work=waiting, trigger="post_import", status="needs_review")
    # A request long done holds nothing back: its work counts with those to queue.
    EnrichmentRequest.objects.create(work=waiting, trigger="post_import", status="completed")

    out = StringIO()
    call_command("enrich_missing", "--dry-run", "--json", stdout=out)
    dry = json.loads(out.getvalue())
    assert (dry["missing"], dry["waiting_for_review"], dry["already_queued"]) == (3, 1, 1)
    assert dry["would_enqueue"] == 1

    out = StringIO()
    call_command("enrich_missing", stdout=out)
    text = out.getvalue()
    assert "3 works lack a cover or metadata." in text
    assert "1 of them waits for review and is not queued again" in text
    assert "1 of them is queued already and is not queued again." in text
    assert "Queued 1 " in text
    out = StringIO()
    call_command("enrich_missing", "--json", stdout=out)
    again = json.loads(out.getvalue())
    assert (again["already_queued"], again["enqueued"]) == (2, 0)


def test_covers_and_metadata_flags_select_what_is_missing(sent_tasks):
    Work.objects.create(
        title="No cover", description="d", first_published_year=2000, subjects=["x"]
    )
    out = StringIO()
    call_command("enrich_missing", "--metadata", "--dry-run", "--json", stdout=out)
    assert json.loads(out.getvalue())["missing"] == 1  # no edition with publisher and pages
    out = StringIO()
    call_command("enrich_missing", "--covers", "--limit", "1", stdout=out)
    assert "Queued 1" in out.getvalue()
    request = EnrichmentRequest.objects.get()
    assert (request.wants_cover, request.wants_metadata, request.trigger) == (
        True,
        False,
        "command",
    )


@pytest.mark.parametrize("limit", ["0", "-2", "ten"])
@pytest.mark.parametrize("what", [[], ["--authors"]])
def test_a_limit_below_one_is_refused_before_anything_is_queued(sent_tasks, limit, what):
    # --limit 0 queued every work (0 read as "no limit"), --limit -2 crashed on a negative
    # slice and said --dry-run would queue -2: a script's bad count must stop the run.
    make_work("Bare", authors=[make_author("Nobody Yet")])
    with pytest.raises(CommandError, match=r"--limit: must be a whole number, at least 1"):
        call_command("enrich_missing", *what, "--limit", limit, stdout=StringIO())
    with pytest.raises(CommandError, match=r"--limit"):
        call_command("enrich_missing", *what, "--dry-run", "--limit", limit, stdout=StringIO())
    assert not EnrichmentRequest.objects.exists() and not sent_tasks


def test_offline_the_summary_says_the_books_wait_for_unreachable_providers_and_until_when(
    settings,
):
    """A machine without network: every provider refuses the connection. The summary does not
    read as done: nothing enriched, every book waiting, which providers could not be reached,
    and when a worker tries again (a worker: --now does not come back for them)."""
    settings.ENRICHMENT_PROVIDERS = ["openlibrary", "google_books"]
    settings.OPENLIBRARY_URL = settings.GOOGLE_BOOKS_URL = f"http://127.0.0.1:{refused_port()}"
    settings.OPENLIBRARY_RATE = settings.GOOGLE_BOOKS_RATE = 1000
    job = services.import_job_create(data=CSV.encode(), filename="goodreads.csv", enrich=False)
    services.import_job_run(job=job)

    out = StringIO()
    with pytest.raises(CommandError) as not_done:
        call_command("enrich_missing", "--now", stdout=out)
    text = out.getvalue()

    first_try = EnrichmentRequest.objects.order_by("next_attempt_at").first()
    assert first_try is not None and first_try.status == EnrichmentRequest.Status.PENDING
    when = display_for_value(first_try.next_attempt_at, "")
    assert "Completed 0, needs review 0, skipped 0, failed 0, retrying later 3" in text
    waiting_line = (
        "3 of 3 waiting for providers that could not be reached: "
        "Open Library, Google Books (connection refused); "
        f"a worker (manage.py qcluster) tries them again from {when.removesuffix('.')}."
    )
    assert f"{waiting_line}\n" in text
    # Nothing was enriched: the exit status (1) says so to a script or a cron job, and stderr
    # why (it exited 0 as if done).
    assert (not_done.value.returncode, str(not_done.value)) == (1, waiting_line)

    EnrichmentRequest.objects.update(status=EnrichmentRequest.Status.SKIPPED)
    with pytest.raises(CommandError, match="could not be reached"):
        call_command("enrich_missing", "--now", "--json", stdout=(out := StringIO()))
    waiting = json.loads(out.getvalue())["waiting"]
    assert waiting["providers_unreachable"] == {
        "Open Library": "connection refused",
        "Google Books": "connection refused",
    }
    assert waiting["next_try_at"] is not None


def test_now_exits_non_zero_with_the_reasons_when_requests_it_processed_failed(monkeypatch):
    """The engine is replaced by one that fails two of the three requests (a request fails
    once its attempts are spent): what the command says of them is what is tested."""
    for title in ("One", "Two", "Three"):
        make_work(title, authors=[make_author(f"{title} Writer")])

    def failing_two(*, request_ids, progress=None):
        failed = EnrichmentRequest.objects.filter(pk__in=request_ids[:2])
        failed.update(status=EnrichmentRequest.Status.FAILED, last_error="ISBNdb: HTTP 500")
        EnrichmentRequest.objects.filter(pk=request_ids[2]).update(
            status=EnrichmentRequest.Status.COMPLETED
        )
        return RunStats()

    monkeypatch.setattr("enrichment.engine.run_now", failing_two)
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("enrich_missing", "--now", "--json", stdout=out)

    assert failed.value.returncode == 1
    assert str(failed.value) == "2 of 3 requests processed here failed: ISBNdb: HTTP 500 (2)"
    summary = json.loads(out.getvalue())  # its one object, as before
    assert (summary["enqueued"], summary["completed"], summary["failed"]) == (3, 1, 2)


def test_now_exits_zero_when_every_request_it_processed_was_decided(monkeypatch):
    make_work("Only", authors=[make_author("Only Writer")])

    def completing(*, request_ids, progress=None):
        EnrichmentRequest.objects.filter(pk__in=request_ids).update(
            status=EnrichmentRequest.Status.COMPLETED
        )
        return RunStats()

    monkeypatch.setattr("enrichment.engine.run_now", completing)
    assert enrich()["completed"] == 1
