"""Comparing student names across scripts: Hanzi with its pinyin romanisation.

``王伟``, ``Wang Wei`` and ``Wei Wang`` all reduce to the key ``wang wei``:
the Hanzi surname's pinyin plus the given name's pinyin run together (as
Chinese names are written in Latin letters), lower-cased and sorted so that
either name order matches.
"""

import re
import unicodedata

from pypinyin import lazy_pinyin

# Two-character surnames, so 欧阳娜娜 becomes "ouyang nana", not "ou yangnana".
COMPOUND_SURNAMES = frozenset(
    (
        "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 "
        "慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木"
    ).split()
)
# CJK Unified Ideographs, Extension A and the compatibility ideographs: the
# one definition of "a Chinese character" (Hanzi) in EnvoyCRM.
HANZI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NOT_LETTER = re.compile(r"[^a-z\s]")


def is_hanzi(char: str) -> bool:
    """True for one Chinese character."""
    return HANZI.fullmatch(char) is not None


def has_hanzi(text: str | None) -> bool:
    """True when ``text`` holds at least one Chinese character."""
    return text is not None and HANZI.search(text) is not None


def ascii_fold(text: str) -> str:
    """Drop accents and tone marks: "Lǚ" → "lu", "Zoë" → "zoe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def latin_tokens(name: str | None) -> list[str]:
    """Lower-case tokens of a Latin-letter name; hyphens and apostrophes join."""
    if not name:
        return []
    folded = ascii_fold(name).replace("-", "").replace("'", "").replace("’", "")
    return _NOT_LETTER.sub(" ", folded).split()


def hanzi_tokens(name: str | None) -> list[str]:
    """Surname and given name of a Hanzi name, each romanised without spaces."""
    if not name:
        return []
    han = "".join(HANZI.findall(name))
    if not han:
        return []
    surname_length = 2 if han[:2] in COMPOUND_SURNAMES and len(han) > 2 else 1
    surname, given = han[:surname_length], han[surname_length:]
    tokens = ["".join(lazy_pinyin(surname))]
    if given:
        tokens.append("".join(lazy_pinyin(given)))
    return [ascii_fold(t) for t in tokens]


def name_key(latin: str | None, hanzi: str | None) -> str:
    """The comparison key of a student's name; the Hanzi form wins when given."""
    tokens = hanzi_tokens(hanzi) or latin_tokens(latin) or hanzi_tokens(latin)
    return " ".join(sorted(tokens))


def name_keys(latin: str | None, hanzi: str | None) -> set[str]:
    """Every key the name could match under: from the Hanzi and from the Latin form."""
    keys = {
        " ".join(sorted(hanzi_tokens(hanzi))),
        " ".join(sorted(latin_tokens(latin))),
    }
    return {key for key in keys if key}
