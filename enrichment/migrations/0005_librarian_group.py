"""The "Librarian" group: edits the catalog, imports exports, reviews and reverts enrichment.

Permissions are normally created after migrations (post_migrate): they are created here first,
so that the group gets them on a fresh database too. Self-contained on purpose: a migration must
not depend on code that may change later.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Librarian"
PERMISSIONS = {
    "catalog": [
        "view_work", "add_work", "change_work",  # add_work also allows CSV imports
        "view_edition", "add_edition", "change_edition",
        "view_author", "add_author", "change_author",
        "view_workauthor", "add_workauthor", "change_workauthor", "delete_workauthor",
        "view_importjob",
    ],
    "enrichment": [
        "view_enrichmentrequest", "view_auditlogentry", "view_providerstate",
        "view_sourcerecord", "view_bulkoperation",
        "review_enrichment", "revert_enrichment",
    ],
}  # fmt: skip


def create_librarian_group(apps, schema_editor):
    for label in PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True  # create_permissions skips apps without models
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for label, codenames in PERMISSIONS.items():
        found = Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
        missing = set(codenames) - set(found.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions not found for the Librarian group: {missing}")
        group.permissions.add(*found)


def delete_librarian_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enrichment", "0004_bulk_operation"),
        ("catalog", "0003_work_enrichment_state"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_librarian_group, delete_librarian_group)]
