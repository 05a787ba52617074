"""The one small interface every discovery source implements."""

from dataclasses import dataclass, field
from typing import ClassVar

from django.utils.functional import Promise

from enrichment.backfill.books import DiscoveredBook


@dataclass(slots=True)
class SourceAnswer:
    """A source's books for one month, the requests it sent for them (cache hits are not
    requests) and, when it could not answer, why: "" when it answered (even with no book)."""

    books: list[DiscoveredBook] = field(default_factory=list)
    calls: int = 0
    error: str = ""


class DiscoverySource:
    """Names notable books first published in a month. Subclasses set `name` (the key in
    BACKFILL_SOURCES) and `label`, and implement `discover`.

    `discover` never raises for what the outside world does (a refused request, a garbage body,
    a dump not loaded): it answers with `error` set, so that one source's trouble never stops
    the others. A source that is not set up (`is_configured` False) is left out of the run.
    """

    name: ClassVar[str] = ""
    label: ClassVar[str | Promise] = ""
    #: True for a source whose books are proposals, not catalogue records (a language model):
    #: what it says of a book is kept in the work's `discovery` only, never written as a field.
    proposes_only: ClassVar[bool] = False

    def is_configured(self) -> bool:
        return True

    def discover(self, *, year: int, month: int, limit: int) -> SourceAnswer:
        raise NotImplementedError
