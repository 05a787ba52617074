"""The queue's image column: a request's target's cover (an author's photo) beside the proposed
one, drawn as the request's page draws it. Headed "Cover", "Photo" or "Cover / photo" by the
targets the list shows (EnrichmentRequestAdmin.get_list_display)."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog import selectors
from catalog.admin import cover_thumbnail_html as catalog_thumbnail_html
from catalog.admin import no_cover_html
from enrichment import presenters
from enrichment.providers.registry import provider_label

PROPOSED_THUMB_HTML = (
    '<img src="{}" alt="{}" title="{}" class="cover-thumb proposed {}" '
    'width="40" loading="lazy" referrerpolicy="no-referrer">'
)
SMALL_LABELS = ("s", "m", "small", "thumbnail", "smallthumbnail", "medium")


class RequestImagesMixin:
    @admin.display(description=_("Cover / photo"))
    def images(self, obj):
        """The target's cover (an author's photo) → the proposed one: the heading names the
        image, the arrow says which is which (and each thumbnail's tooltip)."""
        pair = format_html(
            '<span class="cover-pair">{}<span class="cover-arrow">→</span>{}</span>',
            self._current_thumbnail(obj),
            self._proposed_thumbnail(obj),
        )
        item = obj.proposal.cover
        if item is None or not item.proposed or item.applied:
            return pair
        # A decision turned the proposal down: its cover is not applied, as its page says.
        note = presenters.proposal_decided_note(obj)
        if not note:
            return pair
        return format_html(
            '{}<span class="small cover-decided" title="{}">{}</span>',
            pair,
            capfirst(note),
            gettext("not applied"),
        )

    @admin.display(description=_("Cover"))
    def covers(self, obj):
        return self.images(obj)

    @admin.display(description=_("Photo"))
    def photos(self, obj):
        return self.images(obj)

    @staticmethod
    def _current_thumbnail(obj):
        if obj.author is not None:
            author = obj.author
            if not author.photo:
                return format_html(
                    '<span class="cover-thumb cover-missing" title="{}">&ndash;</span>',
                    gettext("No verified photo"),
                )
            return catalog_thumbnail_html(author.photo_thumbnail or author.photo)
        holder = selectors.cover_holder(obj.work)  # editions are prefetched
        if holder is None:
            return no_cover_html()
        return catalog_thumbnail_html(holder.cover_thumbnail or holder.cover)

    @staticmethod
    def _proposed_thumbnail(obj):
        refs = obj.proposal.cover.proposed if obj.proposal.cover else []
        if not refs:
            return format_html(
                '<span class="cover-thumb cover-missing" title="{}">·</span>',
                gettext("No proposal"),
            )
        # Drawn as its page draws it: still to decide, applied, or turned down by a decision.
        if obj.proposal.cover.applied:
            state, words = "applied", gettext("applied")
        elif presenters.proposal_decidable(obj):
            state, words = "undecided", ""
        else:
            state, words = "decided", presenters.proposal_decided_note(obj)
        small = [r for r in refs if r.size_label.lower() in SMALL_LABELS]
        for ref in small + refs:
            url, _why = presenters.displayable_cover_url(ref.url)
            if url:
                title = gettext("Proposed by %(provider)s") % {
                    "provider": provider_label(ref.provider)
                }
                return format_html(
                    PROPOSED_THUMB_HTML,
                    url,
                    gettext("Proposed photo") if obj.author_id else gettext("Proposed cover"),
                    gettext("%(proposed)s — %(state)s") % {"proposed": title, "state": words}
                    if words
                    else title,
                    state,
                )
        # Not drawn, but its state still said: an applied cover is in, whatever its host.
        unseen = (
            gettext("Proposed photo on a host not on the allowlist")
            if obj.author_id
            else gettext("Proposed cover on a host not on the allowlist")
        )
        return format_html(
            '<span class="cover-thumb cover-missing {}" title="{}">?</span>',
            state,
            gettext("%(proposed)s — %(state)s") % {"proposed": unseen, "state": words}
            if words
            else unseen,
        )
