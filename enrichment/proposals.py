"""What an enrichment request proposes, and how its match was found: typed.

An EnrichmentRequest stores both as JSON (`proposal`, `match_details`). These classes are the
only code that knows that JSON: the model fields (`enrichment.model_fields`) turn it into a
`Proposal` and `MatchDetails` when a request is loaded and back when it is saved, so everything
else reads attributes. The JSON keeps the shape rows were stored in from the start (a proposal
is an object of field name -> item, plus "cover"), so old rows load as they are and the admin's
JSON filters (`proposal__has_key="cover"`) keep working. Pure Python: no database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from django.utils.translation import gettext, gettext_noop

from enrichment.candidate_notes import note_code, note_text
from enrichment.candidates import CoverRef
from enrichment.faults import ClassifiedFault
from enrichment.merge import (
    ALL_FIELDS,
    FILL_ONLY_FIELDS,
    MergedRecord,
    field_compare_key,
    is_empty,
)

#: Fields a reviewer may choose beyond the proposal's metadata fields.
EXTRA_FIELDS = ("cover", "authors")
#: The order fields are shown and worked in (JSON objects from PostgreSQL come key-sorted).
FIELD_ORDER = {name: i for i, name in enumerate([*ALL_FIELDS, *EXTRA_FIELDS])}
COVER = "cover"


#: What people call each field (the review page, the audit log, the work's History).
FIELD_LABELS = {
    "title": gettext_noop("Title"),
    "subtitle": gettext_noop("Subtitle"),
    "series": gettext_noop("Series"),
    "series_number": gettext_noop("Number in series"),
    "description": gettext_noop("Description"),
    "first_published_year": gettext_noop("First published"),
    "subjects": gettext_noop("Subjects"),
    "openlibrary_work_key": gettext_noop("Open Library work"),
    "publisher": gettext_noop("Publisher"),
    "publication_date": gettext_noop("Published"),
    "page_count": gettext_noop("Pages"),
    "language": gettext_noop("Language"),
    "format": gettext_noop("Format"),
    "isbn13": gettext_noop("ISBN-13"),
    "openlibrary_edition_key": gettext_noop("Open Library edition"),
    "google_books_id": gettext_noop("Google Books id"),
    "authors": gettext_noop("Authors"),
    "cover": gettext_noop("Cover"),
    # An author's (the proposal's "cover" of an author is their photo: presenters say so).
    "short_description": gettext_noop("Description"),
    "bio": gettext_noop("Bio"),
    "bio_source": gettext_noop("Bio from"),
    "birth_year": gettext_noop("Born (year)"),
    "birth_date": gettext_noop("Born"),
    "death_year": gettext_noop("Died (year)"),
    "death_date": gettext_noop("Died"),
    "gender": gettext_noop("Gender"),
    "nationality": gettext_noop("Nationality"),
    "openlibrary_key": gettext_noop("Open Library author"),
    "wikidata_id": gettext_noop("Wikidata"),
    "goodreads_author_id": gettext_noop("Goodreads author"),
    "viaf_id": gettext_noop("VIAF"),
    "isni": gettext_noop("ISNI"),
    # What a merge of duplicate authors moves (enrichment.author_merges).
    "name": gettext_noop("Name"),
    "sort_name": gettext_noop("Sort name"),
    "photo": gettext_noop("Photo"),
    # A merge's entry lists only the credits it moved (the kept author's own stay as they were).
    "credits": gettext_noop("Credits moved here"),
    "dropped_credits": gettext_noop("Credits both held"),
    "merged_into": gettext_noop("Merged into"),
    # What resolving a synthetic work changes (enrichment.backfill.synthetic).
    "synthetic": gettext_noop("Synthetic (no ISBN yet)"),
}


# Labels that begin with a name (a source, an id scheme) keep their capitals in a sentence.
_LABELS_BEGINNING_WITH_A_NAME = frozenset(
    {"openlibrary_work_key", "isbn13", "openlibrary_edition_key", "google_books_id",
     "openlibrary_key", "wikidata_id", "goodreads_author_id", "viaf_id", "isni"}
)  # fmt: skip


def field_label(name: str) -> str:
    """A field's label in the reader's language. FIELD_LABELS holds the English, which notes
    stored with a request are written in."""
    return gettext(FIELD_LABELS[name]) if name in FIELD_LABELS else name


def field_label_in_sentence(name: str) -> str:
    """A field's label inside a sentence ("applied publisher, Open Library author, VIAF"): the
    first letter in lower case unless the label begins with a name; never "open library
    author", "viaf" or "no isbn"."""
    label = field_label(name)
    if name in _LABELS_BEGINNING_WITH_A_NAME:
        return label
    return label[:1].lower() + label[1:]


def in_field_order(values: dict[str, Any] | None) -> list[tuple[str, Any]]:
    """A field -> value mapping (changes, results) in the catalog's field order."""
    return sorted((values or {}).items(), key=lambda item: FIELD_ORDER.get(item[0], 99))


def _known(cls, data: dict) -> dict:
    """The keys of `data` that `cls` has fields for (rows stored by older code have others)."""
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in names}


@dataclass
class Scores:
    """How well the best matched record agreed with the book, each 0–5."""

    isbn: int = 0
    title: int = 0
    author: int = 0

    @classmethod
    def from_json(cls, data: Any) -> Scores:
        return cls(**_known(cls, data)) if isinstance(data, dict) else cls()


@dataclass
class ProposedField:
    """One field's proposed value beside what the catalog held when it was proposed."""

    name: str
    current: Any
    proposed: Any
    source: str  # the provider whose value was chosen
    target: str  # "work" or "edition"
    fills_empty: bool  # the catalog held nothing: safe to fill
    tier: str = ""
    agree: list[str] = field(default_factory=list)  # other providers with the same value
    score: Scores = field(default_factory=Scores)
    applied: bool = False
    refused: str = ""  # why the last attempt to apply it did not
    reverted: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["name"]  # the key it is stored under
        if not self.refused:
            del data["refused"]
        return data

    @classmethod
    def from_json(cls, name: str, data: dict) -> ProposedField:
        values = _known(cls, data)
        values["score"] = Scores.from_json(data.get("score"))
        values.setdefault("current", None)
        values.setdefault("proposed", None)
        values.setdefault("source", "")
        values.setdefault("target", ALL_FIELDS.get(name, ("work",))[0])
        values.setdefault("fills_empty", False)
        values["agree"] = list(values.get("agree") or [])
        values["refused"] = values.get("refused") or ""
        return cls(name=name, **values)


@dataclass
class ProposedCover:
    """The cover images offered, best first; the first that verifies is applied."""

    proposed: list[CoverRef]
    source: str = ""
    target: str = "work"
    fills_empty: bool = True  # the work had no cover
    tier: str = ""
    current: dict[str, str] = field(default_factory=dict)  # {name, source} of the cover it had
    applied: bool = False
    chosen: str = ""  # the URL that was applied
    reverted: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["proposed"] = [asdict(ref) for ref in self.proposed]
        return data

    @classmethod
    def from_json(cls, data: dict) -> ProposedCover:
        values = _known(cls, data)
        refs = [
            CoverRef(**{"provider": "", **_known(CoverRef, ref)})
            for ref in data.get("proposed") or []
            if isinstance(ref, dict) and ref.get("url")
        ]
        values["proposed"] = refs
        values["source"] = values.get("source") or (refs[0].provider if refs else "")
        values["current"] = dict(values.get("current") or {})
        return cls(**values)


@dataclass(frozen=True)
class Selection:
    """The parts of a proposal one apply takes."""

    fields: list[str]
    authors: bool
    cover: bool

    def __bool__(self) -> bool:
        return bool(self.fields) or self.authors or self.cover


@dataclass
class Proposal:
    """A request's proposal: metadata fields (in the catalog's field order) and a cover."""

    fields: dict[str, ProposedField] = field(default_factory=dict)
    cover: ProposedCover | None = None

    def __bool__(self) -> bool:
        return bool(self.fields) or self.cover is not None

    def __contains__(self, name: object) -> bool:
        return name in self.fields or (name == COVER and self.cover is not None)

    def ordered(self) -> list[ProposedField]:
        return sorted(self.fields.values(), key=lambda item: FIELD_ORDER.get(item.name, 99))

    def pending(self) -> set[str]:
        """The proposed fields (and "cover") not applied yet."""
        names = {name for name, item in self.fields.items() if not item.applied}
        if self.cover is not None and not self.cover.applied:
            names.add(COVER)
        return names

    def safe_fields(self) -> list[str]:
        """The pending fields that fill an empty catalog field, in field order."""
        return [item.name for item in self.ordered() if not item.applied and item.fills_empty]

    def select(
        self, names: list[str] | None, *, has_cover: bool, authors_done: bool, only_empty: bool
    ) -> Selection:
        """What applying `names` (None: the safe proposal) would apply: the pending fields, the
        authors unless already credited, the cover unless only empty fields may be filled and
        the work has one."""
        if names is None:
            chosen, authors, cover = self.safe_fields(), True, True
        else:
            wanted = set(names)
            chosen = [i.name for i in self.ordered() if i.name in wanted and not i.applied]
            authors, cover = "authors" in wanted, COVER in wanted
        cover = cover and COVER in self.pending() and not (only_empty and has_cover)
        return Selection(fields=chosen, authors=authors and not authors_done, cover=cover)

    def unknown(self, names: list[str]) -> list[str]:
        """Of the names a reviewer chose, those this proposal does not offer."""
        return [name for name in names if name not in self.fields and name not in EXTRA_FIELDS]

    def values(self, names: list[str]) -> dict[str, Any]:
        return {name: self.fields[name].proposed for name in names if name in self.fields}

    def mark_applied(self, names) -> None:
        for name in names:
            if name in self.fields:
                self.fields[name].applied = True
                self.fields[name].refused = ""

    def mark_refused(self, reasons: dict[str, str]) -> None:
        for name, reason in reasons.items():
            if name in self.fields:
                self.fields[name].refused = reason

    def mark_cover_applied(self, url: str) -> None:
        if self.cover is not None:
            self.cover.applied, self.cover.chosen, self.cover.reverted = True, url, False

    def mark_reverted(self, names) -> None:
        for name in names:
            item = self.cover if name == COVER else self.fields.get(name)
            if item is not None:
                item.applied, item.reverted = False, True

    def sources(self, names) -> list[str]:
        return [self.fields[name].source for name in names if name in self.fields]

    @property
    def scores(self) -> Scores | None:
        """The scores of the match behind the proposal (every field carries the same)."""
        return next((item.score for item in self.fields.values()), None)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {item.name: item.to_json() for item in self.ordered()}
        if self.cover is not None:
            data[COVER] = self.cover.to_json()
        return data

    @classmethod
    def from_json(cls, data: Any) -> Proposal:
        if isinstance(data, Proposal):
            return data
        if not isinstance(data, dict):
            return cls()
        cover = data.get(COVER)
        return cls(
            fields={
                name: ProposedField.from_json(name, item)
                for name, item in data.items()
                if name != COVER and isinstance(item, dict)
            },
            cover=ProposedCover.from_json(cover) if isinstance(cover, dict) else None,
        )


def build_proposal(
    *, current: dict[str, Any], merged: MergedRecord, tier: str, scores: Scores
) -> Proposal:
    """A proposed field for every field where the merged value differs from what the catalog
    holds (`current`), marked when it only fills an empty one; a series' number only where the
    catalog holds no series or that one (a number of another series would go with the book's)."""
    proposal = Proposal()
    for name, merged_value in merged.fields.items():
        now = current.get(name)
        if field_compare_key(name, now) == field_compare_key(name, merged_value.value):
            continue
        if name in FILL_ONLY_FIELDS and not is_empty(now):
            continue
        if name == "series_number" and not _in_held_series(current, merged):
            continue
        proposal.fields[name] = ProposedField(
            name=name,
            current=now,
            proposed=merged_value.value,
            source=merged_value.source,
            target=ALL_FIELDS[name][0],
            fills_empty=is_empty(now),
            tier=tier,
            agree=list(merged_value.agree),
            score=scores,
        )
    return proposal


def _in_held_series(current: dict[str, Any], merged: MergedRecord) -> bool:
    held, series = current.get("series"), merged.fields.get("series")
    return is_empty(held) or (
        series is not None
        and field_compare_key("series", held) == field_compare_key("series", series.value)
    )


# --- Match details ------------------------------------------------------------------------------


@dataclass
class HeldQuery:
    """What the catalog held for the book when it was looked up."""

    title: str = ""
    authors: list[str] = field(default_factory=list)
    isbn13: str = ""
    openlibrary_edition_key: str = ""
    openlibrary_work_key: str = ""
    title_is_placeholder: bool = False


@dataclass
class HeldAuthor:
    """What the catalog held for an author when they were looked up (an author's request)."""

    name: str = ""
    ids: dict[str, str] = field(default_factory=dict)  # author_candidates.AUTHOR_ID_KINDS keys
    work_titles: list[str] = field(default_factory=list)  # the first few of their works
    isbn13: list[str] = field(default_factory=list)  # the first few of those works' ISBNs
    birth_year: int | None = None
    death_year: int | None = None


@dataclass
class CandidateSeen:
    """One provider record the engine scored, as the review page lists it."""

    provider: str
    title: str = ""
    ids: dict[str, str] = field(default_factory=dict)
    isbn13: list[str] = field(default_factory=list)  # the first few the record lists
    queried_isbn: str = ""  # the ISBN-13 whose lookup answered it (a record may list none)
    # The source record (cached answer) it was read from: an ISBN's, or a title search's.
    lookup_key: str = ""
    source_url: str = ""
    notes: list[str] = field(default_factory=list)  # in English; said from note_codes
    isbn_score: int = 0
    title_score: int = 0
    author_score: int = 0
    tier: str = ""
    reasons: list[str] = field(default_factory=list)
    # Whether the record names an author at all (None: recorded before this was kept): without
    # one, the author scores 0 having nothing to compare, not for a name that differs.
    names_authors: bool | None = None
    # Each note's message and values (candidate_notes.note_code), to be said in the reader's
    # language; none in rows stored before the codes, whose notes read as written.
    note_codes: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.note_codes:
            codes = [note_code(text) for text in self.notes]
            self.note_codes = codes if any(codes) else []

    def notes_said(self) -> list[str]:
        """The notes in the active language."""
        codes = self.note_codes if len(self.note_codes) == len(self.notes) else []
        return [note_text(text, codes[i] if codes else None) for i, text in enumerate(self.notes)]


@dataclass
class ProposedAuthor:
    name: str
    role: str = "author"
    source: str = ""


@dataclass
class CoverRejection:
    """A cover candidate that did not verify, and why."""

    provider: str
    url: str
    reason: str
    message: str = ""


@dataclass
class ProviderSkip:
    """A provider that was not asked for the book, and why (a LookupStatus value: breaker
    open, quota spent, rate limit, no key... or "no_title_search")."""

    provider: str
    status: str = ""

    @classmethod
    def from_json(cls, data: Any) -> ProviderSkip | None:
        if isinstance(data, ProviderSkip):
            return data
        if isinstance(data, dict):
            return cls(**_known(cls, data)) if data.get("provider") else None
        provider, _sep, status = str(data or "").partition(": ")  # older rows: "name: status"
        return cls(provider=provider, status=status.strip()) if provider else None


@dataclass
class MatchDetails:
    """How a request's match was found (or not): the query, the records seen, the faults."""

    query: HeldQuery | None = None
    held_author: HeldAuthor | None = None  # an author's request: what was looked up
    learned_ids: dict[str, str] = field(default_factory=dict)  # an author's ids a match taught
    learned_from_openlibrary: dict[str, Any] = field(default_factory=dict)
    via_title_search: bool = False
    candidates: list[CandidateSeen] = field(default_factory=list)
    skipped: list[ProviderSkip] = field(default_factory=list)  # not asked
    faults: list[ClassifiedFault] = field(default_factory=list)  # asked, and it failed
    answered: list[str] = field(default_factory=list)  # providers that answered (found or not)
    reason: str = ""  # why nothing matched
    contributors: dict[str, list[str]] = field(default_factory=dict)  # field -> providers
    authors: list[ProposedAuthor] = field(default_factory=list)
    cover_rejections: list[CoverRejection] = field(default_factory=list)
    cover_note: str = ""  # in English; said in the reader's language from its code (cover_notes)
    cover_note_code: str = ""
    cover_note_values: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["faults"] = [fault.to_json() for fault in self.faults]
        return {key: value for key, value in data.items() if value not in (None, "", [], {})}

    @classmethod
    def from_json(cls, data: Any) -> MatchDetails:
        if isinstance(data, MatchDetails):
            return data
        if not isinstance(data, dict):
            return cls()
        values = _known(cls, data)
        query = data.get("query")
        values["query"] = HeldQuery(**_known(HeldQuery, query)) if isinstance(query, dict) else None
        held = data.get("held_author")
        values["held_author"] = (
            HeldAuthor(**_known(HeldAuthor, held)) if isinstance(held, dict) else None
        )
        values["candidates"] = [
            CandidateSeen(**_known(CandidateSeen, c))
            for c in data.get("candidates") or []
            if isinstance(c, dict) and c.get("provider")
        ]
        values["authors"] = [
            ProposedAuthor(**_known(ProposedAuthor, a))
            for a in data.get("authors") or []
            if isinstance(a, dict) and a.get("name")
        ]
        values["cover_rejections"] = [
            CoverRejection(**_known(CoverRejection, r))
            for r in data.get("cover_rejections") or []
            if isinstance(r, dict) and r.get("url") is not None and r.get("provider") is not None
        ]
        skips = [ProviderSkip.from_json(s) for s in data.get("skipped") or []]
        values["skipped"] = [skip for skip in skips if skip is not None]
        values["faults"] = [ClassifiedFault.from_json(f) for f in data.get("faults") or [] if f]
        values["answered"] = [str(name) for name in data.get("answered") or []]
        return cls(**values)
