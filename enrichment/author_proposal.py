"""Merging several sources' records of one author into one record: pure functions, no database.

The author sources (the local Open Library dump, Open Library's author API, Wikidata) each
describe the person in an `AuthorCandidate`; once matched (enrichment.author_matching), their
values are merged field by field into a `MergedRecord` named as the catalog's author fields
(merge.AUTHOR_FIELDS), which `proposals.build_proposal` turns into a proposal as it does a
book's. Precedence:

| field                        | rule                                                            |
|------------------------------|-----------------------------------------------------------------|
| bio, bio_source              | the longest bio (plain text), with the page it was taken from   |
| short_description            | the first in provider order (Wikidata's: the only one with it)  |
| birth_year, death_year       | only when every source giving one agrees within a year; then    |
|                              | the first in provider order                                     |
| birth_date, death_date       | the first source's date (as it writes it) of the year proposed; |
|                              | an exact year over a guess ("1850" over "c. 1850"); a guessed   |
|                              | year only with its date, which says so                          |
| gender                       | the first in provider order (Wikidata's)                        |
| nationality                  | the first source's citizenships (Wikidata's), joined ", "       |
| openlibrary_key, wikidata_id | each from its own source: Open Library's records, Wikidata's    |
| goodreads / VIAF / ISNI ids  | the first source in provider order that names one               |
| photo                        | every source's: a stated licence first, then provider order,    |
|                              | larger first                                                    |

Only records matched at medium confidence or better are merged: a name alone may be any of
several namesakes. When no record reaches medium, the best one alone is the proposal (for a
reviewer to judge; nothing below medium is applied automatically): one person's values, never
a blend of namesakes'. A birth year after the death year, or a value wider than its catalog
column (a cut date or id would be wrong), is not proposed.

Provider order is `ENRICHMENT_PROVIDERS` (local dump, Open Library, …, Wikidata). Every chosen
value records its source and the other sources that gave the same value.
"""

from collections.abc import Callable, Sequence
from typing import Any

from catalog.models import Author
from catalog.person_names import YEAR_TOLERANCE
from enrichment.author_candidates import AUTHOR_ID_FIELDS, AuthorCandidate, PhotoRef
from enrichment.author_matching import AuthorMatchScore
from enrichment.candidates import CoverRef
from enrichment.matching import TIER_ORDER, Tier
from enrichment.merge import MergedRecord, MergedValue, clean_description, compare_key

Scored = tuple[AuthorCandidate, AuthorMatchScore]

#: The ids a source of ours is the authority for: only its own records propose them.
OWN_ID_SOURCES = {
    "openlibrary_author": ("openlibrary_dump", "openlibrary"),
    "wikidata": ("wikidata",),
}
#: Larger photos first within a source (Open Library's "L" before its "M"; an original is "").
_PHOTO_SIZE_RANK = {"L": 0, "": 1, "M": 2, "S": 3}


def candidates_to_merge(scored: Sequence[Scored]) -> list[Scored]:
    """The matched records whose values may be merged: every one at medium or better; else the
    single best (a reviewer's to judge), if any matched at all."""
    confident = [
        (c, s) for c, s in scored if TIER_ORDER[s.tier] >= TIER_ORDER[Tier.MEDIUM] and c.name
    ]
    if confident:
        return confident
    weak = [(c, s) for c, s in scored if s.tier == Tier.LOW and c.name]
    best = max(weak, key=lambda item: score_strength(item[1]), default=None)
    return [best] if best else []


def best_score(scored: Sequence[Scored]) -> AuthorMatchScore | None:
    """The strongest of these scores: its tier, then id, works and name."""
    return max((s for _, s in scored), key=score_strength, default=None)


def score_strength(score: AuthorMatchScore) -> tuple[int, int, int, int]:
    """How strong a match is, to order records: its tier, then id, works and name."""
    return (TIER_ORDER[score.tier], score.identifier, score.works, score.name)


def merge_author_candidates(
    scored: Sequence[Scored], *, provider_order: Sequence[str] = ()
) -> MergedRecord:
    """One record of the person from the matched sources' records (see the module's table)."""
    rank = {name: i for i, name in enumerate(provider_order)}
    chosen = [c for c, _ in candidates_to_merge(scored)]
    ordered = sorted(chosen, key=lambda c: rank.get(c.provider, len(rank)))
    record = MergedRecord(providers=list(dict.fromkeys(c.provider for c in ordered)))

    def put(name: str, merged: MergedValue | None) -> None:
        if merged is not None and _fits(name, merged.value):
            record.fields[name] = merged

    bios = [(clean_description(c.bio), c) for c in ordered if c.bio.strip()]
    if bios:
        longest, holder = max(bios, key=lambda item: len(item[0]))  # the first of the longest
        put("bio", _pick([(t, c.provider) for t, c in bios], lambda _: (longest, holder.provider)))
        if "bio" in record.fields and holder.bio_source:
            put("bio_source", MergedValue(value=holder.bio_source, source=holder.provider))
    put("short_description", _pick(_values(ordered, lambda c: c.description.strip())))
    put("gender", _pick(_values(ordered, lambda c: c.gender.strip())))
    put("nationality", _pick(_values(ordered, lambda c: ", ".join(c.citizenship))))
    born, died = _life_year(ordered, "birth"), _life_year(ordered, "death")
    if born and died and died[0].value < born[0].value:
        born = died = None  # the sources contradict each other: a reviewer's to sort out
    for which, merged in (("birth", born), ("death", died)):
        if merged is not None:
            year, date, approximate = merged
            put(f"{which}_date", date)
            if approximate and f"{which}_date" not in record.fields:
                continue  # a guessed year is never proposed without the date that says so
            put(f"{which}_year", year)
    for kind, field_name in AUTHOR_ID_FIELDS.items():
        own = OWN_ID_SOURCES.get(kind)
        sources = [c for c in ordered if own is None or c.provider in own]
        ids = [(value, c.provider) for c in sources if (value := c.provider_ids.get(kind, ""))]
        put(field_name, _pick(ids))
    record.covers = photo_cover_refs(ordered, provider_order=provider_order)
    return record


def photo_cover_refs(
    candidates: Sequence[AuthorCandidate], *, provider_order: Sequence[str] = ()
) -> list[CoverRef]:
    """The candidates' photos as the cover pipeline's CoverRefs, best first: those whose licence
    the source states, then in provider order, larger first; each URL once."""
    rank = {name: i for i, name in enumerate(provider_order)}
    photos = [photo for candidate in candidates for photo in candidate.photos]
    photos.sort(
        key=lambda p: (
            not p.licence,
            rank.get(p.provider, len(rank)),
            _PHOTO_SIZE_RANK.get(p.size_label, len(_PHOTO_SIZE_RANK)),
        )
    )
    first_of_each_url: dict[str, PhotoRef] = {}
    for photo in photos:
        first_of_each_url.setdefault(photo.url, photo)
    return [cover_ref(photo) for photo in first_of_each_url.values()]


def cover_ref(photo: PhotoRef) -> CoverRef:
    """A portrait as the cover pipeline takes it, with the licence recorded beside it."""
    return CoverRef(
        provider=photo.provider,
        url=photo.url,
        cover_id=photo.photo_id,
        size_label=photo.size_label,
        licence=photo.licence,
        licence_url=photo.licence_url,
        artist=photo.artist,
        width=photo.width,
        height=photo.height,
    )


# --- helpers ---------------------------------------------------------------------------------


def _values(
    candidates: Sequence[AuthorCandidate], get: Callable[[AuthorCandidate], Any]
) -> list[tuple[Any, str]]:
    return [
        (value, candidate.provider)
        for candidate in candidates
        if (value := get(candidate)) not in ("", None)
    ]


def _pick(values: list[tuple[Any, str]], choose: Callable | None = None) -> MergedValue | None:
    """The chosen value (the first, unless `choose` says), with the other sources that gave
    the same one (merge.compare_key: case and punctuation aside)."""
    if not values:
        return None
    value, source = choose(values) if choose else values[0]
    agree = sorted({p for v, p in values if p != source and compare_key(v) == compare_key(value)})
    return MergedValue(value=value, source=source, agree=agree)


def _life_year(
    candidates: Sequence[AuthorCandidate], which: str
) -> tuple[MergedValue, MergedValue | None, bool] | None:
    """(year, date as written, whether the year is a guess) when every source giving a `which`
    ("birth", "death") year agrees within YEAR_TOLERANCE; None otherwise. A source's exact year
    is taken over another's guess ("1850" over "c. 1850")."""
    given = [c for c in candidates if getattr(c, f"{which}_year") is not None]
    years = [getattr(c, f"{which}_year") for c in given]
    if not years or max(years) - min(years) > YEAR_TOLERANCE:
        return None
    chosen = next((c for c in given if not _approximate(c, which)), given[0])
    year, approximate = getattr(chosen, f"{which}_year"), _approximate(chosen, which)
    agree = sorted(
        {
            c.provider
            for c, y in zip(given, years, strict=True)
            if c.provider != chosen.provider and y == year
        }
    )
    merged_year = MergedValue(value=year, source=chosen.provider, agree=agree)
    dated = [
        (getattr(c, f"{which}_date").strip(), c.provider)
        for c in sorted(given, key=lambda c: c is not chosen)  # the chosen year's own date first
        if getattr(c, f"{which}_year") == year
        and _approximate(c, which) == approximate
        and getattr(c, f"{which}_date").strip()
    ]
    return merged_year, _pick(dated), approximate


def _approximate(candidate: AuthorCandidate, which: str) -> bool:
    return bool(getattr(candidate, f"{which}_year_approximate"))


def _fits(name: str, value: Any) -> bool:
    """Whether the value fits its catalog column (a cut date or id would be another one)."""
    if not isinstance(value, str):
        return True
    width = getattr(Author._meta.get_field(name), "max_length", None)
    return width is None or len(value) <= width
