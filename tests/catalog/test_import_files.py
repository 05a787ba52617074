"""Uploaded exports: kept privately under random names, downloadable only with permission, as
a CSV attachment, and deleted after IMPORT_RETENTION_DAYS."""

import datetime
import importlib
import json
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Permission, User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.static import serve
from django_q.models import Schedule

from bookstore.checks import import_storage_is_private
from catalog import services
from catalog.models import ImportJob, ImportRow
from tests.catalog.test_importers import GOODREADS_24

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
UPLOAD_URL = reverse("admin:catalog_importjob_upload")
RANDOM_NAME = re.compile(r"^\d{4}/\d{2}/[0-9a-f]{32}$")
# A valid Goodreads export whose title is a script, uploaded as .html (synthetic).
SYNTHETIC_HTML_PAYLOAD = (
    GOODREADS_24 + "\n1,<script>alert(document.cookie)</script>,Eve\n2,,Nobody\n"
).encode()


def staff(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def upload(client, data: bytes, name: str) -> ImportJob:
    response = client.post(
        UPLOAD_URL, {"file": SimpleUploadedFile(name, data), "format": "auto", "enrich": ""}
    )
    assert response.status_code == 302, response.content[:500]
    return ImportJob.objects.get(pk=response.url.rstrip("/").split("/")[-2])


def file_url(job) -> str:
    return reverse("admin:catalog_importjob_source_file", args=[job.pk])


def job_page(job) -> str:
    return reverse("admin:catalog_importjob_change", args=[job.pk])


def media_files(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


# --- Where an upload is stored ------------------------------------------------------------------


def test_an_html_upload_is_stored_privately_and_media_url_never_serves_it(client, settings):
    client.force_login(staff("uploader", "import_books"))
    job = upload(client, SYNTHETIC_HTML_PAYLOAD, "payload.html")
    assert job.status == "completed" and job.created_count == 1

    name = job.source_file.name
    assert RANDOM_NAME.match(name), name  # no "payload", no ".html"
    stored = Path(job.source_file.path).resolve()
    media_root = Path(settings.MEDIA_ROOT).resolve()
    assert media_root not in stored.parents
    assert stored.read_bytes() == SYNTHETIC_HTML_PAYLOAD
    assert oct(stored.stat().st_mode & 0o777) == oct(0o600)
    assert media_files(settings) == [] and not default_storage.exists(name)
    with pytest.raises(ValueError, match="no URL"):
        job.source_file.url  # noqa: B018

    # What DEBUG media serving (bookstore/urls.py) would answer for the old and the new path.
    now = timezone.now()
    request = RequestFactory().get("/media/")
    for path in (f"imports/{now:%Y/%m}/payload.html", name):
        with pytest.raises(Http404):
            serve(request, path, document_root=settings.MEDIA_ROOT)
    # The same request does serve a file that is under MEDIA_ROOT, as uploads used to be.
    default_storage.save(f"imports/{now:%Y/%m}/payload.html", ContentFile(SYNTHETIC_HTML_PAYLOAD))
    served = serve(request, f"imports/{now:%Y/%m}/payload.html", document_root=media_root)
    assert served.status_code == 200 and served["Content-Type"] == "text/html"


def test_the_command_line_import_stores_privately_too(tmp_path, settings):
    export = tmp_path / "my reading list.csv"
    export.write_bytes(SYNTHETIC_HTML_PAYLOAD)
    call_command("import_books", str(export), "--json", "--no-enrich", stdout=StringIO())
    job = ImportJob.objects.get()
    assert RANDOM_NAME.match(job.source_file.name)
    assert storages["imports"].exists(job.source_file.name) and media_files(settings) == []


# --- Downloading the original -------------------------------------------------------------------


@pytest.fixture
def uploaded_job(client):
    client.force_login(staff("uploader", "import_books"))
    job = upload(client, SYNTHETIC_HTML_PAYLOAD, "payload.html")
    client.logout()
    return job


def test_anonymous_and_non_staff_users_are_sent_to_login(client, uploaded_job):
    response = client.get(file_url(uploaded_job))
    assert response.status_code == 302 and reverse("admin:login") in response.url
    client.force_login(User.objects.create_user("reader", password="pw"))
    response = client.get(file_url(uploaded_job))
    assert response.status_code == 302 and reverse("admin:login") in response.url


@pytest.mark.parametrize(
    "codenames",
    [
        (),  # staff, nothing else
        ("import_books",),  # sees every job page, but not someone else's reading list
        ("view_work", "add_work"),
    ],
)
def test_staff_without_permission_get_403(client, uploaded_job, codenames):
    client.force_login(staff("other", *codenames))
    assert client.get(file_url(uploaded_job)).status_code == 403


def test_an_upload_in_cp1251_is_served_back_labelled_windows_1251(client):
    # Labelled utf-8, as every non-Latin-1 upload was, a browser showed its Cyrillic garbled.
    synthetic = GOODREADS_24 + "\n1,synthetic-Мастер и Маргарита,Михаил Булгаков\n"
    client.force_login(staff("uploader", "import_books"))
    job = upload(client, synthetic.encode("cp1251"), "cyrillic.csv")
    assert job.encoding == "cp1251" and job.created_count == 1

    response = client.get(file_url(job))
    assert response["Content-Type"] == "text/csv; charset=windows-1251"
    assert b"".join(response.streaming_content).decode("windows-1251") == synthetic


@pytest.mark.parametrize("who", ["uploader", "viewer"])
def test_the_uploader_and_import_viewers_get_a_csv_attachment(client, uploaded_job, who):
    user = (
        User.objects.get(username="uploader")
        if who == "uploader"
        else staff("viewer", "view_importjob")
    )
    client.force_login(user)
    assert file_url(uploaded_job) in client.get(job_page(uploaded_job)).content.decode()

    response = client.get(file_url(uploaded_job))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="payload.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == SYNTHETIC_HTML_PAYLOAD


def test_the_download_link_is_hidden_from_those_who_may_not_download(client, uploaded_job):
    client.force_login(staff("other", "import_books"))
    page = client.get(job_page(uploaded_job)).content.decode()
    assert "payload.html" in page and file_url(uploaded_job) not in page


@pytest.mark.parametrize(
    ("original", "disposition"),
    [
        ('"; evil=".csv', 'attachment; filename="_evil.csv"'),
        ("../../etc/passwd", 'attachment; filename="passwd.csv"'),
        ("..", 'attachment; filename="import-{pk}.csv"'),
        ("", 'attachment; filename="import-{pk}.csv"'),
        (
            "liste de lecture été.CSV",
            "attachment; filename*=utf-8''liste_de_lecture_%C3%A9t%C3%A9.csv",
        ),
    ],
)
def test_the_download_name_is_safe(client, uploaded_job, original, disposition):
    ImportJob.objects.filter(pk=uploaded_job.pk).update(original_filename=original)
    client.force_login(User.objects.get(username="uploader"))
    response = client.get(file_url(uploaded_job))
    assert response["Content-Disposition"] == disposition.format(pk=uploaded_job.pk)


# --- Retention ----------------------------------------------------------------------------------


def make_job(*, days_old: int, uploaded_by=None, status="run") -> ImportJob:
    job = services.import_job_create(
        data=SYNTHETIC_HTML_PAYLOAD, filename="payload.html", uploaded_by=uploaded_by, enrich=False
    )
    if status == "run":
        services.import_job_run(job=job)
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_old, hours=1)
    )
    job.refresh_from_db()
    return job


def test_purge_deletes_old_files_and_their_cells_and_keeps_recent_ones(client, settings):
    settings.IMPORT_RETENTION_DAYS = 30
    uploader = staff("uploader", "import_books")
    old, recent = make_job(days_old=31, uploaded_by=uploader), make_job(days_old=29)
    pending = make_job(days_old=90, status="pending")  # still needs its file to run
    old_name = old.source_file.name

    assert services.import_files_purge() == 1

    old.refresh_from_db()
    assert old.file_status == ImportJob.FileStatus.DELETED and not old.source_file
    assert not storages["imports"].exists(old_name)
    assert list(old.rows.values_list("raw", "normalized")) == [([], {}), ([], {})]
    # The job keeps what it did: counts, each row's status, reason and book.
    assert (old.created_count, old.failed_count) == (1, 1)
    assert old.rows.get(status=ImportRow.Status.FAILED).error
    assert old.rows.get(status=ImportRow.Status.CREATED).work is not None
    for kept in (recent, pending):
        kept.refresh_from_db()
        assert kept.file_status == ImportJob.FileStatus.STORED
        assert storages["imports"].exists(kept.source_file.name)
    assert recent.rows.filter(raw=[]).count() == 0
    assert services.import_files_purge() == 0  # nothing left to do

    client.force_login(uploader)
    page = client.get(job_page(old)).content.decode()
    assert "Deleted with the rows&#x27; cells on" in page and "31 days after the upload" in page
    assert file_url(old) not in page and "Retry failed rows" not in page
    assert client.get(file_url(old)).status_code == 404
    client.post(reverse("admin:catalog_importjob_retry", args=[old.pk]))
    old.refresh_from_db()
    assert old.failed_count == 1 and old.retried_by is None  # nothing to retry from


def test_retention_zero_keeps_files_forever(settings):
    settings.IMPORT_RETENTION_DAYS = 0
    job = make_job(days_old=3650)
    assert services.import_files_purge() == 0
    job.refresh_from_db()
    assert job.file_status == ImportJob.FileStatus.STORED
    assert storages["imports"].exists(job.source_file.name)


def test_purge_survives_a_file_already_gone_and_still_clears_the_cells():
    job = make_job(days_old=100)
    storages["imports"].delete(job.source_file.name)
    marked_missing = make_job(days_old=100)  # as the migration leaves a job it found no file for
    ImportJob.objects.filter(pk=marked_missing.pk).update(
        source_file="", file_status=ImportJob.FileStatus.MISSING
    )
    assert services.import_files_purge(retention_days=30) == 2
    for purged in (job, marked_missing):
        purged.refresh_from_db()
        assert purged.file_status == ImportJob.FileStatus.DELETED
        assert not purged.rows.exclude(raw=[]).exists()


def test_purge_imports_refuses_a_negative_number_of_days_and_keeps_every_file():
    job = make_job(days_old=10)
    with pytest.raises(CommandError, match=r"--days: must be a whole number, at least 0"):
        call_command("purge_imports", "--days", "-1", stdout=StringIO())
    job.refresh_from_db()
    assert job.file_status == ImportJob.FileStatus.STORED


def test_a_retention_longer_than_the_calendar_keeps_every_file(settings):
    # --days 1000000 (or the setting) reached back past year 1: an OverflowError's traceback,
    # and the daily schedule failed every day.
    job = make_job(days_old=10)
    out = StringIO()
    call_command("purge_imports", "--days", "1000000", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"retention_days": 1000000, "purged": 0}
    settings.IMPORT_RETENTION_DAYS = 999_999_999
    from catalog.tasks import purge_import_files

    assert purge_import_files() == 0
    job.refresh_from_db()
    assert job.file_status == ImportJob.FileStatus.STORED


def test_purge_imports_says_which_zero_keeps_the_files_forever(settings):
    settings.IMPORT_RETENTION_DAYS = 30
    out = StringIO()
    call_command("purge_imports", "--days", "0", stdout=out)
    assert out.getvalue() == "--days 0: uploaded files are kept forever.\n"
    settings.IMPORT_RETENTION_DAYS = 0
    call_command("purge_imports", stdout=(out := StringIO()))
    assert out.getvalue() == "IMPORT_RETENTION_DAYS is 0: uploaded files are kept forever.\n"


def test_purge_imports_command_and_daily_schedule(settings):
    settings.IMPORT_RETENTION_DAYS = 30
    old, recent = make_job(days_old=10), make_job(days_old=1)
    out = StringIO()
    call_command("purge_imports", "--days", "7", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"retention_days": 7, "purged": 1}
    out = StringIO()
    call_command("purge_imports", stdout=out)
    assert "0 imports older than 30 days" in out.getvalue()
    old.refresh_from_db(), recent.refresh_from_db()
    assert (old.file_status, recent.file_status) == ("deleted", "stored")

    schedule = Schedule.objects.get(func="catalog.tasks.purge_import_files")
    assert schedule.schedule_type == Schedule.DAILY and schedule.repeats == -1
    from catalog.tasks import purge_import_files

    ImportJob.objects.filter(pk=recent.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    assert purge_import_files() == 1


# --- Moving the files already stored in public ----------------------------------------------------

move_module = importlib.import_module(
    "catalog.migrations.0006_move_import_files_to_private_storage"
)


def test_the_migration_moves_public_uploads_to_private_random_names(
    settings, django_capture_on_commit_callbacks
):
    public_name = "imports/2024/05/payload.html"
    default_storage.save(public_name, ContentFile(SYNTHETIC_HTML_PAYLOAD))
    default_storage.save("imports/2023/01/deleted-job.csv", ContentFile(b"Title\nOrphan\n"))
    moved = ImportJob.objects.create(original_filename="payload.html", source_file=public_name)
    missing = ImportJob.objects.create(
        original_filename="gone.csv", source_file="imports/2024/05/gone.csv"
    )
    already = make_job(days_old=0, status="pending")
    already_name = already.source_file.name

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            move_module.move_import_files(django_apps, SimpleNamespace(connection=connection))

    run()
    moved.refresh_from_db(), missing.refresh_from_db(), already.refresh_from_db()
    assert RANDOM_NAME.match(moved.source_file.name)
    assert moved.source_file.name.startswith(f"{moved.created_at:%Y/%m}/")
    assert storages["imports"].open(moved.source_file.name).read() == SYNTHETIC_HTML_PAYLOAD
    assert moved.file_status == ImportJob.FileStatus.STORED
    assert (missing.file_status, missing.source_file.name) == ("missing", "")
    assert already.source_file.name == already_name
    assert media_files(settings) == []  # the public copies and the orphan are gone

    name_after_first_run = moved.source_file.name
    run()  # idempotent
    moved.refresh_from_db()
    assert moved.source_file.name == name_after_first_run
    assert storages["imports"].exists(name_after_first_run)


# --- Configuration ------------------------------------------------------------------------------

S3_PROBE = """
import json, django
from django.conf import settings
django.setup()
from django.core.files.storage import storages
imports, covers = storages["imports"], storages["default"]
print(json.dumps({
    "backend": settings.STORAGES["imports"]["BACKEND"],
    "bucket": imports.bucket_name, "location": imports.location,
    "acl": imports.default_acl, "domain": imports.custom_domain,
    "signed": imports.querystring_auth, "overwrite": imports.file_overwrite,
    "url": imports.url("2026/01/0123456789abcdef0123456789abcdef"),
    "covers_location": covers.location, "covers_acl": covers.default_acl,
}))
"""


def run_with_environment(args: list[str], **environ) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "STORAGE_BACKEND", "AWS_", "IMPORT_", "MEDIA_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bookstore.settings",
            "SECRET_KEY": "probe-" + "0123456789abcdef" * 4,
        }
    )
    env.update(environ, AWS_EC2_METADATA_DISABLED="true")  # never ask the network for keys
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.slow  # a fresh interpreter
def test_s3_uploads_go_to_a_private_prefix_of_their_own():
    result = run_with_environment(
        ["-c", S3_PROBE],
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="books",
        AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_S3_REGION_NAME="eu-west-1",
        # Public covers through a CDN: none of it may reach the uploads.
        AWS_DEFAULT_ACL="public-read",
        AWS_S3_CUSTOM_DOMAIN="cdn.example.test",
        AWS_QUERYSTRING_AUTH="0",
        AWS_LOCATION="media",
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert probe["backend"] == "storages.backends.s3.S3Storage"
    assert (probe["bucket"], probe["location"]) == ("books", "private-imports")
    assert (probe["acl"], probe["domain"], probe["signed"]) == ("private", None, True)
    assert probe["overwrite"] is False
    assert "cdn.example.test" not in probe["url"] and "Signature=" in probe["url"]
    assert "/private-imports/2026/01/" in probe["url"]
    assert (probe["covers_location"], probe["covers_acl"]) == ("media", "public-read")

    separate = run_with_environment(
        ["-c", S3_PROBE],
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="books",
        AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
        AWS_SECRET_ACCESS_KEY="secret",
        IMPORT_STORAGE_BUCKET_NAME="private-uploads",
        IMPORT_STORAGE_PREFIX="/exports/",
    )
    assert separate.returncode == 0, separate.stderr
    probe = json.loads(separate.stdout)
    assert (probe["bucket"], probe["location"]) == ("private-uploads", "exports")


@pytest.mark.slow  # a fresh interpreter
def test_startup_refuses_an_import_location_inside_media_root(tmp_path):
    media = tmp_path / "media"
    refused = run_with_environment(
        ["manage.py", "check"], MEDIA_ROOT=str(media), IMPORT_STORAGE_LOCATION=str(media / "up")
    )
    assert refused.returncode != 0 and "bookstore.E002" in refused.stderr
    accepted = run_with_environment(
        ["manage.py", "check"], MEDIA_ROOT=str(media), IMPORT_STORAGE_LOCATION=str(tmp_path / "p")
    )
    assert accepted.returncode == 0, accepted.stderr


def s3(**options) -> dict:
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": "books", "access_key": "AKIAEXAMPLE", "secret_key": "s"}
        | options,
    }


@pytest.mark.parametrize(
    ("covers", "imports", "problem"),
    [
        (None, {"location": "private-imports", "default_acl": "private"}, None),
        (None, {"location": "x", "default_acl": "public-read"}, "public ACL"),
        (None, {"location": "x", "custom_domain": "cdn.example.test"}, "custom domain"),
        (None, {"location": "x", "querystring_auth": False}, "unsigned"),
        (None, {"location": ""}, "no key prefix"),
        ({"location": "media"}, {"location": "media/imports"}, "overlaps"),
        ({"location": "media"}, {"location": "media/imports", "bucket_name": "other"}, None),
        ({"location": ""}, {"location": "private-imports"}, None),
    ],
)
def test_startup_check_on_s3_settings(settings, covers, imports, problem):
    settings.STORAGES = {
        **settings.STORAGES,
        **({"default": s3(**covers)} if covers is not None else {}),
        "imports": s3(**imports),
    }
    errors = import_storage_is_private(None)
    if problem is None:
        assert errors == []
    else:
        assert [e.id for e in errors] == ["bookstore.E002"] and problem in errors[0].msg


def test_startup_check_on_the_filesystem(settings, tmp_path):
    inside = {"location": str(Path(settings.MEDIA_ROOT) / "private")}
    outside = {"location": str(tmp_path / "elsewhere")}
    for options, ok in ((inside, False), (outside, True)):
        settings.STORAGES = {
            **settings.STORAGES,
            "imports": {"BACKEND": "catalog.storage.PrivateFileSystemStorage", "OPTIONS": options},
        }
        assert (import_storage_is_private(None) == []) is ok


def test_deleting_a_job_in_the_admin_deletes_its_uploaded_file(
    client, django_capture_on_commit_callbacks
):
    superuser = User.objects.create_superuser("root", password="pw")
    one, two = make_job(days_old=1), make_job(days_old=2)
    names = [one.source_file.name, two.source_file.name]
    assert all(storages["imports"].exists(name) for name in names)
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:catalog_importjob_delete", args=[one.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:catalog_importjob_changelist"),
            {"action": "delete_selected", "_selected_action": [two.pk], "post": "yes"},
        )
    assert not ImportJob.objects.exists()
    assert not any(storages["imports"].exists(name) for name in names)
