"""Links from one admin page to another, shown only where they lead somewhere for the user
reading: a link that answers "403 Forbidden" offers nothing. Whether a page opens is its own
ModelAdmin's rule (`has_view_or_change_permission`, what its change list and page ask), never
a copy of it."""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import format_html

# The mixin extends ModelAdmin; the type checker is told so (at run time it stays a plain mixin).
if TYPE_CHECKING:
    _ModelAdminBase = admin.ModelAdmin
else:
    _ModelAdminBase = object


def admin_may_view(request, model) -> bool:
    """Whether the admin's list and pages of `model` open for the user of `request`: asked
    once a request, however many of a list's rows link there."""
    asked = request.__dict__.setdefault("_admin_may_view", {})
    if model not in asked:
        site = admin.site
        asked[model] = site.is_registered(model) and site.get_model_admin(
            model
        ).has_view_or_change_permission(request)
    return asked[model]


def link_for_viewer(request, model, url: str, text):
    """A link to `url` (a page of `model`), or its text alone for a user it would refuse. With
    no request (a page that did not say who reads it), the link."""
    if request is not None and not admin_may_view(request, model):
        return format_html("{}", text)
    return format_html('<a href="{}">{}</a>', url, text)


#: The attribute a change page sets on its object: read-only fields get the object, never the
#: request, and some link to pages their reader may not open.
VIEWER_REQUEST = "_admin_viewer_request"


class ViewerOnObjectMixin(_ModelAdminBase):
    """A change page whose read-only fields, and a list whose cells, say `viewer_request(obj)`
    to learn who reads them."""

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        for row in changelist.result_list:
            setattr(row, VIEWER_REQUEST, request)
        return changelist

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            setattr(obj, VIEWER_REQUEST, request)
        return super().render_change_form(request, context, add, change, form_url, obj)


def viewer_request(obj):
    """The request of the change page or list showing `obj`, or None elsewhere."""
    return getattr(obj, VIEWER_REQUEST, None)


def user_for_viewer(request, user):
    """A user a page names (who uploaded, who cancelled…): their admin page for a reader it
    opens for, their name alone for another (Django links a read-only user field whoever reads
    it)."""
    model = get_user_model()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[user.pk])
    return link_for_viewer(request, model, url, user.get_username())
