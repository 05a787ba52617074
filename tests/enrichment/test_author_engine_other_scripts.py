"""An author whose name a catalog holds in Japanese (or Chinese, Korean, Arabic, Hebrew) letters
is searched on Wikidata in those languages' labels too, and the person found by that label has
it among their names: `フランク・ハーバート`, the author cell of a real Japanese Goodreads export
(tests/fixtures/imports/real_shapes/), was searched in English labels only and nobody was found.
The real task against the loopback sources server of test_author_engine, with the synthetic
SPARQL row of tests/fixtures/providers/wikidata/ (see its PROVENANCE.md)."""

import pytest

from enrichment.models import EnrichmentRequest
from enrichment.providers import wikidata_authors
from tests.enrichment.providers.helpers import body, load
from tests.enrichment.test_author_engine import (  # noqa: F401
    fresh,
    sources,
    work_queue,
)
from tests.factories import make_author

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status
JAPANESE = "synthetic-sparql__authors_by_label__japanese.json"


@pytest.mark.parametrize(
    ("name", "languages"),
    [
        ("フランク・ハーバート", ["en", "mul", "ja"]),  # katakana: Japanese
        ("小松左京", ["en", "mul", "ja", "zh"]),  # Han letters alone: Japanese or Chinese
        ("한강", ["en", "mul", "ko"]),
        ("صنع الله إبراهيم", ["en", "mul", "ar", "fa"]),
        ("עמוס עוז", ["en", "mul", "he"]),
        ("Сергей Лукьяненко", ["en", "mul", "ru"]),
        ("George Orwell", ["en", "mul"]),
    ],
)
def test_a_name_is_searched_in_the_labels_of_its_script_s_languages(name, languages):
    assert wikidata_authors.label_languages(name) == languages
    query = wikidata_authors.build_query("label", [name])
    assert all(f'"{name}"@{language}' in query for language in languages)


def test_the_person_found_by_a_label_has_that_label_among_their_names():
    [row] = load("wikidata", JAPANESE)["results"]["bindings"]

    [person] = wikidata_authors.people([row], provider="wikidata", commons_url="https://c.org")

    assert person.name == "Frank Herbert"
    assert person.alternate_names == ["フランク・ハーバート"]


def test_an_author_named_in_katakana_is_found_by_their_japanese_label_and_reviewed(
    sources,  # noqa: F811
    work_queue,  # noqa: F811
):
    sources.sparql["label"] = body("wikidata", JAPANESE)
    herbert = make_author("フランク・ハーバート")

    [request] = work_queue(herbert)

    assert "/sparql label" in sources.requests
    # A name alone: reviewed, nothing applied; the reviewer sees who it is.
    assert (request.status, request.confidence) == (Status.NEEDS_REVIEW, "low")
    [seen] = [c for c in request.match_details.candidates if c.provider == "wikidata"]
    assert (seen.title, seen.ids["wikidata"], seen.author_score) == (
        "Frank Herbert",
        "Q900000501",
        5,
    )
    assert request.proposal.fields["wikidata_id"].proposed == "Q900000501"
    assert fresh(herbert).wikidata_id == ""
