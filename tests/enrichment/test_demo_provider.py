"""The demo provider (`make demo`): every endpoint answers from the recorded bodies in
enrichment/demo/data/, anything else gets the real API's empty answer, and its covers pass the
real cover pipeline (allowlist, download, verifier) only because the demo names its host."""

import json
from io import BytesIO

import pytest
import requests
from django.core.management import CommandError, call_command
from PIL import Image

from enrichment.covers import CoverRejected, fetch_cover_bytes
from enrichment.covers.errors import RejectionReason
from enrichment.covers.placeholders import OPENLIBRARY_MISSING_COVER_GIF
from enrichment.covers.verify import verify_cover
from enrichment.demo.recordings import DATA_DIR
from enrichment.demo.server import DemoProviderServer

OPENLIBRARY = DATA_DIR / "openlibrary"
GOOGLE = DATA_DIR / "google_books"
USE_OF_WEAPONS = json.loads(
    (OPENLIBRARY / "books_api_jscmd_data__ISBN_9780316030571.json").read_text()
)["ISBN:9780316030571"]
LES_ENCHANTEURS = json.loads(
    (OPENLIBRARY / "books_api_jscmd_data__ISBN_2070379043.json").read_text()
)["ISBN:2070379043"]
TOLKIEN_SEARCH = OPENLIBRARY / "search__author_tolkien__title_lord_of_the_rings__2013.json"
UNKNOWN_ISBN = "9780465067107"  # a real book (The Design of Everyday Things) the demo lacks


@pytest.fixture(scope="module")
def demo():
    with DemoProviderServer() as server:
        yield server


def get(demo, path, **params):
    return requests.get(demo.url + path, params=params, timeout=5)


def dump_record(key: str) -> bytes:
    """The JSON column of the recorded dump line for `key` ("/books/OL1001537M")."""
    for line in (OPENLIBRARY / "booklink_dump_lines.txt").read_bytes().splitlines():
        columns = line.split(b"\t")
        if columns[1] == key.encode():
            return columns[4]
    raise AssertionError(f"{key} is not in the recorded dump lines")


def test_books_api_answers_several_bibkeys_with_the_recorded_records(demo):
    # Les Enchanteurs was recorded under its ISBN-10: our client asks by ISBN-13.
    bibkeys = f"ISBN:9780316030571,ISBN:9782070379040,ISBN:{UNKNOWN_ISBN}"
    answer = get(demo, "/api/books", bibkeys=bibkeys, jscmd="data", format="json")

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json() == {
        "ISBN:9780316030571": USE_OF_WEAPONS,
        "ISBN:9782070379040": LES_ENCHANTEURS,
    }  # one key per bibkey found, spelled as sent; the unknown one left out


def test_books_api_answers_an_unknown_isbn_as_open_library_does(demo):
    answer = get(demo, "/api/books", bibkeys=f"ISBN:{UNKNOWN_ISBN}", jscmd="data", format="json")

    assert answer.status_code == 200 and answer.json() == {}


def test_records_are_the_recorded_dump_documents(demo):
    edition = get(demo, "/books/OL1001537M.json")
    work = get(demo, "/works/OL100126W.json")

    assert edition.status_code == 200 and edition.content == dump_record("/books/OL1001537M")
    assert edition.json()["title"] == "Butterfly gardening"
    assert work.status_code == 200 and work.content == dump_record("/works/OL100126W")


@pytest.mark.parametrize("path", ["/books/OL1M.json", "/works/OL1W.json", "/authors/OL1A.json"])
def test_an_unknown_record_is_a_404_as_open_library_answers(demo, path):
    answer = get(demo, path)

    assert answer.status_code == 404
    assert answer.json() == {"error": "notfound", "key": path.removesuffix(".json")}


def test_search_answers_the_recorded_query_with_the_recorded_body(demo):
    answer = get(demo, "/search.json", title="The Lord of the Rings", author="J. R. R. Tolkien")

    assert answer.status_code == 200 and answer.content == TOLKIEN_SEARCH.read_bytes()


@pytest.mark.parametrize(
    ("title", "author"),
    [("Piranesi", "Susanna Clarke"), ("The Lord of the Rings", "Ursula K. Le Guin")],
)
def test_search_without_a_recording_finds_nothing(demo, title, author):
    answer = get(demo, "/search.json", title=title, author=author)

    assert answer.json() == {"start": 0, "num_found": 0, "numFound": 0, "docs": []}


def test_google_isbn_answer_is_the_recording_with_its_images_on_the_demo_server(demo):
    recorded = json.loads((GOOGLE / "volumes__q_isbn_9784815602666.json").read_text())
    answer = get(demo, "/books/v1/volumes", q="isbn:9784815602666").json()

    links = answer["items"][0]["volumeInfo"].pop("imageLinks")
    recorded_links = recorded["items"][0]["volumeInfo"].pop("imageLinks")
    assert answer == recorded  # everything but the image links, unchanged
    assert links["thumbnail"] == recorded_links["thumbnail"].replace(
        "http://books.google.com", demo.url
    )


def test_google_title_search_answers_the_recorded_search(demo):
    query = "intitle:Children intitle:of intitle:Time inauthor:Adrian inauthor:Tchaikovsky"
    answer = get(demo, "/books/v1/volumes", q=query, maxResults=10, printType="books").json()

    assert [item["volumeInfo"]["title"] for item in answer["items"]] == [
        "Children of Time",
        "Dans la toile du temps",
    ]


@pytest.mark.parametrize("query", [f"isbn:{UNKNOWN_ISBN}", "intitle:Piranesi inauthor:Clarke"])
def test_google_without_a_recording_gives_the_recorded_empty_result(demo, query):
    answer = get(demo, "/books/v1/volumes", q=query)

    empty = GOOGLE / "volumes__empty_result__totalItems_0.json"
    assert answer.status_code == 200 and answer.content == empty.read_bytes()
    assert "items" not in answer.json()


@pytest.mark.parametrize(
    ("path", "size"),
    [
        ("/b/id/2379038-L.jpg", (400, 600)),  # Use of Weapons, from its Books API record
        ("/b/id/810390-M.jpg", (180, 270)),  # Butterfly gardening, from its edition record
        ("/b/isbn/0316030570-L.jpg", (400, 600)),
        ("/books/content?id=GjASzgEACAAJ&printsec=frontcover&img=1&zoom=1", (400, 600)),
    ],
)
def test_covers_of_known_books_pass_the_real_verifier(demo, path, size):
    answer = requests.get(demo.url + path, timeout=5)

    assert answer.status_code == 200 and answer.headers["Content-Type"] == "image/jpeg"
    verified = verify_cover(answer.content, url=demo.url + path)
    assert (verified.format, verified.width, verified.height) == ("JPEG", *size)


def test_a_demo_cover_is_marked_demo_in_red_on_white():
    # The "DEMO" band: white, with the word in red across the top quarter of every cover.
    with DemoProviderServer() as server:
        data = requests.get(server.url + "/b/id/2379038-L.jpg", timeout=5).content
    band = Image.open(BytesIO(data)).convert("RGB").crop((0, 60, 400, 190))
    colours = band.getcolors(maxcolors=400 * 130)
    red = sum(n for n, (r, g, b) in colours if r > 150 and g < 80 and b < 80)
    white = sum(n for n, (r, g, b) in colours if min(r, g, b) > 235)
    assert red > 2000 and white > 20000


def test_an_unknown_cover_is_open_librarys_missing_cover_gif(demo):
    answer = get(demo, "/b/id/1-L.jpg")

    assert answer.content == OPENLIBRARY_MISSING_COVER_GIF
    with pytest.raises(CoverRejected) as rejected:
        verify_cover(answer.content, url=demo.url + "/b/id/1-L.jpg")
    assert rejected.value.reason == RejectionReason.PLACEHOLDER
    assert get(demo, "/books/content", id="nobody").status_code == 404


def test_the_cover_fetcher_takes_demo_covers_only_from_the_host_the_demo_names(
    demo, cover_settings
):
    url = demo.url + "/b/id/2379038-L.jpg"
    # The providers' public defaults (cover_settings): a loopback cover is refused.
    with pytest.raises(CoverRejected) as refused:
        fetch_cover_bytes(url)
    assert refused.value.reason == RejectionReason.PRIVATE_ADDRESS

    cover_settings.OPENLIBRARY_COVERS_URL = demo.url  # what `make demo` sets
    assert verify_cover(fetch_cover_bytes(url), url=url).width == 400


def test_the_demo_provider_listens_on_loopback_only():
    with pytest.raises(ValueError, match="loopback"):
        DemoProviderServer(host="0.0.0.0")


def test_demo_provider_command_prints_its_address_and_stops_on_ctrl_c(monkeypatch, capsys):
    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(DemoProviderServer, "serve_forever", interrupted)
    call_command("demo_provider", "--cover-delay", "0")

    assert capsys.readouterr().out.startswith("Demo provider serving on http://127.0.0.1:")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--port", "70000"], "--port: must be a port number, 0 to 65535 (not '70000')"),
        (["--port", "-1"], "--port: must be a whole number, at least 0 (not '-1')"),
        (["--cover-delay", "-2"], "--cover-delay: must be a number of seconds, 0 or more"),
        (["--cover-delay", "nan"], "--cover-delay: must be a number of seconds, 0 or more"),
        (["--cover-delay", "inf"], "--cover-delay: must be a number of seconds, 0 or more"),
    ],
)
def test_a_port_or_a_delay_it_cannot_use_is_refused_before_it_listens(args, says, monkeypatch):
    # A port past 65535 (or negative) stopped it with an OverflowError's traceback; a negative
    # delay was read as 0 without a word, and "nan" failed at the first cover.
    def never(*args, **kwargs):
        raise AssertionError("it listened")

    monkeypatch.setattr("enrichment.management.commands.demo_provider.DemoProviderServer", never)
    with pytest.raises(CommandError) as refused:
        call_command("demo_provider", *args)
    assert says in str(refused.value)
