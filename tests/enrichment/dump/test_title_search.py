"""Title searches from the local dump: the works' title index built by the loader, the dump
provider's `search`, and the cascade / engine asking Open Library online only for what the
dump does not hold.

The works are real dump lines (tests/fixtures/openlibrary_dump/booklink_works_*.txt). Those
files share no author or edition with the works, so the authors of three works and their
editions are built here (`synthetic_*`: invented names, 979-0 ISBNs).
"""

import json

import pytest
import responses
from django.db import connection

from catalog.isbn import isbn13_check_digit
from enrichment.candidates import LookupStatus
from enrichment.dump import lookup, tables
from enrichment.models import EnrichmentRequest
from enrichment.providers.cascade import is_confident_match, resolve_isbn
from enrichment.providers.openlibrary import OpenLibraryProvider
from enrichment.providers.openlibrary_dump import OpenLibraryDumpProvider
from tests.enrichment.dump.conftest import REAL_AUTHORS, REAL_WORKS, real_lines
from tests.enrichment.test_engine import enqueue_and_run
from tests.factories import make_work
from tests.synthetic_translations import use_synthetic_catalog

pytestmark = pytest.mark.django_db(transaction=True)

# Real works (booklink_works_head300.txt) and the authors they name.
MEMOIRE = ("OL10007604W", "Mémoire cavalière", "OL3973687A")
DER_KORB = ("OL10004854W", "Der Korb", "OL3142346A")  # subtitle "Erzahlung (Die Kleine Gabe ; 8)"
SCULPTURES = ("OL1001001W", "Sculptures by Henry Moore", "OL92987A")
SYNTHETIC_NAMES = {
    "OL3973687A": "Hélène Synthétique",
    "OL3142346A": "Synthetic Korbmacher",
    "OL92987A": "Synthetic Sculptor",
}
ONLINE_SEARCH = "https://openlibrary.org/search.json"


def synthetic_isbn(n: int) -> str:
    first12 = f"9790{n:08d}"
    return first12 + isbn13_check_digit(first12)


def synthetic_author_line(key: str, name: str) -> str:
    doc = {"name": name, "key": f"/authors/{key}", "type": {"key": "/type/author"}}
    return f"/type/author\t/authors/{key}\t1\t2020-01-01T00:00:00.000000\t{json.dumps(doc)}\n"


def synthetic_edition_line(number: int, work: str, isbn13: str, date: str) -> str:
    key = f"/books/OL{99100000 + number}M"
    doc = {
        "title": f"Synthetic edition {number}",
        "publishers": ["Synthetic Press"],
        "publish_date": date,
        "works": [{"key": f"/works/{work}"}],
        "isbn_13": [isbn13],
        "key": key,
        "type": {"key": "/type/edition"},
    }
    return f"/type/edition\t{key}\t1\t2020-01-01T00:00:00.000000\t{json.dumps(doc)}\n"


# Mémoire cavalière: a 2001 edition listed first, the 1995 one is the first published.
MEMOIRE_2001, MEMOIRE_1995 = synthetic_isbn(1), synthetic_isbn(2)
DER_KORB_ISBN, SCULPTURES_ISBN = synthetic_isbn(3), synthetic_isbn(4)
EDITIONS = [
    (1, MEMOIRE[0], MEMOIRE_2001, "2001"),
    (2, MEMOIRE[0], MEMOIRE_1995, "March 1995"),
    (3, DER_KORB[0], DER_KORB_ISBN, "1990"),
    (4, SCULPTURES[0], SCULPTURES_ISBN, "1965"),
]


@pytest.fixture
def title_dump(load_dump, dump_file):
    """The real works and authors, the three works' synthetic authors and editions."""
    authors = real_lines(REAL_AUTHORS) + "".join(
        synthetic_author_line(key, name) for key, name in SYNTHETIC_NAMES.items()
    ).encode("utf-8")
    editions = "".join(synthetic_edition_line(*edition) for edition in EDITIONS)
    return load_dump(
        editions=dump_file(editions.encode(), name="synthetic-editions.txt"),
        works=dump_file(real_lines(REAL_WORKS), name="works.txt"),
        authors=dump_file(authors, name="authors.txt"),
        options=["--allow-shrink"],
    )


@pytest.fixture
def dump():
    return OpenLibraryDumpProvider()


@pytest.fixture
def online(settings, http):
    """Open Library online, on `responses`: every request it gets is in `http.calls`."""
    settings.OPENLIBRARY_URL = "https://openlibrary.org"
    return OpenLibraryProvider()


def test_found_by_title_and_author_resolves_from_the_dump_without_a_request(
    title_dump, dump, online, http
):
    result = dump.search(title="Mémoire cavalière", author="Hélène Synthétique")

    assert result.status == LookupStatus.FOUND
    best = result.candidates[0]
    assert best.provider == "openlibrary_dump"
    assert best.provider_ids == {"openlibrary_work": MEMOIRE[0]}
    assert best.title == "Mémoire cavalière"
    assert [(a.name, a.provider_id) for a in best.authors] == [("Hélène Synthétique", MEMOIRE[2])]
    assert best.isbn13 == [MEMOIRE_1995, MEMOIRE_2001]  # the first published edition's first
    assert best.source_url == f"https://openlibrary.org/works/{MEMOIRE[0]}"

    resolution = resolve_isbn(
        title="Mémoire cavalière", author="Hélène Synthétique", providers=[dump, online]
    )
    assert (resolution.isbn13, resolution.provider) == (MEMOIRE_1995, "openlibrary_dump")
    assert len(http.calls) == 0


def test_how_a_work_was_found_by_title_is_said_in_the_sites_language(title_dump, dump, monkeypatch):
    """The note a reviewer reads among the candidates was written in English past gettext."""
    french = {"found by title in the dump (%(percent)s alike)": "trouvée par titre (%(percent)s)"}
    use_synthetic_catalog(monkeypatch, french)

    best = dump.search(title="Mémoire cavalière", author="Hélène Synthétique").candidates[0]

    assert best.notes == ["trouvée par titre (100%)"]


def test_a_title_alone_never_resolves(title_dump, dump):
    result = dump.search(title="Mémoire cavalière", author="")

    assert result.candidates[0].provider_ids == {"openlibrary_work": MEMOIRE[0]}
    assert not is_confident_match(result.candidates[0], "Mémoire cavalière", "")
    assert not resolve_isbn(title="Mémoire cavalière", author="", providers=[dump]).resolved


def test_an_author_that_disagrees_does_not_resolve_and_the_search_goes_online(
    title_dump, dump, online, http
):
    http.add(responses.GET, ONLINE_SEARCH, json={"docs": []})  # synthetic: Open Library knows none

    resolution = resolve_isbn(
        title="Mémoire cavalière", author="Somebody Else", providers=[dump, online]
    )

    assert not resolution.resolved
    assert [outcome.provider for outcome in resolution.asked] == ["openlibrary_dump", "openlibrary"]
    assert len(http.calls) == 1


@pytest.mark.parametrize(
    "title, author, work",
    [
        ("MEMOIRE CAVALIERE", "helene synthetique", MEMOIRE[0]),  # case and accents
        ("Mémoire cavalière: souvenirs", "Synthétique, Hélène", MEMOIRE[0]),  # a subtitle
        ("Mémoire cavalière (Synthetic Series, #2)", "HELENE SYNTHETIQUE", MEMOIRE[0]),
        ("Der Korb", "Synthetic Korbmacher", DER_KORB[0]),  # the work's subtitle is not needed
        ("sculptures by henry moore", "Synthetic Sculptor", SCULPTURES[0]),
    ],
)
def test_accents_subtitles_series_and_case_are_the_catalogs_rule(
    title_dump, dump, title, author, work
):
    resolution = resolve_isbn(title=title, author=author, providers=[dump])

    assert resolution.provider == "openlibrary_dump"
    assert resolution.candidate.provider_ids == {"openlibrary_work": work}


def test_a_title_the_dump_does_not_hold_is_not_found(title_dump, dump):
    result = dump.search(title="Neverwhere", author="Neil Gaiman")

    assert result.status == LookupStatus.NOT_FOUND
    assert result.candidates == []


def test_a_search_is_a_fixed_handful_of_queries(title_dump, dump, django_assert_max_num_queries):
    # PostgreSQL: 12 (the threshold is set and put back around the trigram query); SQLite: 7.
    with django_assert_max_num_queries(12):
        one = dump.search(title="Sculptures by Henry Moore", author="Synthetic Sculptor")
    with django_assert_max_num_queries(12):
        many = dump.search(title="Voyage", author="")  # two works are alike
    assert len(one.candidates) >= 1
    assert len(many.candidates) > len(one.candidates)


def drop_title_index() -> None:
    """The tables as a load before the title index left them: no title_key, no FTS5 table."""
    work = tables.live_name("work")
    with connection.cursor() as cursor:
        if tables.is_postgres():
            cursor.execute(f"ALTER TABLE {work} DROP COLUMN title_key")
        else:
            cursor.execute(f"DROP TABLE {tables.live_name(tables.TITLE_SEARCH_TABLE)}")
            cursor.execute(f"ALTER TABLE {work} DROP COLUMN title_key")


def test_a_dump_loaded_before_the_title_index_skips_itself_and_says_reload(
    title_dump, dump, online, http
):
    drop_title_index()
    http.add(responses.GET, ONLINE_SEARCH, json={"docs": []})

    result = dump.search(title="Mémoire cavalière", author="Hélène Synthétique")
    assert result.status == LookupStatus.NOT_CONFIGURED
    assert "reload" in result.error and "--works" in result.error
    assert result.was_skipped

    resolution = resolve_isbn(
        title="Mémoire cavalière", author="Hélène Synthétique", providers=[dump, online]
    )
    assert [outcome.provider for outcome in resolution.skipped] == ["openlibrary_dump"]
    assert len(http.calls) == 1  # asked online instead
    # ISBN lookups still answer from the old tables.
    assert dump.lookup_isbns([MEMOIRE_1995])[MEMOIRE_1995].status == LookupStatus.FOUND


def test_without_a_dump_the_search_skips_itself(drop_dump_tables, dump):
    result = dump.search(title="Mémoire cavalière", author="Hélène Synthétique")

    assert result.status == LookupStatus.NOT_CONFIGURED
    assert result.was_skipped


def test_a_reload_replaces_the_title_index_with_the_new_works(title_dump, load_dump, dump_file):
    # The same real works, one of them renamed here.
    works = real_lines(REAL_WORKS).replace(
        b'"title": "M\\u00e9moire cavali\\u00e8re"', b'"title": "Synthetic renamed work"'
    )
    load_dump(works=dump_file(works, name="works2.txt"))

    assert lookup.works_by_title(title="Mémoire cavalière", author="") == []
    (match, *_) = lookup.works_by_title(title="Synthetic renamed work", author="")
    assert match.work.work_id == int(MEMOIRE[0][2:-1])
    assert not {name for name in tables.existing_tables() if name.endswith("_new")}


# --- the engine: the dump first, Open Library online only for what it lacks ---------------------


@pytest.fixture
def no_cover_downloads(monkeypatch):
    monkeypatch.setattr("enrichment.apply.covers_dispatch", lambda request_ids, actor_id=None: None)


def test_the_engine_resolves_a_book_without_isbn_from_the_dump_with_no_request(
    title_dump, dump, online, http, no_cover_downloads
):
    work = make_work("Mémoire cavalière", authors=["Hélène Synthétique"])

    enqueue_and_run([dump, online], work_ids=[work.pk])

    request = EnrichmentRequest.objects.get(work=work)
    assert request.providers_attempted == ["openlibrary_dump"]
    assert len(http.calls) == 0


def test_the_engine_asks_online_for_a_book_the_dump_does_not_hold(
    title_dump, dump, online, http, no_cover_downloads
):
    http.add(responses.GET, ONLINE_SEARCH, json={"docs": []})
    work = make_work("Neverwhere", authors=["Neil Gaiman"])

    enqueue_and_run([dump, online], work_ids=[work.pk])

    request = EnrichmentRequest.objects.get(work=work)
    assert request.providers_attempted == ["openlibrary_dump", "openlibrary"]
    assert [call.request.url.split("?")[0] for call in http.calls] == [ONLINE_SEARCH]
