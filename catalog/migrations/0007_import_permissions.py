"""Importing gets its own permission, `catalog.import_books`, instead of riding on "add work";
cancelling or retrying someone else's import needs `catalog.manage_others_imports`.

Everyone who could import before (through "add work", directly or by a group) keeps the right,
and the Librarian group gets both. Permissions are normally created after migrations
(post_migrate): they are created here first. Self-contained on purpose: a migration must not
depend on code that may change later.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

LIBRARIAN = "Librarian"
IMPORT = "import_books"
MANAGE_OTHERS = "manage_others_imports"


def grant_import_permissions(apps, schema_editor):
    app_config = apps.get_app_config("catalog")
    app_config.models_module = True  # create_permissions skips apps without models
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("auth", "User")
    catalog_perms = Permission.objects.filter(content_type__app_label="catalog")
    add_work = catalog_perms.get(codename="add_work")
    import_books = catalog_perms.get(codename=IMPORT)
    manage_others = catalog_perms.get(codename=MANAGE_OTHERS)

    for group in Group.objects.filter(permissions=add_work):
        group.permissions.add(import_books)
    for user in User.objects.filter(user_permissions=add_work):
        user.user_permissions.add(import_books)
    # The enrichment migration that creates the group may run before or after this one.
    librarian, _ = Group.objects.get_or_create(name=LIBRARIAN)
    librarian.permissions.add(import_books, manage_others)


def revoke_import_permissions(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="catalog", codename__in=[IMPORT, MANAGE_OTHERS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_move_import_files_to_private_storage"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_import_permissions, revoke_import_permissions)]
