"""Who may import, and who may cancel or retry an import: every job is visible to importers,
but changing someone else's needs `catalog.manage_others_imports` (the Librarian group has it),
and the job records who did it."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from catalog import services
from catalog.models import ImportJob
from tests.catalog.test_import_admin import failed_rows_marked_corrected
from tests.catalog.test_importers import GOODREADS_24

pytestmark = pytest.mark.django_db
# One good row and one without a title (synthetic).
SYNTHETIC_EXPORT = (GOODREADS_24 + "\n1,Good,A\n2,,B\n").encode()


def importer(username: str) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["import_books"]))
    return user


def librarian(username: str) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Librarian"))
    return user


def finished_job_with_a_failed_row(uploaded_by) -> ImportJob:
    job = services.import_job_create(
        data=SYNTHETIC_EXPORT, filename="list.csv", uploaded_by=uploaded_by, enrich=False
    )
    services.import_job_run(job=job)
    job.refresh_from_db()
    assert job.failed_count == 1
    failed_rows_marked_corrected(job)  # so that the page offers its retry
    return job


def running_job(uploaded_by) -> ImportJob:
    job = services.import_job_create(
        data=SYNTHETIC_EXPORT, filename="list.csv", uploaded_by=uploaded_by, enrich=False
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    job.refresh_from_db()
    return job


def page(client, job) -> str:
    response = client.get(reverse("admin:catalog_importjob_change", args=[job.pk]))
    assert response.status_code == 200
    return response.content.decode()


def cancel(client, job):
    return client.post(reverse("admin:catalog_importjob_cancel", args=[job.pk]))


def retry(client, job):
    return client.post(reverse("admin:catalog_importjob_retry", args=[job.pk]))


def test_another_importer_sees_the_job_but_cannot_cancel_it(client):
    job = running_job(importer("alice"))
    client.force_login(importer("bob"))
    assert client.get(reverse("admin:catalog_importjob_upload")).status_code == 200
    assert "Cancel import" not in page(client, job)
    assert cancel(client, job).status_code == 403
    job.refresh_from_db()
    assert job.status == "running" and not job.cancel_requested
    assert job.cancel_requested_by is None


def test_a_librarian_cancels_someone_elses_job_and_is_recorded(client):
    job = running_job(importer("alice"))
    carol = librarian("carol")
    client.force_login(carol)
    before = page(client, job)
    assert "Cancel import" in before
    assert "Cancel requested by" not in before  # no empty "–" line until someone cancels
    assert cancel(client, job).status_code == 302
    job.refresh_from_db()
    assert job.cancel_requested and job.cancel_requested_by == carol
    assert job.cancel_requested_at is not None
    shown = page(client, job)
    assert "Cancel requested by" in shown and "carol" in shown


def test_the_uploader_cancels_their_own_job_without_the_extra_permission(client):
    alice = importer("alice")
    job = running_job(alice)
    client.force_login(alice)
    assert "Cancel import" in page(client, job)
    assert cancel(client, job).status_code == 302
    job.refresh_from_db()
    assert job.cancel_requested and job.cancel_requested_by == alice


def test_another_importer_cannot_retry_someone_elses_failed_rows(client):
    job = finished_job_with_a_failed_row(importer("alice"))
    rows_before = list(job.rows.values_list("pk", flat=True))
    client.force_login(importer("bob"))
    assert client.get(reverse("admin:catalog_importjob_upload")).status_code == 200
    assert "Retry failed rows" not in page(client, job)
    assert retry(client, job).status_code == 403
    job.refresh_from_db()
    assert job.retried_by is None and list(job.rows.values_list("pk", flat=True)) == rows_before


@pytest.mark.parametrize("who", ["uploader", "librarian"])
def test_the_uploader_or_a_librarian_retries_and_is_recorded(client, who):
    alice = importer("alice")
    job = finished_job_with_a_failed_row(alice)
    user = alice if who == "uploader" else librarian("carol")
    client.force_login(user)
    before = page(client, job)
    assert "Retry failed rows" in before and "Retried by" not in before
    assert retry(client, job).status_code == 302
    job.refresh_from_db()
    assert job.retried_by == user and job.retried_at is not None
    assert job.failed_count == 1  # still no title
    shown = page(client, job)
    assert "Retried by" in shown and user.username in shown


def test_a_command_line_job_has_no_owner_so_only_managers_change_it(client):
    job = running_job(None)
    client.force_login(importer("bob"))
    assert cancel(client, job).status_code == 403
    client.force_login(librarian("carol"))
    assert cancel(client, job).status_code == 302


def test_who_uploaded_a_job_is_named_and_linked_only_for_who_may_open_users(client):
    """The job's "Uploaded by" linked the uploader's user page for every reader, which answers
    403 to an importer; a job the command started said only "–"."""
    alice = importer("alice")
    job = finished_job_with_a_failed_row(alice)
    user_url = reverse("admin:auth_user_change", args=[alice.pk])
    client.force_login(importer("bob"))
    shown = page(client, job)
    assert "alice" in shown and user_url not in shown
    client.force_login(User.objects.create_superuser("root", password="pw"))
    assert f'<a href="{user_url}">alice</a>' in page(client, job)

    by_command = running_job(None)
    assert "Nobody recorded: the import_books command, or a user removed since." in page(
        client, by_command
    )


def test_without_the_import_permission_even_the_uploader_cannot_retry(client):
    alice = importer("alice")
    job = finished_job_with_a_failed_row(alice)
    alice.user_permissions.clear()
    alice.user_permissions.add(Permission.objects.get(codename="view_importjob"))
    client.force_login(User.objects.get(pk=alice.pk))
    assert retry(client, job).status_code == 403


def test_add_work_alone_no_longer_allows_imports(client):
    user = User.objects.create_user("editor", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_work"))
    client.force_login(user)
    assert client.get(reverse("admin:catalog_importjob_upload")).status_code == 403


def test_the_librarian_group_may_import_and_manage_others_imports():
    perms = set(Group.objects.get(name="Librarian").permissions.values_list("codename", flat=True))
    assert {"import_books", "manage_others_imports", "view_importjob"} <= perms


def test_the_migration_keeps_import_rights_for_those_who_had_add_work(monkeypatch):
    migration = importlib.import_module("catalog.migrations.0007_import_permissions")
    # The migration clears the app config's models_module (None in a migration's own apps):
    # given the live registry here, it must get it back, or every later flush (transactional
    # tests) would recreate no catalog permission.
    catalog_config = django_apps.get_app_config("catalog")
    monkeypatch.setattr(catalog_config, "models_module", catalog_config.models_module)
    add_work = Permission.objects.get(codename="add_work")
    editors = Group.objects.create(name="Editors")
    editors.permissions.add(add_work)
    editor = User.objects.create_user("editor", is_staff=True)
    editor.user_permissions.add(add_work)
    bystander = User.objects.create_user("bystander", is_staff=True)

    migration.grant_import_permissions(django_apps, None)

    assert editors.permissions.filter(codename="import_books").exists()
    assert not editors.permissions.filter(codename="manage_others_imports").exists()
    assert User.objects.get(pk=editor.pk).has_perm("catalog.import_books")
    assert not User.objects.get(pk=bystander.pk).has_perm("catalog.import_books")


def test_the_failed_rows_download_is_for_those_who_may_read_the_file(client):
    # The failed rows' cells are the uploader's reading list, like the file itself.
    owner = importer("owner")
    job = finished_job_with_a_failed_row(owner)
    ImportJob.objects.filter(pk=job.pk).update(original_filename='my "list".csv')
    url = reverse("admin:catalog_importjob_failed_csv", args=[job.pk])
    client.force_login(importer("other"))
    assert client.get(url).status_code == 403
    # Not offered to them either: the job's page offered the button, which led to 403.
    assert url not in page(client, job) and "Download failed rows" not in page(client, job)
    client.force_login(librarian("lib"))
    assert client.get(url).status_code == 200
    assert url in page(client, job)
    client.force_login(owner)
    assert url in page(client, job)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my_list-failed-rows.csv"'


def test_a_rows_cells_are_shown_only_to_those_who_may_read_the_file(client):
    """The rows' pages showed another importer every cell the download refuses them: a review,
    a private note. They still see what each row became in the shared catalog."""
    owner = importer("owner")
    data = (GOODREADS_24 + "\n1,Good,A\n2,,Private note about my ex\n").encode()
    job = services.import_job_create(
        data=data, filename="list.csv", uploaded_by=owner, enrich=False
    )
    services.import_job_run(job=job)
    failed = job.rows.get(status="failed")
    rows_url = reverse("admin:catalog_importrow_changelist") + f"?job={job.pk}"
    row_url = reverse("admin:catalog_importrow_change", args=[failed.pk])

    client.force_login(importer("other"))
    listed, shown = client.get(rows_url), client.get(row_url)
    assert listed.status_code == shown.status_code == 200
    assert "Good" in listed.content.decode()  # what a row became: shared
    for response in (listed, shown):
        assert "Private note about my ex" not in response.content.decode()
    assert "Not shown: a row's cells are its uploader's reading list" in shown.content.decode()

    for reader in (owner, librarian("lib")):
        client.force_login(reader)
        assert "Private note about my ex" in client.get(rows_url).content.decode()
        assert "Private note about my ex" in client.get(row_url).content.decode()


def test_correcting_someone_elses_row_needs_reading_its_cells_too(client):
    """The correction form shows every cell: managing others' imports alone (without "view
    import job") let a user read them there."""
    job = finished_job_with_a_failed_row(importer("owner"))
    failed = job.rows.get(status="failed")
    manager = importer("manager")
    manager.user_permissions.add(Permission.objects.get(codename="manage_others_imports"))
    rerun_url = reverse("admin:catalog_importrow_rerun", args=[failed.pk])
    row_url = reverse("admin:catalog_importrow_change", args=[failed.pk])

    client.force_login(manager)
    assert client.get(rerun_url).status_code == 403
    assert client.post(rerun_url, {"cell_1": "A Title"}).status_code == 403
    assert "Correct and re-run this row" not in client.get(row_url).content.decode()
    failed.refresh_from_db()
    assert failed.status == "failed"

    client.force_login(librarian("lib"))  # manages others' imports and views import jobs
    assert client.get(rerun_url).status_code == 200
    assert "Correct and re-run this row" in client.get(row_url).content.decode()
