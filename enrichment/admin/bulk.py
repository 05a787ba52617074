"""Bulk operations: their progress pages, resume and cancel."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bookstore.admin_links import ViewerOnObjectMixin, link_for_viewer, viewer_request
from catalog.admin import STATUS_COLOURS
from catalog.models import Work
from enrichment import bulk_operations, views
from enrichment.admin.base import ReadOnlyAdmin, badge
from enrichment.models import BulkOperation, EnrichmentRequest
from enrichment.permissions import REVIEW_PERMISSION, user_can_view_bulk_operations


@admin.register(BulkOperation)
class BulkOperationAdmin(ViewerOnObjectMixin, ReadOnlyAdmin):
    change_form_template = "admin/enrichment/bulkoperation/change_form.html"
    list_display = [
        "id",
        "action",
        "status_badge",
        "progress",
        "selection_words",
        "created_by",
        "created_at",
    ]
    list_filter = ["action", "status"]
    list_select_related = ["created_by"]
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": [("action", "status_badge"), "selection_words", "list_link"]}),
        (_("Run"), {"fields": [("created_by", "created_at"), ("started_at", "finished_at")]}),
    ]
    readonly_fields = ["status_badge", "selection_words", "list_link"]

    def get_fieldsets(self, request, obj=None):
        """ "Enrich all missing" chose its works itself, from no list: no "the list as it was
        filtered" link (to a list nobody filtered) for it."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.action != BulkOperation.Action.ENRICH_MISSING:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "list_link"]})
            for name, options in fieldsets
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("object_ids")  # up to 100,000 ids

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or user_can_view_bulk_operations(
            request.user
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def empty_list_help(self, request):
        return _(
            "No bulk operation yet. An action on more than %(n)s rows of the enrichment queue, "
            "the works list or the author list (approve, dismiss, re-run, enrich), and the works "
            "list’s “Enrich all missing covers / metadata” when more than %(n)s works miss them, "
            "run here in the background, with their progress."
        ) % {"n": bulk_operations.BULK_INLINE_MAX}

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/progress/",
                wrap(self._viewable(views.bulk_progress)),
                name="enrichment_bulkoperation_progress",
            ),
            path(
                "<int:object_id>/resume/",
                wrap(views.bulk_resume),
                name="enrichment_bulkoperation_resume",
            ),
            *super().get_urls(),
        ]

    def _viewable(self, view):
        def guarded(request, *args, **kwargs):
            if not self.has_view_permission(request):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    def change_view(self, request, object_id, form_url="", extra_context=None):
        operation = self.get_object(request, unquote(object_id))
        extra = {}
        if operation is not None:
            extra = {
                "operation": operation,
                "stalled": bulk_operations.bulk_operation_is_stalled(operation),
                "can_resume": request.user.has_perm(REVIEW_PERMISSION),
                "reasons": sorted((operation.reasons or {}).items(), key=lambda kv: -kv[1]),
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    @admin.display(description=_("Status"), ordering="status")
    def status_badge(self, operation):
        return badge(operation.get_status_display(), STATUS_COLOURS.get(operation.status, "#777"))

    @admin.display(description=_("Progress"))
    def progress(self, operation):
        return format_html(
            '<progress max="100" value="{}"></progress> {}',
            operation.progress_percent,
            gettext("%(done)s of %(total)s")
            % {"done": f"{operation.done:,}", "total": f"{operation.total:,}"},
        )

    @admin.display(description=_("Selection"), ordering="selection")
    def selection_words(self, operation):
        # The field's help text is for developers: the page shows the words alone.
        return operation.selection

    @admin.display(description=_("List"))
    def list_link(self, operation):
        works = operation.action in (
            BulkOperation.Action.ENRICH_WORKS,
            BulkOperation.Action.ENRICH_MISSING,
        )
        model: type[models.Model] = Work if works else EnrichmentRequest
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        query = f"?{operation.query_string}" if operation.query_string else ""
        return link_for_viewer(
            viewer_request(operation), model, url + query, gettext("the list as it was filtered")
        )


# --- Providers and their cache -------------------------------------------------------------------
