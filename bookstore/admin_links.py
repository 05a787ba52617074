"""Links from one admin page to another, shown only where they lead somewhere for the user
reading: a link that answers "403 Forbidden" offers nothing. Whether a page opens is its own
ModelAdmin's rule (`has_view_or_change_permission`, what its change list and page ask), never
a copy of it."""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
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


def count_link(url: str, text, count: int) -> str:
    """A count that links to what it counts ("Its audit log entries (3)", "updated 12"); of 0,
    its text alone: a link to an empty list offers nothing."""
    if not count:
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


def relation_for_viewer(request, field):
    """A display of the relation `field` (a foreign key or one-to-one field) for the reader of
    `request`: its object linked to its admin page where that opens (link_for_viewer), its name
    alone elsewhere. Django links a read-only relation whoever reads it. One display a request
    and field, so that the fieldsets and the read-only fields name the same one."""
    made = request.__dict__.setdefault("_relations_for_viewer", {})
    key = (field.model, field.name)
    if key not in made:
        model = field.related_model

        @admin.display(description=field.verbose_name)
        def shown(obj):
            value = getattr(obj, field.name)
            if value is None:
                return admin.site.empty_value_display
            opts = model._meta
            try:
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[value.pk])
            except NoReverseMatch:
                return str(value)
            return link_for_viewer(request, model, url, str(value))

        shown.__name__ = field.name  # its row's class stays field-<name>
        made[key] = shown
    return made[key]


def _with_displays(names, displays: dict):
    return [
        tuple(displays.get(n, n) for n in name)
        if isinstance(name, (list, tuple))
        else displays.get(name, name)
        for name in names
    ]


class RelationsLinkedForViewerMixin(_ModelAdminBase):
    """On a change page or an inline: each relation shown read-only (a read-only field, or every
    field for a reader who may not change the page) goes through relation_for_viewer."""

    def page_read_only(self, request, obj) -> bool:
        """Whether every field shows read-only (the admin's own rule, for a ModelAdmin)."""
        return obj is not None and not self.has_change_permission(request, obj)

    def _relation_displays(self, request, obj, names) -> dict:
        read_only = set(super().get_readonly_fields(request, obj))
        if not self.page_read_only(request, obj):
            names = [name for name in names if name in read_only]
        fields = {
            field.name: field
            for field in self.model._meta.get_fields()
            if field.concrete and (field.many_to_one or field.one_to_one)
        }
        return {
            name: relation_for_viewer(request, fields[name])
            for name in names
            if isinstance(name, str) and name in fields
        }

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        names = flatten_fieldsets(fieldsets)
        displays = self._relation_displays(request, obj, names)
        if not displays:
            return fieldsets
        return [
            (title, {**options, "fields": _with_displays(options["fields"], displays)})
            for title, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        read_only = list(super().get_readonly_fields(request, obj))
        # The declared fields (get_fieldsets may ask the form, which asks this): an inline's
        # form must not hold a field its display replaces; a page's reads none when read-only.
        names = flatten_fieldsets(self.fieldsets or [(None, {"fields": self.fields or ()})])
        displays = self._relation_displays(request, obj, [*read_only, *names])
        shown = [displays.get(name, name) for name in read_only]
        # A display stands for its field: the form must not hold the field it replaces.
        return shown + [d for name, d in displays.items() if name not in read_only]


class InlineRelationsLinkedForViewerMixin(RelationsLinkedForViewerMixin):
    """The same on an inline, whose rows show read-only when its page does, or when the reader
    may neither change nor add them."""

    def page_read_only(self, request, obj) -> bool:
        parent = self.admin_site.get_model_admin(self.parent_model)  # type: ignore[attr-defined]
        return (obj is not None and not parent.has_change_permission(request, obj)) or not (
            self.has_change_permission(request, obj) or self.has_add_permission(request, obj)  # type: ignore[call-arg]  # an inline's
        )


class InlineReadWithItsPageMixin(_ModelAdminBase):
    """An inline whose rows are part of the page's object (a work's credits, an author's works):
    whoever reads the page reads them, without the rows' own "view" permission; changing or
    adding them still asks the rows' own."""

    def has_view_permission(self, request, obj=None):
        parent = self.admin_site.get_model_admin(self.parent_model)  # type: ignore[attr-defined]
        return super().has_view_permission(request, obj) or parent.has_view_permission(request, obj)
