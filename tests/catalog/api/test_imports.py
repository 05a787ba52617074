"""POST imports/, GET imports/{id} and GET imports/{id}/rows (issue 17): an upload is checked
and started as the admin's is, lands in the private storage, and its job and rows can be
followed; bad input is a 400 that says what is wrong, and nothing is saved."""

import base64
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.middleware.csrf import _get_new_csrf_string
from django.urls import reverse
from rest_framework.test import APIClient

from catalog import tasks
from catalog.models import ImportJob, Work
from catalog.storage import import_storage
from tests.api_schema import assert_answer_matches_schema
from tests.catalog.api.conftest import client_for, error_of, user_with
from tests.catalog.import_rows_view_support import synthetic_export
from tests.catalog.test_import_file_gone import uploaded_file_line
from tests.wsgi_server import start_response_as_runserver

pytestmark = pytest.mark.django_db

UPLOAD_URL = reverse("api:import-create")

TWO_BOOKS = synthetic_export(
    {"Book Id": "1", "Title": "Synthetic Book One", "Author": "Ann Author"},
    {"Book Id": "2", "Title": "Synthetic Book Two", "Author": "Ben Author"},
)
# Line 2 created, line 3 failed (no title), line 4 created with a warning (spreadsheet damage).
MIXED = synthetic_export(
    {"Book Id": "1", "Title": "Synthetic Created", "Author": "Ann Author"},
    {"Book Id": "2", "Author": "Nobody, Really"},
    {"Book Id": "3", "Title": "Synthetic Damaged", "Author": "Ann Author", "ISBN13": "9.78E+12"},
)
# The first bytes of a PNG: what a wrong file picked in a file dialog looks like.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"

# Real: tests/fixtures/imports/real_shapes/PROVENANCE.md.
CALIBREDB_LIST = (
    Path(__file__).resolve().parents[2]
    / "fixtures"
    / "imports"
    / "real_shapes"
    / "calibredb-list-rodolfolabiapari-commas.txt"
).read_bytes()


def csv_file(data: bytes, name: str = "synthetic-export.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def upload(client: APIClient, data: bytes = TWO_BOOKS, **fields):
    return client.post(UPLOAD_URL, {"file": csv_file(data), **fields}, format="multipart")


def job_url(job_id: int) -> str:
    return reverse("api:import-detail", args=[job_id])


def rows_url(job_id: int) -> str:
    return reverse("api:import-rows", args=[job_id])


def stored_uploads() -> list[str]:
    root = Path(import_storage().location)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# --- Upload -------------------------------------------------------------------------------------


def test_a_small_export_is_imported_at_once_and_answered_201_with_its_job(api_as, importer):
    response = upload(api_as(importer), enrich="false")

    assert response.status_code == 201
    job = response.json()
    assert job["status"] == "completed" and job["finished"] is True
    assert job["format"] == "goodreads" and job["requested_format"] == "auto"
    assert job["original_filename"] == "synthetic-export.csv"
    assert job["uploaded_by"] == "ivy"
    assert [job["rows"], job["processed"], job["progress"]] == [2, 2, 100]
    assert [job["created"], job["updated"], job["duplicates"], job["failed"]] == [2, 0, 0, 0]
    assert job["enqueued"] == 0 and job["enrich"] is False
    assert job["url"] == f"http://testserver{job_url(job['id'])}"
    assert job["rows_url"] == f"http://testserver{rows_url(job['id'])}"
    assert response["Location"] == job["url"]
    assert sorted(Work.objects.values_list("title", flat=True)) == [
        "Synthetic Book One",
        "Synthetic Book Two",
    ]


def test_the_created_answer_is_one_a_wsgi_server_sends(importer):
    """runserver answered 500 to every upload (after importing it): its Location was a link
    object, not the plain str WSGI requires, so a client retrying imported the file twice."""
    response = upload(client_for(importer), enrich="false")

    assert response.status_code == 201
    start_response_as_runserver(response)  # raised AssertionError on the Location header


def test_the_upload_lands_in_the_private_storage_never_under_media(importer):
    response = upload(client_for(importer))

    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.source_file.storage is import_storage()
    assert re.fullmatch(r"\d{4}/\d{2}/[0-9a-f]{32}", job.source_file.name)  # no user's name
    path = Path(job.source_file.path).resolve()
    assert not path.is_relative_to(Path(django_settings.MEDIA_ROOT).resolve())
    assert path.read_bytes() == TWO_BOOKS
    assert "url" not in job.source_file.name and "synthetic" not in job.source_file.name


def test_enrichment_is_queued_unless_the_upload_says_not_to(importer, sent_tasks):
    client = client_for(importer)

    enriched = upload(client).json()
    not_enriched = upload(client, TWO_BOOKS.replace(b"Synthetic", b"Other"), enrich="no").json()

    assert enriched["enrich"] is True and enriched["enqueued"] == 2
    assert not_enriched["enrich"] is False and not_enriched["enqueued"] == 0


def test_an_upload_while_enrichment_is_off_answers_that_it_will_not_enrich(
    importer, settings, sent_tasks
):
    """The answer said `"enrich": true` for a job whose books nothing would queue (a job on a
    worker answered so until it finished, with no word of why)."""
    settings.ENRICHMENT_AUTO_ENABLED = False
    settings.IMPORT_INLINE_MAX_ROWS = 1  # answered before a worker runs it
    job = upload(client_for(importer)).json()
    assert job["enrich"] is False and job["finished"] is False
    assert any("(ENRICHMENT_AUTO_ENABLED)" in warning for warning in job["warnings"])


def test_a_large_export_runs_on_a_worker_and_its_progress_can_be_followed(
    importer, settings, sent_tasks, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_MAX_ROWS = 1  # as the admin: above it, a worker imports the file
    client = client_for(importer)

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, enrich="false")

    assert response.status_code == 201
    job = response.json()
    assert job["status"] == "pending" and job["finished"] is False and job["created"] == 0
    assert job["status_label"] == "Pending"
    assert [(t.func, t.args) for t in sent_tasks] == [
        ("catalog.tasks.run_import_job", (job["id"],))
    ]
    # Between two tasks of a long import (here: set as a hand-over leaves it) the job is
    # pending with rows imported, and says so as its page does.
    ImportJob.objects.filter(pk=job["id"]).update(rows_processed=1)
    assert client.get(job_url(job["id"])).json()["status_label"] == "Waiting to continue"
    ImportJob.objects.filter(pk=job["id"]).update(rows_processed=0)

    tasks.run_import_job(job["id"])  # the worker

    done = client.get(job_url(job["id"])).json()
    assert done["status"] == "completed" and done["created"] == 2 and done["progress"] == 100
    assert done["started_at"] and done["finished_at"]


def test_any_csv_imports_with_a_column_map(importer):
    data = b"Book,Writer,Code\nSynthetic Mapped,Ann Author,9780306406157\n"

    response = upload(client_for(importer), data, map="title=Book,author=Writer,isbn=Code")

    assert response.status_code == 201
    job = response.json()
    assert job["format"] == "generic" and job["created"] == 1
    assert Work.objects.get().editions.get().isbn13 == "9780306406157"


def bad_uploads():
    """(what the client sends, the field the error names, words of its message)."""
    return [
        pytest.param({"file": csv_file(PNG, "cover.png")}, "file", "", id="an image"),
        pytest.param(
            {"file": csv_file(b"PK\x03\x04" + bytes(range(256)) * 4, "export.xlsx")},
            "file",
            "",
            id="a zip (Excel)",
        ),
        pytest.param({"file": csv_file(b"")}, "file", "empty", id="an empty file"),
        pytest.param(
            {"file": csv_file(CALIBREDB_LIST, "minha-estante-fisica.csv")},
            "file",
            "calibredb catalog books.csv",
            id="the text calibredb list prints",
        ),
        pytest.param({"file": csv_file(b"\x00" * 300)}, "file", "", id="NUL bytes"),
        pytest.param({"file": "not a file"}, "file", "not a file", id="text, not a file"),
        pytest.param({}, "file", "No file", id="no file"),
        pytest.param(
            {"file": csv_file(TWO_BOOKS), "format": "xlsx"}, "format", "xlsx", id="unknown format"
        ),
        pytest.param(
            {"file": csv_file(TWO_BOOKS), "enrich": "maybe"}, "enrich", "boolean", id="enrich=maybe"
        ),
        pytest.param(
            {"file": csv_file(TWO_BOOKS), "format": "librarything"},
            "file",
            "Primary Author",
            id="a format that does not fit",
        ),
        pytest.param(
            {"file": csv_file(b"Book,Writer\nSynthetic,Ann\n")},
            "file",
            "map=title=Book",
            id="a header nobody's (a map is suggested)",
        ),
        pytest.param(
            {"file": csv_file(TWO_BOOKS), "format": "generic"},
            "map",
            "title",
            id="generic without a map",
        ),
        pytest.param(
            {"file": csv_file(TWO_BOOKS), "map": "title"}, "map", "FIELD=COLUMN", id="a bad map"
        ),
        pytest.param(
            {"file": csv_file(TWO_BOOKS), "map": "title=Nope"},
            "map",
            "'Nope'",
            id="a map naming a column the file lacks",
        ),
        pytest.param(
            {"file": csv_file(TWO_BOOKS), "enrichment": "false"},
            "enrichment",
            "it takes: enrich, file, format, map",
            id="a misspelt field (not read as its default)",
        ),
        pytest.param(
            {"file": [csv_file(TWO_BOOKS), csv_file(MIXED, "other.csv")]},
            "file",
            "Given 2 times",
            id="two files (one would be imported, the other silently not)",
        ),
        pytest.param(
            {"file": csv_file(TWO_BOOKS), "format": "goodreads", "map": "title=Title"},
            "map",
            "generic",
            id="a map with another format",
        ),
    ]


@pytest.mark.parametrize(("fields", "field", "words"), bad_uploads())
def test_bad_uploads_are_400_saying_what_is_wrong_and_nothing_is_saved(
    importer, fields, field, words
):
    response = client_for(importer).post(UPLOAD_URL, fields, format="multipart")

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert words in error["fields"][field]
    assert error["fields"][field] in error["message"]
    assert not ImportJob.objects.exists() and not Work.objects.exists()
    assert stored_uploads() == []


def test_an_upload_over_the_limit_is_400_with_the_limit_in_the_message(importer, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100

    response = upload(client_for(importer))

    assert response.status_code == 400
    message = error_of(response)["fields"]["file"].replace("\xa0", " ")
    assert "the limit is 100 bytes" in message and "IMPORT_MAX_UPLOAD_BYTES" in message
    assert not ImportJob.objects.exists() and stored_uploads() == []


def test_a_json_body_is_415_a_file_travels_as_multipart(importer):
    response = client_for(importer).post(UPLOAD_URL, {"file": "Title\nX\n"}, format="json")

    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"
    assert not ImportJob.objects.exists()


# --- Who may ------------------------------------------------------------------------------------


def test_an_anonymous_upload_is_401_and_nothing_is_saved():
    response = upload(APIClient())

    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert not ImportJob.objects.exists() and stored_uploads() == []


@pytest.mark.parametrize("perms", [(), ("catalog.view_importjob", "catalog.add_work")])
def test_uploading_without_the_import_permission_is_403_and_nothing_is_saved(api_as, perms):
    response = upload(api_as(user_with("vera", *perms)))

    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    assert not ImportJob.objects.exists() and not Work.objects.exists()
    assert stored_uploads() == []


def test_a_session_upload_needs_the_csrf_token(importer):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(importer)

    response = upload(client)

    assert response.status_code == 403
    assert "CSRF" in error_of(response)["message"]
    assert not ImportJob.objects.exists()


@pytest.fixture
def someone_elses_job(importer):
    return ImportJob.objects.get(
        pk=upload(client_for(importer), MIXED, enrich="false").json()["id"]
    )


@pytest.mark.parametrize(
    ("perms", "status"),
    [
        (("catalog.view_importjob",), 200),  # the Librarian's view permission: every job
        (("catalog.import_books",), 200),  # importers see every job (the catalog is shared)
        (("catalog.view_work",), 403),
        ((), 403),
    ],
)
def test_who_may_read_a_job_and_its_rows_is_the_admins_rule(
    api_as, someone_elses_job, perms, status
):
    client = api_as(user_with("olga", *perms))

    assert client.get(job_url(someone_elses_job.pk)).status_code == status
    assert client.get(rows_url(someone_elses_job.pk)).status_code == status


def test_reading_a_job_anonymously_is_401(someone_elses_job):
    assert APIClient().get(job_url(someone_elses_job.pk)).status_code == 401
    assert APIClient().get(rows_url(someone_elses_job.pk)).status_code == 401


# --- A job and its rows -------------------------------------------------------------------------


def test_a_job_reads_its_counts_and_status(api_as, someone_elses_job):
    job = api_as(user_with("lib", "catalog.view_importjob")).get(job_url(someone_elses_job.pk))

    assert job.status_code == 200
    body = job.json()
    assert body["id"] == someone_elses_job.pk and body["status"] == "completed"
    assert [body["rows"], body["created"], body["failed"], body["enqueued"]] == [3, 2, 1, 0]
    assert body["error"] == "" and body["file_status"] == "stored"


def test_a_job_whose_file_is_gone_from_storage_reads_missing_as_on_its_admin_page(
    client, api_as, someone_elses_job
):
    """Deleted behind the application's back (by hand, a volume not mounted): the job's page says
    "File not found", and the job's endpoint says missing, asking the storage the same way."""
    reader = user_with("lib", "catalog.view_importjob")
    import_storage().delete(someone_elses_job.source_file.name)

    body = api_as(reader).get(job_url(someone_elses_job.pk)).json()

    assert (body["file_status"], body["file_status_checked"]) == ("missing", True)
    assert ImportJob.FileStatus(body["file_status"]).label == "File not found"
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    page = client.get(reverse("admin:catalog_importjob_change", args=[someone_elses_job.pk]))
    assert uploaded_file_line(page.content.decode()) == "File not found"
    someone_elses_job.refresh_from_db()  # a look records nothing: a mounted volume brings it back
    assert someone_elses_job.file_status == ImportJob.FileStatus.STORED


@pytest.mark.parametrize("job_id", [987654, 99999999999999999999])
def test_an_unknown_job_is_a_json_404(importer, job_id):
    client = client_for(importer)

    for url in (job_url(job_id), rows_url(job_id)):
        response = client.get(url)
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"


def test_an_empty_status_is_no_filter_as_in_a_form(importer, someone_elses_job):
    response = client_for(importer).get(rows_url(someone_elses_job.pk), {"status": ""})

    assert response.status_code == 200 and len(response.json()["results"]) == 3


def test_failed_rows_come_with_their_line_and_reason(api_as, someone_elses_job):
    client = api_as(user_with("lib", "catalog.view_importjob"))

    response = client.get(rows_url(someone_elses_job.pk), {"status": "failed"})

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["line"] == 3 and row["status"] == "failed"
    assert "title" in row["reason"].lower()
    assert row["work_id"] is None and row["edition_id"] is None


def test_every_row_in_file_order_with_its_book_and_warnings(importer, someone_elses_job):
    rows = client_for(importer).get(rows_url(someone_elses_job.pk)).json()["results"]

    assert [(r["line"], r["status"]) for r in rows] == [
        (2, "created"),
        (3, "failed"),
        (4, "created"),
    ]
    created = Work.objects.get(title="Synthetic Created")
    assert rows[0]["work_id"] == created.pk and rows[0]["title"] == "Synthetic Created"
    assert rows[0]["edition_id"] == created.editions.get().pk
    assert rows[0]["warnings"] == []
    assert "spreadsheet" in rows[2]["warnings"][0]


def test_rows_are_paged_by_a_cursor_without_repeats_or_gaps(importer, someone_elses_job):
    client = client_for(importer)

    first = client.get(rows_url(someone_elses_job.pk), {"limit": 2}).json()
    second = client.get(first["next"]).json()

    assert [r["line"] for r in first["results"]] == [2, 3]
    assert [r["line"] for r in second["results"]] == [4]
    assert second["next"] is None and second["previous"]


def forged_cursor(position: str) -> str:
    return base64.b64encode(f"o=0&r=0&p={position}".encode()).decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "broken"}, "status"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": forged_cursor("abc")}, "cursor"),  # a position that is no line number
        ({"cursor": forged_cursor("9" * 30)}, "cursor"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "-5"}, "limit"),
        ({"limit": "1" * 5000}, "limit"),
        ({"state": "failed"}, "state"),  # misspelt: not every row, unfiltered
    ],
)
def test_bad_row_queries_are_400_naming_the_parameter(importer, someone_elses_job, params, field):
    response = client_for(importer).get(rows_url(someone_elses_job.pk), params)

    assert response.status_code == 400
    assert field in error_of(response)["fields"]


def test_listing_rows_takes_the_same_queries_for_any_number_of_rows(
    importer, django_assert_max_num_queries
):
    client = client_for(importer)
    small = upload(client, TWO_BOOKS, enrich="false").json()["id"]
    many = [
        {"Book Id": str(i), "Title": f"Synthetic {i}", "Author": "A. Author"} for i in range(60)
    ]
    large = upload(client, synthetic_export(*many), enrich="false").json()["id"]

    # The token and its user, the throttle's count, the user's permissions (one query), the
    # job, the page.
    for job_id in (small, large):
        with django_assert_max_num_queries(5):
            assert client.get(rows_url(job_id), {"limit": 50}).status_code == 200


def test_rows_hold_what_their_schema_says_even_where_a_value_is_blank(importer, someone_elses_job):
    """A created row matched nothing: its `matched_by` is "", which the schema's enum refused."""
    client = client_for(importer)

    response = client.get(rows_url(someone_elses_job.pk))

    assert "" in [row["matched_by"] for row in response.json()["results"]]
    assert_answer_matches_schema(client, "/api/v1/imports/{job_id}/rows", "get", response)
    job = client.get(job_url(someone_elses_job.pk))
    assert_answer_matches_schema(client, "/api/v1/imports/{job_id}", "get", job)


def test_an_upload_over_the_limit_is_refused_as_it_arrives_not_stored_whole_first(
    importer, settings, stored_upload_bytes
):
    """Reading stops at the limit: a huge upload was received whole into a temporary file (or
    memory) before the size check refused it."""
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    huge = TWO_BOOKS + b"1,Synthetic Padding,Ann Author\n" * 20_000  # 620 kB

    response = upload(client_for(importer), huge)

    assert response.status_code == 400
    assert sum(stored_upload_bytes) == 0  # nothing past the first chunk was read, none kept
    message = error_of(response)["fields"]["file"].replace("\xa0", " ")
    said = re.match(r"This file is about ([\d.]+) KB; the limit is 1000 bytes\.", message)
    assert said and abs(float(said.group(1)) - len(huge) / 1024) < 1, message
    assert not ImportJob.objects.exists() and stored_uploads() == []


def test_a_query_parameter_of_an_upload_is_a_400_and_nothing_is_saved(importer):
    """`imports/?enrich=false` imported and queued enrichment, its parameter ignored."""
    client = client_for(importer)

    response = client.post(
        f"{UPLOAD_URL}?enrich=false", {"file": csv_file(TWO_BOOKS)}, format="multipart"
    )

    assert response.status_code == 400
    assert error_of(response)["fields"] == {
        "enrich": "This endpoint does not take it; it takes: format."
    }
    assert not ImportJob.objects.exists() and stored_uploads() == []


def test_many_files_under_the_limit_each_stop_being_read_once_they_pass_it_together(
    importer, settings, stored_upload_bytes
):
    """One export is read per upload: a hundred files just under the limit each were all
    received (2 GB at the default limit) before the request was refused."""
    settings.IMPORT_MAX_UPLOAD_BYTES = 100_000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every file in a temporary file
    files = {f"file{i}": csv_file(b"x" * 90_000, f"part{i}.csv") for i in range(10)}

    response = client_for(importer).post(UPLOAD_URL, files, format="multipart")

    assert response.status_code == 400
    assert sum(stored_upload_bytes) <= 100_000  # not 900 kB
    assert not ImportJob.objects.exists() and stored_uploads() == []


def test_a_session_upload_with_the_csrf_token_is_imported_and_one_too_large_refused(
    importer, settings
):
    """The session's CSRF check reads the form, and the upload with it, before the view runs:
    stopping at the limit must already be in place then (it was a 500)."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(importer)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    client.credentials(HTTP_X_CSRFTOKEN=token)

    imported = upload(client, enrich="false")
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    refused = upload(client, enrich="false")

    assert imported.status_code == 201, imported.content
    assert refused.status_code == 400
    assert "the limit is 100" in error_of(refused)["fields"]["file"].replace("\xa0", " ")
    assert ImportJob.objects.count() == 1


def test_a_session_upload_may_carry_its_csrf_token_in_the_form(importer):
    """Django's CSRF check reads the token from the form too, as a browser's form sends it."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(importer)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token

    response = upload(client, enrich="false", csrfmiddlewaretoken=token)

    assert response.status_code == 201, response.content
