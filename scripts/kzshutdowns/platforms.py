"""The platform and service lexicon: loading it strictly, and finding its names in text.

``data/reference/platforms.csv`` has one row per platform (facebook, vkontakte), network service
(internet, mobile_internet, voice, sms, vpn) or group of websites (news_websites), with the names,
handles and hashtags under which it appears in English, Russian, Kazakh and Arabic. Its ids are the
vocabulary of ``services_blocked`` / ``services_reachable`` in the event dataset and of
``platforms_blocked`` / ``platforms_reachable`` in the city reports.

Matching (:func:`find_platforms` for one text; :func:`find_platforms_many`, which the mention
extraction uses, gives the same for a batch at once) is case-insensitive and works on the geocoder's
folded copy of the text (:func:`kzshutdowns.normalize.fold_text`), which keeps a map back to the
original characters, so every match carries its span in the text it was found in (with the ``@`` or
``#`` of a handle or hashtag). A name must stand at word boundaries, except that Arabic names may
carry attached clitics (``ويوتيوب``, ``وفي كونتاكت``, ``بالإنترنت``); Cyrillic names are also
matched in their Russian and Kazakh case forms (:func:`kzshutdowns.normalize.cyrillic_case_forms`:
``Фейсбуке``, ``Телеграмда``). Where matches overlap, the leftmost and then the longest wins, so
``Google Play`` beats ``Google``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import ahocorasick
import numpy as np
import pandas as pd

from kzshutdowns.errors import InputError
from kzshutdowns.normalize import (
    ARABIC_PROCLITICS,
    FoldedBatch,
    cyrillic_case_forms,
    fold_batch,
    fold_name,
    kept_positions,
    script_of,
)
from kzshutdowns.table_schema import check_table

ALIAS_COLUMNS = ("aliases_en", "aliases_ru", "aliases_kk", "aliases_ar")
COLUMNS = ("id", "label", "kind", *ALIAS_COLUMNS)


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


def _schema_path(path: Path) -> Path:
    return path.with_name("platforms.schema.json")


def load_platforms(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and validate the lexicon against ``platforms.schema.json`` beside it.

    Returns one row per platform with the columns of :data:`COLUMNS` as strings (missing aliases as
    ""). Raises InputError naming the file, the CSV line and the field for a schema violation or for
    an alias that two platforms share (it could not tell them apart).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "platform lexicon not found")
    schema_path = _schema_path(path)
    if not schema_path.is_file():
        raise InputError(schema_path, "Table Schema of the platform lexicon not found beside it")
    checked = check_table(path, schema_path)
    table = checked.frame
    if table.empty:  # every service of every event would be unknown
        raise InputError(path, "table has no data rows", line=2)
    missing = [column for column in COLUMNS if column not in table.columns]
    if missing:
        raise InputError(path, f"missing columns {', '.join(missing)}", line=1)
    table = table[list(COLUMNS)]
    _check_aliases(table, checked.lines, path)
    return table


def _check_aliases(table: pd.DataFrame, lines: Sequence[int], path: Path) -> None:
    owner: dict[str, str] = {}
    for row_number, row in zip(lines, table.itertuples(index=False), strict=True):
        for column in ALIAS_COLUMNS:
            for alias in aliases_of(getattr(row, column)):
                keys = alias_keys(alias)
                if not keys[0].strip("@#"):
                    raise InputError(path, f"alias {alias!r} is empty once folded", line=row_number,
                                     field=column)
                for key in keys:
                    if owner.setdefault(key, row.id) != row.id:
                        raise InputError(path, f"alias {alias!r} of {row.id!r} (as {key!r}) is already "
                                         f"an alias of {owner[key]!r}", line=row_number, field=column)


def aliases_of(cell: str) -> list[str]:
    """Split a '|'-separated alias cell."""
    return [alias.strip() for alias in cell.split("|") if alias.strip()]


def alias_keys(alias: str) -> list[str]:
    """The folded alias, then its Russian and Kazakh case forms if it is Cyrillic."""
    key = fold_name(alias)
    return [key, *(cyrillic_case_forms(key) if script_of(key) == "cyrillic" else [])]


def compile_lexicon(platforms: pd.DataFrame) -> PlatformLexicon:
    """Build the matcher from a table returned by :func:`load_platforms`."""
    automaton = ahocorasick.Automaton()
    for row in platforms.itertuples(index=False):
        for column in ALIAS_COLUMNS:
            for alias in aliases_of(getattr(row, column)):
                for key in alias_keys(alias):
                    automaton.add_word(key, (len(key), row.id))
    automaton.make_automaton()
    return PlatformLexicon(automaton=automaton, ids=frozenset(platforms["id"]))


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _left_ok(folded: str, start: int) -> bool:
    """A name starts a word, or follows Arabic clitics that start the word."""
    if start == 0 or not _is_word(folded[start - 1]) or not _is_word(folded[start]):
        return True
    if script_of(folded[start]) != "arabic":
        return False
    word_start = start
    while word_start > 0 and _is_word(folded[word_start - 1]):
        word_start -= 1
    return folded[word_start:start] in ARABIC_PROCLITICS


class PlatformMentions(NamedTuple):
    """The platform matches of many texts, column by column: ``text`` is the index of the text each
    match is in; ``start``, ``end``, ``surface`` and ``platform_id`` are those of :class:`PlatformMatch`."""

    text: list[int]
    start: list[int]
    end: list[int]
    surface: list[str]
    platform_id: list[str]


def find_platforms_many(texts: Sequence[str], lexicon: PlatformLexicon, batch: FoldedBatch | None = None
                        ) -> PlatformMentions:
    """Every platform name in each of ``texts``, leftmost-longest and non-overlapping, in text order,
    as columns.

    Computed for the batch at once: it is folded in one go
    (:func:`kzshutdowns.normalize.fold_batch`, or given folded already as ``batch``: the geocoder
    folds the texts alike) and scanned in one automaton pass, and the word
    boundary tests and the choice among overlapping names are array operations. In folded text every
    character is a word character except the space (and the batch's document boundary), so a name
    stands at word boundaries where the characters around its ends are spaces; only names refused
    there that start with an Arabic letter go through :func:`_left_ok` one by one (glued clitics).
    """
    if batch is None:
        batch = fold_batch(texts)
    folded = batch.folded
    hits = list(lexicon.automaton.iter(folded))
    if not hits:
        return PlatformMentions([], [], [], [], [])
    end = np.array([last for last, _ in hits], dtype=np.int64) + 1
    start = end - np.array([length for _, (length, _) in hits], dtype=np.int64)
    codes = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    word = (codes != ord(" ")) & (codes != 0) & ((codes < 0xD800) | (codes > 0xDFFF))
    left = ~word[start - 1] | ~word[start]  # the batch is padded with a space at both ends
    for index in np.flatnonzero(~left).tolist():
        left[index] = _left_ok(folded, int(start[index]))
    ok = np.flatnonzero(left & (~word[end] | ~word[end - 1]))
    ok = ok[np.lexsort((-end[ok], start[ok]))]  # leftmost, then longest
    chosen, covered = [], 0
    for index, first, last in zip(ok.tolist(), start[ok].tolist(), end[ok].tolist(), strict=True):
        if first >= covered:  # documents never overlap, so one pass serves the whole batch
            chosen.append(index)
            covered = last
    document = np.searchsorted(batch.ends, start[chosen], side="right")
    offsets = np.asarray(batch.starts)[document]
    found = PlatformMentions(document.tolist(), [], [], [], [hits[index][1][1] for index in chosen])
    # The texts that folding shortened (dropped marks), with the position of each kept character.
    shortened = np.flatnonzero(np.subtract(batch.ends, batch.starts) != np.fromiter(
        map(len, texts), dtype=np.int64, count=len(texts)))
    positions = {number: kept_positions(texts[number]) for number in
                 set(shortened.tolist()).intersection(found.text)}
    for number, first, last in zip(found.text, (start[chosen] - offsets).tolist(),
                                   (end[chosen] - offsets).tolist(), strict=True):
        text = texts[number]
        # Map back to the text; the end takes in dropped marks (Arabic vowels) after the last letter.
        if (kept := positions.get(number)) is not None:
            first, last = kept[first], kept[last]
        if first > 0 and text[first - 1] in "@#":  # a handle or hashtag keeps its sign
            first -= 1
        found.start.append(first)
        found.end.append(last)
        found.surface.append(text[first:last])
    return found


def find_platforms(text: str, lexicon: PlatformLexicon) -> list[PlatformMatch]:
    """Every platform name in ``text``, leftmost-longest and non-overlapping, in text order
    (:func:`find_platforms_many` for one text)."""
    _, starts, ends, surfaces, ids = find_platforms_many([text], lexicon)
    return [PlatformMatch(*match) for match in zip(starts, ends, surfaces, ids, strict=True)]


def check_platform_ids(ids: list[str], platforms: pd.DataFrame, path: str | os.PathLike[str],
                       line: int | None, field: str) -> None:
    """Raise InputError if any id in ``ids`` is not a platform id of the lexicon."""
    known = set(platforms["id"])
    unknown = sorted(set(ids) - known)
    if unknown:
        raise InputError(path, f"unknown platform id(s) {', '.join(map(repr, unknown))}; "
                         f"use ids from platforms.csv", line=line, field=field)
