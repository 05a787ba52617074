"""Credits written in Korean and Japanese: the role word a credit statement writes after the
names (Naver Books' `이한솔 그림`, the National Diet Library's `村上もとか 著`), split from
catalog.importers.cells."""

import re

# A Korean credit statement (Naver Books', a Korean library's) writes the role after the name,
# `이채 글, 이한솔 그림` (text by 이채, pictures by 이한솔), and `외` ("and others", `외 5명`)
# after the names it stands for.
_KOREAN_ROLES = {
    "지음": "author", "글": "author", "시": "author", "저": "author", "그림": "illustrator",
    "엮음": "editor", "편": "editor", "편저": "editor", "옮김": "translator", "역": "translator",
    "번역": "translator", "사진": "illustrator",
}  # fmt: skip
_KOREAN_CREDIT = re.compile(
    r"^(?P<name>\S.*?)(?:\s+외(?:\s*\d+\s*(?:[명인]|개\s*단체))?)?"
    rf"(?:\s+(?P<role>{'|'.join(sorted(_KOREAN_ROLES, key=len, reverse=True))}))?$"
)
_KOREAN_CREDIT_ENDINGS = (*_KOREAN_ROLES, "외", "명", "인", "단체")
# The role before the name, as a credit may write it too: `글 고선영, 사진 김형호`; not the
# one-syllable words a family name may be (`편`).
_KOREAN_ROLE_FIRST = ("글 ", "그림 ", "사진 ", "지음 ", "옮김 ", "엮음 ")
HANGUL = re.compile(r"[\uac00-\ud7af]")
# The National Diet Library's statement of responsibility (and Japanese catalogs filled from
# it): names listed with `, ` and the role word after the last, which is every listed name's
# (`古勝隆一, 嘉瀬達男, 内山直樹 訳注`: three translators); groups between `; `; a role the
# cataloger supplied in brackets (`ロイス・ローリー [著]`).
_JAPANESE_ROLES = {
    "著": "author", "作": "author", "文": "author", "原作": "author", "原著": "author",
    "著者": "author", "共著": "author", "作絵": "author", "作・絵": "author", "文・絵": "author",
    "原案": "author", "訳": "translator", "翻訳": "translator", "訳注": "translator",
    "共訳": "translator", "監訳": "translator", "編訳": "translator", "編": "editor",
    "編著": "editor", "編集": "editor", "編者": "editor", "責任編集": "editor", "共編": "editor",
    "絵": "illustrator", "画": "illustrator", "作画": "illustrator", "挿絵": "illustrator",
    "写真": "illustrator", "監修": "contributor",
}  # fmt: skip
_JAPANESE_CREDIT_ENDINGS = (
    *(f" {word}" for word in _JAPANESE_ROLES),
    *(f"[{word}]" for word in _JAPANESE_ROLES),
)
_JAPANESE_CREDIT = re.compile(
    rf"^(?P<names>.*?\S)\s*(?:\[(?P<supplied>{'|'.join(_JAPANESE_ROLES)})\]"
    rf"|\s(?P<role>{'|'.join(sorted(_JAPANESE_ROLES, key=len, reverse=True))}))$"
)
# A name's reading in katakana after `||` (`中島京子 著||ナカジマ, キョウコ`), as a catalog
# record keeps it: no one's name.
_READING = re.compile(r"\|\|[\u30a0-\u30ff\s,・ー]+(?=;|$)")


def korean_credit(name: str) -> tuple[str, str]:
    """`이한솔 그림` -> ("이한솔", "illustrator"), `김익명 외 5명` -> ("김익명", ""): a Korean
    credit's role word after the name (or before it, `글 고선영`), and its `외` ("and others")
    left out; any other name comes back whole, with no role."""
    if name.startswith(_KOREAN_ROLE_FIRST):
        role, _space, rest = name.partition(" ")
        if HANGUL.search(rest):
            return rest.strip(), _KOREAN_ROLES[role]
    if not name.endswith(_KOREAN_CREDIT_ENDINGS):
        return name, ""  # nearly every name, at C speed
    match = _KOREAN_CREDIT.match(name)
    if match is None:
        return name, ""
    return match["name"], _KOREAN_ROLES.get(match["role"] or "", "")


def japanese_credit(names: str) -> tuple[str, str]:
    """`古勝隆一, 嘉瀬達男, 内山直樹 訳注` -> ("古勝隆一, 嘉瀬達男, 内山直樹", "translator"),
    `ロイス・ローリー [著]` -> ("ロイス・ローリー", "author"): a group of names and the role word a
    Japanese credit writes after them; any other text comes back whole, with no role."""
    if not names.endswith(_JAPANESE_CREDIT_ENDINGS):
        return names, ""  # nearly every cell, at C speed
    match = _JAPANESE_CREDIT.match(names)
    if match is None:
        return names, ""
    return match["names"], _JAPANESE_ROLES[match["supplied"] or match["role"]]


def without_readings(value: str) -> str:
    """A credit without the readings a catalog record keeps after `||`."""
    return _READING.sub("", value) if "||" in value else value
