"""The cover step's note on a request (why nothing was applied: a cover kept, a download given
up, a storage to try again), said in the reader's language.

A note is stored as a code and its values, and said when shown by the rule every worker's note
is said by (`candidate_notes.say`), so that a librarian reads it in the admin's language
whoever's worker wrote it; its English text is stored beside them, as every note was before the
codes, and a row stored then (text alone) is shown as written. The code picks the message: a
book's cover or an author's photo.
"""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext_noop as _

from enrichment.candidate_notes import say
from enrichment.models import EnrichmentRequest
from enrichment.request_status import request_status_words

#: code -> (the note on a book's cover, the note on an author's photo).
NOTES: dict[str, tuple[str, str]] = {
    "worker_stopped": (
        _("The worker stopped while downloading this cover %(count)s times: given up."),
        _("The worker stopped while downloading this photo %(count)s times: given up."),
    ),
    "kept_existing": (
        _("The work already has a verified cover: kept."),
        _("The author already has a verified photo: kept."),
    ),
    "storage_retry": (
        _(
            "The storage failed to store this cover (the server's log has its error): it is "
            "tried again later."
        ),
        _(
            "The storage failed to store this photo (the server's log has its error): it is "
            "tried again later."
        ),
    ),
    # A decision turned the proposal down (cover_apply.cover_withhold): its words are the
    # request's, said when shown ("dismissed by alice", "superseded by request #12").
    "not_downloaded": (
        _("Not downloaded: %(decision)s."),
        _("Not downloaded: %(decision)s."),
    ),
    "storage_given_up": (
        _(
            "The storage failed to store this cover %(count)s times (the server's log has its "
            "errors): given up."
        ),
        _(
            "The storage failed to store this photo %(count)s times (the server's log has its "
            "errors): given up."
        ),
    ),
}


def image_noun(request: EnrichmentRequest) -> str:
    """What the cover step's notes call the request's image: an author's is a photo."""
    return "photo" if request.author_id is not None else "cover"


def image_step_text(request: EnrichmentRequest, text: str) -> str:
    """A note or a candidate's rejection the cover step stored, as the request's page and the
    API say it: an author's image is a photo, in those stored when every note said "this
    cover" (the worker's give-up, a download's time running out) too."""
    if image_noun(request) == "cover":
        return text
    return text.replace("this cover", "this photo")


def _said(request: EnrichmentRequest, code: str, values: dict[str, Any]) -> str | None:
    messages = NOTES.get(code)
    if messages is None:
        return None
    if code == "not_downloaded":
        values = {**values, "decision": request_status_words(request)}
    return say(messages[image_noun(request) == "photo"], values)


def cover_note_record(request: EnrichmentRequest, code: str, **values: Any) -> None:
    """Set the request's cover note to NOTES[code] with `values` (on the instance; the caller
    saves match_details)."""
    details = request.match_details
    details.cover_note_code, details.cover_note_values = code, values
    with translation.override("en"):
        details.cover_note = _said(request, code, values) or ""


def cover_note_write(request: EnrichmentRequest, text: str) -> None:
    """Set the request's cover note to a text already said (a decision's, in its own words)."""
    details = request.match_details
    details.cover_note_code, details.cover_note_values = "", {}
    details.cover_note = text


def cover_note_text(request: EnrichmentRequest) -> str:
    """The request's cover note in the active language; a note stored as text alone (before the
    codes, or a decision's) as written."""
    details = request.match_details
    said = _said(request, details.cover_note_code, details.cover_note_values)
    return said if said is not None else image_step_text(request, details.cover_note)
