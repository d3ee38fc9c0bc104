"""Normalisation of place names and text, applied identically to the gazetteer and to documents.

Matching happens on a *folded* copy of the text in which every character either maps to exactly one
folded character or is dropped, so that :func:`fold_text` can return, for every folded character,
the index of the character it came from: spans found in the folded text map straight back to the
original. The folding, per script:

- all scripts: lower case; every character that is not a letter or digit (punctuation, ``#``,
  apostrophes, hyphens, white space) becomes a space, so that word boundaries are spaces and
  ``Усть-Каменогорск``, ``d'Astana`` and ``#астана`` need no special handling;
- Arabic: alef with hamza or madda and alef wasla become bare alef (أ إ آ ٱ -> ا), hamza seats
  ؤ -> و and ئ -> ي, taa marbuta ة -> ه, alef maqsura ى and Persian yeh ی -> ي, Persian and Urdu
  letters to the Arabic letter used for the same sound in names (ک -> ك, گ -> غ, پ -> ب, چ -> ج,
  ژ -> ج, ڤ -> ف); short vowels, shadda, sukun, dagger alef and tatweel are dropped;
- Cyrillic: ё -> е, and the Kazakh letters fold to their Russian neighbours (ә -> а, ғ -> г,
  қ -> к, ң -> н, ө -> о, ұ ү -> у, һ -> х, і -> и), so ``Қарағанды`` and ``Караганды`` meet;
- Latin: accents are removed (é -> e, ö -> o, ı -> i), ``ß`` stays as it is.

Clitics and case endings are not folded away: Arabic proclitics are recognised at match time
(:data:`ARABIC_PROCLITICS`), Russian and Kazakh case forms of names are generated into the
gazetteer (:func:`cyrillic_case_forms`), and French elision (``d'Astana``) needs nothing because
the apostrophe becomes a space.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import NamedTuple

import numpy as np

_ARABIC_LETTER_FOLD = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ؤ": "و",
    "ئ": "ي",
    "ة": "ه",
    "ى": "ي",
    "ی": "ي",
    "ې": "ي",
    "ک": "ك",
    "ڪ": "ك",
    "گ": "غ",
    "ڭ": "غ",
    "پ": "ب",
    "چ": "ج",
    "ژ": "ج",
    "ڤ": "ف",
    "ۋ": "و",
    "ۇ": "و",
    "ە": "ه",
    "ہ": "ه",
    "ھ": "ه",
    "ۀ": "ه",
    "ٲ": "ا",
    "ٵ": "ا",
}
_CYRILLIC_FOLD = {
    "ё": "е",
    "ә": "а",
    "ғ": "г",
    "қ": "к",
    "ң": "н",
    "ө": "о",
    "ұ": "у",
    "ү": "у",
    "һ": "х",
    "і": "и",
}
_OTHER_FOLD = {"ı": "i", "ł": "l", "ø": "o", "đ": "d"}

# Arabic short vowels (fathatan ... sukun), Quranic marks, dagger alef, tatweel; zero-width joiners.
DROPPED = frozenset(
    chr(code) for code in [*range(0x064B, 0x0660), 0x0670, 0x0640, *range(0x06D6, 0x06EE), 0x200C, 0x200D]
)

# Clitics glued in front of an Arabic word: a conjunction (و ف), then a preposition (ب ل ك), then
# the article ال; ل + ال is written لل. Matching tries a name with and without them.
ARABIC_PROCLITICS = frozenset(
    a + b + c for a, b, c in itertools.product(("", "و", "ف"), ("", "ب", "ل", "ك"), ("", "ال"))
) | frozenset({"لل", "ولل", "فلل"})
ARABIC_PROCLITICS = ARABIC_PROCLITICS - {""}

_SPACES = re.compile(r"\s+")


def fold_char(char: str) -> str:
    """Return the folded form of one character: one character, or "" when it is dropped. (Folding texts
    looks each code point up once, through :data:`_FOLD_TABLE`.)"""
    if char in DROPPED or unicodedata.combining(char):
        return ""
    if not char.isalnum():
        return " "
    lower = char.lower()
    if len(lower) != 1:  # e.g. "İ" lower-cases to two characters: keep the base letter
        lower = lower[0]
    for table in (_ARABIC_LETTER_FOLD, _CYRILLIC_FOLD, _OTHER_FOLD):
        if lower in table:
            return table[lower]
    if lower.isascii():
        return lower
    decomposed = unicodedata.normalize("NFD", lower)
    if decomposed[0].isascii() and decomposed[0].isalpha():  # Latin letter with accents
        return decomposed[0]
    return lower


def _fold_code(code: int) -> str | None:
    """The fold of code point ``code`` as a ``str.translate`` table gives it (None: dropped). A lone
    surrogate (a text decoded with "surrogateescape", or JSON's "\\ud800") maps to itself."""
    return chr(code) if 0xD800 <= code < 0xE000 else (fold_char(chr(code)) or None)


class _FoldTable(dict[int, str | None]):
    """A ``str.translate`` table that folds each code point on first sight and remembers it."""

    def __missing__(self, code: int) -> str | None:
        folded = _fold_code(code)
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold_text(text: str) -> tuple[str, list[int] | None]:
    """Fold ``text`` for matching.

    Return the folded text and, when characters were dropped, the list that maps every folded
    position (and one past the end) to its position in ``text``; ``None`` means the positions are
    the same.
    """
    folded = text.translate(_FOLD_TABLE)
    if len(folded) == len(text):
        return folded, None
    return folded, kept_positions(text)


def kept_positions(text: str) -> list[int]:
    """The position in ``text`` of every character that folding keeps, and ``len(text)``."""
    positions = [index for index, char in enumerate(text) if _FOLD_TABLE[ord(char)] is not None]
    positions.append(len(text))
    return positions


# fold_batch joins the documents with three characters that fold to spaces, the middle one then
# marked BOUNDARY: no gazetteer key contains it, so no match runs from one document into the next.
BOUNDARY = "\x00"
_JOINER = "\n\n\n"
_DROPPED_CODE = 0xFFFFFFFF
# Batches with fewer characters are folded text by text with str.translate (see fold_batch).
NUMPY_MIN_CHARACTERS = 1000


class FoldedBatch(NamedTuple):
    """Many documents folded at once: ``folded`` is ``" " + doc + " " + BOUNDARY + " " + doc ... + " "``
    (each folded document with a space on both sides), document ``i`` being ``folded[starts[i]:ends[i]]``.
    ``raw`` holds the code points of the documents as given, joined by three characters, document ``i``
    from ``raw_starts[i]`` on: many of their characters can be looked up at once (see
    :class:`CodeTable`)."""

    folded: str
    starts: list[int]
    ends: list[int]
    raw: np.ndarray
    raw_starts: list[int]


class CodeTable:
    """A function of characters (``function``, giving an integer other than ``unseen``), looked up for
    many code points at once in a numpy table of ``dtype`` over all code points, each computed when
    first met: computing all 1,114,112 up front would cost every job that looks a few up a few tenths
    of a second."""

    def __init__(self, function: Callable[[str], int], dtype: type, unseen: int) -> None:
        self._function = function
        self._unseen = unseen
        self._table = np.full(0x110000, unseen, dtype=dtype)

    def __call__(self, codes: np.ndarray) -> np.ndarray:
        """The function's value for each of ``codes`` (an array of code points)."""
        values = self._table.take(codes)
        unseen = values == self._unseen
        if unseen.any():
            for code in np.unique(codes[unseen]).tolist():
                self._table[code] = self._function(chr(code))
            values = self._table.take(codes)
        return values


def code_points(text: str) -> np.ndarray:
    """The code points of ``text`` (lone surrogates included) as an array."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _folded_code(char: str) -> int:
    """The code point ``char`` folds to, as :data:`_FOLD_TABLE` gives it (a dropped character as
    ``_DROPPED_CODE``)."""
    folded = _FOLD_TABLE[ord(char)]
    return _DROPPED_CODE if folded is None else ord(folded)


_FOLDED_CODES = CodeTable(_folded_code, np.uint32, 0xFFFFFFFE)


def fold_batch(texts: Sequence[str]) -> FoldedBatch:
    """Fold many documents in one go, exactly as :func:`fold_text` folds each.

    ``str.translate`` costs tens of nanoseconds per character outside ASCII; looking the code points
    of the whole batch up in a numpy array costs a few, after a fixed cost of tens of microseconds
    that small batches (a single tweet) are better off without.
    """
    raw = code_points(_JOINER.join(texts))
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    bounds = np.cumsum(lengths + len(_JOINER))  # one past each joiner
    raw_starts = np.concatenate(([0], bounds[:-1]))
    if int(lengths.sum()) < NUMPY_MIN_CHARACTERS:
        return _join([fold_text(text)[0] for text in texts], raw, raw_starts.tolist())
    folded = _FOLDED_CODES(raw)
    folded[bounds[:-1] - 2] = ord(BOUNDARY)
    starts, ends = raw_starts, raw_starts + lengths
    keep = folded != _DROPPED_CODE
    if not keep.all():
        folded = folded[keep]
        kept_before = np.concatenate(([0], np.cumsum(keep)))
        starts, ends = kept_before[starts], kept_before[ends]
    text = folded.tobytes().decode("utf-32-le", "surrogatepass")
    return FoldedBatch(f" {text} ", (starts + 1).tolist(), (ends + 1).tolist(), raw, raw_starts.tolist())


def _join(folded: list[str], raw: np.ndarray, raw_starts: list[int]) -> FoldedBatch:
    """The batch of documents already folded one by one (``raw``, ``raw_starts``: see FoldedBatch)."""
    starts, ends, at = [], [], 1
    for document in folded:
        starts.append(at)
        ends.append(at + len(document))
        at += len(document) + len(_JOINER)
    return FoldedBatch(f" {f' {BOUNDARY} '.join(folded)} ", starts, ends, raw, raw_starts)


def fold_name(name: str) -> str:
    """Fold a gazetteer name: as :func:`fold_text`, with runs of spaces made single spaces."""
    folded, _ = fold_text(unicodedata.normalize("NFC", name))
    return _SPACES.sub(" ", folded).strip()


def script_of(text: str) -> str:
    """Return "arabic", "cyrillic" or "latin" for the script of the first letter in ``text``, else "other"."""
    for char in text:
        if char.isalpha():
            code = ord(char)
            if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
                return "arabic"
            if 0x0400 <= code <= 0x052F:
                return "cyrillic"
            if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
                return "latin"
            return "other"
    return "other"


# Russian declension of a name by its (folded) ending: ending to replace -> endings that replace it.
_RUSSIAN_DECLENSION: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ская область", ("ской области", "скую область", "ской областью")),
    ("ая", ("ой", "ую")),
    ("ий", ("ого", "ому", "им", "ом")),
    ("ый", ("ого", "ому", "ым", "ом")),
    ("ей", ("ея", "ею", "ее", "еем")),  # Семей -> Семея, Семею, Семее
    ("ай", ("ая", "аю", "ае", "аем")),
    ("ь", ("и", "ю", "ью", "я", "е", "ем")),
    ("а", ("ы", "и", "е", "у", "ой", "ою")),
    ("я", ("и", "е", "ю", "ей")),
)
_RUSSIAN_CONSONANT_ENDINGS = ("а", "у", "е", "ом", "ым", "ом")
_INDECLINABLE_ENDINGS = ("ы", "и", "о", "у", "е", "э", "ю")
# Kazakh case endings after folding (ғ -> г, қ -> к, ң -> н, і -> и); all vowel-harmony variants.
_KAZAKH_ENDINGS = (
    "да",
    "де",
    "та",
    "те",
    "нда",
    "нде",
    "га",
    "ге",
    "ка",
    "ке",
    "на",
    "не",
    "дан",
    "ден",
    "тан",
    "тен",
    "нан",
    "нен",
    "нын",
    "нин",
    "дын",
    "дин",
    "тын",
    "тин",
    "ны",
    "ни",
    "ды",
    "ди",
    "ты",
    "ти",
    "мен",
    "бен",
    "пен",
    "ндагы",
    "ндеги",
    "дагы",
    "деги",
    "тагы",
    "теги",
)


def cyrillic_case_forms(folded: str, kazakh: bool = True) -> list[str]:
    """Return inflected forms (Russian cases, Kazakh case endings) of a folded Cyrillic name.

    Only the last word changes (``Усть-Каменогорск`` -> ``Усть-Каменогорске``); Russian adjective +
    ``область`` phrases decline as a whole. The nominative itself is not included. Kazakh endings
    are added only when ``kazakh`` is true.
    """
    forms: set[str] = set()
    for ending, replacements in _RUSSIAN_DECLENSION:
        if folded.endswith(ending):
            stem = folded[: -len(ending)]
            forms.update(stem + replacement for replacement in replacements)
            break
    else:
        last = folded[-1:]
        if last and last not in _INDECLINABLE_ENDINGS and last.isalpha():
            forms.update(folded + ending for ending in _RUSSIAN_CONSONANT_ENDINGS)
    if kazakh and " " not in folded:
        forms.update(folded + ending for ending in _KAZAKH_ENDINGS)
        if folded.endswith("й"):  # Kazakh also attaches to the stem: Семейде
            forms.update(folded + ending for ending in ("ге", "де", "ден"))
    forms.discard(folded)
    return sorted(forms)


# Consonant skeletons for the cross-script fallback: romanise, merge digraphs and letters that
# Arabic, Russian and Kazakh render differently, drop vowels, matres lectionis and h.
_DIGRAPHS = (
    ("dzh", "j"),
    ("zh", "j"),
    ("kh", "h"),
    ("gh", "g"),
    ("sh", "s"),
    ("ch", "j"),
    ("ts", "s"),
    ("ng", "n"),
    ("th", "t"),
    ("dh", "z"),
)
_SKELETON_MAP = str.maketrans({"q": "k", "c": "k", "p": "b", "v": "f", "x": "h"})
_SKELETON_DROP = re.compile(r"[^bdfgjklmnrstz]")
# _SKELETON_MAP and then _SKELETON_DROP for each ASCII character, as one table: str.translate is fast
# on ASCII text, and romanisations are ASCII (anything else is dropped after the table).
_SKELETON_ASCII = {
    code: _SKELETON_DROP.sub("", chr(code).translate(_SKELETON_MAP)) or None for code in range(128)
}
# Without an "h" only these digraphs can apply (none of them, nor what replaces them, makes an "h").
_DIGRAPHS_WITHOUT_H = tuple((digraph, letter) for digraph, letter in _DIGRAPHS if "h" not in digraph)
_RUN = re.compile(r"(.)\1+")  # several of one consonant in a row, made one by _RUN.sub(itemgetter(1), ...)


def consonant_skeleton(romanised: str) -> str:
    """Return the consonant skeleton of an ASCII romanisation (``Karaganda`` -> ``krgnd``)."""
    text = romanised.lower()
    for digraph, letter in _DIGRAPHS if "h" in text else _DIGRAPHS_WITHOUT_H:
        text = text.replace(digraph, letter)
    text = text.translate(_SKELETON_ASCII)
    if not text.isascii():
        text = _SKELETON_DROP.sub("", text)
    return _RUN.sub(itemgetter(1), text)
