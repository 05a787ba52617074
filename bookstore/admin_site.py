from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class BookstoreAdminSite(admin.AdminSite):
    site_header = _("Bookstore catalog")
    site_title = _("Bookstore")
    index_title = _("Catalog and enrichment")
    # The dash the project's own cells write for "none" ("–"), so that a page's empty fields
    # do not show two different dashes side by side (Django's default is "-").
    empty_value_display = "–"

    def index(self, request, extra_context=None):
        """The index offers the first steps up front (templates/admin/index.html): importing a
        CSV, and on an empty catalog a word on where to begin."""
        return super().index(request, {**self.start_here(request), **(extra_context or {})})

    def app_index(self, request, app_label, extra_context=None):
        """An app's page (Catalog, Enrichment) shows the same first steps: its template extends
        the index's, whose "Start here" offered the dashboard but lost "Import a CSV"."""
        context = {**self.start_here(request), **(extra_context or {})}
        return super().app_index(request, app_label, context)

    @staticmethod
    def start_here(request) -> dict:
        from catalog import permissions  # the apps' models are loaded once a page is served
        from catalog.models import Work

        return {
            "can_import": permissions.user_can_import(request.user),
            "catalog_is_empty": not Work.objects.exists(),
        }
