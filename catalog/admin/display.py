"""How the catalog's admin pages show a book: cover thumbnails and placeholder titles."""

from django.db import models
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from bookstore.admin_lists import help_with_link
from catalog import permissions
from catalog.models import Work, WorkAuthor

# An id no row has, reversed in its place and then replaced by each row's (admin_change_url).
_ID_MARKER = "987654321987654321"
_CHANGE_URL_TEMPLATES: dict[tuple[str, str], str] = {}

THUMBNAIL_HTML = '<img src="{}" alt="" class="cover-thumb" width="{}" loading="lazy">'


def no_cover_html():
    """The stand-in for a missing cover: built per request, so that its tooltip is translated."""
    return format_html(
        '<span class="cover-thumb cover-missing" title="{}">&ndash;</span>', _("No verified cover")
    )


# A work whose title is an Open Library key standing in for the unknown title.
PLACEHOLDER_TITLE_LABEL = _("title not known yet")
PLACEHOLDER_TITLE_HELP = _(
    "The export named this book by its Open Library key only: the title is that key until an "
    "import, enrichment or a librarian gives the real one."
)


# A work the catalog backfill found but no provider has resolved to an ISBN yet.
SYNTHETIC_LABEL = _("synthetic")
SYNTHETIC_HELP = _(
    "Found by the catalog backfill, but no provider has resolved it to an ISBN yet: it has no "
    "edition, and what the source said is kept with it. A daily retry upgrades it in place once "
    "a provider resolves it."
)


def work_title_html(work: Work):
    """The work's title, marked plainly when it is only a placeholder, or synthetic."""
    if not work.title_is_placeholder and not work.synthetic:
        return work.title
    badges = []
    if work.title_is_placeholder:
        badges.append(("title-placeholder", PLACEHOLDER_TITLE_HELP, PLACEHOLDER_TITLE_LABEL))
    if work.synthetic:
        badges.append(("title-synthetic", SYNTHETIC_HELP, SYNTHETIC_LABEL))
    return format_html(
        "{} {}",
        work.title,
        format_html_join(" ", '<span class="{}" title="{}">{}</span>', badges),
    )


def cover_thumbnail_html(image, *, width: int = 40):
    if not image:
        return no_cover_html()
    return cover_url_thumbnail_html(image.url, width=width)


def cover_url_thumbnail_html(url: str, *, width: int = 40):
    return format_html(THUMBNAIL_HTML, url, width)


def empty_list_import_help(request, text):
    """What an empty catalog list says: the way to fill it is an import (the link for those who
    may import)."""
    if not permissions.user_can_import(request.user):
        return help_with_link(text)
    return help_with_link(text, reverse("admin:catalog_importjob_upload"), _("Import a CSV"))


class ImportToolMixin:
    """A list whose object tools offer "Import CSV" to those who may import (its template
    includes admin/catalog/includes/import_tool.html)."""

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import": permissions.user_can_import(request.user),
            "import_url": reverse("admin:catalog_importjob_upload"),
        }
        return super().changelist_view(request, extra_context)  # type: ignore[misc]


def admin_change_url(name: str, object_id: int) -> str:
    """reverse(name, args=[object_id]) for a list's every row: Django's reverse costs a tenth of
    a millisecond, a page of 100 rows two for each. Reversed once per URL name (and script
    prefix) with a marker id, which each row's id then replaces."""
    key = (name, get_script_prefix())
    template = _CHANGE_URL_TEMPLATES.get(key)
    if template is None:
        template = _CHANGE_URL_TEMPLATES[key] = reverse(name, args=[_ID_MARKER])
    return template.replace(_ID_MARKER, str(int(object_id)))


def credit_place_text(credit) -> str:
    """Where a credit stands among its work's credits, "2 of 3", where the stored position
    counts from 0 and may skip numbers once a credit has gone. Reads `credit.work.credits`
    (prefetched in position order: `credits_in_order`)."""
    ids = [other.pk for other in credit.work.credits.all()]
    return _("%(place)s of %(count)s") % {"place": ids.index(credit.pk) + 1, "count": len(ids)}


def credits_in_order():
    """The prefetch credit_place_text reads: each work's credits in their order, ids only."""
    credits = WorkAuthor.objects.order_by("position", "pk").only("pk", "work_id")
    return models.Prefetch("work__credits", queryset=credits)
