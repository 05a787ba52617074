"""JSON model fields that hold typed values: the one place where a request's proposal and match
details turn from JSON into `enrichment.proposals` objects and back.

Like a FileField's descriptor, the attribute always holds the typed value: whatever is assigned
(a dict from a fixture or an old row, or the object itself) is converted on assignment, and the
database gets the JSON. Queries on the JSON (`proposal__has_key`) work as on any JSONField.
"""

from typing import Any, Protocol, Self

from django.db import models
from django.db.models.query_utils import DeferredAttribute

from enrichment.proposals import MatchDetails, Proposal


class _JSONForm(Protocol):
    """A typed value with one JSON form (enrichment.proposals' classes)."""

    def to_json(self) -> dict[str, Any]: ...

    @classmethod
    def from_json(cls, data: Any) -> Self: ...


class _TypedDescriptor(DeferredAttribute):
    field: "_TypedJSONField"

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = self.field.typed(value)


class _TypedJSONField(models.JSONField):
    descriptor_class = _TypedDescriptor
    value_class: type[_JSONForm]

    def typed(self, value):
        return self.value_class.from_json(value)

    def get_prep_value(self, value):
        if isinstance(value, self.value_class):
            value = value.to_json()
        return super().get_prep_value(value)

    def value_from_object(self, obj):
        # Serialisers (dumpdata) and model_to_dict see the JSON.
        value = super().value_from_object(obj)
        return value.to_json() if isinstance(value, self.value_class) else value


class ProposalField(_TypedJSONField):
    """An EnrichmentRequest's proposal, as an `enrichment.proposals.Proposal`."""

    value_class = Proposal


class MatchDetailsField(_TypedJSONField):
    """An EnrichmentRequest's match details, as an `enrichment.proposals.MatchDetails`."""

    value_class = MatchDetails
