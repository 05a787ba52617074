"""Deleting a book or a person from the admin takes with it the records the application wrote
about it (its enrichment requests, audit log entries, merge proposals).

Those records are the application's: their admins only show them, and refuse every account's
delete (`written_by_the_application`). Django's confirmation page then asked for a permission
nobody can hold, so no imported book (each has an enrichment request) could be deleted, not even
by a superuser. Whoever may delete the book deletes its records too; the page still lists them."""

from django.contrib import admin


def written_by_the_application(model_admin: admin.ModelAdmin) -> bool:
    return getattr(model_admin, "written_by_the_application", False)


class DeletedWithItsRecordsMixin:
    """For the admins of what such records are about (works, editions, authors)."""

    admin_site: admin.AdminSite

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)  # type: ignore[misc]
        records = {
            str(model._meta.verbose_name)
            for model, model_admin in self.admin_site._registry.items()
            if written_by_the_application(model_admin)
        }
        perms_needed = {name for name in perms_needed if str(name) not in records}
        return deleted, counts, perms_needed, protected
