"""`enrichment_report`: author completeness beside the works', redirects counted apart."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from enrichment.reports import coverage_report
from enrichment.selectors import author_counts
from tests.enrichment.test_nothing_added import author_enriched
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db
WORKS_KEYS = {"works", "covers", "metadata", "queue", "providers", "providers_unreachable"}


@pytest.fixture
def small_catalog():
    """Four authors and a redirect that holds everything (it must count in no figure but its
    own)."""
    kept = make_author(
        "Ursula K. Le Guin",
        bio="American author.",
        birth_year=1929,
        openlibrary_key="OL23919A",
        photo="authors/le-guin.jpg",
        completeness=100,
        enrichment_status="enriched",
    )
    make_author("Bio Only", bio="A bio.", completeness=25, enrichment_status="needs_review")
    make_author("Wikidata Only", wikidata_id="Q42", completeness=25)
    make_author("Nothing Yet", enrichment_status="queued")
    make_author(
        "Le Guin, Ursula K.",
        bio="A copy.",
        birth_year=1929,
        wikidata_id="Q181659",
        photo="authors/copy.jpg",
        completeness=100,
        enrichment_status="enriched",
        merged_into=kept,
    )
    make_work("The Dispossessed", authors=[kept])


def test_author_figures_on_a_small_catalog(small_catalog):
    authors = coverage_report()["authors"]
    assert authors == {
        "total": 4,
        "redirects": 1,
        "with_bio": 2,
        "with_birth_year": 1,
        "with_id": 2,  # an Open Library key, or a Wikidata id
        "with_photo": 1,
        "missing_bio_dates_or_ids": 3,  # what enrich_missing --authors would queue
        "average_completeness": 37.5,
        "completeness": {"0-24": 1, "25-49": 2, "50-74": 0, "75-99": 0, "100-100": 1},
        "by_enrichment_status": {
            "not_enriched": 1,
            "queued": 1,
            "waiting": 0,
            "enriched": 1,
            "needs_review": 1,
            "unresolved": 0,
            "dismissed": 0,
            "failed": 0,
        },
        # No audit entry records a change to the enriched one: it reads "Matched, nothing added".
        "enriched_nothing_added": 1,
        # As the author list and the dashboard show them (and the text form says them).
        "by_enrichment_status_as_listed": {
            "not_enriched": 1,
            "queued": 1,
            "waiting": 0,
            "enriched": 0,
            "nothing_added": 1,
            "needs_review": 1,
            "unresolved": 0,
            "dismissed": 0,
            "failed": 0,
        },
    }


def test_author_figures_are_one_query_whatever_the_size(small_catalog, django_assert_num_queries):
    for i in range(20):
        make_author(f"Author {i}")
    with django_assert_num_queries(1):
        counts = author_counts()
    assert counts["total"] == 24


def test_an_empty_catalog_reports_zeros_not_errors():
    authors = coverage_report()["authors"]
    assert (authors["total"], authors["redirects"], authors["average_completeness"]) == (0, 0, 0)
    text = StringIO()
    call_command("enrichment_report", stdout=text)
    assert "| With a bio | 0 | – |" in text.getvalue()


def test_the_command_prints_the_authors_beside_the_works_and_keeps_its_json_keys(small_catalog):
    out = StringIO()
    call_command("enrichment_report", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert set(report) >= WORKS_KEYS and report["works"] == 1
    assert report["authors"]["total"] == 4

    out = StringIO()
    call_command("enrichment_report", stdout=out)
    text = out.getvalue()
    assert "| Total authors (redirects apart) | 4 | |" in text
    assert "| With a bio | 2 | 50.00% |" in text
    assert "| With a photo | 1 | 25.00% |" in text
    assert (
        "| Lacking a bio, dates or ids (enrich_missing --authors queues them) | 3 | 75.00% |"
        in (text)
    )
    assert "| Redirects (merged into another author) | 1 | |" in text
    assert "Authors: average completeness 37.5%; by enrichment status: not enriched yet 1," in text


def test_the_text_and_the_json_count_the_authors_statuses_alike(small_catalog):
    """Two authors stored "enriched": one whose match added nothing (the small catalog's), one
    whose birth year enrichment filled. The text said "enriched 2" where the JSON, the author
    list and the dashboard say one enriched and one "Matched, nothing added"."""
    author_enriched()

    out = StringIO()
    call_command("enrichment_report", "--json", stdout=out)
    authors = json.loads(out.getvalue())["authors"]
    out = StringIO()
    call_command("enrichment_report", stdout=out)

    shown = {key: n for key, n in authors["by_enrichment_status_as_listed"].items() if n}
    assert shown == {
        "not_enriched": 1,
        "queued": 1,
        "enriched": 1,
        "nothing_added": 1,
        "needs_review": 1,
    }
    assert (authors["by_enrichment_status"]["enriched"], authors["enriched_nothing_added"]) == (
        2,
        1,
    )
    assert (
        "by enrichment status: not enriched yet 1, queued 1, enriched 1, "
        "matched, nothing added 1, needs review 1." in out.getvalue()
    )
