"""Move the uploads already stored under MEDIA_ROOT (`imports/%Y/%m/<original name>`, served to
anyone) into the private import storage under random names.

Idempotent: only names still under `imports/` are moved (new names are `YYYY/MM/<hex>`), and a
job whose file is gone is marked "missing" instead of failing the migration. The public copies
are deleted only once the new names are committed, together with any file left under
`imports/` by a deleted job, so an interrupted run loses nothing. Self-contained on purpose: a
migration must not depend on code that may change later.
"""

import uuid

from django.core.files.storage import storages
from django.db import migrations, transaction

OLD_PREFIX = "imports/"


def _walk(storage, directory):
    try:
        directories, files = storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{directory}/{name}"
    for name in directories:
        yield from _walk(storage, f"{directory}/{name}")


def move_import_files(apps, schema_editor):
    ImportJob = apps.get_model("catalog", "ImportJob")
    public = storages["default"]
    private = ImportJob._meta.get_field("source_file").storage
    moved = []
    for job in ImportJob.objects.filter(source_file__startswith=OLD_PREFIX).iterator():
        old_name = job.source_file.name
        if public.exists(old_name):
            with public.open(old_name, "rb") as old_file:
                new_name = f"{job.created_at:%Y/%m}/{uuid.uuid4().hex}"
                job.source_file.name = private.save(new_name, old_file)
            moved.append(old_name)
        else:
            job.source_file.name = ""
            job.file_status = "missing"
        job.save(update_fields=["source_file", "file_status"])

    def delete_public_copies():
        for name in {*moved, *_walk(public, OLD_PREFIX.rstrip("/"))}:
            public.delete(name)

    transaction.on_commit(delete_public_copies, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_import_job_private_file")]

    operations = [migrations.RunPython(move_import_files, migrations.RunPython.noop)]
