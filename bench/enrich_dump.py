"""bench/enrich.py --dump: a small Open Library dump of the bench's own books, loaded with the
product's loader (`manage.py load_openlibrary_dump`), so that the run measures what the dump
spares Open Library's API.

The dump is SYNTHETIC, built here from the books the local server says Open Library knows
(`Book.on_openlibrary`; `--dump all`: every book of the bench): for each, an edition line (its
ISBNs, title, subtitle, the edition key and cover id the server's Books API record gives it:
bench/enrich_server.py), a work line (the title, the author, the cover) and one author line per
author name, in the dump's tab-separated layout (`type, key, revision, last_modified, JSON`).
With `--dump known` the books Open Library does not know are in no line (a dump is a copy of
Open Library), so they are asked online; `--dump all` is a catalog the dump holds whole.
"""

import json
from pathlib import Path

from enrich_server import COVER_ID_BASE, EDITION_KEY_BASE, Book

#: Work and author keys of the bench's dump (far from any real key in the fixtures).
WORK_KEY_BASE = 40_000_000
AUTHOR_KEY_BASE = 50_000_000
MODIFIED = "2026-11-01T00:00:00.000000"


def dump_line(kind: str, key: str, record: dict) -> str:
    record = {**record, "key": key, "type": {"key": f"/type/{kind}"}, "revision": 1}
    return f"/type/{kind}\t{key}\t1\t{MODIFIED}\t{json.dumps(record, ensure_ascii=False)}\n"


def write_dump(books: list[Book], directory: Path, *, every_book: bool) -> dict[str, Path]:
    """The editions, works and authors files of the books Open Library knows (or of every
    book), in `directory`."""
    authors: dict[str, str] = {}  # name -> author key
    editions, works = [], []
    for book in books:
        if not (book.on_openlibrary or every_book):
            continue
        author_key = ""
        if book.author:
            author_key = authors.setdefault(
                book.author, f"/authors/OL{AUTHOR_KEY_BASE + len(authors)}A"
            )
        work_key = f"/works/OL{WORK_KEY_BASE + book.number}W"
        cover = COVER_ID_BASE + book.number
        edition = {
            "title": book.title,
            "works": [{"key": work_key}],
            "isbn_13": [book.isbn13],
            "covers": [cover],
            "publishers": ["Bench Press"],
            "publish_date": "2001",
        }
        if book.isbn10:
            edition["isbn_10"] = [book.isbn10]
        if book.subtitle:
            edition["subtitle"] = book.subtitle
        if author_key:
            edition["authors"] = [{"key": author_key}]
        work = {"title": book.title, "covers": [cover], "first_publish_date": "2001"}
        if author_key:
            work["authors"] = [
                {"type": {"key": "/type/author_role"}, "author": {"key": author_key}}
            ]
        editions.append(
            dump_line("edition", f"/books/OL{EDITION_KEY_BASE + book.number}M", edition)
        )
        works.append(dump_line("work", work_key, work))
    files = {
        "editions": ("".join(editions), "bench-editions.txt"),
        "works": ("".join(works), "bench-works.txt"),
        "authors": (
            "".join(dump_line("author", key, {"name": name}) for name, key in authors.items()),
            "bench-authors.txt",
        ),
    }
    paths = {}
    for kind, (text, name) in files.items():
        paths[kind] = directory / name
        paths[kind].write_text(text, encoding="utf-8")
    return paths


def load_dump(books: list[Book], directory: Path, *, every_book: bool) -> dict:
    """Write the dump and load it into the bench's database; returns the loader's summary."""
    from io import StringIO

    from django.core.management import call_command

    paths = write_dump(books, directory, every_book=every_book)
    out = StringIO()
    call_command(
        "load_openlibrary_dump",
        *(arg for kind, path in paths.items() for arg in (f"--{kind}", str(path))),
        "--json",
        stdout=out,
    )
    return json.loads(out.getvalue().strip().splitlines()[-1])
