"""The review page's headline: one sentence saying what agreed and what did not, built from the
match's scores and tier with the thresholds the tiers themselves use (enrichment.matching), or
what happened when nothing matched. Pure functions, no database.
"""

from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext, ngettext

from enrichment.author_matching import ID_AGREES, NAME_AGREES, NAME_CLOSE
from enrichment.matching import AUTHOR_AGREES, ISBN_AGREES, TITLE_AGREES, Tier


def match_headline(*, tier: str, isbn: int, title: int, author: int, by_key: bool = False) -> str:
    """What agreed and what did not, with the tier's advice, e.g. "The ISBN and the author agree;
    the title (2/5) does not: check it is the same book."

    `isbn` is the identifier's score (our ISBN, or our Open Library key when `by_key`: the book
    was identified by its key, having no ISBN)."""
    identifier = gettext("the Open Library key") if by_key else gettext("the ISBN")
    parts = (
        (identifier, isbn, ISBN_AGREES),
        (gettext("the title"), title, TITLE_AGREES),
        (gettext("the author"), author, AUTHOR_AGREES),
    )
    agreed = [name for name, score, threshold in parts if score >= threshold]
    differs = [
        gettext("%(part)s (%(score)s/5)") % {"part": name, "score": score}
        for name, score, threshold in parts[1:]
        if score < threshold
    ]
    unconfirmed = isbn < ISBN_AGREES
    if not differs and not unconfirmed:
        if tier == Tier.HIGH:
            return gettext("%(parts)s agree: the same book.") % {"parts": _parts(agreed)}
        return gettext(
            "%(parts)s agree, but the record was kept for review (see why below): %(advice)s."
        ) % {"parts": _parts(agreed), "advice": _advice(tier)}

    clauses = []
    if differs:
        verb = (
            ngettext("%(parts)s does not", "%(parts)s do not", len(differs))
            if agreed
            else ngettext("%(parts)s does not agree", "%(parts)s do not agree", len(differs))
        )
        clauses.append(verb % {"parts": get_text_list(differs, gettext("and"))})
    if unconfirmed:
        clauses.append(
            gettext("no Open Library key confirms it") if by_key else gettext("no ISBN confirms it")
        )
    disagreement = gettext(", and ").join(clauses)
    if not agreed:
        return gettext("%(disagreement)s: %(advice)s.") % {
            "disagreement": capfirst(disagreement),
            "advice": _advice(tier),
        }
    return ngettext(
        "%(parts)s agrees; %(disagreement)s: %(advice)s.",
        "%(parts)s agree; %(disagreement)s: %(advice)s.",
        len(agreed),
    ) % {"parts": _parts(agreed), "disagreement": disagreement, "advice": _advice(tier)}


def no_match_headline(
    *,
    looked_up: bool,
    answered: bool,
    unavailable: bool,
    failed: bool,
    records_seen: int,
    via_title_search: bool,
) -> str:
    """What happened when no record matched: not looked up yet, not looked up (providers
    unavailable or failing), or nothing found (and whether records were seen at all)."""
    if failed:
        if answered:
            return gettext("Nothing found yet: some providers failed to answer (see below).")
        return gettext("Not looked up: the providers failed to answer (see below).")
    if not answered:
        if unavailable:
            return gettext("Not looked up: the providers were unavailable.")
        if not looked_up:
            return gettext("Not looked up yet.")
        return gettext("Not looked up: no provider was asked.")
    if records_seen:
        return ngettext(
            "Nothing was found: the record the providers gave is not this book.",
            "Nothing was found: none of the %(count)s records the providers gave is this book.",
            records_seen,
        ) % {"count": records_seen}
    if unavailable:
        return gettext(
            "Nothing was found: the providers that answered do not know this book; the others "
            "were unavailable."
        )
    if via_title_search:
        # Said of every book, with identifiers or none: a search by title and author was tried.
        return gettext(
            "Nothing was found: no provider knows this book, not even by a title and author search."
        )
    return gettext("Nothing was found: no provider knows this book.")


def author_match_headline(*, tier: str, identifier: int, works: int, name: int) -> str:
    """An author's match in one sentence, with the thresholds author_matching's tiers use, e.g.
    "The name agrees, but no work of theirs is on the record: check it is the same person."."""
    agreed, differs = [], []
    if identifier >= ID_AGREES:
        agreed.append(gettext("an id of ours is on the record"))
    if works >= TITLE_AGREES:
        agreed.append(gettext("a work of theirs is on the record"))
    elif identifier < ID_AGREES:  # with an id, the works only confirm
        differs.append(gettext("no work of theirs is on the record"))
    if name >= NAME_AGREES:
        agreed.append(gettext("the name agrees"))
    elif name >= NAME_CLOSE:
        differs.append(gettext("the name is only close (%(score)s/5)") % {"score": name})
    else:
        differs.append(gettext("the name differs (%(score)s/5)") % {"score": name})
    if tier == Tier.HIGH:
        advice = gettext("the same person")
    elif identifier < ID_AGREES and works < TITLE_AGREES:
        advice = gettext("check it is the same person (a name alone is never enough)")
    else:
        advice = gettext("check it is the same person")
    said = _parts(agreed) if agreed else ""
    if differs:
        against = get_text_list(differs, gettext("and"))
        said = (
            gettext("%(agreed)s, but %(against)s") % {"agreed": said, "against": against}
            if said
            else capfirst(against)
        )
    return gettext("%(said)s: %(advice)s.") % {"said": said, "advice": advice}


def author_no_match_headline(
    *, looked_up: bool, answered: bool, failed: bool, records_seen: int
) -> str:
    """What happened when no record is the author."""
    if failed:
        return gettext("Not looked up: the sources failed to answer (see below).")
    if not answered:
        if not looked_up:
            return gettext("Not looked up yet.")
        return gettext("Not looked up: no source could be asked (see below).")
    if records_seen:
        return ngettext(
            "Nothing was found: the record the sources gave is not this author.",
            "Nothing was found: none of the %(count)s records the sources gave is this author.",
            records_seen,
        ) % {"count": records_seen}
    return gettext("Nothing was found: no source knows this author.")


def _parts(names: list[str]) -> str:
    return capfirst(get_text_list(names, gettext("and")))


def _advice(tier: str) -> str:
    if tier == Tier.HIGH:
        return gettext("the identifier decides")
    if tier == Tier.MEDIUM:
        return gettext("check the edition")
    return gettext("check it is the same book")
