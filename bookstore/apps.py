from django.contrib.admin.apps import AdminConfig


class BookstoreAdminConfig(AdminConfig):
    """Installs BookstoreAdminSite as `admin.site`, so every app's admin.py (django-q2's too)
    registers on the branded site without knowing about it."""

    default_site = "bookstore.admin_site.BookstoreAdminSite"

    def ready(self):
        super().ready()  # every app's admin.py, DRF's tokens' included
        from django.contrib import admin
        from rest_framework.authtoken.models import TokenProxy

        from bookstore.admin_tokens import OwnTokensAdmin

        admin.site.unregister(TokenProxy)
        admin.site.register(TokenProxy, OwnTokensAdmin)
        from bookstore import checks  # noqa: F401  (registers the system checks)
