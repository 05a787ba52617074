"""A column of names written surname first with a gap before the given names, as a shop's
order sheet writes them (pure); out of cells.py, past 600 lines."""

import re
from collections.abc import Iterable

# A surname and its given names a program joined with a gap of two spaces or more, as a shop's
# order sheet writes its author column: `O'Hara  Mo`, `Yang  Gene Luen`.
_SURNAME_GAP = re.compile(
    r"^(?P<surname>[^\s,;]+(?: [^\s,;]+)*) {2,}(?P<given>[^\s,;]\S*(?: \S+)*)$"
)
#: Of a column's names of two words or more, the share written so, and how many at least, for the
#: column to be read so: names people type have one space (a Goodreads export's rare
#: `Dennis  Taylor` is a middle initial left out, not a surname first).
SURNAME_GAP_SHARE = 0.2
SURNAME_GAP_MIN = 5


def writes_surname_first_with_gap(cells: Iterable[str]) -> bool:
    """Whether a column of names writes the surname first and a gap before the given names
    (`O'Hara  Mo`): a fifth or more of its names of several words, and five or more, are so
    shaped and none has another gap or a comma."""
    several = gapped = 0
    for cell in cells:
        cell = cell.strip()
        if " " not in cell:
            continue
        several += 1
        if "  " in cell:
            if _SURNAME_GAP.match(cell) is None:
                return False
            gapped += 1
        elif "," in cell:
            return False
    return gapped >= SURNAME_GAP_MIN and gapped >= several * SURNAME_GAP_SHARE


def surname_first_as_sort_name(cell: str) -> str:
    """`O'Hara  Mo` -> `O'Hara, Mo` (which `split_people` reads as Mo O'Hara, sorted by the
    surname); any other cell as it is."""
    match = _SURNAME_GAP.match(cell.strip()) if "  " in cell else None
    return f"{match['surname']}, {match['given']}" if match else cell
