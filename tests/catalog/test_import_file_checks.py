"""Files a librarian may pick by mistake, or that arrive damaged, on the upload form and in
`import_books`: each is refused or read with a message that says what the file is.

The files are written here (synthetic): their bytes are described where they are made.
"""

import codecs
import csv
import io
import json
import random
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog import services
from catalog.models import Edition, ImportJob, Work
from catalog.services import jobs
from tests.catalog.test_import_admin import staff, upload
from tests.catalog.test_import_scale import synthetic_goodreads_file

pytestmark = pytest.mark.django_db
MAPMYREADS = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "mapmyreads"
EXPORT_ROWS = 193  # storygraph_export.csv's books


def run_import_books(*args) -> str:
    out = io.StringIO()
    call_command("import_books", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def librarian_client(client):
    client.force_login(staff("import_books", "view_importjob", "view_importrow"))
    return client


def synthetic_random_bytes(size: int = 5000) -> bytes:
    """Bytes as a compressed or encrypted file holds them (no known signature), without a NUL:
    every value but 0, from a seeded generator."""
    generator = random.Random(7)
    return bytes(generator.randrange(1, 256) for _ in range(size))


def test_a_binary_file_without_a_known_signature_is_refused_as_binary(librarian_client):
    response = upload(librarian_client, synthetic_random_bytes(), name="books.csv")
    page = response.content.decode()
    assert "This file is not a CSV export: it contains binary data" in page
    assert "Map the columns" not in page  # not offered its "columns" to map
    assert not ImportJob.objects.exists()


def test_a_refused_upload_asks_for_the_file_again(librarian_client):
    """The form came back with its error and "No file chosen": nothing said that the file had
    to be chosen again, so pressing Import once the format was corrected sent no file at all."""
    again = "Choose the file again before pressing Import"
    assert (
        again
        not in librarian_client.get(reverse("admin:catalog_importjob_upload")).content.decode()
    )
    page = upload(librarian_client, synthetic_random_bytes(), name="books.csv").content.decode()
    assert again in page


def synthetic_unicode_text(path: Path, encoding: str) -> bytes:
    """A real export saved as a spreadsheet's "Unicode Text": the same cells, tab-separated, in
    UTF-16 (or UTF-32) with its byte order mark."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    text = io.StringIO()
    csv.writer(text, delimiter="\t", lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)  # "utf-32" writes its mark; "utf-16-le" does not


@pytest.mark.parametrize(
    ("encoding", "mark"),
    [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-32", b"")],
)
def test_utf16_and_utf32_with_a_byte_order_mark_import_as_the_utf8_file_does(
    tmp_path, encoding, mark
):
    export = MAPMYREADS / "storygraph_export.csv"
    path = tmp_path / "books.txt"
    path.write_bytes(mark + synthetic_unicode_text(export, encoding))
    wide = json.loads(run_import_books(str(path), "--json"))
    assert (wide["rows"], wide["failed"], wide["warnings"]) == (EXPORT_ROWS, 0, [])
    assert wide["created"] == EXPORT_ROWS  # every book, none lost
    assert Work.objects.filter(title="El desierto de los tártaros").exists()

    again = json.loads(run_import_books(str(export), "--json"))  # the same books, in UTF-8
    assert (again["created"], again["duplicates"]) == (0, EXPORT_ROWS)


def test_a_damaged_utf16_file_is_refused_saying_so(librarian_client):
    data = "Title,Authors\nDune,Frank Herbert\n".encode("utf-16") + b"\x00\xd8"  # a lone surrogate
    page = upload(librarian_client, data).content.decode()
    assert "This file is UTF-16 text" in page and "is damaged at byte" in page
    assert not ImportJob.objects.exists()


def test_a_file_with_only_its_header_line_is_refused_naming_the_columns(librarian_client, tmp_path):
    header = (MAPMYREADS / "goodreads_library_export.csv").read_bytes().split(b"\n")[0] + b"\n"
    page = upload(librarian_client, header, name="goodreads_library_export.csv").content.decode()
    assert "The file holds only its header line (Book Id, Title, Author," in page
    assert "Nothing was imported" in page
    assert not ImportJob.objects.exists()  # no "Completed" job of 0 rows

    # A lone line that is a book is no header line: the header is said to be missing.
    path = tmp_path / "books.csv"
    path.write_text("27428442,Village Christmas,Laurie Lee,,,,,0,3.96,Penguin,Kindle,144,2015\n")
    with pytest.raises(CommandError, match="the export's header line is missing"):
        run_import_books(str(path))


def test_the_form_s_summary_counts_the_rows_imported_with_warnings(librarian_client):
    data = (
        b"Title,Authors,ISBN/UID,Read Status\n"
        b"Dune,Frank Herbert,9780441172719,read\n"
        b"Emma,Jane Austen,9780141439580,read\n"  # a wrong check digit: the ISBN is left out
    )
    response = upload(librarian_client, data)
    page = librarian_client.get(response.url).content.decode()
    assert "Imported 2 rows: 2 created, 0 updated, 0 duplicates, 0 failed, 1 with warnings." in page


def goodreads_lines(count: int) -> bytes:
    """The header and the first books of a real Goodreads export (mapmyreads), as saved."""
    lines = (MAPMYREADS / "goodreads_library_export.csv").read_bytes().splitlines(keepends=True)
    return b"".join(lines[: count + 1])


def test_a_file_cut_inside_a_quoted_cell_names_the_row_the_quote_opens_on(librarian_client):
    """synthetic: five real rows, then a sixth whose My Review cell (written over three lines,
    as Goodreads quotes it) stops before its closing quote, as a download that stopped would."""
    sixth = goodreads_lines(6).splitlines(keepends=True)[6].rstrip(b"\r\n")
    cells_before_review = b",".join(sixth.split(b",")[:19])
    cut = goodreads_lines(5) + cells_before_review + b',"Loved it.\nThe second part\ndrags a b'
    page = upload(librarian_client, cut).content.decode()
    assert "it ends inside a quoted cell, the row that starts on line 7 opening a quote" in page
    assert "cut short" in page  # was "near line 9: unexpected end of data"
    assert not ImportJob.objects.exists()


def test_a_file_cut_partway_through_its_last_row_says_which_line_to_check(tmp_path):
    """synthetic: a real export's first five books, the file cut in the fifth's Publisher."""
    data = goodreads_lines(5).rstrip(b"\r\n")
    cut = data[: data.rindex(b",Random House,") + 7]  # `…,Random`: 10 of the header's 24 cells
    path = tmp_path / "goodreads_library_export.csv"
    path.write_bytes(cut)
    result = json.loads(run_import_books(str(path), "--json"))
    assert result["rows"] == 5
    [warning] = result["warnings"]
    assert warning.startswith("The file ends partway through line 6 (10 of the header's 24 cells")

    whole = tmp_path / "whole.csv"  # the same rows, whole, without a final line break: no word
    whole.write_bytes(data)
    assert json.loads(run_import_books(str(whole), "--json"))["warnings"] == []


def test_a_column_name_the_header_repeats_reads_the_first_and_says_so(tmp_path):
    """synthetic: a real export's first two books, with an ISBN13 column added by hand after
    the export's own (another book's ISBN on the first row, nothing on the second)."""
    lines = goodreads_lines(2).decode().splitlines()
    added = [lines[0] + ",ISBN13", lines[1] + ",9780441172719", lines[2] + ","]
    path = tmp_path / "goodreads_library_export.csv"
    path.write_text("\n".join(added) + "\n")
    result = json.loads(run_import_books(str(path), "--json"))
    assert result["warnings"] == [
        "The header gives 2 columns the name “ISBN13” (columns 7, 25): only the first, "
        "column 7, was read; check that it holds what you meant."
    ]
    # The export's own ISBN13, not the added column's (which was read before, silently).
    silk_roads = Edition.objects.get(work__title="The Silk Roads")
    assert silk_roads.isbn13 == "9781408839973"
    assert Edition.objects.filter(isbn13="9780441172719").count() == 0


def test_the_job_page_groups_thousands_and_says_how_to_go_on_after_a_cancel(
    librarian_client, monkeypatch
):
    monkeypatch.setattr(jobs, "IMPORT_BATCH_SIZE", 1000)
    job = services.import_job_create(data=synthetic_goodreads_file(2500), filename="big.csv")
    services.import_job_run(
        job=job, progress=lambda running: services.import_job_cancel(job=running)
    )
    url = reverse("admin:catalog_importjob_change", args=[job.pk])
    page = " ".join(librarian_client.get(url).content.decode().split())
    # As the live progress shows them (toLocaleString), not "1000 of 2500 rows".
    assert '<span data-field="processed">1,000</span> of 2,500 rows' in page
    assert '<strong data-field="created">1,000</strong>' in page
    assert (
        "It stopped after 1,000 of 2,500 rows: the books imported so far stay in the catalog. "
        "To import the rest, upload the same file again" in page
    )


@pytest.mark.parametrize(
    ("second_row", "level"),
    [
        (b"Emma,Jane Austen,9780141439587,read\n", "success"),
        (b",Jane Austen,9780141439587,read\n", "warning"),  # no title: fails
        (b"Emma,Jane Austen,9780141439580,read\n", "warning"),  # ISBN left out: a warning
    ],
)
def test_the_summary_is_a_success_only_when_no_row_failed_or_warned(
    librarian_client, second_row, level
):
    data = b"Title,Authors,ISBN/UID,Read Status\nDune,Frank Herbert,9780441172719,read\n"
    response = upload(librarian_client, data + second_row)
    [message] = list(response.wsgi_request._messages)
    imported = "Imported 1 of 2 rows" if second_row.startswith(b",") else "Imported 2 rows"
    assert message.tags == level and message.message.startswith(imported)


def test_the_live_progress_counts_the_rows_with_warnings_as_the_page_does(librarian_client):
    data = (
        b"Title,Authors,ISBN/UID,Read Status\n"
        b"Dune,Frank Herbert,9780441172719,read\n"
        b"Emma,Jane Austen,9780141439580,read\n"  # a wrong check digit: the ISBN is left out
    )
    job_url = upload(librarian_client, data).url
    job = ImportJob.objects.get()
    progress = librarian_client.get(reverse("admin:catalog_importjob_progress", args=[job.pk]))
    assert progress.json()["warnings"] == 1  # the poll updates the page's figure, not left at 0
    assert (
        '<strong data-field="warnings">1</strong>' in librarian_client.get(job_url).content.decode()
    )


def test_each_row_holding_a_damaged_utf8_character_says_so_in_the_columns_it_reads(tmp_path):
    """synthetic: a UTF-8 StoryGraph-like file (accents written right) with a byte cut out of
    a title's "é" on line 3 and of a column the import does not read on line 4. The job's
    warning named only the first damaged line; the rows themselves said nothing."""
    path = tmp_path / "export.csv"
    path.write_bytes(
        "Title,Authors,ISBN/UID,Read Status,Review\n"
        "Cien años de soledad,Gabriel García Márquez,,read,Très bien\n".encode()
        + b"Les Mis\xc3rables,Victor Hugo,,read,\n"
        + b"Notre-Dame de Paris,Victor Hugo,,read,"
        + b"tr\xc3s long\n"
    )
    result = json.loads(run_import_books(str(path), "--json"))
    assert result["warnings"][0].startswith("The file is UTF-8 with 2 damaged byte sequence(s)")
    assert result["warnings"][0].endswith(
        "Each row where one falls in a column the import reads says so (its rows “with warnings”)."
    )
    assert result["warning_rows"] == [
        {
            "line": 3,
            "warnings": [
                "Characters damaged in the file are shown as \ufffd in: Title. Correct them on "
                "the book, or in the file."
            ],
        }
    ]


@pytest.mark.parametrize(
    ("name", "disposition"),
    [
        (
            "Моя библиотека.csv",
            "attachment; filename*=utf-8''%D0%9C%D0%BE%D1%8F_%D0%B1%D0%B8%D0%B1",
        ),
        ("lecturas año.csv", "attachment; filename*=utf-8''lecturas_a%C3%B1o-failed-rows.csv"),
        ('my "books".csv', 'attachment; filename="my_books-failed-rows.csv"'),
    ],
)
def test_the_failed_rows_download_keeps_a_name_beyond_ascii(librarian_client, name, disposition):
    """It was MIME-encoded whole (`=?utf-8?b?…?=`, no disposition a browser reads) or sent as
    raw Latin-1 bytes; the uploaded file's own download already said it as RFC 6266 does."""
    data = b"Title,Authors,Read Status\nDune,Frank Herbert,read\n,Nobody,read\n"
    upload(librarian_client, data, name=name)
    job = ImportJob.objects.get()
    response = librarian_client.get(reverse("admin:catalog_importjob_failed_csv", args=[job.pk]))
    assert response["Content-Disposition"].startswith(disposition)
    assert "-failed-rows.csv" in response["Content-Disposition"]


def test_a_file_saved_as_excel_for_mac_s_csv_macintosh_reads_its_accents(
    tmp_path, librarian_client
):
    """synthetic: a real StoryGraph export's books as Excel for Mac saves "CSV (Macintosh)":
    Mac Roman, lines ended by CR alone. Read as cp1252, "rebelión" became "rebeli—n"."""
    rows = list(csv.reader(io.StringIO((MAPMYREADS / "storygraph_export.csv").read_text())))
    text = io.StringIO()
    csv.writer(text, lineterminator="\r").writerows(rows[:30])
    data = text.getvalue().encode("mac_roman")
    page = upload(librarian_client, data, name="books.csv")
    job = ImportJob.objects.get()
    assert job.encoding == "mac_roman" and job.created_count == 29
    assert Work.objects.filter(title="La rebelión de los buenos").exists()
    assert "it was read as Mac Roman" in job.warnings[0]
    download = librarian_client.get(reverse("admin:catalog_importjob_source_file", args=[job.pk]))
    assert download["Content-Type"] == "text/csv; charset=macintosh"
    assert page.status_code == 302


def test_a_filled_down_row_in_a_failed_rows_download_imported_again_still_fails(
    librarian_client, tmp_path
):
    """The download's Line and Reason columns made the row of one value (refused in the file)
    look varied: imported again, it became a book "400354" by "400354"."""
    lines = goodreads_lines(2).decode().splitlines()
    filled = ",".join(["400354"] * len(lines[0].split(",")))
    upload(librarian_client, "\n".join([*lines, filled]).encode() + b"\n")
    job = ImportJob.objects.get()
    assert job.failed_count == 1
    failed_csv = librarian_client.get(reverse("admin:catalog_importjob_failed_csv", args=[job.pk]))
    path = tmp_path / "failed-rows.csv"
    path.write_bytes(failed_csv.content)  # imported again as it was downloaded
    result = json.loads(run_import_books(str(path), "--json"))
    assert (result["created"], result["failed"]) == (0, 1)
    [failed] = result["failed_rows"]
    assert failed["reason"].startswith("Every cell this import reads in this row holds the same")
    assert not Work.objects.filter(title="400354").exists()


def test_a_column_name_of_300_000_characters_is_shown_cut(librarian_client, tmp_path):
    """synthetic: a header whose third cell is a 300,000-character blob. The refusal printed it
    whole, and the mapping step put it in the notice and in every select's labels."""
    data = ("Title,Author," + "N" * 300_000 + "\nDune,Frank Herbert,x\n").encode()
    path = tmp_path / "blob.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError) as refused:
        run_import_books(str(path))
    assert len(str(refused.value)) < 1_000
    assert "columns found: Title, Author, " + "N" * 59 + "…)" in str(refused.value)

    page = upload(librarian_client, data, name="blob.csv").content.decode()
    assert "Map the columns of blob.csv" in page
    # Once a select, as its option's value, never in a label nor the notice.
    assert page.count("N" * 300_000) <= page.count("<select")
    assert ">" + "N" * 59 + "…</option>" in page
