from django.contrib.admin.apps import AdminConfig


class BookstoreAdminConfig(AdminConfig):
    """Installs BookstoreAdminSite as `admin.site`, so every app's admin.py (django-q2's too)
    registers on the branded site without knowing about it."""

    default_site = "bookstore.admin_site.BookstoreAdminSite"

    def ready(self):
        super().ready()
        from bookstore import checks  # noqa: F401  (registers the system checks)
