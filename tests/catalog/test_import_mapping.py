"""Any CSV, its columns mapped by hand: the upload form's mapping step (through the Django test
client) and `import_books --format generic --map …`. The files are synthetic."""

import datetime
import json
import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog import upload_holds
from catalog.models import Edition, ImportJob, ImportRow, Work
from tests.catalog.real_lines import REAL
from tests.catalog.test_importers_catalog import SYNTHETIC_FILES

pytestmark = pytest.mark.django_db
UPLOAD_URL = reverse("admin:catalog_importjob_upload")


def synthetic_any_csv(rows: int = 25) -> bytes:
    """A CSV no importer knows: a home-made list with its own column names."""
    lines = ["Book;Writer;Code;Printed;Verlag"]
    for number in range(1, rows + 1):
        lines.append(f"synthetic-Book {number:02d};Writer {number:02d};;{1990 + number};Verlag X")
    lines[1] = "synthetic-Book 01 (Saga, #1);Doe, Jane;978-0-441-17271-9;2001.0;Ace Books"
    return ("\n".join(lines) + "\n").encode()


def importer_user(username="librarian") -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["import_books", "view_importjob"])
    )
    return user


@pytest.fixture
def librarian_client(client):
    client.force_login(importer_user())
    return client


def upload(client, data: bytes, name="synthetic-list.csv", format="auto"):
    return client.post(
        UPLOAD_URL, {"file": SimpleUploadedFile(name, data), "format": format, "enrich": ""}
    )


def held_files(settings) -> list[str]:
    location = Path(settings.STORAGES["imports"]["OPTIONS"]["location"]) / "held"
    return sorted(p.name for p in location.iterdir()) if location.exists() else []


def nothing_saved():
    return (
        ImportJob.objects.count() == 0
        and ImportRow.objects.count() == 0
        and Work.objects.count() == 0
    )


def mapping_post(client, response, **choices):
    form = response.context["form"]
    data = {"token": form["token"].value()}
    for name in form.fields:
        if name != "token":
            data[name] = form[name].value() or ""
    data.update(choices)
    return client.post(UPLOAD_URL, data)


# --- The mapping step ---------------------------------------------------------------------------


def test_an_unrecognised_file_goes_to_the_mapping_step_with_guesses_and_a_preview(
    librarian_client, settings
):
    response = upload(librarian_client, synthetic_any_csv())
    assert response.status_code == 200
    assert response.templates[0].name == "admin/catalog/importjob/upload_mapping.html"
    page = response.content.decode()
    assert "does not look like an export we recognise" in page
    form = response.context["form"]
    # Guessed from the column names.
    assert (form["title"].value(), form["author"].value(), form["publisher"].value()) == (
        "Book",
        "Writer",
        "Verlag",
    )
    assert form["isbn"].value() is None  # "Code" says nothing
    # The first 20 rows, as they will be read with the guessed map.
    preview = response.context["preview"]
    assert len(preview) == 20 and [line["line"] for line in preview[:2]] == [2, 3]
    first = preview[0]
    assert (first["title"], first["series"], first["authors"]) == (
        "synthetic-Book 01",
        "Saga #1",
        "Jane Doe",
    )
    assert first["isbn13"] == ""  # Code is not mapped yet
    assert "synthetic-Book 20" in page and "synthetic-Book 21" not in page
    assert "Import 25 rows" in page
    # Nothing is imported, and the file waits privately: never under MEDIA_ROOT.
    assert nothing_saved()
    assert len(held_files(settings)) == 1
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


@pytest.mark.parametrize(
    ("rows", "heading"),
    [
        (25, "Preview: the first 20 of 25 rows as they will be read"),
        (5, "Preview: the file’s 5 rows as they will be read"),
        (1, "Preview: the file’s row as it will be read"),
    ],
)
def test_the_preview_heading_says_how_many_of_the_files_rows_it_shows(
    librarian_client, rows, heading
):
    """Never "the first 20 rows" above a file of 5."""
    page = upload(librarian_client, synthetic_any_csv(rows)).content.decode()
    assert heading in page


def test_updating_the_preview_reads_the_rows_with_the_chosen_map(librarian_client):
    shown = upload(librarian_client, synthetic_any_csv())
    response = mapping_post(librarian_client, shown, isbn="Code", year="Printed", preview="1")
    assert response.status_code == 200
    first = response.context["preview"][0]
    assert (first["isbn13"], first["isbn10"], first["year"]) == (
        "9780441172719",
        "0441172717",
        2001,
    )
    assert nothing_saved()


def test_the_preview_shows_the_format_language_and_roles_read_by_their_names(librarian_client):
    """A librarian who maps a format or language column sees what it is read as before
    importing: the preview had no such columns, and showed roles as internal keys."""
    data = (
        b"Book,Writer,Kind,Tongue\n"
        b"synthetic-Steampunk!,Kelly Link; Gavin J. Grant (editors),epub; mobi,ger\n"
    )
    shown = upload(librarian_client, data)
    response = mapping_post(librarian_client, shown, format="Kind", language="Tongue", preview="1")
    page = response.content.decode()
    first = response.context["preview"][0]
    assert (first["format"], first["language"]) == ("E-book", "German")
    assert first["authors"] == "Kelly Link (editor); Gavin J. Grant (editor)"
    assert "<td>E-book</td>" in page and "<td>German</td>" in page


def test_confirming_the_map_imports_the_file_and_keeps_the_map(librarian_client, settings):
    shown = upload(librarian_client, synthetic_any_csv())
    response = mapping_post(
        librarian_client, shown, isbn="Code", year="Printed", publisher="", **{"import": "1"}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:catalog_importjob_change", args=[job.pk])
    assert (job.source, job.requested_format) == ("generic", "generic")
    assert job.column_map == {
        "title": "Book",
        "author": "Writer",
        "isbn": "Code",
        "year": "Printed",
    }
    assert (job.created_count, job.failed_count) == (25, 0)
    assert job.uploaded_by.username == "librarian" and job.original_filename == "synthetic-list.csv"
    dune = Edition.objects.get(isbn13="9780441172719")
    assert (dune.work.title, dune.work.series, dune.publication_date.year) == (
        "synthetic-Book 01",
        "Saga",
        2001,
    )
    assert dune.publisher == ""  # left unmapped
    assert held_files(settings) == []  # the held upload went with the confirmation


def test_the_title_column_is_required_and_a_column_is_chosen_once(librarian_client):
    shown = upload(librarian_client, synthetic_any_csv())
    response = mapping_post(librarian_client, shown, title="", **{"import": "1"})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert response.context["preview"] == []
    response = mapping_post(librarian_client, shown, series="Writer", **{"import": "1"})
    assert "is already chosen for Author(s)" in response.content.decode()
    assert nothing_saved()


def test_cancelling_deletes_the_held_upload(librarian_client, settings):
    shown = upload(librarian_client, synthetic_any_csv())
    response = mapping_post(librarian_client, shown, cancel="1")
    assert response.status_code == 302 and response.url == UPLOAD_URL
    assert held_files(settings) == [] and nothing_saved()


def test_a_token_is_bound_to_its_uploader_and_cannot_be_forged(client, settings):
    client.force_login(importer_user("first"))
    shown = upload(client, synthetic_any_csv())
    client.force_login(importer_user("second"))
    response = mapping_post(client, shown, **{"import": "1"})
    assert response.status_code == 302 and response.url == UPLOAD_URL
    response = client.post(UPLOAD_URL, {"token": "held/../../settings.py", "title": "Book"})
    assert response.status_code == 302
    assert nothing_saved() and len(held_files(settings)) == 1


def test_an_expired_upload_must_be_uploaded_again(librarian_client, monkeypatch):
    shown = upload(librarian_client, synthetic_any_csv())
    monkeypatch.setattr(upload_holds, "HOLD_MAX_AGE", datetime.timedelta(seconds=-1))
    response = mapping_post(librarian_client, shown, **{"import": "1"})
    assert response.status_code == 302 and response.url == UPLOAD_URL
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["This upload has expired; upload the file again."]
    assert nothing_saved()


def test_any_csv_chosen_by_hand_maps_even_a_recognised_file(librarian_client):
    response = upload(librarian_client, SYNTHETIC_FILES["openreads"](), format="generic")
    assert response.status_code == 200 and response.context["notice"] == ""
    assert response.context["form"]["title"].value() == "title"
    assert nothing_saved()


def test_a_file_that_is_no_csv_is_refused_before_the_mapping_step(librarian_client, settings):
    response = upload(librarian_client, b"\x89PNG\r\n\x1a\n\x00\x00", format="generic")
    assert "looks like a PNG image" in response.content.decode()
    assert held_files(settings) == [] and nothing_saved()


def test_a_forced_format_without_its_columns_is_refused_on_the_form(librarian_client):
    response = upload(librarian_client, SYNTHETIC_FILES["librarything"](), format="goodreads")
    assert response.status_code == 200
    assert "The file has no Author column, which the Goodreads export always has" in (
        response.content.decode()
    )
    assert nothing_saved()


def test_the_daily_purge_deletes_uploads_left_waiting(librarian_client, settings):
    upload(librarian_client, synthetic_any_csv())
    upload(librarian_client, synthetic_any_csv())
    location = Path(settings.STORAGES["imports"]["OPTIONS"]["location"]) / "held"
    stale, fresh = sorted(location.iterdir())
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(stale, (two_days_ago, two_days_ago))
    from catalog.tasks import purge_import_files

    purge_import_files()
    assert held_files(settings) == [fresh.name]


def test_the_daily_purge_goes_on_past_an_upload_confirmed_while_it_ran(
    librarian_client, settings, monkeypatch
):
    """The purge lists the waiting uploads, then asks each one's age: one confirmed (or
    cancelled) in between is gone by then, and the others are still purged."""
    upload(librarian_client, synthetic_any_csv())
    upload(librarian_client, synthetic_any_csv())
    location = Path(settings.STORAGES["imports"]["OPTIONS"]["location"]) / "held"
    first, second = sorted(location.iterdir())
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(second, (two_days_ago, two_days_ago))
    storage_class = type(upload_holds.import_storage()._wrapped)
    real_listdir = storage_class.listdir

    def listdir_then_first_confirmed(self, path):
        listed = real_listdir(self, path)
        first.unlink()  # confirmed by its librarian between the listing and the age check
        return listed

    monkeypatch.setattr(storage_class, "listdir", listdir_then_first_confirmed)

    assert upload_holds.upload_holds_purge() == 1
    assert held_files(settings) == []


def test_the_mapping_step_needs_the_import_permission(client):
    client.force_login(User.objects.create_user("viewer", password="pw", is_staff=True))
    assert client.post(UPLOAD_URL, {"token": "x", "title": "Book"}).status_code == 403


# --- import_books --format generic --map ------------------------------------------------------


def run(*args) -> str:
    out = StringIO()
    call_command("import_books", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def any_csv(tmp_path) -> Path:
    path = tmp_path / "synthetic-list.csv"
    path.write_bytes(synthetic_any_csv(rows=3))
    return path


def test_the_command_imports_any_csv_with_a_map(any_csv):
    result = json.loads(
        run(
            str(any_csv),
            "--format",
            "generic",
            "--map",
            "title=Book,author=Writer,isbn=Code",
            "--json",
        )
    )
    assert (result["source"], result["created"], result["failed"]) == ("generic", 3, 0)
    job = ImportJob.objects.get()
    assert job.column_map == {"title": "Book", "author": "Writer", "isbn": "Code"}
    assert Edition.objects.filter(isbn13="9780441172719").exists()
    # --map alone implies the generic format; a second run creates nothing.
    again = json.loads(run(str(any_csv), "--map", "title=Book,author=Writer,isbn=Code", "--json"))
    assert (again["created"], again["duplicates"]) == (0, 3)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--map", "title=Book,author=Author"], "The column 'Author' \\(for author\\) is not in"),
        (["--map", "author=Writer"], "must name the title column"),
        (["--map", "title=Book,writer=Writer"], "Unknown field\\(s\\) in the column map: writer"),
        (["--map", "title"], "'title' is not FIELD=COLUMN"),
        (["--format", "generic", "--map", "title"], "'title' is not FIELD=COLUMN"),
        (["--format", "goodreads", "--map", "title=Book"], "A column map is for the format"),
        (["--format", "generic"], "must name the title column.*--map 'title=Book,author=Writer"),
        ([], "does not look like an export.*--format generic --map 'title=Book,author=Writer"),
    ],
)  # fmt: skip
def test_the_command_refuses_a_bad_map_with_a_clear_message(any_csv, args, message):
    with pytest.raises(CommandError, match=message):
        run(str(any_csv), *args)
    assert ImportJob.objects.count() == 0 and Work.objects.count() == 0


@pytest.mark.parametrize(("forced", "column"), [("goodreads", "Author"), ("storygraph", "Authors")])
def test_the_command_refuses_a_forced_format_without_its_columns(tmp_path, forced, column):
    path = tmp_path / "synthetic-librarything.tsv"
    path.write_bytes(SYNTHETIC_FILES["librarything"]())
    out = StringIO()
    with pytest.raises(CommandError, match=f"no {column} column"):
        call_command("import_books", str(path), "--format", forced, "--json", stdout=out)
    assert f"no {column} column" in json.loads(out.getvalue())["error"]
    assert Work.objects.count() == 0
    result = json.loads(run(str(path), "--json", "--no-enrich"))
    assert (result["source"], result["created"]) == ("librarything", 2)


def test_the_preview_reads_names_written_surname_first_as_the_import_will_store_them(
    librarian_client,
):
    """A bookstore's order sheet (real lines, tests/fixtures/imports/real_shapes) writes its
    authors surname first with a gap, `O'Hara  Mo`: the import learns it from the first rows and
    stores Mo O'Hara, but the preview showed `O'Hara Mo`, so the librarian checked the map on
    names the catalog would never hold."""
    data = (REAL / "ordersheet-whmsbookfair-surname-first.csv").read_bytes()
    shown = upload(librarian_client, data, name="books.csv")
    response = mapping_post(
        librarian_client, shown, title="title", author="author", isbn="Product Number", preview="1"
    )
    authors = {line["title"]: line["authors"] for line in response.context["preview"]}
    assert authors["Agent Moose"] == "Mo O'Hara"
    assert authors["Child of the Universe"] == "Ray Jayawardhana"
    assert nothing_saved()
