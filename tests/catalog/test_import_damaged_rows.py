"""Damaged rows fail (or are repaired) alone, the same on SQLite and PostgreSQL: NUL bytes,
giant cells, over-long values and rows the database refuses. Every hostile file is synthetic,
built here."""

import csv
import io
import json
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from catalog import services
from catalog.importers import BaseImporter, GoodreadsImporter
from catalog.models import Edition, ImportJob, ImportRow, Work
from tests.catalog.test_importers import GOODREADS_24

pytestmark = pytest.mark.django_db

HEADER = next(csv.reader([GOODREADS_24]))
TITLE, AUTHOR, ISBN13, PUBLISHER, REVIEW = 1, 2, 6, 9, 19
GOOD_ROWS = 400


def synthetic_row(number: int, **cells) -> list[str]:
    row = [""] * len(HEADER)
    row[0] = str(number)
    row[TITLE] = f"Synthetic Book {number:04d}"
    row[AUTHOR] = f"Synthetic Author {number:04d}"
    row[REVIEW] = "A synthetic review padding the file past its first 64 KiB. " * 3
    for index, value in cells.items():
        row[int(index.removeprefix("c"))] = value
    return row


def synthetic_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def good_rows_around(damaged: list[str], *, before: int = 300) -> list[list[str]]:
    """GOOD_ROWS synthetic rows with `damaged` among them (its line is before + 2)."""
    rows = [synthetic_row(n) for n in range(1, GOOD_ROWS + 1)]
    return [*rows[:before], damaged, *rows[before:]]


def nul_file() -> tuple[bytes, int]:
    """400 good rows and one whose title and review hold a NUL byte after the first 64 KiB."""
    damaged = synthetic_row(9999, c1="Damaged\x00 Title", c19="review with a NUL \x00 inside")
    data = synthetic_csv(good_rows_around(damaged))
    assert data.index(b"\x00") > 65536  # past the part that is sniffed for binary files
    return data, 302


def run_import(data: bytes) -> ImportJob:
    job = services.import_job_create(data=data, filename="synthetic-export.csv")
    services.import_job_run(job=job)
    job.refresh_from_db()
    return job


def assert_imported_apart_from(job: ImportJob, *, failed_lines: list[int]) -> None:
    assert job.status == ImportJob.Status.COMPLETED and job.error == ""
    assert job.rows_processed == job.rows_total == GOOD_ROWS + 1
    assert job.failed_count == len(failed_lines)
    assert job.created_count == GOOD_ROWS + 1 - len(failed_lines)
    assert job.rows.count() == GOOD_ROWS + 1
    assert list(job.rows.filter(status="failed").values_list("line_number", flat=True)) == (
        failed_lines
    )
    for number in (1, 300, GOOD_ROWS):
        assert Work.objects.filter(title=f"Synthetic Book {number:04d}").exists()


def assert_nul_row_repaired(job: ImportJob, line: int) -> None:
    assert_imported_apart_from(job, failed_lines=[])
    row = job.rows.get(line_number=line)
    assert row.status == ImportRow.Status.CREATED
    assert row.work.title == "Damaged Title"
    assert row.raw[TITLE] == "Damaged Title" and "\x00" not in json.dumps(row.raw)
    assert any("NUL" in message for message in row.messages)


# --- NUL bytes after the first 64 KiB -----------------------------------------------------------


@pytest.fixture
def librarian_client(client):
    user = User.objects.create_user("librarian", password="pw", is_staff=True)
    codenames = ["add_work", "view_work", "import_books", "view_importjob"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


def test_upload_with_a_nul_byte_after_64_kib_imports_every_row(librarian_client):
    data, line = nul_file()
    response = librarian_client.post(
        reverse("admin:catalog_importjob_upload"),
        {"file": SimpleUploadedFile("synthetic-nul.csv", data), "format": "auto"},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:catalog_importjob_change", args=[job.pk])
    assert_nul_row_repaired(job, line)
    assert librarian_client.get(response.url).status_code == 200


def test_import_books_json_with_a_nul_byte_after_64_kib(tmp_path):
    data, line = nul_file()
    path = tmp_path / "synthetic-nul.csv"
    path.write_bytes(data)
    out = StringIO()
    call_command("import_books", str(path), "--json", "--no-enrich", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["rows"], result["created"], result["failed"]) == (401, 401, 0)
    assert_nul_row_repaired(ImportJob.objects.get(pk=result["job"]), line)


def test_a_stray_nul_near_the_top_is_repaired_like_one_further_down():
    # Only a file full of NULs (UTF-16, binary) is refused; one stray NUL is damage to a cell.
    data = synthetic_csv([synthetic_row(1, c1="Near\x00 the top"), synthetic_row(2)])
    job = run_import(data)
    assert job.created_count == 2 and Work.objects.filter(title="Near the top").exists()


# --- Rows the database refuses ------------------------------------------------------------------


@pytest.mark.parametrize("worker", [False, True], ids=["one process", "reading worker"])
def test_a_row_the_database_refuses_fails_alone_and_the_rest_import(
    monkeypatch, settings, worker, caplog
):
    """Any per-row database error, simulated here by an ISBN-10 that breaks a CHECK constraint
    (both databases enforce it): the refused row fails with the reason, the batch goes on.
    Read by the reading worker too, whose batches come with their rows normalized: the halves
    of a refused batch are read again from its lines."""
    settings.IMPORT_READING_WORKER_MIN_ROWS = 1 if worker else 10**9
    original = GoodreadsImporter.normalize

    def smuggle_a_bad_isbn10(self, cells):
        row = original(self, cells)
        if cells[0] == "9999":
            row.isbn10 = "12345678Y9"  # ten characters, not an ISBN-10
        return row

    monkeypatch.setattr(GoodreadsImporter, "normalize", smuggle_a_bad_isbn10)
    job = run_import(synthetic_csv(good_rows_around(synthetic_row(9999), before=150)))
    assert_imported_apart_from(job, failed_lines=[152])
    refused = job.rows.get(line_number=152)
    # What was wrong in words; the database's own message (a constraint's name) in the log.
    assert refused.error == (
        "The catalog does not accept this row's ISBN-10 as it is; the row was not imported."
    )
    assert "edition_isbn10_shape" in caplog.text
    assert refused.raw[TITLE] == "Synthetic Book 9999" and refused.work is None
    assert not Work.objects.filter(title="Synthetic Book 9999").exists()
    assert not Edition.objects.filter(isbn10="12345678Y9").exists()


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite does not enforce max_length")
def test_an_over_long_value_that_bypasses_the_cap_fails_alone_on_postgresql(monkeypatch):
    monkeypatch.setattr("catalog.importers.base.fit_to_columns", lambda row: None)
    damaged = synthetic_row(9999, c9="P" * 300)  # Edition.publisher is 255 characters
    job = run_import(synthetic_csv(good_rows_around(damaged)))
    assert_imported_apart_from(job, failed_lines=[302])
    assert job.rows.get(line_number=302).error == (
        "A value in this row is longer than the catalog can store; the row was not imported."
    )


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite stores NUL characters")
def test_a_refused_row_whose_cells_cannot_be_stored_is_still_recorded(monkeypatch):
    monkeypatch.setattr(BaseImporter, "scrub_cells", lambda self, cells: (list(cells), []))
    data, line = nul_file()
    job = run_import(data)
    assert_imported_apart_from(job, failed_lines=[line])
    refused = job.rows.get(line_number=line)
    assert refused.error.endswith("the row was not imported.")
    assert refused.raw == [] and any("not be kept" in m for m in refused.messages)


# --- Giant cells and over-long values -----------------------------------------------------------


def test_a_cell_over_a_million_characters_fails_its_row_alone():
    damaged = synthetic_row(9999, c19="x" * 1_000_001)
    job = run_import(synthetic_csv(good_rows_around(damaged, before=10)))
    assert_imported_apart_from(job, failed_lines=[12])
    assert "1,000,001 characters" in job.rows.get(line_number=12).error


def test_a_999000_character_title_is_cut_at_a_word_boundary_the_same_on_every_database():
    words = " ".join(f"w{n}" for n in range(200_000))
    title = words[:999_000]
    assert len(title) == 999_000 and not title.endswith(" ")
    job = run_import(synthetic_csv([synthetic_row(1, c1=title), synthetic_row(2)]))
    assert (job.status, job.created_count, job.failed_count) == ("completed", 2, 0)

    row = job.rows.get(line_number=2)
    # The 500th character ends "w121 w122" inside the second word: the cut keeps "… w121".
    expected = words[: words.rindex(" ", 0, 501)]
    assert len(expected) == 499 and expected.endswith(" w120 w121")
    assert row.work.title == row.edition.title == expected
    assert Work.objects.get(pk=row.work.pk).title == expected
    assert row.normalized["title"] == expected
    assert any("999,000 characters" in m and "500" in m for m in row.messages)
