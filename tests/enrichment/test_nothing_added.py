"""A match that added nothing: the record is this book's, but every field it could fill was
filled already and no cover was applied. Stored "completed" and "enriched" (status values are a
contract), it reads "Matched, nothing added" wherever the panel says what became of it
(request_status.request_added_nothing, target_added_nothing): the queue's badge, the request's
page, the works list, its filter and the work's page; of an author, the author list's badge and
filter, the author's page and the dashboard's authors bars, each linked to a list of exactly as
many."""

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Author, Work
from enrichment import engine, queue, revert, review
from enrichment.candidates import Contributor, CoverRef
from enrichment.matching import Tier
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.request_status import NOTHING_ADDED as NOTHING_ADDED_VALUE
from enrichment.request_status import target_status_q
from tests.enrichment.fakes import FakeProvider, candidate
from tests.enrichment.test_author_requests import decide
from tests.enrichment.test_work_status_taken_back import auto_applied
from tests.factories import make_author, make_edition, make_work

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status
NOTHING_ADDED = "Matched, nothing added"


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    return sent_tasks


def matched(work: Work, **record) -> EnrichmentRequest:
    """The engine's high match of the work's edition by a record holding `record` (the title
    and author agree, the ISBN is ours)."""
    edition = work.editions.get()
    answer = candidate(
        title=work.title,
        authors=[Contributor("Neil Gaiman")],
        isbn13=[edition.isbn13],
        queried_isbn=edition.isbn13,
        **record,
    )
    ids = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    engine.process_requests(
        queue.requests_claim(request_ids=ids),
        providers=[FakeProvider(answers={edition.isbn13: [answer]})],
    )
    request = EnrichmentRequest.objects.get(pk=ids[0])
    assert request.status == Status.COMPLETED and request.confidence == "high"
    return request


def complete_but_a_cover(title="Neverwhere") -> Work:
    """A work lacking only its cover: queued, and no record can fill anything else."""
    work = make_work(
        title,
        authors=["Neil Gaiman"],
        description="Richard Mayhew is a young businessman...",
        first_published_year=1996,
        subjects=["Fantasy fiction"],
    )
    make_edition(work, publisher="HarperTorch", page_count=370, language="en")
    return work


def enrichment_cell(client, work: Work) -> str:
    """The works list's Enrichment cell of the work."""
    html = client.get(reverse("admin:catalog_work_changelist"), {"q": work.title}).content
    found = re.search(r'<td class="field-enrichment_state">(.*?)</td>', html.decode(), re.S)
    assert found, "the work is listed"
    return found.group(1).strip()


def status_badge(client, request: EnrichmentRequest) -> str:
    """The status the request's page says."""
    url = reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk])
    html = client.get(url).content.decode()
    found = re.search(r'<span class="status-badge"[^>]*>(.*?)</span>', html)
    assert found
    return found.group(1)


def listed_titles(client, **filters) -> str:
    return client.get(reverse("admin:catalog_work_changelist"), filters).content.decode()


def test_a_match_with_nothing_to_add_does_not_read_enriched(admin_client):
    work = complete_but_a_cover()
    request = matched(work, publisher="HarperTorch", page_count=370)  # what the book holds

    assert request.fields_applied == [] and request.cover_status == ""
    assert not AuditLogEntry.objects.filter(work=work).exists()  # nothing changed
    assert Work.objects.get(pk=work.pk).enrichment_status == "enriched"  # the stored contract

    assert status_badge(admin_client, request) == NOTHING_ADDED
    queue_page = admin_client.get(reverse("admin:enrichment_enrichmentrequest_changelist"))
    assert NOTHING_ADDED in queue_page.content.decode()
    assert enrichment_cell(admin_client, work) == NOTHING_ADDED
    work_page = admin_client.get(reverse("admin:catalog_work_change", args=[work.pk]))
    assert ": matched, nothing added — <a href" in work_page.content.decode()  # its last try

    # The list's filter agrees with its column: not under "Enriched", under its own choice.
    assert work.title not in listed_titles(admin_client, enrichment_status="enriched")
    assert work.title in listed_titles(admin_client, enrichment_status="nothing_added")

    # A match that added something reads as before, even once a revert put every value back:
    # the request did add them, it did not find nothing.
    enriched, entry = auto_applied("Stardust")
    assert status_badge(admin_client, entry.request) == "Completed"
    assert enrichment_cell(admin_client, enriched) == "Enriched"
    assert enriched.title in listed_titles(admin_client, enrichment_status="enriched")
    assert enriched.title not in listed_titles(admin_client, enrichment_status="nothing_added")
    revert.audit_revert(entry=entry, actor=User.objects.get(username="admin"))
    assert EnrichmentRequest.objects.get(pk=entry.request_id).fields_applied == []
    assert status_badge(admin_client, entry.request) == "Completed"


def test_a_work_an_earlier_request_enriched_reads_enriched_after_a_rerun_added_nothing(
    admin_client,
):
    work, _entry = auto_applied("Coraline")
    again = matched(work)  # it still lacks a cover: queued again, and nothing found to add
    assert status_badge(admin_client, again) == NOTHING_ADDED  # this request added nothing
    assert enrichment_cell(admin_client, work) == "Enriched"  # the earlier one's values stand


def test_a_cover_on_its_way_reads_completed_and_one_that_never_verified_reads_nothing_added(
    admin_client,
):
    work = complete_but_a_cover()
    request = matched(work, covers=[CoverRef("openlibrary", "https://covers.example/1.jpg")])
    assert request.cover_status == "pending"
    assert status_badge(admin_client, request) == "Completed"
    assert enrichment_cell(admin_client, work) == "Enriched"

    # The cover step verified none of the candidates: nothing reached the catalog.
    EnrichmentRequest.objects.filter(pk=request.pk).update(cover_status="rejected")
    assert status_badge(admin_client, request) == NOTHING_ADDED
    assert enrichment_cell(admin_client, work) == NOTHING_ADDED


def test_bulk_approve_says_a_completed_request_had_nothing_to_add():
    request = matched(complete_but_a_cover())
    result = review.requests_approve_bulk(
        queryset=EnrichmentRequest.objects.filter(pk=request.pk), actor=None
    )
    assert result.reasons == {"matched already, with nothing to add": 1}


def test_the_works_list_reads_whether_enrichment_changed_its_works_in_its_own_query(admin_client):
    """Filtered by "enriched" or "nothing added", the cells read the list's own annotation: a
    filter that replaced it with one of its own left each cell to ask again, a query a row."""
    url = reverse("admin:catalog_work_changelist")

    def queries(status: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            page = admin_client.get(url, {"enrichment_status": status}).content.decode()
        # Each work under the filter its cell agrees with.
        assert ("Good Omens" in page) == (status == "nothing_added") != ("Stardust" in page)
        return len(captured)

    matched(complete_but_a_cover("Good Omens"))
    auto_applied("Stardust")
    one = {status: queries(status) for status in ("enriched", "nothing_added")}
    for title in ("Anansi Boys", "American Gods", "The Ocean at the End of the Lane"):
        matched(complete_but_a_cover(title))
        auto_applied(f"{title} II")
    assert {status: queries(status) for status in ("enriched", "nothing_added")} == one


# --- Authors ----------------------------------------------------------------------------------

AUTHORS_URL = reverse("admin:catalog_author_changelist")


def author_matched_with_nothing_to_add(name="Ursula K. Le Guin") -> Author:
    """An author lacking ids, whose record matched (high) holding only what it holds."""
    author = make_author(name, bio="American author.", birth_year=1929)
    request = decide(author, Tier.HIGH, bio="American author.", birth_year=1929)
    assert (request.status, request.fields_applied) == (Status.COMPLETED, [])
    assert Author.objects.get(pk=author.pk).enrichment_status == "enriched"  # the stored contract
    return author


def author_enriched(name="Sergei Lukyanenko") -> Author:
    """An author whose record (high) filled its birth year."""
    author = make_author(name)
    decide(author, Tier.HIGH, birth_year=1968)
    assert AuditLogEntry.objects.filter(author=author).exists()
    return author


def author_cells(client, **filters) -> dict[str, str]:
    """The author list's Enrichment cell of each listed author, by name."""
    page = client.get(AUTHORS_URL, filters).content.decode()
    rows = re.findall(
        r'<th class="field-name"><a [^>]*>(.*?)</a></th>.*?'
        r'<td class="field-enrichment_badge">(.*?)</td>',
        page,
        re.S,
    )
    return {name: re.sub(r"<[^>]+>", "", cell).strip() for name, cell in rows}


def test_an_author_matched_with_nothing_to_add_does_not_read_enriched(admin_client):
    same = author_matched_with_nothing_to_add()
    filled = author_enriched()

    cells = author_cells(admin_client)
    assert cells[same.name] == NOTHING_ADDED and cells[filled.name] == "Enriched"
    page = admin_client.get(reverse("admin:catalog_author_change", args=[same.pk]))
    assert f">{NOTHING_ADDED}</span>" in page.content.decode()  # its page's Enrichment section

    # The list's filter agrees with its badge: each under its own choice.
    assert author_cells(admin_client, enrichment_status="enriched") == {filled.name: "Enriched"}
    assert author_cells(admin_client, enrichment_status="nothing_added") == {
        same.name: NOTHING_ADDED
    }
    # A photo on its way is something added: it reads "Enriched" while it downloads.
    photo = make_author("Octavia E. Butler", bio="American author.", birth_year=1947)
    decide(photo, Tier.HIGH, covers=[CoverRef("wikidata", "https://example.org/butler.jpg")])
    assert author_cells(admin_client, q="Butler") == {photo.name: "Enriched"}


def test_the_dashboards_author_bars_say_what_their_links_list(admin_client):
    """Its "Enriched" bar counts the authors the list's "Enriched" lists, and the matches that
    added nothing have a bar of their own, linked to their own choice."""
    for name in ("Ursula K. Le Guin", "Octavia E. Butler"):
        author_matched_with_nothing_to_add(name)
    author_enriched()

    figures = admin_client.get(reverse("admin:enrichment_dashboard")).context["figures"]
    bars = {str(bar.label): bar for bar in figures.authors.statuses}
    assert {label: bar.count for label, bar in bars.items()} == {
        "Enriched": 1,
        NOTHING_ADDED: 2,
    }
    for label, bar in bars.items():
        listed = author_cells(admin_client, **dict(parse_qsl(urlsplit(bar.url).query)))
        assert set(listed.values()) == {label} and len(listed) == bar.count, bar.url


def test_the_author_list_reads_whether_enrichment_changed_its_authors_in_its_own_query(
    admin_client,
):
    """The badges read the list's own annotation, filtered or not: without it each badge of an
    enriched author asked again, a query a row."""

    def queries(**filters) -> int:
        with CaptureQueriesContext(connection) as captured:
            cells = author_cells(admin_client, **filters)
        assert cells and set(cells.values()) <= {"Enriched", NOTHING_ADDED}
        return len(captured)

    author_matched_with_nothing_to_add("Ursula K. Le Guin")
    author_enriched("Sergei Lukyanenko")
    shown = ({}, {"enrichment_status": "enriched"}, {"enrichment_status": "nothing_added"})
    one = [queries(**filters) for filters in shown]
    for i in range(4):
        author_matched_with_nothing_to_add(f"Matched Author {i}")
        author_enriched(f"Enriched Author {i}")
    assert [queries(**filters) for filters in shown] == one


def test_the_dashboards_completed_bar_says_it_counts_the_matches_that_added_nothing_too(
    admin_client,
):
    """The queue's bar of completed requests counts the matches that added nothing too (a probe
    each, too dear to count apart every minute), and says so, as its link's rows and the
    queue's filter choice it links to do: "Completed" alone named half of what it listed."""
    matched(complete_but_a_cover("Good Omens"))
    auto_applied("Stardust")
    figures = admin_client.get(reverse("admin:enrichment_dashboard")).context["figures"]
    [bar] = [bar for bar in figures.queue if bar.colour == "completed"]
    assert (str(bar.label), bar.count) == ("Completed / matched, nothing added", 2)

    page = admin_client.get(bar.url).content.decode()
    cell = r'<td class="field-status_badge"><span class="status-badge"[^>]*>(.*?)</span>'
    # What the bar counts, each row as it reads: both kinds the label names.
    assert sorted(re.findall(cell, page)) == ["Completed", NOTHING_ADDED]
    assert re.search(r'class="selected">\s*<a [^>]*>Completed / matched, nothing added</a>', page)


def test_an_authors_probes_read_its_own_rows_from_an_index_however_few_authors_have_any():
    """Whether enrichment changed an author probes the audit log and the requests by author.
    Their foreign keys' indexes hold every work's row under NULL, which SQLite's statistics
    average into "every row a key": its planner scanned both tables for each author (881 ms
    for the author list, 80 s for the dashboard's count, on 100,000 works: bench/admin.py).
    An index of the authors' rows is searched instead (the partial ones of migration 0032, or the
    foreign key's for the range of one id the probe asks). These
    tiny tables reproduce the statistics, not the time: this checks the plan."""
    if connection.vendor != "sqlite":
        return  # PostgreSQL's statistics count the NULLs apart
    work_requests = [matched(complete_but_a_cover(f"Book {i}")) for i in range(3)]
    AuditLogEntry.objects.bulk_create(
        AuditLogEntry(work_id=r.work_id, request=r, action="auto_apply") for r in work_requests * 5
    )
    author_matched_with_nothing_to_add()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    listed = Author.objects.filter(target_status_q(NOTHING_ADDED_VALUE, target="author"))
    sql, params = listed.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = [row[-1] for row in cursor.fetchall()]
    probes = [step for step in plan if " U0" in step]
    # Each probe searches an index by the author's id (asked as a range of one: see
    # request_status._target_changed_probes), never a scan of the table.
    assert len(probes) == 2, plan
    assert all(p.startswith("SEARCH U0 USING INDEX ") and "author_id>" in p for p in probes), plan
