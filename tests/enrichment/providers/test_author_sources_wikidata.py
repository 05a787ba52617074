"""The author sources, Wikidata's side: people by Open Library author id (P648), Goodreads author
id (P2963) or label with a birth-year check, many in one SPARQL query; their photos' licences from
Wikimedia Commons.

No real WDQS answer to such a query was found (tests/fixtures/providers/wikidata/PROVENANCE.md):
the answers are synthetic-* files in the W3C SPARQL JSON results shape of the query in
enrichment/providers/wikidata_authors.py, and so is the Commons answer. Faults are built here.
"""

import json
from urllib.parse import parse_qs, quote

import pytest

from enrichment.author_candidates import AuthorCandidate, PhotoRef
from enrichment.author_matching import (
    AuthorMatchScore,
    AuthorQuery,
    AuthorRecordSummary,
    score_author_record,
)
from enrichment.author_photos import not_a_portrait
from enrichment.author_proposal import merge_author_candidates
from enrichment.candidates import LookupStatus
from enrichment.matching import Tier
from enrichment.models import SourceRecord
from enrichment.providers import wikidata_authors
from enrichment.providers.wikidata import WikidataProvider
from enrichment.providers.wikidata_authors import LabelQuery
from tests.enrichment.providers.helpers import body, load
from tests.enrichment.providers.local_server import LocalServer

SPARQL = "https://query.wikidata.org/sparql"
COMMONS_API = "https://commons.wikimedia.org/w/api.php"
BY_OPENLIBRARY = "synthetic-sparql__authors_by_openlibrary_id.json"
BY_GOODREADS = "synthetic-sparql__authors_by_goodreads_id.json"
BY_LABEL = "synthetic-sparql__authors_by_label.json"
COMMONS = "synthetic-commons__imageinfo_extmetadata.json"


@pytest.fixture
def wikidata(make):
    return make(WikidataProvider)


def query_of(call) -> str:
    return parse_qs(call.request.body)["query"][0]


def test_people_by_open_library_id_in_one_query(http, wikidata):
    http.post(SPARQL, body=body("wikidata", BY_OPENLIBRARY))

    results = wikidata.authors_by_openlibrary_id(["OL118077A", "/authors/OL440500A", "OL1A"])

    assert len(http.calls) == 1
    query = query_of(http.calls[0])
    assert 'VALUES ?asked { "OL118077A" "OL440500A" "OL1A" } ?item wdt:P648 ?asked .' in query
    assert "GROUP BY ?asked ?item" in query
    assert results["OL1A"].status == LookupStatus.NOT_FOUND  # Wikidata knows no one by it

    [orwell] = results["OL118077A"].candidates
    assert results["OL118077A"].key == "wikidata-openlibrary:OL118077A"
    assert orwell.provider == "wikidata"
    assert orwell.name == "George Orwell"
    assert orwell.description == "English novelist, essayist and critic (1903–1950)"
    assert (orwell.birth_year, orwell.birth_date) == (1903, "1903-06-25")
    assert (orwell.death_year, orwell.death_date) == (1950, "1950-01-21")
    assert (orwell.gender, orwell.citizenship) == ("male", ["United Kingdom"])
    assert orwell.provider_ids == {
        "wikidata": "Q3335",
        "openlibrary_author": "OL118077A",
        "goodreads_author": "3706",
        "viaf": "95155403",
    }
    assert orwell.notes == ["Wikidata also lists openlibrary_author OL99000301A."]
    assert orwell.photos == [
        PhotoRef(
            provider="wikidata",
            url="https://commons.wikimedia.org/wiki/Special:FilePath/"
            "George_Orwell_press_photo.jpg?width=1000",
            photo_id="George Orwell press photo.jpg",
            source_page="https://commons.wikimedia.org/wiki/File:George_Orwell_press_photo.jpg",
        )
    ]  # licence unknown until Commons is asked
    assert orwell.source_url == "https://www.wikidata.org/wiki/Q3335"

    [russell] = results["OL440500A"].candidates
    assert (russell.birth_year, russell.birth_date) == (1962, "1962")  # known to the year only
    assert (russell.death_year, russell.death_date) == (None, "")
    assert russell.citizenship == ["United Kingdom", "United States of America"]
    assert russell.provider_ids["isni"] == "0000000083978047"  # Wikidata writes it spaced


def test_120_ids_take_3_queries_of_at_most_50_then_none(http, wikidata):
    http.post(SPARQL, body=body("wikidata", BY_OPENLIBRARY))
    ids = ["OL118077A", "OL440500A"] + [f"OL{n}A" for n in range(900_000, 900_118)]

    first = wikidata.authors_by_openlibrary_id(ids)
    second = wikidata.authors_by_openlibrary_id(ids)

    assert len(http.calls) == 3
    assert [query_of(call).count('" "') + 1 for call in http.calls] == [50, 50, 20]
    assert len(first) == 120
    assert sum(r.status == LookupStatus.FOUND for r in first.values()) == 2
    assert all(result.from_cache for result in second.values())  # hits and misses alike
    assert SourceRecord.objects.filter(provider="wikidata").count() == 120


def test_people_by_goodreads_id(http, wikidata):
    http.post(SPARQL, body=body("wikidata", BY_GOODREADS))

    results = wikidata.authors_by_goodreads_id(["3706", "3706.George_Orwell", "not-an-id"])

    assert 'VALUES ?asked { "3706" } ?item wdt:P2963 ?asked .' in query_of(http.calls[0])
    assert results["3706"].candidates[0].provider_ids["wikidata"] == "Q3335"
    assert results["not-an-id"].status == LookupStatus.NOT_FOUND
    assert len(http.calls) == 1


def test_a_label_search_keeps_only_people_born_in_the_year_we_know(http, wikidata):
    http.post(SPARQL, body=body("wikidata", BY_LABEL))
    orwell = LabelQuery("George  Orwell ", birth_year=1903)
    lukyanenko = LabelQuery("Сергей Лукьяненко", birth_year=1968)

    results = wikidata.authors_by_label([orwell, lukyanenko])

    query = query_of(http.calls[0])
    assert '"George Orwell"@en "George Orwell"@mul' in query  # spaces made single
    assert '"Сергей Лукьяненко"@en "Сергей Лукьяненко"@mul "Сергей Лукьяненко"@ru' in query
    assert "rdfs:label|skos:altLabel ?asked ; wdt:P31 wd:Q5" in query  # humans only
    people = results[orwell.key].candidates
    # Q3335 found in two label languages is one person; the namesake born in 1938 is left out;
    # one with no birth date on Wikidata is kept, saying so.
    assert [p.provider_ids["wikidata"] for p in people] == ["Q3335", "Q900000202"]
    assert people[0].notes[-1] == "Found by name; born in 1903, as ours."
    assert people[1].notes == ["Found by name; Wikidata has no birth year to check against 1903."]
    [sergei] = results[lukyanenko.key].candidates
    assert sergei.name == "Sergei Lukyanenko"
    # The label he was found by (asked in Russian), then his native name.
    assert sergei.alternate_names == ["Сергей Лукьяненко", "Сергей Васильевич Лукьяненко"]
    assert sergei.citizenship == ["Russia", "Soviet Union"]


def test_a_library_heading_is_searched_by_its_name_and_its_years_check_the_people(http, wikidata):
    """A name stored as a heading ("Orwell, George, 1903-1950.") is searched as sources label
    the person: no label holds a heading's dates or its comma. Its years check who is found:
    born and died as ours is kept, saying so; a namesake born in 1938 is left out."""
    http.post(SPARQL, body=body("wikidata", BY_LABEL))
    heading = LabelQuery("Orwell, George, 1903-1950.", birth_year=1903, death_year=1950)

    people = wikidata.authors_by_label([heading])[heading.key].candidates

    query = query_of(http.calls[0])
    assert '"George Orwell"@en "George Orwell"@mul' in query
    assert "1903" not in query.split("VALUES", 1)[1].split("}", 1)[0]
    assert [p.provider_ids["wikidata"] for p in people] == ["Q3335", "Q900000202"]
    assert people[0].notes[-2:] == [
        "Found by name; born in 1903, as ours.",
        "Found by name; died in 1950, as ours.",
    ]
    assert people[1].notes == [
        "Found by name; Wikidata has no birth year to check against 1903.",
        "Found by name; Wikidata has no death year to check against 1950.",
    ]
    # The same person asked by name and years is the same question (one cache entry).
    assert heading.key == LabelQuery("George Orwell", 1903, 1950).key


def test_a_label_search_leaves_out_people_who_died_in_another_year(http, wikidata):
    http.post(SPARQL, body=body("wikidata", BY_LABEL))
    died_1960 = LabelQuery("George Orwell", death_year=1960)

    people = wikidata.authors_by_label([died_1960])[died_1960.key].candidates

    # Q3335 died in 1950: another person. Those Wikidata knows no death of are kept.
    assert [p.provider_ids["wikidata"] for p in people] == ["Q900000201", "Q900000202"]
    assert people[0].notes == ["Found by name; Wikidata has no death year to check against 1960."]


def test_a_label_search_without_a_year_keeps_every_namesake_and_says_so(http, wikidata):
    http.post(SPARQL, body=body("wikidata", BY_LABEL))

    [result] = wikidata.authors_by_label([LabelQuery("George Orwell")]).values()

    assert [p.provider_ids["wikidata"] for p in result.candidates] == [
        "Q3335",
        "Q900000201",
        "Q900000202",
    ]
    homonym = result.candidates[1]
    assert homonym.gender == ""  # the label service's bare id is no gender's name
    assert all(
        p.notes[-1] == "Found by name alone: no birth year to check it against."
        for p in result.candidates
    )


def test_a_name_cannot_end_its_literal_and_add_to_the_query(http, wikidata):
    http.post(SPARQL, json={"head": {"vars": []}, "results": {"bindings": []}})
    hostile = 'Bob" } ?item wdt:P31 ?x . #\\'

    result = wikidata.authors_by_label([LabelQuery(hostile)])[LabelQuery(hostile).key]

    assert result.status == LookupStatus.NOT_FOUND
    assert '"Bob\\" } ?item wdt:P31 ?x . #\\\\"@en' in query_of(http.calls[0])
    assert wikidata_authors.sparql_string('a"b\\c\nd') == '"a\\"b\\\\c d"'


def test_an_empty_name_is_not_searched(http, wikidata):
    results = wikidata.authors_by_label([LabelQuery("  ")])

    assert [r.status for r in results.values()] == [LookupStatus.NOT_FOUND]
    assert len(http.calls) == 0


# --- faults stay with their batch -----------------------------------------------------------------


def test_a_429_fails_its_batch_alone(http, wikidata, clock):
    http.post(SPARQL, body=body("wikidata", BY_OPENLIBRARY))
    http.post(SPARQL, status=429, headers={"Retry-After": "600"})
    ids = ["OL118077A"] + [f"OL{n}A" for n in range(900_000, 900_059)]  # two batches

    results = wikidata.authors_by_openlibrary_id(ids)

    assert results["OL118077A"].status == LookupStatus.FOUND  # the first batch's answer
    second_batch = [results[key] for key in ids[50:]]
    assert {r.status for r in second_batch} == {LookupStatus.THROTTLED}
    assert second_batch[0].retry_after == pytest.approx(600)
    assert len(http.calls) == 2  # and no third try into the 429
    assert SourceRecord.objects.filter(provider="wikidata").count() == 50


@pytest.mark.parametrize(
    "answer",
    [
        "<!DOCTYPE html><title>Query timeout</title>",
        json.dumps({"head": {}, "results": {"bindings": "none"}}),
        json.dumps({"results": {"bindings": [["a list, not a row"]]}}),
    ],
)
def test_a_garbage_answer_fails_its_batch_alone_and_is_asked_again(http, wikidata, answer):
    http.post(SPARQL, body=body("wikidata", BY_OPENLIBRARY))
    http.post(SPARQL, body=answer)
    ids = ["OL118077A"] + [f"OL{n}A" for n in range(900_000, 900_059)]

    results = wikidata.authors_by_openlibrary_id(ids)

    assert results["OL118077A"].status == LookupStatus.FOUND
    assert {results[key].status for key in ids[50:]} == {LookupStatus.UNPARSEABLE}
    assert SourceRecord.objects.filter(provider="wikidata").count() == 50  # the first batch


def test_an_answer_over_the_byte_cap_is_refused_unread(wikidata, settings):
    settings.ENRICHMENT_MAX_RESPONSE_BYTES = 64 * 1024
    with LocalServer() as server:
        settings.WIKIDATA_SPARQL_URL = f"{server.url}/sparql"
        # The synthetic answer, then rows that never end (no Content-Length).
        opening = body("wikidata", BY_OPENLIBRARY).rsplit(b"]", 2)[0] + b","
        row = json.dumps(load("wikidata", BY_OPENLIBRARY)["results"]["bindings"][0]).encode()
        server.answer = lambda handler: server.send(handler, [opening, *[row + b","] * 20_000])

        result = wikidata.authors_by_openlibrary_id(["OL118077A"])["OL118077A"]

    assert result.status == LookupStatus.UNPARSEABLE
    assert "answer too large" in result.error
    assert server.body_bytes_sent < 20_000 * len(row) / 2  # reading stopped at the cap
    assert not SourceRecord.objects.exists()


# --- photo licences from Wikimedia Commons --------------------------------------------------------


def test_photo_licences_come_from_commons_in_one_request(http, wikidata):
    http.post(SPARQL, body=body("wikidata", BY_OPENLIBRARY))
    commons = http.get(COMMONS_API, body=body("wikidata", COMMONS))
    people = [
        result.candidates[0]
        for result in wikidata.authors_by_openlibrary_id(["OL118077A", "OL440500A"]).values()
    ]

    orwell, russell = wikidata.add_photo_licences(people)

    assert commons.call_count == 1
    params = http.calls[1].request.params
    assert params["titles"] == "File:George Orwell press photo.jpg|File:stuart russell.jpg"
    assert params["iiprop"] == "url|size|extmetadata"
    [photo] = orwell.photos
    assert (photo.licence, photo.licence_url, photo.artist) == (
        "Public domain",
        "",
        "Placeholder & Co.",
    )
    assert photo.url.endswith("Special:FilePath/George_Orwell_press_photo.jpg?width=1000")
    # "stuart russell.jpg" came back as "File:Stuart russell.jpg": matched through Commons'
    # normalized titles.
    [portrait] = russell.photos
    assert portrait.licence == "CC BY-SA 4.0"
    assert portrait.licence_url == "https://creativecommons.org/licenses/by-sa/4.0"
    assert portrait.artist == "Placeholder Photographer"
    assert portrait.source_page == "https://commons.wikimedia.org/wiki/File:Stuart_russell.jpg"

    wikidata.add_photo_licences(people)  # asked again: the cache answers
    assert commons.call_count == 1


def test_a_file_commons_lacks_and_a_commons_fault_leave_the_licence_unknown(http, wikidata):
    http.get(COMMONS_API, body=body("wikidata", COMMONS))
    missing = AuthorCandidate(
        provider="wikidata",
        photos=[
            wikidata_authors.photo_ref(
                "Nobody has this file.jpg", commons_url="x", provider="wikidata"
            )
        ],
    )

    [kept] = wikidata.add_photo_licences([missing])
    results = wikidata.photo_licences(["Nobody has this file.jpg"])

    assert kept.photos[0].licence == ""
    assert results["Nobody has this file.jpg"].status == LookupStatus.NOT_FOUND

    http.replace("GET", COMMONS_API, status=503)
    broken = AuthorCandidate(
        provider="wikidata",
        photos=[wikidata_authors.photo_ref("Another.jpg", commons_url="x", provider="wikidata")],
    )
    [still] = wikidata.add_photo_licences([broken])
    assert still.photos[0].licence == ""
    assert wikidata.photo_licences(["Another.jpg"])["Another.jpg"].status == (
        LookupStatus.SERVER_ERROR
    )


def test_commons_is_asked_at_the_configured_address(http, make, settings):
    settings.WIKIMEDIA_COMMONS_URL = "http://127.0.0.1:9/commons/"
    http.get("http://127.0.0.1:9/commons/w/api.php", body=body("wikidata", COMMONS))

    wikidata = make(WikidataProvider)
    results = wikidata.photo_licences(["George Orwell press photo.jpg"])

    assert results["George Orwell press photo.jpg"].status == LookupStatus.FOUND
    ref = wikidata_authors.photo_ref(
        "A b.jpg", commons_url=wikidata.configured_url("covers_url"), provider="wikidata"
    )
    assert ref.url == "http://127.0.0.1:9/commons/wiki/Special:FilePath/A_b.jpg?width=1000"


# --- pure helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1903-06-25T00:00:00Z/11", (1903, "1903-06-25")),
        ("1903-06-01T00:00:00Z/10", (1903, "1903-06")),
        ("1962-01-01T00:00:00Z/9", (1962, "1962")),
        ("1900-01-01T00:00:00Z/8", (None, "")),  # a decade: no year to trust
        # WDQS writes years before the common era as XSD 1.1 does, 1 BCE as year 0: Aristotle,
        # born 384 BC, is "-0383" (Wikidata's Help:Dates, "For RDF export (e.g. on Wikidata
        # Query Service) … 1 BCE is year 0"); it was proposed as born 383 BC, written "-383".
        ("-0383-01-01T00:00:00Z/9", (-384, "384 BC")),
        ("-0043-03-15T00:00:00Z/11", (-44, "44 BC")),  # the day is Julian: the year is kept
        ("0000-01-01T00:00:00Z/9", (-1, "1 BC")),
        ("not a date/11", (None, "")),
        ("", (None, "")),
    ],
)
def test_wikidata_time(value, expected):
    assert wikidata_authors.wikidata_time(value) == expected


def test_commons_file_name():
    assert (
        wikidata_authors.commons_file_name(
            "http://commons.wikimedia.org/wiki/Special:FilePath/Ursula%20K%20Le%20Guin.JPG"
        )
        == "Ursula K Le Guin.JPG"
    )
    assert wikidata_authors.commons_file_name("http://example.org/a.jpg") == ""


# --- pen names (P742) -------------------------------------------------------------------------


def _stephen_king_found_as_richard_bachman() -> AuthorCandidate:
    """The synthetic label-search row of BY_LABEL made Stephen King's (values written here, not
    claimed to match Wikidata's data): found by his alias "Richard Bachman", which is his pen
    name (P742), his Open Library key a placeholder."""
    [row, *_] = load("wikidata", BY_LABEL)["results"]["bindings"]
    row = {
        **row,
        "asked": {"type": "literal", "value": "Richard Bachman", "xml:lang": "en"},
        "label": {"type": "literal", "value": "Stephen King", "xml:lang": "en"},
        "births": {"type": "literal", "value": "1947-09-21T00:00:00Z/11"},
        "deaths": {"type": "literal", "value": ""},
        "olids": {"type": "literal", "value": "OL99000601A"},
        "penNames": {"type": "literal", "value": "Richard Bachman|John Swithen"},
    }
    return wikidata_authors.author_candidate(
        row, provider="wikidata", commons_url="https://commons.wikimedia.org"
    )


def test_the_people_query_asks_the_names_they_wrote_under():
    query = wikidata_authors.build_query("label", ["Richard Bachman"])
    assert "wdt:P742 ?penName" in query
    king = _stephen_king_found_as_richard_bachman()
    assert king.pen_names == ["Richard Bachman", "John Swithen"]


def test_our_pen_name_author_is_not_taken_for_the_person_who_wrote_under_it():
    """Our `Richard Bachman`, credited on Thinner; Wikidata's Stephen King, found by that alias,
    whose works (by his Open Library key) include Thinner: name and work agreed, a high match,
    and King's birth date, ids and portrait were applied to the pen name (his Wikidata id on it
    then proposed merging the two authors). Kept for review, saying why."""
    king = _stephen_king_found_as_richard_bachman()
    ours = AuthorQuery(name="Richard Bachman", work_titles=("Thinner",))

    def summary(pen_names: tuple[str, ...]) -> AuthorRecordSummary:
        return AuthorRecordSummary(
            provider="wikidata",
            name=king.name,
            alternate_names=tuple(king.alternate_names),
            birth_year=king.birth_year,
            work_titles=("Thinner", "Carrie"),
            ids=king.provider_ids,
            pen_names=pen_names,
        )

    score = score_author_record(ours, summary(tuple(king.pen_names)))

    assert score.tier == Tier.LOW
    assert "'Richard Bachman' is a pen name of Stephen King: kept for review" in score.reasons
    assert score_author_record(ours, summary(())).tier == Tier.HIGH  # as it was read before
    # George Orwell's own label is his pen name: his record is him.
    orwell = AuthorRecordSummary(
        provider="wikidata",
        name="George Orwell",
        work_titles=("Animal Farm",),
        pen_names=("George Orwell",),
    )
    assert (
        score_author_record(
            AuthorQuery(name="George Orwell", work_titles=("Animal Farm",)), orwell
        ).tier
        == Tier.HIGH
    )


# --- the image of a person: a portrait, not their signature, grave or house ------------------


def _adams_files() -> dict[str, str]:
    """The Commons files of Douglas Adams' image (P18), signature (P109) and grave (P1442)
    statements in a real wbgetentities answer (PROVENANCE.md)."""
    claims = load("wikidata", "wbgetentities__Q42__2017.json")["entities"]["Q42"]["claims"]
    return {
        prop: claims[prop][0]["mainsnak"]["datavalue"]["value"] for prop in ("P18", "P109", "P1442")
    }


def _person_with_images(*file_names: str):
    """The synthetic label-search row of BY_LABEL, its images the files given, as WDQS writes
    P18 values (Special:FilePath, percent-encoded) joined by GROUP_CONCAT."""
    [row, *_] = load("wikidata", BY_LABEL)["results"]["bindings"]
    images = "|".join(
        f"http://commons.wikimedia.org/wiki/Special:FilePath/{quote(name)}" for name in file_names
    )
    row = {**row, "images": {"type": "literal", "value": images}}
    return wikidata_authors.author_candidate(
        row, provider="wikidata", commons_url="https://commons.wikimedia.org"
    )


def test_only_a_portrait_is_offered_as_the_person_s_photo():
    """A person's P18 may name their signature or their grave (the files Wikidata holds as P109
    and P1442): each was offered as the author's photo, and the first to verify was applied."""
    files = _adams_files()
    assert files["P109"] == "Douglas Adams Unterschrift.jpg"  # German: signature

    person = _person_with_images(files["P109"], files["P1442"], files["P18"])

    assert [photo.photo_id for photo in person.photos] == ["Douglas adams portrait cropped.jpg"]
    assert [n for n in person.notes if n.startswith("Wikidata's image")] == [
        "Wikidata's image Douglas Adams Unterschrift.jpg is a signature, not a portrait: not"
        " proposed.",
        "Wikidata's image Douglas Adams' gravestone.jpg is a grave, not a portrait: not proposed.",
    ]
    # Merged, the portrait is the only photo proposed.
    high = AuthorMatchScore(identifier=5, name=5, works=5, tier=Tier.HIGH)
    merged = merge_author_candidates([(person, high)], provider_order=["wikidata"])
    assert [cover.cover_id for cover in merged.covers] == ["Douglas adams portrait cropped.jpg"]


@pytest.mark.parametrize(
    ("file_name", "shows"),
    [
        ("Abraham Lincoln 1862 signature.svg", "a signature"),  # a real P109 value (Q91)
        ("Geburtshaus Theodor Storm Husum.jpg", "a house"),
        ("Coat of Arms of Leo Tolstoy.png", "a coat of arms"),
        ("Some writer vector drawing.svg", "a drawing (SVG)"),
        ("Douglas adams portrait cropped.jpg", ""),
        ("Robert Graves 1929.jpg", ""),  # a surname, not a grave
        ("Bust of Homer.jpg", ""),  # a likeness is a portrait
    ],
)
def test_what_a_commons_file_name_says_it_shows(file_name, shows):
    assert not_a_portrait(file_name) == shows


@pytest.mark.parametrize(
    ("file_name", "person_name", "shows"),
    [
        ("Silas House 2012.jpg", "Silas House", ""),  # the novelist, not a house
        ("Lorenzo Casa.jpg", "Lorenzo Casa", ""),
        ("Silas House grave.jpg", "Silas House", "a grave"),  # their name and what it shows
        ("Silas House.jpg", "Silas Marner", "a house"),  # another person's name says nothing
    ],
)
def test_a_word_of_the_person_s_own_name_says_nothing_of_the_image(file_name, person_name, shows):
    assert not_a_portrait(file_name, person_name) == shows
