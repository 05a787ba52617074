"""The shapes of the enrichment endpoints' answers. Field names are a contract: snake_case,
stable, every key always present (null when there is nothing). What they read from a request
is in input_serializers.py."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookstore.api_links import ImageUrlField, LinkField
from catalog.models import Work
from enrichment import cover_apply
from enrichment.covers import ordered_cover_refs
from enrichment.faults import FaultLookup
from enrichment.match_summary import request_headline
from enrichment.models import BulkOperation, EnrichmentRequest
from enrichment.presenters import web_url
from enrichment.proposals import field_label
from enrichment.request_status import request_status_label
from enrichment.work_state import UNIQUE_FIELDS, request_work


def held_value(name: str, value: Any) -> Any:
    """A field's value as the catalog holds it: null for an empty one it keeps NULL (an
    ISBN-13, Open Library's keys), as the works list gives it. The review's values
    (work_state.stored_value) say "" for those, so an approval's `old` and a field's `current`
    said "" where the works list said null: two answers for one empty key."""
    return None if value == "" and name in UNIQUE_FIELDS else value


def changes_as_held(changes: dict[str, dict]) -> dict[str, dict]:
    """An approval's changes (field -> {old, new, target}) with held_value's values."""
    return {
        name: {
            **change,
            "old": held_value(name, change["old"]),
            "new": held_value(name, change["new"]),
        }
        for name, change in changes.items()
    }


# --- Answers ------------------------------------------------------------------------------------


# enrichment.api.selectors.WorkEnrichmentState. The docstrings below are what the schema tells
# clients of each object; what the code reads them from is said in comments.
class WorkEnrichmentStatusSerializer(serializers.Serializer):
    """One work's enrichment: where it stands, its last try and its requests."""

    id = serializers.IntegerField()
    # As the works list gives them (the model's keys; "" before any enrichment).
    enrichment_status = serializers.ChoiceField(
        choices=Work.EnrichmentStatus.choices, allow_blank=True
    )
    enrichment_status_label = serializers.CharField(
        help_text=_(
            'The status as the works list says it: "Matched, nothing added" where '
            '`enrichment_status` is "enriched" of a work no enrichment changed (its requests '
            "matched with nothing to add)."
        )
    )
    enrichment_confidence = serializers.ChoiceField(
        choices=EnrichmentRequest.Confidence.choices,
        allow_blank=True,
        help_text=_('The last match\'s tier; "" before any.'),
    )
    last_try_at = serializers.DateTimeField(allow_null=True)
    has_verified_cover = serializers.BooleanField()
    completeness = serializers.IntegerField(help_text=_("Percent of the key fields filled."))
    current_request_id = serializers.IntegerField(allow_null=True)
    active_request_id = serializers.IntegerField(
        allow_null=True, help_text=_("Its pending or in-progress request, if any.")
    )


class WorksEnrichmentStatusSerializer(serializers.Serializer):
    works = WorkEnrichmentStatusSerializer(many=True)
    missing = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("Ids asked for that no work has.")
    )


class RequestTargetSerializer(serializers.Serializer):
    """What a request is for: a work (its title) or an author (their name)."""

    type = serializers.ChoiceField(choices=["work", "author"])
    id = serializers.IntegerField()
    title = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)

    def to_representation(self, instance: EnrichmentRequest) -> dict[str, Any]:
        if instance.author is not None:
            author = instance.author
            return {"type": "author", "id": author.pk, "title": None, "name": author.name}
        work = request_work(instance)
        return {"type": "work", "id": work.pk, "title": work.title, "name": None}


class QueueRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    target = RequestTargetSerializer(source="*")
    status = serializers.ChoiceField(choices=EnrichmentRequest.Status.choices)
    status_label = serializers.SerializerMethodField(
        help_text=_(
            'The status as the review panel says it: "Dismissed by alice" or "Superseded by '
            'request #12" where `status` is "skipped" because of a decision, not the engine; '
            '"Matched, nothing added" where it is "completed" of a request that added nothing.'
        )
    )
    confidence = serializers.ChoiceField(
        choices=EnrichmentRequest.Confidence.choices,
        allow_blank=True,
        help_text=_('The match\'s tier; "" until a match was scored.'),
    )
    trigger = serializers.ChoiceField(choices=EnrichmentRequest.Trigger.choices)
    providers_asked = serializers.ListField(
        child=serializers.CharField(), source="providers_attempted"
    )
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_status_label(self, instance: EnrichmentRequest) -> str:
        return request_status_label(instance)


# The detail: the typed proposal (enrichment.proposals) and match details, as plain JSON.


class MatchScoresSerializer(serializers.Serializer):
    """0-5 each. A work's request scores ISBN / title / author; an author's id / works / name,
    under the same three keys."""

    isbn = serializers.IntegerField()
    title = serializers.IntegerField()
    author = serializers.IntegerField()


# enrichment.proposals.ProposedField
class ProposedFieldSerializer(serializers.Serializer):
    """One field a request proposes, with what the catalog holds now."""

    name = serializers.CharField()
    label = serializers.SerializerMethodField()  # type: ignore[assignment]
    current = serializers.SerializerMethodField(
        help_text=_("What the catalog holds now (any JSON value).")
    )
    current_when_proposed = serializers.SerializerMethodField(
        help_text=_("What the catalog held when the proposal was made (any JSON value).")
    )
    proposed = serializers.JSONField(help_text=_("Any JSON value."))
    source = serializers.CharField(  # type: ignore[assignment]
        help_text=_("The provider whose value was chosen.")
    )
    agree = serializers.ListField(
        child=serializers.CharField(), help_text=_("Other providers with the same value.")
    )
    target = serializers.ChoiceField(choices=["work", "edition", "author"])
    fills_empty = serializers.BooleanField()
    tier = serializers.CharField()
    score = MatchScoresSerializer()
    applied = serializers.BooleanField()
    refused = serializers.CharField(help_text=_("Why the last attempt to apply it did not."))
    reverted = serializers.BooleanField()

    def get_label(self, item) -> str:
        return field_label(item.name)

    @extend_schema_field(OpenApiTypes.ANY)
    def get_current(self, item) -> Any:
        return held_value(item.name, self.context["live_values"].get(item.name, item.current))

    @extend_schema_field(OpenApiTypes.ANY)
    def get_current_when_proposed(self, item) -> Any:
        return held_value(item.name, item.current)


# enrichment.candidates.CoverRef
class CoverCandidateSerializer(serializers.Serializer):
    """A cover a provider offered; a URL that is not http(s) is given as ""."""

    url = serializers.SerializerMethodField()
    provider = serializers.CharField()
    cover_id = serializers.CharField()
    size_label = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    licence = serializers.CharField()
    licence_url = serializers.SerializerMethodField()
    artist = serializers.CharField()

    def get_url(self, ref) -> str:
        return web_url(ref.url)

    def get_licence_url(self, ref) -> str:
        return web_url(ref.licence_url)


class CurrentCoverSerializer(serializers.Serializer):
    # Absolute, as the works list's cover_url: it was the storage's "/media/covers/…" here.
    url = ImageUrlField(source="image")
    source = serializers.CharField()  # type: ignore[assignment]
    verified_at = serializers.DateTimeField(allow_null=True)


# enrichment.proposals.ProposedCover
class ProposedCoverSerializer(serializers.Serializer):
    """The cover proposed: its candidates best first (the first that verifies is applied); an
    author's request proposes a photo."""

    candidates = CoverCandidateSerializer(many=True)
    source = serializers.CharField()  # type: ignore[assignment]
    target = serializers.CharField()
    fills_empty = serializers.BooleanField()
    tier = serializers.CharField()
    applied = serializers.BooleanField()
    chosen = serializers.CharField(help_text=_("The URL that was applied."))
    reverted = serializers.BooleanField()
    download_status = serializers.ChoiceField(
        choices=EnrichmentRequest.CoverStatus.choices,
        allow_blank=True,
        help_text=_('The chosen cover\'s download ("": none asked for).'),
    )
    current = CurrentCoverSerializer(
        allow_null=True, help_text=_("The cover (photo) the catalog shows now.")
    )


class ProposedPersonSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]


class ProposedAuthorsSerializer(serializers.Serializer):
    """A work's credits as the match found them (applied only to a work without credits)."""

    current = serializers.ListField(child=serializers.CharField())
    proposed = ProposedPersonSerializer(many=True)
    applied = serializers.BooleanField()


# Read from the request itself (source="*"). The context holds what the catalog shows now:
# `live_values` (presenters.request_live_values), `credits` (a work's authors' names) and
# `current_image` (presenters.request_image_holder).
class ProposalSerializer(serializers.Serializer):
    """What a request proposes, field by field, its cover and its authors, beside what the
    catalog holds now."""

    fields = ProposedFieldSerializer(many=True)  # type: ignore[assignment]
    cover = ProposedCoverSerializer(allow_null=True)
    authors = ProposedAuthorsSerializer(
        allow_null=True, help_text=_("A work's request only (null for an author's).")
    )
    scores = MatchScoresSerializer(allow_null=True)

    def to_representation(self, instance: EnrichmentRequest) -> dict[str, Any]:
        proposal, details = instance.proposal, instance.match_details
        authors = None
        if instance.author_id is None:
            authors = {
                "current": self.context["credits"],
                "proposed": details.authors,
                "applied": "authors" in (instance.fields_applied or []),
            }
        cover = None
        if proposal.cover is not None:
            item = proposal.cover
            cover = {
                "candidates": ordered_cover_refs(cover_apply.cover_refs(instance)),
                "source": item.source,
                "target": item.target,
                "fills_empty": item.fills_empty,
                "tier": item.tier,
                "applied": item.applied,
                "chosen": item.chosen,
                "reverted": item.reverted,
                "download_status": instance.cover_status,
                "current": _current_image(*self.context["current_image"]),
            }
        return super().to_representation(
            {
                "fields": proposal.ordered(),
                "cover": cover,
                "authors": authors,
                "scores": proposal.scores,
            }
        )


def _current_image(holder, slot: str) -> dict[str, Any] | None:
    """The cover (an author's photo) the catalog shows now, from the row that holds it."""
    if holder is None:
        return None
    return {
        "image": getattr(holder, slot),
        "source": getattr(holder, f"{slot}_source"),
        "verified_at": getattr(holder, f"{slot}_verified_at"),
    }


class HeldQuerySerializer(serializers.Serializer):
    title = serializers.CharField()
    authors = serializers.ListField(child=serializers.CharField())
    isbn13 = serializers.CharField()
    openlibrary_edition_key = serializers.CharField()
    openlibrary_work_key = serializers.CharField()
    title_is_placeholder = serializers.BooleanField()


class HeldAuthorSerializer(serializers.Serializer):
    name = serializers.CharField()
    ids = serializers.DictField(child=serializers.CharField())
    work_titles = serializers.ListField(child=serializers.CharField())
    isbn13 = serializers.ListField(child=serializers.CharField())
    birth_year = serializers.IntegerField(allow_null=True)
    death_year = serializers.IntegerField(allow_null=True)


class CandidateSeenSerializer(serializers.Serializer):
    provider = serializers.CharField()
    title = serializers.CharField()
    ids = serializers.DictField(child=serializers.CharField())
    isbn13 = serializers.ListField(child=serializers.CharField())
    source_url = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()
    isbn_score = serializers.IntegerField()
    title_score = serializers.IntegerField()
    author_score = serializers.IntegerField()
    tier = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())

    def get_source_url(self, candidate) -> str:
        return web_url(candidate.source_url)

    def get_notes(self, candidate) -> list[str]:
        # In the client's language, as the review page says them (stored with their codes).
        return candidate.notes_said()


class ProviderSkipSerializer(serializers.Serializer):
    provider = serializers.CharField()
    status = serializers.CharField(help_text=_("Why it was not asked."))


# enrichment.faults.ClassifiedFault
class FaultSerializer(serializers.Serializer):
    """A provider's lookup that failed: one line for people, the full text apart."""

    provider = serializers.CharField()
    kind = serializers.CharField()
    host = serializers.CharField()
    http_status = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()
    detail = serializers.CharField()
    lookup = serializers.ChoiceField(
        choices=list(FaultLookup),
        allow_blank=True,
        help_text=_("Which of the book's (the author's) lookups failed; \"\" when not recorded."),
    )


class CoverRejectionSerializer(serializers.Serializer):
    provider = serializers.CharField()
    url = serializers.CharField()
    reason = serializers.CharField()
    message = serializers.CharField()


# enrichment.proposals.MatchDetails
class MatchDetailsSerializer(serializers.Serializer):
    """How the match was found, or why none was."""

    query = HeldQuerySerializer(allow_null=True, help_text=_("What was looked up (a work)."))
    held_author = HeldAuthorSerializer(
        allow_null=True, help_text=_("What was looked up (an author).")
    )
    via_title_search = serializers.BooleanField()
    candidates = CandidateSeenSerializer(many=True)
    answered = serializers.ListField(child=serializers.CharField())
    skipped = ProviderSkipSerializer(many=True)
    faults = FaultSerializer(many=True)
    reason = serializers.CharField(help_text=_("Why nothing matched."))
    contributors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Field -> the providers that contributed it."),
    )
    authors = ProposedPersonSerializer(many=True)
    learned_ids = serializers.DictField(child=serializers.CharField())
    cover_rejections = CoverRejectionSerializer(many=True)
    cover_note = serializers.CharField()


class RequestDetailSerializer(QueueRowSerializer):
    edition_id = serializers.IntegerField(allow_null=True)
    priority = serializers.IntegerField()
    max_attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField()
    fields_applied = serializers.ListField(child=serializers.CharField())
    reviewed_by = serializers.CharField(
        source="reviewed_by.get_username", allow_null=True, default=None
    )
    reviewed_at = serializers.DateTimeField(allow_null=True)
    review_note = serializers.CharField()
    headline = serializers.SerializerMethodField(
        help_text=_(
            "The review page's one sentence: what agreed and what did not; once the request "
            "is decided, what became of it (what was applied, who dismissed it, why it failed)."
        )
    )
    proposal = ProposalSerializer(source="*")
    match_details = MatchDetailsSerializer()

    def get_headline(self, instance: EnrichmentRequest) -> str:
        return request_headline(instance)

    def to_representation(self, instance: EnrichmentRequest) -> dict[str, Any]:
        data = super().to_representation(instance)
        # The cover step's notes as the review page says them: an author's image is a photo.
        details = data["match_details"]
        details["cover_note"] = cover_apply.cover_note_text(instance)
        for rejection in details["cover_rejections"]:
            rejection["message"] = cover_apply.image_step_text(instance, rejection["message"])
        return data


class BulkOperationSerializer(serializers.Serializer):
    """A BulkOperation: a selection worked in chunks by a worker."""

    id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=BulkOperation.Action.choices)
    status = serializers.ChoiceField(choices=BulkOperation.Status.choices)
    selection = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    percent = serializers.IntegerField(source="progress_percent")
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    failed = serializers.IntegerField()
    reasons = serializers.DictField(child=serializers.IntegerField())
    finished = serializers.BooleanField(source="is_finished")
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    url = LinkField(
        view_name="api:enrichment-operation", help_text=_("Where to follow its progress.")
    )


class SkippedWorkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()


class TriggerResultSerializer(serializers.Serializer):
    queued = serializers.IntegerField()
    already_active = serializers.IntegerField(
        help_text=_("Works that already had a pending or in-progress request.")
    )
    skipped = SkippedWorkSerializer(many=True, help_text=_("The other works not queued, and why."))


class TriggerAllResultSerializer(serializers.Serializer):
    selected = serializers.IntegerField(help_text=_("Works that lack what was asked for."))
    queued = serializers.IntegerField(
        allow_null=True, help_text=_("null while a worker queues them (see operation).")
    )
    already_active = serializers.IntegerField(allow_null=True)
    waiting_for_review = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "Works not queued because a proposal for them waits for review (approve or dismiss "
            "it, or re-run it to replace it)."
        ),
    )
    operation = BulkOperationSerializer(
        allow_null=True, help_text=_("Set when the selection is queued by a worker.")
    )


class AppliedChangeSerializer(serializers.Serializer):
    old = serializers.JSONField()
    new = serializers.JSONField()
    target = serializers.CharField()


class ApproveResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=EnrichmentRequest.Status.choices)
    applied = serializers.DictField(child=AppliedChangeSerializer())
    refused = serializers.DictField(child=serializers.CharField(), help_text=_("Field -> why."))
    cover_download_queued = serializers.BooleanField()


class DismissResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=EnrichmentRequest.Status.choices)
    review_note = serializers.CharField()
