"""How the catalog's admin pages show a book: cover thumbnails and placeholder titles."""

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from catalog.models import Work

THUMBNAIL_HTML = '<img src="{}" alt="" class="cover-thumb" width="{}" loading="lazy">'
NO_COVER_HTML = mark_safe(
    '<span class="cover-thumb cover-missing" title="No verified cover">&ndash;</span>'
)

# A work whose title is an Open Library key standing in for the unknown title.
PLACEHOLDER_TITLE_LABEL = _("title not known yet")
PLACEHOLDER_TITLE_HELP = _(
    "The export named this book by its Open Library key only: the title is that key until an "
    "import, enrichment or a librarian gives the real one."
)


def work_title_html(work: Work):
    """The work's title, marked plainly when it is only a placeholder."""
    if not work.title_is_placeholder:
        return work.title
    return format_html(
        '{} <span class="title-placeholder" title="{}">{}</span>',
        work.title,
        PLACEHOLDER_TITLE_HELP,
        PLACEHOLDER_TITLE_LABEL,
    )


def cover_thumbnail_html(image, *, width: int = 40):
    if not image:
        return NO_COVER_HTML
    return format_html(THUMBNAIL_HTML, image.url, width)
