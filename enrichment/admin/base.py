"""Pieces every review panel admin shares: badges, read-only admins, the permission checks
that `@admin.action(permissions=[...])` asks, a list narrowed to one book or author saying so."""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bookstore.admin_links import RelationsLinkedForViewerMixin
from bookstore.admin_lists import EmptyListHelpMixin, QuickActionCheckboxMixin
from catalog.models import Author, Edition, Work
from enrichment import presenters
from enrichment.permissions import REVERT_PERMISSION, REVIEW_PERMISSION

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    _ModelAdminBase = admin.ModelAdmin
else:
    _ModelAdminBase = object


def badge(label, colour: str):
    return format_html('<span class="status-badge" style="background:{}">{}</span>', colour, label)


def yes_or_no(value: bool, *, yes, no="–"):
    """A yes / no whose "no" is the normal state (not reverted, quota not spent): in words, never
    Django's boolean icons, whose red ✖ for "no" reads as an error."""
    return format_html('<span class="flag-yes">{}</span>', yes) if value else no


def short(value, limit: int = 40) -> str:
    text = presenters.value_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ReadOnlyAdmin(
    QuickActionCheckboxMixin, EmptyListHelpMixin, RelationsLinkedForViewerMixin, admin.ModelAdmin
):
    """Written by the application only: the admin shows, it never edits (and an empty list
    says what fills it). Deleting what a record is about deletes it (bookstore.admin_deletion)."""

    written_by_the_application = True

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


#: The lookups the work, edition and author pages' links narrow a list by ("Its audit log
#: entries", "Its enrichment requests"): lookup -> its model and how it is named.
TARGET_LOOKUPS = {
    "work__id__exact": (Work, _("the work “%(name)s”")),
    "edition__id__exact": (Edition, _("the edition “%(name)s”")),
    "author__id__exact": (Author, _("the author “%(name)s”")),
}


def list_narrowed_to(query) -> str:
    """ "the work “Coraline”" when a list's query narrows it to one work, edition or author."""
    for lookup, (model, name) in TARGET_LOOKUPS.items():
        pk = query.get(lookup, "")
        target = model._default_manager.filter(pk=int(pk)).first() if pk.isdigit() else None
        if target is not None:
            return str(name) % {"name": target}
    return ""


class NarrowedListMixin(_ModelAdminBase):
    """A list opened from a work's, an edition's or an author's page says whose rows it shows
    under its title: the lookup is in no filter, so nothing else on the page would."""

    #: The subtitle, with %(whose)s: "Only the entries of %(whose)s".
    narrowed_subtitle: "StrOrPromise"

    def changelist_view(self, request, extra_context=None):
        whose = list_narrowed_to(request.GET)
        if whose:
            subtitle = str(self.narrowed_subtitle) % {"whose": whose}
            extra_context = {**(extra_context or {}), "subtitle": subtitle}
        return super().changelist_view(request, extra_context)
