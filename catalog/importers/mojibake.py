"""Text a program garbled by reading UTF-8 in a Windows code page and saving what it read as
UTF-8 again (`FranÃ§ois` for François, `ZaĹĽĂłĹ‚Ä‡` for Zażółć), read back only where that is
certain (pure)."""

import re

# The code pages such a program reads in: Western European first, then Central European (Polish,
# Czech). Each maps every character it has to one byte, so encoding a cell back is exact.
_CODE_PAGES = ("cp1252", "cp1250")
# The first of a UTF-8 sequence's two bytes as either code page shows it (0xC2-0xDF: `Ã`, `Å`,
# `Ä`, `Ĺ`, `Ă`…) then a continuation byte (0x80-0xBF: `§`, `¶`, `©`, `‚`, `˝`, `ź`…), or the
# start of a punctuation mark's three bytes (`â€™` for ’, `â€“` for –): a cell without either was
# not garbled so.
_GARBLED_PAIR = re.compile(
    "\u00e2\u20ac|[\u00c2-\u00df\u0102\u0106\u010c\u010e\u0110\u0118\u011a\u0139\u0143\u0147\u0150\u0158"
    "\u0162\u016e\u0170]"
    "[\u00a0-\u00bf\u0104\u0105\u013d\u013e\u0141\u0142\u015a\u015b\u015e\u015f\u0160\u0161"
    "\u0164\u0165\u0179\u017a\u017b\u017c\u017d\u017e\u0152\u0153\u0178\u0192\u02c6\u02c7"
    "\u02d8\u02db\u02dc\u02dd\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122]"
)


def might_be_garbled(text: str) -> bool:
    """A cheap guard before `read_back`: the text holds a pair of characters such garbling
    makes."""
    return not text.isascii() and _GARBLED_PAIR.search(text) is not None


def read_back(text: str) -> str | None:
    """The text as it was before the garbling, or None when it is not certain: its characters
    are all of one code page and their bytes are UTF-8 from end to end, so the text reads back
    whole, and reads as more than ASCII. A cell that lost bytes on the way (a code page's
    unassigned byte dropped: `Äwiczeniami` for ćwiczeniami) does not, and is left as it is:
    no guess."""
    if not might_be_garbled(text):
        return None
    for code_page in _CODE_PAGES:
        try:
            was = text.encode(code_page).decode("utf-8")
        except UnicodeError:
            continue
        if was != text and not was.isascii():
            return was
    return None
