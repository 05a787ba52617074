"""The synthetic world bench/authors.py enriches: who among the catalog's authors each source
knows (by a hash of the name, in the shares of WORLD_SHARES), and a local server on 127.0.0.1 that
answers as Open Library (Books API, author records, works lists, author photos), Wikidata (SPARQL)
and Wikimedia Commons (licences, photos). Nothing is fetched from the internet; each body is a
recorded or synthetic-* fixture's shape with this world's values put in (see `World`).
"""

import copy
import json
import sys
import threading
import zlib
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EXPORTS = ROOT.parent / "shared/fixtures/peers/mapmyreads"
EXPORTS_COPY = ROOT / "tests/fixtures/imports/mapmyreads"
EXPORT_FILES = ("goodreads_library_export.csv", "storygraph_export.csv")
FIXTURES = ROOT / "tests/fixtures/providers"
#: Recorded bodies the answers are built on (their PROVENANCE.md says where each comes from).
BOOKS_API_RECORD = FIXTURES / "openlibrary/books_api_jscmd_data__ISBN_9780316030571.json"
AUTHOR_RECORD = FIXTURES / "openlibrary/author__OL118077A__from_dump.json"
#: Synthetic-* fixtures the answers are built on (no recorded answer of their kind exists).
WORKS_LIST = FIXTURES / "openlibrary/synthetic-author_works__OL118077A__limit100.json"
SPARQL_PEOPLE = FIXTURES / "wikidata/synthetic-sparql__authors_by_openlibrary_id.json"
COMMONS_PAGES = FIXTURES / "wikidata/synthetic-commons__imageinfo_extmetadata.json"

#: How the world is split, by a hash of the author's normalized name (per cent, in order):
WORLD_SHARES = (
    # Open Library credits them under their name on their books' records and has their record
    # (bio, birth date, photo); Wikidata has them, by that Open Library key and by name.
    ("known", 70),
    # Open Library credits them with initials ("P. Frankopan") and has their record; Wikidata
    # does not know them.
    ("initials", 10),
    # No Open Library record credits them; Wikidata has someone of that name and no more.
    ("name_only", 10),
    # Nobody knows them.
    ("unknown", 10),
)
KEY_BASE = 90_000_000  # synthetic Open Library author keys OL9xxxxxxxA (placeholders)
ITEM_BASE = 900_000_000  # synthetic Wikidata items Q9xxxxxxxx (placeholders)
PHOTO_BASE = 80_000_000
PHOTO_SIZE = (300, 400)
RATES = {"openlibrary": 3.0, "wikidata": 1.0}  # the real ones (Open Library with a contact)


def kind_of(name_key: str) -> str:
    """The author's kind in this world, from a hash of their normalized name (stable)."""
    bucket = zlib.crc32(name_key.encode()) % 100
    for kind, share in WORLD_SHARES:
        if bucket < share:
            return kind
        bucket -= share
    return WORLD_SHARES[-1][0]


def initials(name: str) -> str:
    """ "Peter Frankopan" -> "P. Frankopan", "Alain de Botton" -> "A. de Botton": the given
    names as initials (a lower-case particle stays a word)."""
    words = name.split()
    given = [w if w.islower() else f"{w[0]}." for w in words[:-1]]
    return " ".join([*given, words[-1]]) if len(words) > 1 else name


@dataclass
class Person:
    pk: int
    name: str
    kind: str
    titles: list[str] = field(default_factory=list)
    isbns: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"OL{KEY_BASE + self.pk}A"

    @property
    def item(self) -> str:
        return f"Q{ITEM_BASE + self.pk}"

    @property
    def birth_year(self) -> int:
        return 1900 + self.pk % 90

    @property
    def photo_file(self) -> str:
        return f"Synthetic portrait {self.pk}.jpg"

    @property
    def on_openlibrary(self) -> bool:
        return self.kind in ("known", "initials")

    @property
    def openlibrary_name(self) -> str:
        return initials(self.name) if self.kind == "initials" else self.name


class World:
    """The synthetic answers, built from the catalog's people and the fixtures' shapes."""

    def __init__(self, people: list[Person], books: dict[str, tuple[str, list[int]]]):
        self.people = {p.pk: p for p in people}
        self.by_key = {p.key: p for p in people if p.on_openlibrary}
        self.by_name = {p.name: p for p in people if p.kind in ("known", "name_only")}
        self.by_file = {p.photo_file: p for p in people if p.kind == "known"}
        self.books = books  # isbn13 -> (title, credited author pks)
        book_record = json.loads(BOOKS_API_RECORD.read_text())
        self.book_template = next(iter(book_record.values()))
        self.author_template = json.loads(AUTHOR_RECORD.read_text())
        self.works_template = json.loads(WORKS_LIST.read_text())
        sparql = json.loads(SPARQL_PEOPLE.read_text())
        self.sparql_head = sparql["head"]
        self.row_template = sparql["results"]["bindings"][0]
        self.commons_template = json.loads(COMMONS_PAGES.read_text())
        self.photos: dict[int, bytes] = {}
        self.lock = threading.Lock()

    # --- Open Library ----------------------------------------------------------------------------

    def books_api(self, bibkeys: list[str]) -> dict:
        found = {}
        for bibkey in bibkeys:
            isbn13 = bibkey.removeprefix("ISBN:")
            if isbn13 not in self.books:
                continue
            title, credited = self.books[isbn13]
            record = copy.deepcopy(self.book_template)
            record["title"] = title
            record["identifiers"] = {"isbn_13": [isbn13], "openlibrary": ["OL1M"]}
            record.pop("cover", None)
            record["authors"] = [
                {
                    "name": person.openlibrary_name,
                    "url": f"https://openlibrary.org/authors/{person.key}/x",
                }
                for pk in credited
                if (person := self.people[pk]).on_openlibrary
            ]
            found[bibkey] = record
        return found

    def author_record(self, key: str) -> dict | None:
        person = self.by_key.get(key)
        if person is None:
            return None
        record = copy.deepcopy(self.author_template)
        record.update(
            key=f"/authors/{key}",
            name=person.openlibrary_name,
            personal_name=person.openlibrary_name,
            alternate_names=[],
            bio=f"{person.name} wrote books in this catalog. (A synthetic bio: this bench's "
            "world, not Open Library's data.)",
            birth_date=str(person.birth_year),
            photos=[PHOTO_BASE + person.pk],
            remote_ids={"wikidata": person.item} if person.kind == "known" else {},
        )
        record.pop("death_date", None)
        return record

    def works_list(self, key: str) -> dict | None:
        person = self.by_key.get(key)
        if person is None:
            return None
        body = copy.deepcopy(self.works_template)
        entry = body["entries"][0]
        body["entries"] = [
            {**entry, "title": title, "key": f"/works/OL{KEY_BASE + i}W"}
            for i, title in enumerate(person.titles)
        ]
        body["size"] = len(person.titles)
        return body

    # --- Wikidata and Commons --------------------------------------------------------------------

    def sparql(self, kind: str, asked: list[str]) -> dict:
        rows = []
        for value in asked:
            if kind == "P648":
                person = self.by_key.get(value)
                person = person if person and person.kind == "known" else None
            elif kind == "label":
                person = self.by_name.get(value)
            else:
                person = None
            if person is not None:
                rows.append(self.row(person, asked=value))
        return {"head": self.sparql_head, "results": {"bindings": rows}}

    def row(self, person: Person, *, asked: str) -> dict:
        row = copy.deepcopy(self.row_template)
        known = person.kind == "known"
        values = {
            "asked": asked,
            "item": f"http://www.wikidata.org/entity/{person.item}",
            "label": person.name,
            "description": "writer (synthetic description)" if known else "a namesake",
            "births": f"{person.birth_year}-01-01T00:00:00Z/9" if known else "",
            "deaths": "",
            "images": "http://commons.wikimedia.org/wiki/Special:FilePath/"
            + quote(person.photo_file)
            if known
            else "",
            "genders": "",
            "citizenships": "",
            "nativeNames": "",
            "isnis": "",
            "viafs": "",
            "olids": person.key if known else "",
            "goodreadsIds": "",
        }
        for name, value in values.items():
            row[name] = {**row.get(name, {"type": "literal"}), "value": value}
        return row

    def commons(self, titles: list[str]) -> dict:
        body = copy.deepcopy(self.commons_template)
        page = body["query"]["pages"][0]
        pages = []
        for title in titles:
            person = self.by_file.get(title.removeprefix("File:"))
            if person is None:
                pages.append({"ns": 6, "title": title, "missing": True})
                continue
            pages.append({**copy.deepcopy(page), "title": title})
        body["query"] = {"pages": pages}
        return body

    def photo(self, pk: int) -> bytes:
        from tests.fixtures.covers.synthetic import cover_jpeg

        with self.lock:
            if pk not in self.photos:
                self.photos[pk] = cover_jpeg(*PHOTO_SIZE, seed=pk % 40)
            return self.photos[pk]


class Server:
    """The world on a loopback port; `counts` by endpoint."""

    def __init__(self, world: World):
        self.world = world
        self.counts: Counter = Counter()
        self.lock = threading.Lock()
        bench = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once: no delayed-ACK stall

            def do_GET(self):
                parts = urlsplit(self.path)
                path, query = unquote(parts.path), parse_qs(parts.query)
                status, payload, headers, endpoint = bench.get(path, query)
                bench.note(endpoint)
                self.answer(status, payload, headers)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                sparql = parse_qs(self.rfile.read(length).decode()).get("query", [""])[0]
                kind = next((k for k in ("P648", "P2963") if f"wdt:{k} ?asked" in sparql), "label")
                bench.note(f"wikidata {kind}")
                values = sparql.split("VALUES ?asked {", 1)[1].split("}", 1)[0]
                # Each literal is "…" or "…"@lang: the string is up to its closing quote.
                asked = [json.loads(lit[: lit.rindex('"') + 1]) for lit in _literals(values)]
                body = bench.world.sparql(kind, list(dict.fromkeys(asked)))
                self.answer(200, json.dumps(body).encode(), {})

            def answer(self, status, payload, headers):
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
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

    def note(self, endpoint: str) -> None:
        with self.lock:
            self.counts[endpoint] += 1

    def get(self, path: str, query: dict) -> tuple[int, bytes, dict, str]:
        world = self.world
        if path == "/ol/api/books":
            bibkeys = query.get("bibkeys", [""])[0].split(",")
            return 200, json.dumps(world.books_api(bibkeys)).encode(), {}, "openlibrary books api"
        if path.startswith("/ol/authors/") and path.endswith("/works.json"):
            body = world.works_list(path.split("/")[3])
            return _json(body, "openlibrary works list")
        if path.startswith("/ol/authors/"):
            body = world.author_record(path.rsplit("/", 1)[1].removesuffix(".json"))
            return _json(body, "openlibrary author record")
        if path.startswith("/covers/a/id/"):
            pk = int(path.rsplit("/", 1)[1].split("-")[0]) - PHOTO_BASE
            if pk in world.people and world.people[pk].on_openlibrary:
                return 200, world.photo(pk), {"Content-Type": "image/jpeg"}, "openlibrary photo"
            return 404, b"", {}, "openlibrary photo"
        if path == "/commons/w/api.php":
            titles = query.get("titles", [""])[0].split("|")
            return 200, json.dumps(world.commons(titles)).encode(), {}, "commons licences"
        if path.startswith("/commons/wiki/Special:FilePath/"):
            name = path.rsplit("/", 1)[1].replace("_", " ")
            where = f"{self.url}/upload/{quote(name)}"
            return 302, b"", {"Location": where}, "commons file path"
        if path.startswith("/upload/"):
            person = world.by_file.get(path.rsplit("/", 1)[1])
            if person is None:
                return 404, b"", {}, "upload photo"
            return 200, world.photo(person.pk), {"Content-Type": "image/jpeg"}, "upload photo"
        return 404, b"{}", {}, f"other {path[:40]}"


def _json(body, endpoint: str) -> tuple[int, bytes, dict, str]:
    if body is None:
        return 404, b'{"error": "notfound"}', {}, endpoint
    return 200, json.dumps(body).encode(), {}, endpoint


def _literals(values: str) -> list[str]:
    """The string literals of a SPARQL VALUES block ("a"@en "b"), escapes kept for json."""
    out, current, inside, escaped = [], "", False, False
    for char in values:
        if inside:
            current += char
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                inside = False
        elif char == '"':
            inside, current = True, '"'
        elif char.isspace() and current:
            out.append(current)
            current = ""
        elif current:
            current += char  # a language tag
    if current:
        out.append(current)
    return out
