"""The catalog's admin: works and editions (`works`), authors (`authors`), import jobs
(`imports`) and their rows (`import_rows`), with the covers and titles they show (`display`).

Importing the submodules registers the admins. The names other apps use are re-exported here.
"""

# Importing the submodules registers the admins.
from catalog.admin import authors, import_rows, imports, works  # noqa: F401
from catalog.admin.display import cover_thumbnail_html, no_cover_html
from catalog.admin.imports import STATUS_COLOURS
from catalog.admin.works import WorkAdmin

__all__ = ["STATUS_COLOURS", "WorkAdmin", "cover_thumbnail_html", "no_cover_html"]
