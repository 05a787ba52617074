"""Admin lists that say what to do next when they are empty, and render their rows' checkboxes
cheaply.

templates/admin/change_list.html shows `empty_list_help` above an empty list (and, when filters
or a search hid every row, how to clear them); each admin says what fills its list.
"""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.admin import helpers
from django.utils.html import format_html
from django.utils.translation import gettext

# The mixin extends ModelAdmin; the type checker is told so (at run time it stays a plain mixin).
if TYPE_CHECKING:
    _ModelAdminBase = admin.ModelAdmin
else:
    _ModelAdminBase = object


def help_with_link(text, url: str = "", label=""):
    """ "Nothing here yet: … <a>Import a CSV</a>" — the link only when there is somewhere to go
    (the user may do it)."""
    if not url:
        return format_html("{}", text)
    return format_html('{} <a href="{}" class="empty-list-action">{}</a>', text, url, label)


def with_note(shown, note):
    """A list cell's main value, and a secondary one below it, quiet: one cell instead of two
    columns keeps a wide list within a 1,280 px window."""
    return format_html('{}<br><span class="quiet">{}</span>', shown, note)


def count_with_note(count: int, note: str, n: int):
    """A count, and below it a secondary count `n` in words (`note`, with %(n)s), none when 0."""
    if not n:
        return f"{count:,}"
    return with_note(f"{count:,}", note % {"n": f"{n:,}"})


class EmptyListHelpMixin(_ModelAdminBase):
    def empty_list_help(self, request):
        """What fills this list, and a link to do it: shown when the list is empty."""
        return ""

    def changelist_view(self, request, extra_context=None):
        extra_context = {"empty_list_help": self.empty_list_help(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)


class QuickActionCheckboxMixin:
    """The action checkbox of each row as Django's CheckboxInput renders it, written with
    format_html: the widget's template costs about half a millisecond a row, a tenth of a list
    page of 50 wide rows."""

    def action_checkbox(self, obj):  # its column's header is Django's, found by this name
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )
