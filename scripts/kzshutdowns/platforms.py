"""The platform and service lexicon: loading it strictly, and finding its names in text.

``data/reference/platforms.csv`` has one row per platform (facebook, vkontakte), network service
(internet, mobile_internet, voice, sms, vpn) or group of websites (news_websites), with the names,
handles and hashtags under which it appears in English, Russian, Kazakh and Arabic. Its ids are the
vocabulary of ``services_blocked`` / ``services_reachable`` in the event dataset and of
``platforms_blocked`` / ``platforms_reachable`` in the city reports.

Matching (:func:`find_platforms`) is case-insensitive and works on a folded copy of the text that
keeps a map back to the original characters, so every match carries its span in the text it was
found in. A name must stand at word boundaries, except that Arabic names may carry attached clitics
(``ويوتيوب``, ``وفي كونتاكت``, ``بالإنترنت``) and Cyrillic names may carry a case ending
(``Фейсбуке``, ``Твиттерде``). Where matches overlap, the leftmost and then the longest wins, so
``#youtube`` beats ``youtube`` and ``Google Play`` beats ``Google``.
"""

from __future__ import annotations

import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path

import ahocorasick
import pandas as pd
from frictionless import FrictionlessException, Resource, Schema

from kzshutdowns.errors import InputError

ALIAS_COLUMNS = ("aliases_en", "aliases_ru", "aliases_kk", "aliases_ar")
COLUMNS = ("id", "label", "kind", *ALIAS_COLUMNS)

# Arabic letter variants folded to one form (hamza seats, taa marbuta, alef maqsura, Persian letters).
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ی": "ي",
                              "ئ": "ي", "ؤ": "و", "ک": "ك", "گ": "ك", "ڤ": "ف", "پ": "ب", "چ": "ج"})
_OTHER_FOLD = str.maketrans({"ё": "е", "’": "'", "ʼ": "'", "‘": "'"})
# Arabic short vowels, shadda, sukun, dagger alef and tatweel: dropped before matching.
_ARABIC_MARKS = frozenset(chr(c) for c in [*range(0x064B, 0x0660), 0x0670, 0x0640])

# Clitics that can be glued in front of an Arabic name: a conjunction (و ف), then a preposition
# (ب ل ك), then the article (ال, or ل after the preposition ل).
ARABIC_PREFIXES = frozenset(
    a + b + c for a, b, c in itertools.product(("", "و", "ف"), ("", "ب", "ل", "ك"), ("", "ال"))
) | frozenset({"لل", "ولل", "فلل"})
# Case endings that a Cyrillic name may carry (Russian and Kazakh), after folding to lower case.
RUSSIAN_SUFFIXES = ("а", "у", "е", "ом", "ой", "ы", "и", "ов", "ам", "ами", "ах", "ю", "ем", "ей")
KAZAKH_SUFFIXES = ("та", "те", "да", "де", "ға", "ге", "қа", "ке", "на", "не", "ның", "нің", "дың", "дің",
                   "тың", "тің", "ды", "ді", "ты", "ті", "ны", "ні", "дан", "ден", "тан", "тен", "нан",
                   "нен", "мен", "бен", "пен", "ында", "інде", "ынан", "інен")
CYRILLIC_SUFFIXES = frozenset(RUSSIAN_SUFFIXES + KAZAKH_SUFFIXES)


@dataclass(frozen=True)
class PlatformMatch:
    """One platform name found in a text: its span, the text as written, and the platform id."""

    start: int
    end: int
    surface: str
    platform_id: str


@dataclass(frozen=True)
class PlatformLexicon:
    """The compiled matcher: an Aho-Corasick automaton over the folded aliases."""

    automaton: ahocorasick.Automaton
    ids: frozenset[str]


def fold(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` for matching; return it with, for each folded character, its index in ``text``."""
    chars: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        if char in _ARABIC_MARKS:
            continue
        for folded in char.translate(_ARABIC_FOLD).lower().translate(_OTHER_FOLD):
            chars.append(folded)
            index.append(position)
    return "".join(chars), index


def _schema_path(path: Path) -> Path:
    return path.with_name("platforms.schema.json")


def load_platforms(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and validate the lexicon against ``platforms.schema.json`` beside it.

    Returns one row per platform with the columns of :data:`COLUMNS` as strings (missing aliases as
    ""). Raises InputError naming the file, the CSV line and the field for a schema violation or for
    an alias that two platforms share (it could not tell them apart).
    """
    path = Path(path)
    schema_path = _schema_path(path)
    if not path.is_file():
        raise InputError(path, "platform lexicon not found")
    if not schema_path.is_file():
        raise InputError(schema_path, "Table Schema of the platform lexicon not found beside it")
    try:
        schema = Schema.from_descriptor(json.loads(schema_path.read_text(encoding="utf-8")))
    except (ValueError, FrictionlessException) as error:
        raise InputError(schema_path, f"not a valid Table Schema: {error}") from None
    report = Resource(path=path.name, basepath=str(path.parent), schema=schema).validate()
    if not report.valid:
        errors = report.tasks[0].errors if report.tasks else report.errors
        first = errors[0]
        line = getattr(first, "row_number", None)
        field = getattr(first, "field_name", None)
        cell = getattr(first, "cell", None)
        value = f"value {cell!r}: " if cell is not None else ""
        raise InputError(path, f"{first.title.lower()}: {value}{first.note}", line=line, field=field)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [column for column in COLUMNS if column not in table.columns]
    if missing:
        raise InputError(path, f"missing columns {', '.join(missing)}", line=1)
    table = table[list(COLUMNS)]
    _check_aliases(table, path)
    return table


def _check_aliases(table: pd.DataFrame, path: Path) -> None:
    owner: dict[str, str] = {}
    for row_number, row in enumerate(table.itertuples(index=False), start=2):
        for column in ALIAS_COLUMNS:
            for alias in aliases_of(getattr(row, column)):
                key = fold(alias)[0]
                if not key.strip("@#"):
                    raise InputError(path, f"alias {alias!r} is empty once folded", line=row_number,
                                     field=column)
                if owner.setdefault(key, row.id) != row.id:
                    raise InputError(path, f"alias {alias!r} of {row.id!r} is already an alias of "
                                     f"{owner[key]!r}", line=row_number, field=column)


def aliases_of(cell: str) -> list[str]:
    """Split a '|'-separated alias cell."""
    return [alias.strip() for alias in cell.split("|") if alias.strip()]


def compile_lexicon(platforms: pd.DataFrame) -> PlatformLexicon:
    """Build the matcher from a table returned by :func:`load_platforms`."""
    automaton = ahocorasick.Automaton()
    for row in platforms.itertuples(index=False):
        for column in ALIAS_COLUMNS:
            for alias in aliases_of(getattr(row, column)):
                key = fold(alias)[0]
                automaton.add_word(key, (len(key), row.id))
    automaton.make_automaton()
    return PlatformLexicon(automaton=automaton, ids=frozenset(platforms["id"]))


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _is_arabic(char: str) -> bool:
    return "\u0600" <= char <= "\u06ff"


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


def _left_ok(folded: str, start: int, first: str) -> bool:
    if start == 0 or not _is_word(folded[start - 1]) or not _is_word(first):
        return True
    if not _is_arabic(first):
        return False
    word_start = start
    while word_start > 0 and _is_word(folded[word_start - 1]):
        word_start -= 1
    return folded[word_start:start] in ARABIC_PREFIXES


def _right_end(folded: str, end: int, last: str) -> int | None:
    """Where the matched word really ends (after a Cyrillic case ending), or None if mid-word."""
    if end == len(folded) or not _is_word(folded[end]) or not _is_word(last):
        return end
    if not _is_cyrillic(last):
        return None
    word_end = end
    while word_end < len(folded) and _is_word(folded[word_end]):
        word_end += 1
    return word_end if folded[end:word_end] in CYRILLIC_SUFFIXES else None


def find_platforms(text: str, lexicon: PlatformLexicon) -> list[PlatformMatch]:
    """Every platform name in ``text``, leftmost-longest and non-overlapping, in text order."""
    folded, index = fold(text)
    candidates: list[tuple[int, int, str]] = []
    for last, (length, platform_id) in lexicon.automaton.iter(folded):
        start, end = last - length + 1, last + 1
        if not _left_ok(folded, start, folded[start]):
            continue
        word_end = _right_end(folded, end, folded[last])
        if word_end is not None:
            candidates.append((start, word_end, platform_id))
    candidates.sort(key=lambda item: (item[0], -item[1]))
    matches: list[PlatformMatch] = []
    covered = 0
    for start, end, platform_id in candidates:
        if start < covered:
            continue
        covered = end
        raw_start, raw_end = index[start], index[end - 1] + 1
        while raw_end < len(text) and text[raw_end] in _ARABIC_MARKS:
            raw_end += 1
        matches.append(PlatformMatch(raw_start, raw_end, text[raw_start:raw_end], platform_id))
    return matches


def check_platform_ids(ids: list[str], platforms: pd.DataFrame, path: str | os.PathLike[str],
                       line: int | None, field: str) -> None:
    """Raise InputError if any id in ``ids`` is not a platform id of the lexicon."""
    known = set(platforms["id"])
    unknown = sorted(set(ids) - known)
    if unknown:
        raise InputError(path, f"unknown platform id(s) {', '.join(map(repr, unknown))}; "
                         f"use ids from platforms.csv", line=line, field=field)
