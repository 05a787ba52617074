"""An edition's History: enrichment's changes to an edition are written in its work's History
(enrichment.history) and in the audit log, so the edition's own page points to both rather
than saying only that it has no change history."""

from urllib.parse import urlencode

from django.contrib.admin.utils import unquote
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

from bookstore.admin_links import admin_may_view, link_for_viewer
from catalog.models import Work
from enrichment.models import AuditLogEntry


class EditionHistoryMixin:
    """On the editions admin: its History page says where enrichment's changes to it are."""

    # Its template, admin/catalog/edition/object_history.html, is found by the admin's own rule.
    def history_view(self, request, object_id, extra_context=None):
        edition = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        extra = {}
        if edition is not None:
            extra["history_note"] = edition_enrichment_history_html(request, edition)
        return super().history_view(  # type: ignore[misc]
            request, object_id, {**(extra_context or {}), **extra}
        )


def edition_enrichment_history_html(request, edition) -> str:
    """Where enrichment's changes to this edition are: "Enrichment's changes to this edition are
    in its work's History and in its 3 audit log entries.", each linked for those who may open
    it; "Enrichment has changed nothing on this edition." when none of its entries
    changed it (a dismissal records a decision only)."""
    entries = AuditLogEntry.objects.filter(edition=edition)
    counts = entries.aggregate(
        every=Count("pk"), changed=Count("pk", filter=~Q(action=AuditLogEntry.Action.DISMISS))
    )
    count = counts["every"]
    if not counts["changed"]:
        return gettext("Enrichment has changed nothing on this edition.")
    work_history = link_for_viewer(
        request,
        Work,
        reverse("admin:catalog_work_history", args=[edition.work_id]),
        gettext("its work’s History"),
    )
    if not admin_may_view(request, AuditLogEntry):
        return format_html(gettext("Enrichment’s changes to this edition are in {}."), work_history)
    audit = format_html(
        '<a href="{}?{}">{}</a>',
        reverse("admin:enrichment_auditlogentry_changelist"),
        urlencode({"edition__id__exact": edition.pk}),
        ngettext("its %(n)s audit log entry", "its %(n)s audit log entries", count) % {"n": count},
    )
    return format_html(
        gettext("Enrichment’s changes to this edition are in {} and in {}."), work_history, audit
    )
