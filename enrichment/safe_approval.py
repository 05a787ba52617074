"""Which requests a one-click approval of the safe proposal may decide: the review page's
"Approve safe proposal" (key s), the queue's bulk "Approve the safe proposal", the API's approve
without fields, and the fields the review page ticks for the reviewer. One rule for all of them.

On low confidence the record's title or author does not agree with the book's ("Les
Enchanteurs" by Romain Gary proposed for a book credited to James Ellroy, author 0/5): the record
may be another book's. Its "safe" part is safe only for the values the catalog holds, not for the
book: another book's publisher, pages and cover in the empty fields is the wrong book the design
calls worse than no book. There a reviewer ticks each field they have checked against the record;
nothing applies the record whole in one click, and nothing is ticked for them.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext

from enrichment.models import EnrichmentRequest

#: The tiers whose record may be another book's: approved field by field, never whole.
CHECKED_FIELD_BY_FIELD = (EnrichmentRequest.Confidence.LOW,)


def safe_approval_allowed(request: EnrichmentRequest) -> bool:
    """Whether the request's safe proposal may be approved in one click (and its fields that
    fill empty ones come ticked): not when its record may be another book's."""
    return request.confidence not in CHECKED_FIELD_BY_FIELD


def safe_approval_withheld(queryset: QuerySet[EnrichmentRequest]) -> QuerySet[EnrichmentRequest]:
    """The requests of `queryset` waiting for review whose safe proposal no one-click approval
    may apply (`safe_approval_allowed`, in SQL): a bulk approval leaves them, and says so."""
    return queryset.filter(
        status=EnrichmentRequest.Status.NEEDS_REVIEW, confidence__in=CHECKED_FIELD_BY_FIELD
    )


def safe_approval_refusal() -> str:
    """Why a one-click approval of such a request applies nothing (the page's and the API's)."""
    return gettext(
        "Its confidence is low: the record's title or author does not agree with the book's, so "
        "it may be another book. Nothing was applied: choose the fields you have checked against "
        "the record, and approve those."
    )


def safe_approval_withheld_note() -> str:
    """What the review page of such a request says where the one-click approval would be."""
    return gettext(
        "Low confidence: no one-click approval. The record's title or author does not agree with "
        "the book's, so it may be another book: nothing is ticked for you. Tick only the fields "
        "you have checked against the record, then “Approve selected fields”; or dismiss it."
    )
