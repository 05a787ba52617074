"""The admin's text search through an index (issue 18, goal 6): works by title, subtitle,
series or an author's name, with Django's meaning kept (each word a case-insensitive substring),
answered by SQLite FTS5 trigram tables kept in sync by triggers, or PostgreSQL trigram indexes."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import selectors
from catalog.models import Author, Work, WorkAuthor
from enrichment.models import EnrichmentRequest
from tests.factories import make_author, make_edition, make_work
from tests.query_plans import query_plan, queryset_plan

pytestmark = pytest.mark.django_db
WORKS_URL = reverse("admin:catalog_work_changelist")
QUEUE_URL = reverse("admin:enrichment_enrichmentrequest_changelist")


def found(term: str) -> list[str]:
    return sorted(
        Work.objects.filter(selectors.work_search_q(term)).values_list("title", flat=True)
    )


@pytest.fixture
def shelf():
    gaiman = make_author("Neil Gaiman")
    make_work("Synthetic Good Omens", authors=[gaiman, "Terry Pratchett"])
    make_work("Synthetic Stardust", authors=[gaiman], series="Synthetic Faerie")
    make_work("Synthetic Unrelated", subtitle="A Novel of Élan", authors=["Someone Else"])


def test_each_word_is_a_substring_of_the_title_subtitle_series_or_an_authors_name(shelf):
    assert found("omens") == ["Synthetic Good Omens"]
    assert found("OMEN") == ["Synthetic Good Omens"]  # case-insensitive, inside a word
    assert found("faerie") == ["Synthetic Stardust"]  # the series
    assert found("novel") == ["Synthetic Unrelated"]  # the subtitle
    assert found("gaiman") == ["Synthetic Good Omens", "Synthetic Stardust"]
    # One word by the title, another by an author's name; a quoted phrase kept whole.
    assert found("pratchett omens") == ["Synthetic Good Omens"]
    assert found("gaiman dust") == ["Synthetic Stardust"]
    assert found('"good omens"') == ["Synthetic Good Omens"]
    assert found('"omens good"') == []
    assert found("gaiman unrelated") == []
    # Shorter than a trigram: compared row by row, with the same meaning.
    assert found("t") == ["Synthetic Good Omens", "Synthetic Stardust", "Synthetic Unrelated"]
    assert found("ov") == ["Synthetic Unrelated"]


@pytest.mark.parametrize(
    "term", ['"', "AND", "omens OR", "NEAR(a b)", "st*", "-good", "a:b", "^omens", "(", "'"]
)
def test_search_syntax_in_the_term_is_read_as_text_never_an_error(shelf, term):
    found(term)  # no FTS5 syntax error, whatever the librarian typed
    Work.objects.create(title=f"Synthetic {term} book")
    assert f"Synthetic {term} book" in found(term)


def test_the_index_follows_every_write(shelf):
    work = Work.objects.get(title="Synthetic Stardust")
    work.title = "Synthetic Neverwhere"
    work.save()
    assert found("stardust") == []
    assert found("neverwhere") == ["Synthetic Neverwhere"]
    # Bulk writes (the import's) go through the triggers too.
    Work.objects.bulk_create([Work(title="Synthetic Coraline", series="Synthetic Bulk")])
    assert found("coraline") == ["Synthetic Coraline"]
    Work.objects.filter(title="Synthetic Coraline").update(series="Synthetic Renamed")
    assert found("renamed") == ["Synthetic Coraline"] and found("bulk") == []
    Work.objects.filter(title="Synthetic Coraline").delete()
    assert found("coraline") == []
    author = Author.objects.get(name="Neil Gaiman")
    author.name = "N. Gaiman-Renamed"
    author.save()
    assert found("renamed") == ["Synthetic Good Omens", "Synthetic Neverwhere"]
    assert found("neil") == []


def test_the_works_list_searches_by_the_index_and_keeps_isbn_search(admin_client, shelf):
    make_edition(Work.objects.get(title="Synthetic Good Omens"), isbn13="9780306406157")
    listed = admin_client.get(WORKS_URL, {"q": "gaiman dust"}).context["cl"].result_list
    assert [w.title for w in listed] == ["Synthetic Stardust"]
    listed = admin_client.get(WORKS_URL, {"q": "0-306-40615-2"}).context["cl"].result_list
    assert [w.title for w in listed] == ["Synthetic Good Omens"]
    # The search joins no credits: a work with two matching authors is listed once.
    listed = admin_client.get(WORKS_URL, {"q": "t"}).context["cl"].result_list
    assert sorted(w.title for w in listed) == [
        "Synthetic Good Omens",
        "Synthetic Stardust",
        "Synthetic Unrelated",
    ]


def test_the_queue_searches_works_and_authors_by_the_index(admin_client, shelf):
    for work in Work.objects.all():
        EnrichmentRequest.objects.create(work=work, trigger="command")
    EnrichmentRequest.objects.create(
        author=Author.objects.get(name="Neil Gaiman"), trigger="command"
    )
    listed = admin_client.get(QUEUE_URL, {"q": "gaiman"}).context["cl"].result_list
    assert sorted(str(r.work or r.author) for r in listed) == [
        "Neil Gaiman",
        "Synthetic Good Omens",
        "Synthetic Stardust",
    ]
    listed = admin_client.get(QUEUE_URL, {"q": "dust gaiman"}).context["cl"].result_list
    assert [str(r.work) for r in listed] == ["Synthetic Stardust"]


def test_the_search_is_answered_by_the_index():
    make_work("Synthetic Good Omens", authors=["Neil Gaiman"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Tiny tables: PostgreSQL would read the whole author list index (its names)
            # rather than the trigram one; dropped in this test's transaction only.
            cursor.execute("DROP INDEX catalog_author_listed_name_idx")
    query = Work.objects.filter(selectors.work_search_q("omens gaiman")).values("pk")
    # Tiny tables: whole-table scans (of the table or its primary key) cost less.
    plan = queryset_plan(query, off=("seqscan", "indexscan"))
    if connection.vendor == "sqlite":
        assert "catalog_work_search VIRTUAL TABLE INDEX" in plan
        assert "catalog_author_search VIRTUAL TABLE INDEX" in plan
    else:
        assert "catalog_work_search_trgm_idx" in plan
        assert "catalog_author_name_trgm_idx" in plan


@pytest.fixture
def merged_shelf():
    """Leo Tolstoy's works, and the duplicates merged into him: redirects, holding no credits
    (a merge moves them to the kept author). "Tolstoi, Lev" was merged into a duplicate that
    was merged in turn: a chain."""
    tolstoy = make_author("Leo Tolstoy")
    make_work("Synthetic War and Peace", authors=[tolstoy])
    make_work("Synthetic Anna Karenina", authors=[tolstoy])
    make_work("Synthetic Peace Unrelated", authors=["Someone Else"])
    make_author("Лев Толстой", merged_into=tolstoy)
    count = make_author("Count Lev Nikolayevich", merged_into=tolstoy)
    make_author("Tolstoi, Lev", merged_into=count)
    return tolstoy


def test_a_merged_duplicates_name_finds_the_kept_authors_works(merged_shelf, admin_client):
    both = ["Synthetic Anna Karenina", "Synthetic War and Peace"]
    assert found("Лев Толстой") == both
    assert found("Толстой") == both
    assert found('"Tolstoi, Lev"') == both  # through a chain of two merges
    assert found("tolstoi lev") == both
    assert found("Толстой peace") == ["Synthetic War and Peace"]  # a word by the title
    assert found("Толстой unrelated") == []
    assert found("leo tolstoy") == both  # the kept author's own name, as before
    # The works list and the review queue share the search.
    listed = admin_client.get(WORKS_URL, {"q": "Лев Толстой"}).context["cl"].result_list
    assert sorted(w.title for w in listed) == both
    for work in Work.objects.all():
        EnrichmentRequest.objects.create(work=work, trigger="command")
    listed = admin_client.get(QUEUE_URL, {"q": "Tolstoi"}).context["cl"].result_list
    assert sorted(str(r.work) for r in listed) == both


def test_a_merged_duplicates_name_finds_the_kept_authors_own_requests_in_the_queue(
    merged_shelf, admin_client
):
    """The queue lists authors' requests too, found by the author's name: "Лев Толстой" (and
    "Tolstoi, Lev", through a chain of two merges) listed Leo Tolstoy's works' requests but not
    his own."""
    own = EnrichmentRequest.objects.create(author=merged_shelf, trigger="command")
    for name in ("Лев Толстой", "Tolstoi, Lev", "Leo Tolstoy"):
        listed = admin_client.get(QUEUE_URL, {"q": name}).context["cl"].result_list
        assert [r.pk for r in listed if r.author_id] == [own.pk], name
    listed = admin_client.get(QUEUE_URL, {"q": "Someone Else"}).context["cl"].result_list
    assert not [r for r in listed if r.author_id]


def test_a_redirects_name_is_read_through_the_indexes(merged_shelf):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX catalog_author_listed_name_idx")  # as in the test below
    with CaptureQueriesContext(connection) as captured:
        titles = list(Work.objects.filter(selectors.work_search_q("толстой")))
    # Whether an author holds the word; the redirects among them; the authors they were merged
    # into (one hop: is any of them a redirect too?); the works. No query per work or author.
    assert len(titles) == 2 and len(captured) == 4
    # The redirects holding the word, then the search with the authors they stand for: through
    # the indexes, never reading every author, credit or work (tiny tables: whole-table scans
    # turned off where they can be; an OR of the two sets of authors read every credit).
    named = Author.objects.filter(selectors.authors_named_q(["толстой"]))
    redirects = named.filter(merged_into__isnull=False).order_by().values("pk", "merged_into_id")
    search = Work.objects.filter(selectors.work_search_q("Лев Толстой")).values("pk")
    for query in (redirects, search):
        plan = queryset_plan(query, off=("seqscan", "indexscan"))
        assert "Seq Scan" not in plan and "cost=1000000" not in plan, plan  # none forced
        assert not re.search(r"SCAN catalog_(author|workauthor|work)\b", plan), plan


def test_the_index_and_its_triggers_survive_every_migration():
    """A later migration that rebuilds catalog_work or catalog_author on SQLite drops their
    triggers: it must create them again (catalog migration 0015)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            triggers = {row[0] for row in cursor.fetchall()}
            assert {
                f"{table}_{event}"
                for table in ("catalog_work_search", "catalog_author_search")
                for event in ("insert", "update", "delete")
            } <= triggers
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename LIKE 'catalog_%'")
            indexes = {row[0] for row in cursor.fetchall()}
            assert {"catalog_work_search_trgm_idx", "catalog_author_name_trgm_idx"} <= indexes


def test_a_search_costs_one_query_per_word_to_know_the_authors_and_one_for_the_rows(shelf):
    with CaptureQueriesContext(connection) as captured:
        list(Work.objects.filter(selectors.work_search_q("synthetic omens")))
    assert len(captured) == 3
    assert WorkAuthor.objects.count() == 4  # the shelf, unchanged by searching


def test_the_language_filter_finds_each_language_once_from_the_index(admin_client):
    for language in ("fr", "en", "", "fr", "de", "en"):
        make_edition(make_work(f"Synthetic {language or 'none'}"), language=language)
    assert selectors.edition_languages() == ["de", "en", "fr"]
    page = admin_client.get(WORKS_URL).content.decode()
    assert "editions__language=de" in page and "editions__language=fr" in page
    plan = query_plan(
        "SELECT MIN(language) FROM catalog_edition WHERE language > %s", ["en"], off=("seqscan",)
    )
    assert "catalog_edition_language_idx" in plan


def test_the_works_list_counts_exactly_unless_postgresql_estimates_a_big_table(
    admin_client, monkeypatch
):
    from catalog.admin import paging

    for i in range(3):
        make_work(f"Synthetic {i}")
    response = admin_client.get(WORKS_URL)
    assert response.context["cl"].result_count == 3
    assert "(an estimate)" not in response.content.decode()
    assert "About" not in response.content.decode()
    if connection.vendor != "postgresql":
        return
    monkeypatch.setattr(paging, "ESTIMATE_FROM", 0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_work")
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'catalog_work'")
        (estimate,) = cursor.fetchone()
    page = admin_client.get(WORKS_URL).content.decode()
    assert f"About {estimate:,} works (an estimate)" in page
    assert f"Select every work listed (about {estimate:,})" in page
    # A filtered list is counted, never estimated.
    filtered = admin_client.get(WORKS_URL, {"q": "Synthetic 1"})
    assert filtered.context["cl"].result_count == 1
    assert "(an estimate)" not in filtered.content.decode()


def test_the_author_lists_page_is_read_in_order_from_an_index(admin_client):
    for name in ("Neil Gaiman", "Terry Pratchett", "Ursula K. Le Guin"):
        make_author(name)
    response = admin_client.get(reverse("admin:catalog_author_changelist"))
    assert len(response.context["cl"].result_list) == 3
    query = response.context["cl"].queryset.values("pk")[:50]
    plan = queryset_plan(query)
    assert "catalog_author_listed_name_idx" in plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan  # read in order, never sorted
