"""Pieces every review panel admin shares: badges, read-only admins, the permission checks
that `@admin.action(permissions=[...])` asks."""

from django.contrib import admin
from django.utils.html import format_html

from bookstore.admin_lists import EmptyListHelpMixin, QuickActionCheckboxMixin
from enrichment import presenters
from enrichment.permissions import REVERT_PERMISSION, REVIEW_PERMISSION


def badge(label, colour: str):
    return format_html('<span class="status-badge" style="background:{}">{}</span>', colour, label)


def yes_or_no(value: bool, *, yes, no="–"):
    """A yes / no whose "no" is the normal state (not reverted, quota not spent): in words, never
    Django's boolean icons, whose red ✖ for "no" reads as an error."""
    return format_html('<span class="flag-yes">{}</span>', yes) if value else no


def short(value, limit: int = 40) -> str:
    text = presenters.value_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ReadOnlyAdmin(QuickActionCheckboxMixin, EmptyListHelpMixin, admin.ModelAdmin):
    """Written by the application only: the admin shows, it never edits (and an empty list
    says what fills it)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewPermissionMixin:
    """`@admin.action(permissions=["review"])` and `["revert"]` ask these."""

    def has_review_permission(self, request):
        return request.user.has_perm(REVIEW_PERMISSION)

    def has_revert_permission(self, request):
        return request.user.has_perm(REVERT_PERMISSION)
