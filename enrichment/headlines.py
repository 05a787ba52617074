"""The review page's headline: one sentence saying what agreed and what did not, built from the
match's scores and tier with the thresholds the tiers themselves use (enrichment.matching), or
what happened when nothing matched. Pure functions, no database.
"""

from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext, ngettext

from enrichment.author_matching import ID_AGREES, NAME_AGREES, NAME_CLOSE
from enrichment.matching import AUTHOR_AGREES, ISBN_AGREES, TITLE_AGREES, Tier


def match_headline(
    *,
    tier: str,
    isbn: int,
    title: int,
    author: int,
    by_key: bool = False,
    author_compared: bool = True,
) -> str:
    """What agreed and what did not, with the tier's advice, e.g. "The ISBN and the author agree;
    the title (2/5) does not: check it is the same book."

    `isbn` is the identifier's score (our ISBN, or our Open Library key when `by_key`: the book
    was identified by its key, having no ISBN). `author_compared` False: one side names no
    author, so its 0 says nothing of ours (no "the author (0/5) does not")."""
    identifier = gettext("the Open Library key") if by_key else gettext("the ISBN")
    parts = [
        (identifier, isbn, ISBN_AGREES),
        (gettext("the title"), title, TITLE_AGREES),
    ]
    if author_compared:
        parts.append((gettext("the author"), author, AUTHOR_AGREES))
    agreed = [name for name, score, threshold in parts if score >= threshold]
    differs = [
        gettext("%(part)s (%(score)s/5)") % {"part": name, "score": score}
        for name, score, threshold in parts[1:]
        if score < threshold
    ]
    unconfirmed = isbn < ISBN_AGREES
    if not author_compared:
        return _without_author(tier, agreed, differs, unconfirmed, by_key)
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
    final: bool,
) -> str:
    """What happened when no record matched: not looked up (yet), or nothing found (yet), and
    why. `final`: the request will not be tried again by itself (decided, failed for good,
    dismissed); otherwise another try follows, and only then does "yet" hold."""
    if not answered:
        return _not_looked_up(
            looked_up=looked_up, unavailable=unavailable, failed=failed, final=final
        )
    if records_seen:
        found = ngettext(
            "the record the providers gave is not this book",
            "none of the %(count)s records the providers gave is this book",
            records_seen,
        ) % {"count": records_seen}
    elif failed or unavailable:
        found = gettext("the providers that answered do not know this book")
    elif via_title_search:
        # Said of every book, with identifiers or none: a search by title and author was tried.
        found = gettext("no provider knows this book, not even by a title and author search")
    else:
        found = gettext("no provider knows this book")
    others = _the_others(unavailable=unavailable, failed=failed, final=final)
    if others:
        found = gettext("%(found)s; %(others)s") % {"found": found, "others": others}
    if final:
        return gettext("Nothing was found: %(found)s.") % {"found": found}
    return gettext("Nothing found yet: %(found)s.") % {"found": found}


def _not_looked_up(*, looked_up: bool, unavailable: bool, failed: bool, final: bool) -> str:
    """No provider answered: none could be asked, or those asked failed."""
    if failed and final:
        return gettext("Not looked up: the providers failed to answer (see below).")
    if failed:
        return gettext(
            "Not looked up yet: the providers failed to answer (see below); they will be "
            "asked again."
        )
    if unavailable and final:
        return gettext("Not looked up: the providers were unavailable.")
    if unavailable:
        return gettext(
            "Not looked up yet: the providers are unavailable for now; they will be asked again."
        )
    if not looked_up and not final:
        return gettext("Not looked up yet.")
    return gettext("Not looked up: no provider was asked.")


def _the_others(*, unavailable: bool, failed: bool, final: bool) -> str:
    """The providers that did not answer, beside those that did ("" when all answered)."""
    if failed and unavailable:
        if final:
            return gettext("the others were unavailable or failed to answer (see below)")
        return gettext(
            "the others are unavailable or failed to answer (see below): they will be asked again"
        )
    if failed:
        if final:
            return gettext("the others failed to answer (see below)")
        return gettext("the others failed to answer (see below): they will be asked again")
    if unavailable:
        if final:
            return gettext("the others were unavailable")
        return gettext("the others are unavailable for now: they will be asked again")
    return ""


def _without_author(
    tier: str, agreed: list[str], differs: list[str], unconfirmed: bool, by_key: bool
) -> str:
    """A match whose author could not be compared: what agreed, what did not, and that no
    author could be compared ("The ISBN and the title agree; no author could be compared: the
    identifier decides.")."""
    clauses = []
    if differs:
        clauses.append(
            ngettext("%(parts)s does not agree", "%(parts)s do not agree", len(differs))
            % {"parts": get_text_list(differs, gettext("and"))}
        )
    if unconfirmed:
        clauses.append(
            gettext("no Open Library key confirms it") if by_key else gettext("no ISBN confirms it")
        )
    clauses.append(gettext("no author could be compared"))
    against = gettext(", and ").join(clauses)
    if not agreed:
        return gettext("%(against)s: %(advice)s.") % {
            "against": capfirst(against),
            "advice": _advice(tier),
        }
    return ngettext(
        "%(parts)s agrees; %(against)s: %(advice)s.",
        "%(parts)s agree; %(against)s: %(advice)s.",
        len(agreed),
    ) % {"parts": _parts(agreed), "against": against, "advice": _advice(tier)}


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
    *, looked_up: bool, answered: bool, failed: bool, records_seen: int, final: bool
) -> str:
    """What happened when no record is the author (`final` as for a book)."""
    if not answered:
        if failed and final:
            return gettext("Not looked up: the sources failed to answer (see below).")
        if failed:
            return gettext(
                "Not looked up yet: the sources failed to answer (see below); they will be "
                "asked again."
            )
        if not looked_up and not final:
            return gettext("Not looked up yet.")
        return gettext("Not looked up: no source could be asked (see below).")
    if records_seen:
        found = ngettext(
            "the record the sources gave is not this author",
            "none of the %(count)s records the sources gave is this author",
            records_seen,
        ) % {"count": records_seen}
    elif failed:
        found = gettext("the sources that answered do not know this author")
    else:
        found = gettext("no source knows this author")
    if failed:
        others = (
            gettext("the others failed to answer (see below)")
            if final
            else gettext("the others failed to answer (see below): they will be asked again")
        )
        found = gettext("%(found)s; %(others)s") % {"found": found, "others": others}
    if final:
        return gettext("Nothing was found: %(found)s.") % {"found": found}
    return gettext("Nothing found yet: %(found)s.") % {"found": found}


def _parts(names: list[str]) -> str:
    return capfirst(get_text_list(names, gettext("and")))


def _advice(tier: str) -> str:
    if tier == Tier.HIGH:
        return gettext("the identifier decides")
    if tier == Tier.MEDIUM:
        return gettext("check the edition")
    return gettext("check it is the same book")
