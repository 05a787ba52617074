import json
import os
import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog.models import Work

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "mapmyreads"


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_books", *args, stdout=out)
    return out.getvalue()


def test_json_output_has_the_contract_keys():
    result = json.loads(run(str(FIXTURES / "goodreads_library_export.csv"), "--json"))
    assert {"job", "rows", "created", "updated", "duplicates", "failed", "enqueued"} <= set(result)
    assert (result["rows"], result["created"], result["failed"]) == (358, 358, 0)

    again = json.loads(run(str(FIXTURES / "goodreads_library_export.csv"), "--json"))
    assert (again["created"], again["duplicates"]) == (0, 358)


def test_human_summary_lists_failed_rows_with_line_and_reason(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Title,Authors,Read Status\nDune,Frank Herbert,read\n,Nobody,read\n")
    output = run(str(path))
    assert "1 created" in output and "1 failed" in output
    assert "line 3: This row has no title." in output
    result = json.loads(run(str(path), "--json"))
    assert result["failed_rows"] == [{"line": 3, "reason": "This row has no title."}]


def test_file_level_errors_exit_non_zero_with_the_reason(tmp_path):
    path = tmp_path / "cover.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(CommandError, match="looks like a PNG image"):
        run(str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "missing.csv"))
    assert Work.objects.count() == 0


def test_a_file_over_the_limit_is_refused_without_being_read_whole(tmp_path, settings):
    """A pipe (or a file of gigabytes, /dev/zero) was read whole into memory before the limit
    was checked: the command ran out of memory instead of saying the file is too large."""
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    offered = 20 * 1024 * 1024
    written = []

    def feed():
        chunk, sent = b"x" * 65536, 0
        try:
            with fifo.open("wb") as pipe:
                while sent < offered:
                    pipe.write(chunk)
                    sent += len(chunk)
        except BrokenPipeError:  # the command stopped reading: what a full read never does
            pass
        written.append(sent)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        with pytest.raises(CommandError, match=r"more than the limit of 1,000 bytes"):
            run(str(fifo))
    finally:
        writer.join()
    assert written[0] < offered  # the rest was never read
    assert Work.objects.count() == 0


def test_the_text_calibredb_list_prints_is_refused_saying_what_to_export():
    """It was refused as an unknown format with a suggested --map, which imported its wrapped
    lines as books."""
    real = FIXTURES.parent / "real_shapes" / "calibredb-list-rodolfolabiapari-semicolons.txt"
    with pytest.raises(CommandError, match=r"calibredb catalog books\.csv"):
        run(str(real))
    assert Work.objects.count() == 0


def test_format_can_be_forced(tmp_path):
    path = tmp_path / "minimal.csv"
    path.write_text("Title,Authors\nDune,Frank Herbert\n")
    with pytest.raises(CommandError, match="does not look like"):
        run(str(path))
    result = json.loads(run(str(path), "--format", "storygraph", "--json", "--no-enrich"))
    assert result["created"] == 1


def test_rows_imported_with_warnings_are_counted_and_listed_not_hidden_behind_0_failed(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "Title,Authors,ISBN/UID,Read Status\n"
        "Dune,Frank Herbert,9780441172719,read\n"
        "Emma,Jane Austen,9780141439580,read\n"  # a wrong check digit: the ISBN is left out
    )
    output = run(str(path))
    assert "2 created" in output and "0 failed, 1 with warnings" in output
    assert "line 3 (imported): " in output and "'9780141439580' has a wrong check digit" in output

    result = json.loads(run(str(path), "--json"))  # again: duplicates, the warning still said
    assert result["rows_with_warnings"] == 1
    [row] = result["warning_rows"]
    assert row["line"] == 3 and "wrong check digit" in row["warnings"][0]


def test_the_summaries_say_one_row_and_one_duplicate_in_the_singular(tmp_path, client):
    path = tmp_path / "export.csv"
    path.write_text("Title,Authors,Read Status\nDune,Frank Herbert,read\n")
    run(str(path))
    output = run(str(path))  # again: the one row is a duplicate
    assert ": 1 row in " in output and "0 updated, 1 duplicate, 0 failed" in output

    client.force_login(User.objects.create_superuser("boss", password="pw"))
    response = client.post(
        reverse("admin:catalog_importjob_upload"),
        {"file": SimpleUploadedFile("export.csv", path.read_bytes()), "format": "auto"},
    )
    [message] = list(response.wsgi_request._messages)
    assert message.message.startswith("Imported 1 row: 0 created, 0 updated, 1 duplicate, 0 fail")


def test_format_generic_suggests_a_map_only_when_the_map_is_what_is_missing(tmp_path):
    header_only = tmp_path / "header.csv"
    header_only.write_text("Title,Author,NumberOfPages\n")
    with pytest.raises(CommandError) as refused:
        run(str(header_only), "--format", "generic")
    assert "holds only its header line" in str(refused.value)
    assert "--map" not in str(refused.value)  # no map would import a file without books

    books = tmp_path / "books.csv"
    books.write_text("Title,Author,NumberOfPages\nDune,Frank Herbert,412\n")
    with pytest.raises(CommandError, match=r"--map 'title=Title,author=Author,pages=Number"):
        run(str(books), "--format", "generic")


def test_the_summary_says_why_nothing_was_queued_when_enrichment_is_off(tmp_path, settings):
    """ "1 created …; 0 queued for enrichment." gave no reason; --no-enrich needs none."""
    settings.ENRICHMENT_AUTO_ENABLED = False
    path = tmp_path / "export.csv"
    path.write_text("Title,Authors,Read Status\nDune,Frank Herbert,read\n")
    output = run(str(path))
    assert "; not queued for enrichment." in output and "0 queued" not in output
    assert (
        "Warning: The books this import created or changed were not queued for enrichment: "
        "automatic enrichment is off on this server (ENRICHMENT_AUTO_ENABLED). To queue them, "
        "run manage.py enrich_missing" in output
    )
    path.write_text("Title,Authors,Read Status\nEmma,Jane Austen,read\n")
    not_asked = run(str(path), "--no-enrich")
    assert "ENRICHMENT_AUTO_ENABLED" not in not_asked
    assert "; not queued for enrichment." in not_asked and "0 queued" not in not_asked


def test_a_job_cancelled_while_the_command_ran_exits_non_zero_saying_so(monkeypatch):
    """Cancelled from its page while the command imported it, the job stopped; the summary
    counted the rows it had reached, never said "cancelled", and the command exited 0."""
    from catalog import services
    from catalog.models import ImportJob

    librarian = User.objects.create_user("ines")
    create = services.import_job_create

    def created_then_cancelled(**kwargs):
        job = create(**kwargs)
        # What the page's Cancel does, before the command reaches its first batch.
        ImportJob.objects.filter(pk=job.pk).update(
            cancel_requested=True, cancel_requested_by=librarian
        )
        return job

    monkeypatch.setattr(services, "import_job_create", created_then_cancelled)
    path = str(FIXTURES / "goodreads_library_export.csv")

    with pytest.raises(CommandError) as stopped:
        run(path)
    job = ImportJob.objects.get()
    assert stopped.value.returncode == 1
    assert str(stopped.value) == (
        f"Import #{job.pk} was cancelled by ines after 0 of 358 rows: the books imported until "
        "then stay."
    )

    from io import StringIO

    out = StringIO()
    with pytest.raises(CommandError, match="was cancelled by ines"):
        call_command("import_books", path, "--json", stdout=out)
    assert json.loads(out.getvalue())["status"] == "cancelled"  # its one object, as before


def test_a_job_another_process_took_over_exits_non_zero_saying_where_it_goes_on(monkeypatch):
    """The command thought stopped (no heartbeat in time), a worker resumed the job and this
    run stopped half way: its summary read as a finished import."""
    from catalog import services
    from catalog.models import ImportJob

    def taken_over(*, job, progress=None, time_budget=None):
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.RUNNING, rows_processed=100
        )
        return job

    monkeypatch.setattr(services, "import_job_run", taken_over)
    with pytest.raises(CommandError) as stopped:
        run(str(FIXTURES / "goodreads_library_export.csv"))
    job = ImportJob.objects.get()
    assert str(stopped.value) == (
        f"Import #{job.pk} goes on in another process (this one was thought stopped) after 100 "
        "of 358 rows: follow it on its page."
    )
