"""`manage.py enrich_missing --authors`: queues exactly the authors that lack a bio, dates or
ids (author_state.authors_missing_q), never one already queued, never a redirect, and no work."""

import itertools
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Author
from enrichment.models import EnrichmentRequest
from tests.enrichment.providers.helpers import body
from tests.enrichment.providers.local_server import LocalServer
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db
BATCH_TASK = "enrichment.tasks.process_enrichment_batch"
ORWELL_KEY = "OL118077A"
_keys = itertools.count(1)


def command(*args) -> str:
    out = StringIO()
    call_command("enrich_missing", *args, stdout=out)
    return out.getvalue()


def complete(name: str, **fields) -> Author:
    """An author with a bio, a birth year and an Open Library key: nothing to look up."""
    values = {"bio": "Wrote books.", "birth_year": 1929, "openlibrary_key": f"OL{next(_keys)}A"}
    return make_author(name, **{**values, **fields})


@pytest.fixture
def catalog():
    """One author of each kind the rule tells apart, and a work that lacks everything."""
    authors = {
        "complete": complete("Complete"),
        "wikidata_only": complete("Wikidata Only", openlibrary_key=None, wikidata_id="Q42"),
        "no_bio": complete("No Bio", bio=""),
        "no_birth_year": complete("No Birth Year", birth_year=None),
        "no_ids": complete("No Ids", openlibrary_key=None),
        "queued": make_author("Already Queued"),  # lacks everything, but has a pending request
        "redirect": make_author("Redirect"),  # lacks everything, merged into another
    }
    authors["redirect"].merged_into = authors["complete"]
    authors["redirect"].save()
    EnrichmentRequest.objects.create(author=authors["queued"], trigger="post_import")
    make_work("A work that lacks a cover and metadata", authors=[authors["no_bio"]])
    return authors


def test_queues_exactly_the_authors_missing_a_bio_dates_or_ids_and_no_work(
    catalog, sent_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        summary = json.loads(command("--authors", "--json"))

    expected = {catalog[k].pk for k in ("no_bio", "no_birth_year", "no_ids")}
    new = EnrichmentRequest.objects.exclude(author=catalog["queued"])
    assert set(new.values_list("author_id", flat=True)) == expected
    assert not EnrichmentRequest.objects.filter(work__isnull=False).exists()  # authors only
    assert set(new.values_list("trigger", flat=True)) == {"command"}
    assert EnrichmentRequest.objects.filter(author=catalog["queued"]).count() == 1
    # The already queued author counts as missing (it is) but gets no second request.
    assert summary["authors_missing"] == 4
    assert summary["authors_queued"] == summary["enqueued"] == 3
    assert (summary["authors"], summary["covers"], summary["metadata"]) == (True, False, False)
    queued = Author.objects.filter(enrichment_status="queued").values_list("pk", flat=True)
    assert set(queued) == expected
    # Handed to the workers once the transaction committed, in one batched task.
    assert [task.func for task in sent_tasks] == [BATCH_TASK]
    assert sorted(sent_tasks[0].args[0]) == sorted(new.values_list("pk", flat=True))


def test_the_summary_says_what_was_queued_in_words(catalog, sent_tasks):
    text = command("--authors")
    assert "4 authors lack a bio, dates or ids." in text
    assert "Queued 3 (authors already queued, and redirects, are skipped)." in text
    # Asking again queues nothing: every author missing something is queued now.
    assert "Queued 0" in command("--authors")


def test_the_summary_counts_the_authors_left_waiting_for_review(catalog, sent_tasks):
    """An author whose proposal waits for a reviewer is missing something and not queued
    again: the summary says how many, as a works run does, or "Queued 3" of 5 is unexplained."""
    waiting = make_author("Proposal Waiting")
    EnrichmentRequest.objects.create(author=waiting, trigger="post_import", status="needs_review")

    summary = json.loads(command("--authors", "--json"))
    assert (summary["authors_missing"], summary["waiting_for_review"]) == (5, 1)
    assert summary["authors_queued"] == 3
    assert EnrichmentRequest.objects.filter(author=waiting).count() == 1

    text = command("--authors")
    assert "5 authors lack a bio, dates or ids." in text
    assert (
        "1 of them waits for review and is not queued again: approve or dismiss its proposal in "
        "the admin, or re-run it to replace the proposal." in text
    )


def test_dry_run_and_limit(catalog, sent_tasks):
    summary = json.loads(command("--authors", "--dry-run", "--limit", "2", "--json"))
    assert (summary["authors_missing"], summary["authors_would_queue"]) == (4, 2)
    assert EnrichmentRequest.objects.count() == 1  # only the request that was there
    # The author already queued lacks something but would not be queued again.
    assert "Dry run: 3 would be queued." in command("--authors", "--dry-run")

    summary = json.loads(command("--authors", "--limit", "1", "--json"))
    assert summary["authors_queued"] == 1
    assert EnrichmentRequest.objects.filter(author=catalog["no_bio"]).exists()  # lowest id first


def test_dry_run_counts_exactly_what_a_real_run_then_queues(catalog, sent_tasks):
    """Neither an author already queued nor one whose proposal waits for review is counted as
    "would be queued": a real run queues neither, and the dry run says what it would do."""
    waiting = make_author("Proposal Waiting")
    EnrichmentRequest.objects.create(author=waiting, trigger="post_import", status="needs_review")

    dry = json.loads(command("--authors", "--dry-run", "--json"))
    text = command("--authors", "--dry-run")
    real = json.loads(command("--authors", "--json"))

    assert (dry["authors_missing"], dry["waiting_for_review"]) == (5, 1)
    assert dry["authors_would_queue"] == dry["would_enqueue"] == real["authors_queued"] == 3
    assert "Dry run: 3 would be queued." in text
    # The librarian reads where the other two of the five went: one waits, one is queued.
    assert "1 of them waits for review and is not queued again" in text
    assert "1 of them is queued already and is not queued again." in text
    assert dry["already_queued"] == 1
    # Nothing is left to queue: a second dry run says so.
    assert json.loads(command("--authors", "--dry-run", "--json"))["authors_would_queue"] == 0


def test_works_run_queues_no_author_and_keeps_its_keys(catalog, sent_tasks):
    summary = json.loads(command("--json"))
    assert summary["enqueued"] == 1 and summary["missing"] == 1
    assert summary["authors"] is False and "authors_queued" not in summary
    assert (
        not EnrichmentRequest.objects.filter(author__isnull=False)
        .exclude(author=catalog["queued"])
        .exists()
    )


def test_authors_cannot_be_combined_with_covers_or_metadata():
    for other in ("--covers", "--metadata"):
        with pytest.raises(CommandError, match="not allowed with argument"):
            command("--authors", other)


@pytest.fixture
def open_library(settings):
    """Open Library on a loopback port: George Orwell's real record (a real dump line's JSON,
    what `/authors/OL118077A.json` serves); anything else, photos included, is not found."""
    orwell = body("openlibrary", "author__OL118077A__from_dump.json")

    def answer(handler):
        found = handler.path == f"/ol/authors/{ORWELL_KEY}.json"
        payload = orwell if found else b"{}"
        headers = {"Content-Length": str(len(payload))}
        server.send(handler, [payload], status=200 if found else 404, headers=headers)

    with LocalServer() as server:
        server.answer = answer
        settings.ENRICHMENT_PROVIDERS = ["openlibrary"]
        settings.OPENLIBRARY_URL = f"{server.url}/ol"
        settings.OPENLIBRARY_COVERS_URL = f"{server.url}/covers"
        settings.COVER_ALLOWED_HOSTS = [f"127.0.0.1:{server.httpd.server_port}"]
        settings.OPENLIBRARY_RATE = 1000.0  # no spacing in a test
        settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT = settings.COVER_CONNECT_TIMEOUT = 1.0
        settings.ENRICHMENT_HTTP_READ_TIMEOUT = settings.COVER_READ_TIMEOUT = 2.0
        settings.Q_SYNC = False
        yield server


def test_now_enriches_the_authors_in_this_process_without_a_worker(open_library, sent_tasks):
    orwell = make_author("George Orwell", openlibrary_key=ORWELL_KEY)

    summary = json.loads(command("--authors", "--now", "--json"))

    assert (summary["authors_queued"], summary["completed"], summary["failed"]) == (1, 1, 0)
    assert summary["provider_requests"] == {"openlibrary": 1}
    assert f"/ol/authors/{ORWELL_KEY}.json" in open_library.requests
    assert not [task for task in sent_tasks if task.func == BATCH_TASK]  # no worker needed
    orwell.refresh_from_db()
    assert (orwell.birth_year, orwell.death_year) == (1903, 1950)
    assert orwell.bio.startswith("George Orwell, originally born as Eric Arthur Blair")
    assert orwell.enrichment_status == "enriched"
    assert EnrichmentRequest.objects.get(author=orwell).status == "completed"
