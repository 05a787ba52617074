"""What the enrichment endpoints read from a request body or query string. Input is strict: a
JSON body's ids are integers and its flags booleans, never strings that look like them. The
shapes of their answers are in serializers.py."""

from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from bookstore.api import QueryParametersSerializer, StrictInputSerializer
from bookstore.api_ids import MAX_ID
from catalog.models import Work
from enrichment import review
from enrichment.models import EnrichmentRequest
from enrichment.providers.registry import PROVIDER_CLASSES

#: The most field names one approval may choose (a proposal holds about twenty).
MAX_APPROVE_FIELDS = 100


# A field named like an attribute of DRF's own classes (`fields`, `source`, `label`) needs a
# "type: ignore": DRF's metaclass moves declared fields off the class, the type checker does not
# know it. The names are the JSON's, a contract.


# --- Strict input fields ------------------------------------------------------------------------


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer: "5", 5.0 and true are refused (DRF's IntegerField takes them)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A JSON boolean: "false", 0 and "no" are refused (DRF's BooleanField takes them)."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictCharField(serializers.CharField):
    """A JSON string: numbers are refused (DRF's CharField turns them into text)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def most_work_ids() -> int:
    """The most work ids one call may name (API_MAX_WORK_IDS), read when asked."""
    return settings.API_MAX_WORK_IDS


class WorkIdsField(serializers.ListField):
    """A JSON array of work ids: at least one, at most API_MAX_WORK_IDS (counted before each is
    read, so 10,000 ids cost nothing), each a positive integer; each kept once, in order."""

    child = StrictIntegerField(min_value=1, max_value=MAX_ID)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # The bounds as validators, for the schema (minItems, maxItems, the setting read as the
        # schema is made): to_internal_value has checked them already, before reading any id.
        self.validators += [MinLengthValidator(1), MaxLengthValidator(most_work_ids)]

    def to_internal_value(self, data):
        if isinstance(data, list):
            if not data:
                raise serializers.ValidationError(gettext("Give at least one id."))
            if len(data) > most_work_ids():
                raise serializers.ValidationError(
                    gettext("At most %(max)s ids at once, not %(n)s.")
                    % {"max": most_work_ids(), "n": len(data)}
                )
        return list(dict.fromkeys(super().to_internal_value(data)))


# --- Bodies and query strings -------------------------------------------------------------------


class QueueQuerySerializer(QueryParametersSerializer):
    """The queue's filters: each a key the queue knows (an unknown one is a 400, not an empty
    page)."""

    status = serializers.ChoiceField(choices=EnrichmentRequest.Status.choices, required=False)
    confidence = serializers.ChoiceField(
        choices=EnrichmentRequest.Confidence.choices, required=False
    )
    provider = serializers.ChoiceField(
        choices=list(PROVIDER_CLASSES),
        required=False,
        help_text=_("Requests that asked this provider."),
    )


class StatusQuerySerializer(QueryParametersSerializer):
    """The status's query string: its ids are read by bookstore.api.id_list."""

    work_ids = serializers.CharField(required=False)


class TriggerSerializer(StrictInputSerializer):
    work_ids = WorkIdsField(help_text=_("The works to enrich (each an existing work's id)."))

    def validate_work_ids(self, work_ids: list[int]) -> list[int]:
        """Every id must be a work's: an unknown one is named and nothing is queued."""
        known = set(Work.objects.filter(pk__in=work_ids).values_list("pk", flat=True))
        unknown = [work_id for work_id in work_ids if work_id not in known]
        if unknown:
            raise serializers.ValidationError(
                gettext("No work has these ids: %(ids)s.")
                % {"ids": ", ".join(str(work_id) for work_id in unknown)}
            )
        return work_ids


class TriggerAllSerializer(StrictInputSerializer):
    covers = StrictBooleanField(default=True, help_text=_("Works that lack a cover."))
    metadata = StrictBooleanField(default=True, help_text=_("Works that lack key metadata."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not (attrs["covers"] or attrs["metadata"]):
            raise serializers.ValidationError(
                gettext("Ask for covers, metadata or both: both are false.")
            )
        return attrs


class ApproveSerializer(StrictInputSerializer):
    fields = serializers.ListField(  # type: ignore[assignment]
        child=StrictCharField(max_length=64),
        required=False,
        allow_empty=False,
        min_length=1,  # as allow_empty, for the schema (minItems)
        max_length=MAX_APPROVE_FIELDS,
        help_text=_(
            'The fields to apply, replacing values the catalog holds ("cover" and "authors" '
            "too). Omitted: the safe proposal (empty fields only, and the cover of a work "
            "without one), which a low-confidence request refuses. Null is refused (400), as "
            "a client's unset list, not a choice."
        ),
        # A null is most often a client's list left unset: read as "the safe proposal", it
        # applied what nobody chose.
        error_messages={
            "null": _(
                "Send a list of the field names to apply, or leave `fields` out to approve the "
                "safe proposal (empty fields only, and the cover of a work without one)."
            )
        },
    )

    def validate_fields(self, names: list[str]) -> list[str]:
        """Only the fields the request proposes (the review page's rule: Proposal.unknown). A
        request that offers none to choose (still looked up, failed, dismissed…) is left to the
        approval's 409 saying why: its names are not what is wrong."""
        enrichment_request = self.context["enrichment_request"]
        if not review.request_offers_fields(enrichment_request):
            return names
        unknown = enrichment_request.proposal.unknown(names)
        if unknown:
            raise serializers.ValidationError(
                gettext("Not proposed for this request: %(names)s.")
                % {"names": ", ".join(name[:64] for name in unknown)}
            )
        return names


class DismissSerializer(StrictInputSerializer):
    reason = StrictCharField(
        required=False, allow_blank=True, default="", max_length=2000, trim_whitespace=True
    )
