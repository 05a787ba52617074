import gzip
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from enrichment.dump import tables

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "openlibrary_dump"
REAL_EDITIONS = [
    "booklink_editions_head300.txt",
    "booklink_editions_tail20.txt",
    "booklink_editions_grep_dostoyevsky50.txt",
]
REAL_WORKS = ["booklink_works_head300.txt", "booklink_works_tail30.txt"]
REAL_AUTHORS = [
    "booklink_authors_head20.txt",
    "booklink_authors_tail300.txt",
    "booklink_authors_grep_orwell37.txt",
]


def fixture_path(name: str) -> Path:
    return FIXTURES / name


def real_lines(names: list[str]) -> bytes:
    return b"".join(fixture_path(name).read_bytes() for name in names)


@pytest.fixture
def dump_file(tmp_path):
    """Write bytes (optionally gzip-compressed) to a temp dump file and return its path."""

    def write(data: bytes, *, name: str = "dump.txt", compress: bool = False) -> str:
        path = tmp_path / (name + (".gz" if compress else ""))
        path.write_bytes(gzip.compress(data) if compress else data)
        return str(path)

    return write


@pytest.fixture
def drop_dump_tables():
    """The loader's tables are raw SQL, outside Django's flush: drop them after each test."""
    yield
    with connection.cursor() as cursor:
        for name in tables.existing_tables():
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


@pytest.fixture
def load_dump(drop_dump_tables):
    """Run `manage.py load_openlibrary_dump --json` and return its summary."""

    def load(*, editions=None, works=None, authors=None, options=()) -> dict:
        args = []
        for flag, value in (("--editions", editions), ("--works", works), ("--authors", authors)):
            if value:
                args += [flag, str(value)]
        out = StringIO()
        call_command("load_openlibrary_dump", *args, *options, "--json", stdout=out)
        return json.loads(out.getvalue())

    return load


@pytest.fixture
def synthetic(load_dump):
    """The synthetic join set loaded (editions, works, authors: each file says how it was made),
    its load summary."""
    return load_dump(
        editions=fixture_path("synthetic-editions.txt"),
        works=fixture_path("synthetic-works.txt"),
        authors=fixture_path("synthetic-authors.txt"),
    )


def table_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {tables.live_name(table)}")
        return cursor.fetchone()[0]
