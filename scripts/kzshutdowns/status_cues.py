"""What a sentence says about a platform: blocked, restricted or reachable, from small cue lexicons.

The lexicons below are deliberately small and explicit, one per language (ar, ru, kk, en), and every
entry is tested. Each entry is one or more words, folded like all matching in the package
(:func:`kzshutdowns.normalize.fold_text`: case, Arabic letter variants and vowels, Kazakh letters);
a trailing ``*`` lets the last word continue (``заблокир*`` covers заблокировали, заблокирован), and
an Arabic first word may carry attached clitics (``بتعطل`` is ``ب`` + ``تعطل``). Categories:

- ``blocked``, ``restricted``, ``reachable``: the status a cue gives to the platforms near it;
- ``negation``: flips the status of a cue at most :data:`NEGATION_WINDOW` words after it
  (``لم يعد بإمكانهم الولوج`` "no longer able to access" and ``no access`` are blocked;
  ``not blocked`` is reachable). Kazakh ``жоқ`` and ``емес`` and Russian ``нет`` follow the word
  they negate (``қолжетімділік жоқ``, ``доступа нет``) and also act backwards. A negator that
  negates no cue but stands right beside a platform name says it is missing (``no internet``,
  ``интернета нет``, ``без интернета``, ``интернет жоқ``): blocked;
- ``contrast``: starts a new clause (``بالرغم من``, ``но``, ``бірақ``, ``but``), so the status of
  one clause does not leak into the next; a contrast clause with platforms but no cue of its own
  takes the opposite of the clause before it (``Facebook is blocked, but not Twitter``);
- ``witness``: residents or users speaking (``سكان``, ``жители``, ``тұрғындар``, ``residents``);
- ``habitual``: a statement about what happens from time to time (``بين الحين والآخر``,
  ``периодически``, ``regularly``), which reports no event.

A platform takes the status of the nearest status cue in its own clause, except that a restricted
cue in the clause overrides a reachable one (``работает с перебоями``). Sentences end at
``. ! ? ؟ ؛ ;`` followed by white space or the end of the text, and at line breaks.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from typing import NamedTuple

import numpy as np

from kzshutdowns.normalize import (
    ARABIC_PROCLITICS,
    BOUNDARY,
    fold_batch,
    fold_text,
    kept_positions,
    script_of,
)

STATUSES = ("blocked", "restricted", "reachable")
OPPOSITE = {"blocked": "reachable", "restricted": "reachable", "reachable": "blocked"}
STATUS_RANK = {status: rank for rank, status in enumerate(STATUSES)}  # the first in STATUSES wins
# Every category of cue; a cue's category is kept as its index here (a status's is its rank).
CATEGORIES = (*STATUSES, "negation", "contrast", "witness", "habitual")
NEGATION_WINDOW = 3
# Negators that may follow the word they negate (Kazakh postposed negation, Russian "доступа нет").
POSTPOSED_NEGATORS = frozenset({"жок", "емес", "нет"})

CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "ar": {
        "blocked": ("حجب*", "محجوب*", "حظر*", "محظور*", "قطع*", "انقطع*", "انقطاع*", "تعطيل*", "تعطل*",
                    "معطل*", "توقف*", "اغلاق*", "اغلق*", "منع*"),
        "restricted": ("بطء*", "بطيء*", "ابطاء*", "تباطؤ*", "تقييد*", "مقيد*", "متقطع*"),
        "reachable": ("متاح*", "متوفر*", "يعمل*", "تعمل*", "ولوج*", "دخول*", "وصول*"),
        "negation": ("لم", "لا", "لن", "ليس", "ليست", "غير", "عدم", "دون", "بدون"),
        "contrast": ("بالرغم من", "بارغم من", "على الرغم من", "رغم", "لكن", "بينما", "الا ان", "غير ان",
                     "في حين"),
        "witness": ("سكان*", "مستخدم*", "اهالي*", "مواطن*", "شهود*"),
        "habitual": ("بين الحين والاخر", "من حين لاخر", "عاده", "بانتظام", "دوريا"),
    },
    "ru": {
        "blocked": ("заблокир*", "блокир*", "блокировк*", "отключ*", "недоступ*", "закрыт*", "перестал*",
                    "отрезал*", "пропал*"),
        "restricted": ("огранич*", "замедл*", "перебо*", "тормоз*", "частично"),
        "reachable": ("доступ*", "работа*", "открыва*", "загружа*"),
        "negation": ("не", "нет", "ни", "без"),
        "contrast": ("но", "однако", "а", "хотя", "зато", "при этом", "тогда как", "в то время как"),
        "witness": ("жител*", "пользовател*", "горожан*", "очевид*", "абонент*"),
        "habitual": ("периодически", "регулярно", "время от времени", "то и дело"),
    },
    "kk": {
        "blocked": ("бұғатта*", "блокта*", "қолжетімсіз*", "өшіріл*", "ажыратыл*", "тоқтатыл*",
                    "жұмыс істемей*", "ашылмай*"),
        "restricted": ("шектел*", "шектеу*", "баяула*", "үзіліс*"),
        "reachable": ("қолжетімді*", "жұмыс істе*", "ашыл*"),
        "negation": ("жоқ", "емес"),
        "contrast": ("бірақ", "алайда", "ал", "дегенмен"),
        "witness": ("тұрғын*", "қолданушы*", "пайдаланушы*"),
        "habitual": ("мезгіл-мезгіл", "үнемі", "жиі"),
    },
    "en": {
        "blocked": ("block*", "shut*", "cut*", "down", "outage*", "blackout*", "inaccessib*", "unavailab*",
                    "unreachab*", "disrupt*", "ban", "banned", "censor*", "offline", "went dark"),
        "restricted": ("throttl*", "slow*", "restrict*", "intermittent*", "partial*", "limited"),
        "reachable": ("unblock*", "availab*", "accessib*", "access", "accessed", "reachab*", "work",
                      "works", "working", "worked", "unaffected", "online"),
        "negation": ("not", "no", "never", "without", "cannot", "unable", "can't", "couldn't", "don't",
                     "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "won't"),
        "contrast": ("but", "however", "although", "though", "while", "whereas", "despite", "yet",
                     "except", "even though"),
        "witness": ("resident*", "user*", "people", "locals", "citizens", "witness*"),
        "habitual": ("regularly", "periodically", "from time to time", "routinely", "often"),
    },
}

_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# Marks that end a sentence when white space or the end of the text follows; a line break ends one too.
_BMP = 0x10000  # code points of the Basic Multilingual Plane: below this
_SENTENCE_MARKS = np.isin(np.arange(_BMP), [ord(mark) for mark in ".!?؟؛;"])  # by code point


@dataclass(frozen=True)
class Entry:
    """One lexicon entry, folded: its words, whether the last word may continue, its category."""

    words: tuple[str, ...]
    open_end: bool
    category: str
    arabic: bool


class Cue(NamedTuple):
    """A cue found in a text: category, span in the text, the index of its first word and its number of
    words."""

    category: str
    start: int
    end: int
    word: int
    words: int


@dataclass
class Sentence:
    """One sentence of a segment: its span, and what its cues say about the platforms in it."""

    start: int
    end: int
    statuses: dict[str, str] = field(default_factory=dict)
    witness: bool = False
    habitual: bool = False


# Matched texts whose entries a lexicon remembers; its store is emptied when full (open entries match whole
# words, so a large corpus may bring many distinct ones).
READINGS_KEPT = 100_000


class _Readings(dict[str, int]):
    """The entry (its index in the lexicon's entries) of each text that a lexicon's pattern matched, read
    with its ranking pattern on first sight and remembered, at most ``kept`` texts (see :class:`Lexicon`).

    Within one lexicon a matched text always names the same entry: the first in rank order that matches it.
    """

    def __init__(self, ranking: re.Pattern[str], kept: int = READINGS_KEPT) -> None:
        super().__init__()
        self.ranking = ranking
        self.kept = kept

    def __missing__(self, text: str) -> int:
        if len(self) >= self.kept:
            self.clear()
        # The text alone: its end lets the same entries end there as what follows it in folded text (a space).
        number = self[text] = self.ranking.match(text).lastindex - 1
        return number


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Compiled cue entries, longest first (in rank order), and regular expressions that find them.

    ``pattern`` matches a space and then the words of the first entry in rank order that matches from the
    word after it, as a tree of the ways the entries may start (:func:`_branches`). It has no groups, which
    keeps its search fast, so it does not tell the entry: ``ranking`` is an alternation of the entries in
    rank order, each ending with an empty group, and ``match.lastindex - 1`` of its match of a text that
    ``pattern`` matched is the entry's index (an entry before it that matched the text would have matched
    there). ``readings`` remembers that index for each distinct text (up to :data:`READINGS_KEPT` texts).
    ``categories``, ``sizes`` and ``postposed`` hold each entry's category code (its index in
    :data:`CATEGORIES`), number of words and whether it is a postposed negator.
    """

    entries: tuple[Entry, ...]
    pattern: re.Pattern[str]
    ranking: re.Pattern[str]
    categories: np.ndarray
    sizes: np.ndarray
    postposed: np.ndarray
    readings: _Readings


# A character of a word (of _TOKEN). Folded text holds only these and spaces: every other character
# folds to a space, apostrophes too, so a word of folded text is a run of these. (A lone surrogate folds
# to itself: _read_cues makes it a space before searching.)
_LETTER = r"[^\W_]"
_SURROGATE = re.compile("[\ud800-\udfff]")
# What separates the words of an entry of many words: anything but a letter, except the mark between two
# texts folded together (kzshutdowns.normalize.BOUNDARY, which folding never makes), so that no cue runs
# from one text into the next.
_GAP = rf"[^\w{re.escape(BOUNDARY)}]+"


def _rank(entry: Entry) -> tuple:
    """The key that sorts entries in rank order: more words, then longer words first."""
    return -len(entry.words), -sum(map(len, entry.words)), entry.words, entry.category


def _rest(entry: Entry) -> str:
    """A regular expression for ``entry`` after its first word: the other words, separated by non-letters,
    the last ending its word unless it may continue."""
    ending = f"{_LETTER}*" if entry.open_end else f"(?!{_LETTER})"
    return "".join(_GAP + re.escape(word) for word in entry.words[1:]) + ending


def _branches(ways: list[tuple[str, str]], depth: int = 0) -> str:
    """An alternation of ``ways`` (a literal head, then a regular expression) matching from character
    ``depth`` of their heads, which they share before it, as a tree of their heads' characters.

    The regex engine takes the first alternative that matches. Two ways whose heads differ at some
    character never match at the same place, so the ways are grouped by their next character and only a
    way whose head ends here (which may match where the longer ones do) keeps its place among the others:
    where it matters, the ways are tried in their order.
    """
    parts: list[str] = []
    pending: dict[str, list[tuple[str, str]]] = {}

    def flush() -> None:
        for char, following in pending.items():
            if len(following) == 1:
                parts.append(re.escape(following[0][0][depth:]) + following[0][1])
            else:
                parts.append(f"{re.escape(char)}(?:{_branches(following, depth + 1)})")
        pending.clear()

    for head, rest in ways:
        if len(head) > depth:
            pending.setdefault(head[depth], []).append((head, rest))
        else:
            flush()
            parts.append(rest)
    flush()
    return "|".join(parts)


# The proclitics an Arabic entry's first word may follow in its word, or none.
_PROCLITIC = f"(?:{_branches([(lead, '') for lead in sorted(ARABIC_PROCLITICS)])})?"


def _longest_first(entries: list[Entry]) -> Lexicon:
    """The lexicon of ``entries``: more words, then longer words first, so "غير ان" wins over "غير"."""
    entries = sorted(entries, key=_rank)
    # Each way an entry may start a word: its first word, after each proclitic too for an Arabic entry.
    ways = [(lead + entry.words[0], _rest(entry)) for entry in entries
            for lead in (("", *sorted(ARABIC_PROCLITICS)) if entry.arabic else ("",))]
    # A word of folded text starts after a space (see _read_cues): the patterns start with one, which lets
    # the regex engine skip to the next space fast.
    pattern = re.compile(f" (?:{_branches(ways)})")
    ranking = re.compile(" (?:" + "|".join(f"{_PROCLITIC if entry.arabic else ''}{re.escape(entry.words[0])}"
                                           f"{_rest(entry)}()" for entry in entries) + ")")
    categories = np.array([CATEGORIES.index(entry.category) for entry in entries], dtype=np.int64)
    sizes = np.array([len(entry.words) for entry in entries], dtype=np.int64)
    postposed = np.array([_postposed(entry) for entry in entries], dtype=bool)
    return Lexicon(tuple(entries), pattern, ranking, categories, sizes, postposed, _Readings(ranking))


def _postposed(entry: Entry) -> bool:
    """Whether ``entry`` is a negator of :data:`POSTPOSED_NEGATORS`: one closed word, not Arabic (so that
    what it matches is always that word)."""
    return (entry.category == "negation" and len(entry.words) == 1 and not entry.open_end
            and not entry.arabic and entry.words[0] in POSTPOSED_NEGATORS)


@cache
def _entries(lang: str) -> tuple[Entry, ...]:
    """The entries of :data:`CUES` for ``lang``, folded, in rank order (see :func:`_longest_first`)."""
    entries = []
    for category, phrases in CUES[lang].items():
        for phrase in phrases:
            words = tuple(_TOKEN.findall(fold_text(phrase.rstrip("*"))[0]))
            entries.append(Entry(words, phrase.endswith("*"), category, script_of(phrase) == "arabic"))
    return tuple(sorted(entries, key=_rank))


@cache
def _lexicon(lang: str | None) -> Lexicon:
    """The compiled lexicon of a language of :data:`CUES`, or (None) of every language's entries together.

    Compiled on first use, each lexicon when a text needs it: folding the entries builds the character
    table of :func:`kzshutdowns.normalize.fold_text` (a few tenths of a second), which jobs that import
    this module but read no text (the gathers) need not build, and the patterns of a lexicon take a few
    hundredths of a second to compile.
    """
    if lang is None:
        return _longest_first([entry for each in CUES for entry in _entries(each)])
    return _longest_first(list(_entries(lang)))


class _CueTable(NamedTuple):
    """The cues of many texts (:func:`_read_cues`), one array a field, ordered by text and then by start.

    ``at[k]`` is where cue ``k`` starts in the texts joined by line breaks (its start plus its text's
    offset there, :func:`_offsets`).
    """

    text: np.ndarray  # the index of the cue's text
    at: np.ndarray
    start: np.ndarray  # the cue's span in its text
    end: np.ndarray
    word: np.ndarray  # the index of its first word in its text
    words: np.ndarray  # its number of words
    category: np.ndarray  # its category's index in CATEGORIES
    postposed: np.ndarray  # whether it is a negator that may follow the word it negates


@cache
def _character_table(test: str) -> np.ndarray:
    """For every Basic Multilingual Plane code point, whether ``str.<test>()`` holds of it (``isalnum``:
    a word character of the regular expressions here, ``isspace``: their ``\\s``)."""
    return np.fromiter((getattr(chr(code), test)() for code in range(_BMP)), dtype=bool, count=_BMP)


def _codes(text: str) -> np.ndarray:
    """The code points of ``text`` (a lone surrogate as itself)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _holds(codes: np.ndarray, test: str) -> np.ndarray:
    """Whether ``str.<test>()`` holds of each code point of ``codes``."""
    astral = codes >= _BMP
    if not astral.any():
        return _character_table(test)[codes]
    held = _character_table(test)[np.where(astral, 0, codes)]
    beyond = np.flatnonzero(astral)  # emoji and other characters beyond the BMP: each distinct one tested
    distinct, each = np.unique(codes[beyond], return_inverse=True)
    held[beyond] = np.array([getattr(chr(code), test)() for code in distinct.tolist()], dtype=bool)[each]
    return held


def _word_starts(codes: np.ndarray) -> np.ndarray:
    """Where the words of the text of code points ``codes`` start, in order (a word: a run of letters and
    digits, as :data:`_TOKEN` finds them in folded text, where apostrophes are spaces)."""
    letters = _holds(codes, "isalnum")
    starts = letters.copy()
    starts[1:] &= ~letters[:-1]
    return np.flatnonzero(starts)


def _lengths(texts: Sequence[str]) -> np.ndarray:
    """The lengths of ``texts``."""
    return np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))


def _offsets(lengths: np.ndarray) -> np.ndarray:
    """Where each text of these lengths starts in the texts joined by line breaks (``"\\n".join``)."""
    return np.cumsum(lengths + 1) - (lengths + 1)


def _read_cues(texts: Sequence[str], langs: Sequence[str | None]) -> _CueTable:
    """:func:`find_cues` of many texts at once: the texts of each lexicon are folded together
    (:func:`kzshutdowns.normalize.fold_batch`) and searched with one pass of the lexicon's regular
    expression, and a cue's word index is the number of words starting before it in its text."""
    languages = [*CUES, None]  # None: every language's lexicon, for any other language
    number = {lang: index for index, lang in enumerate(CUES)}
    lexicon_of = np.fromiter(map(number.get, langs, itertools.repeat(len(CUES))), dtype=np.int64,
                             count=len(langs))
    lengths = _lengths(texts)
    # Per lexicon: the text of each cue, its span in the text, word index, words, category, postposed.
    found: list[tuple[np.ndarray, ...]] = []
    for index, lang in enumerate(languages):
        members = np.flatnonzero(lexicon_of == index)
        if not len(members):
            continue
        lexicon = _lexicon(lang)
        batch = fold_batch([texts[index] for index in members.tolist()])
        # Each text is folded with a space before it; a word of folded text starts after a space. A lone
        # surrogate folds to itself: it is made a space, so that a word after it starts after a space.
        codes = _codes(batch.folded)
        lone = (codes - 0xD800) < 0x800
        folded = _SURROGATE.sub(" ", batch.folded) if lone.any() else batch.folded
        matches = list(lexicon.pattern.finditer(folded))
        if not matches:
            continue
        starts, ends = np.fromiter(itertools.chain.from_iterable(map(re.Match.span, matches)), dtype=np.int64,
                                   count=2 * len(matches)).reshape(-1, 2).T
        entry = np.fromiter(map(lexicon.readings.__getitem__, map(re.Match.group, matches)), dtype=np.int64,
                            count=len(matches))
        starts = starts + 1  # after the space
        text_starts = np.asarray(batch.starts)
        member = np.searchsorted(text_starts, starts, side="right") - 1
        first = text_starts[member]
        word_starts = _word_starts(codes)
        words = np.searchsorted(word_starts, starts) - np.searchsorted(word_starts, first)
        starts, ends = starts - first, ends - first
        # Where folding dropped characters (Arabic vowels), spans in the folded text are mapped back.
        shrunk = np.flatnonzero(np.subtract(batch.ends, text_starts) != lengths[members])
        if len(shrunk):
            kept = {number: kept_positions(texts[members[number]]) for number in shrunk.tolist()}
            for k in np.flatnonzero(np.isin(member, shrunk)).tolist():
                positions = kept[int(member[k])]
                starts[k], ends[k] = positions[starts[k]], positions[ends[k] - 1] + 1
        found.append((members[member], starts, ends, words, lexicon.sizes[entry], lexicon.categories[entry],
                      lexicon.postposed[entry]))
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return _CueTable(empty, empty, empty, empty, empty, empty, empty, np.zeros(0, dtype=bool))
    text, starts, *rest = (np.concatenate(column) for column in zip(*found, strict=True))
    at = _offsets(lengths)[text] + starts
    order = np.argsort(at, kind="stable")
    return _CueTable(text[order], at[order], starts[order], *(column[order] for column in rest))


def _cue_list(table: _CueTable) -> list[Cue]:
    """The cues of ``table`` as :class:`Cue` tuples."""
    return list(map(Cue, [CATEGORIES[code] for code in table.category.tolist()], table.start.tolist(),
                    table.end.tolist(), table.word.tolist(), table.words.tolist()))


def find_cues(text: str, lang: str | None) -> list[Cue]:
    """Every cue in ``text``, leftmost-longest and non-overlapping, in text order.

    Words are read left to right; a word that starts a cue moves the reading past the cue's words.
    """
    return _cue_list(_read_cues([text], [lang]))


def _sentence_spans(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the sentences of the text of code points ``codes`` (see :func:`split_sentences`)."""
    space = _holds(codes, "isspace")
    ending = _SENTENCE_MARKS[np.minimum(codes, _BMP - 1)]
    ending[:-1] &= space[1:]  # a mark ends a sentence before white space or at the end of the text
    cuts = np.flatnonzero(ending | (codes == ord("\n"))) + 1
    pieces = np.concatenate(([0], cuts[cuts < len(codes)], [len(codes)]))
    filled = np.flatnonzero(~space)
    first = np.searchsorted(filled, pieces[:-1])  # the first character of a piece not white space ...
    last = np.searchsorted(filled, pieces[1:]) - 1  # ... and the last
    kept = first <= last
    return filled[first[kept]], filled[last[kept]] + 1


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text``, without surrounding white space; empty ones are skipped.

    A sentence ends after ``. ! ? ؟ ؛ ;`` followed by white space or the end of the text, and after a line
    break.
    """
    starts, ends = _sentence_spans(_codes(text))
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def analyse_sentences(text: str, lang: str | None, platforms: list[tuple[int, int, str]]) -> list[Sentence]:
    """Split ``text`` into sentences and give each platform mention the status its clause gives it.

    ``platforms`` holds (start, end, platform id) spans in ``text``, none ending before it starts. A
    sentence's clauses run from its start and from each contrast cue in it. In its clause, a platform
    mentioned in the sentence takes:

    - with one status cue in the clause (after negation), that cue's status; with more, the status of the
      nearest (the one starting nearer to the name's start, the earlier on a tie), except that a restricted
      cue in the clause turns a nearest reachable one to restricted ("works with interruptions");
    - in a contrast clause without a status cue, the opposite of the last status cue before it in the
      sentence, if any;
    - otherwise, if a negator of the clause that negates no status cue stands right beside the name (only
      white space and ``, . ; : ! ? ،`` between them, the negator before the name or after it): blocked.

    A status cue is negated by a negator of its clause whose last word is one to
    :data:`NEGATION_WINDOW` words before it, or by a postposed negator that many words after its last word.
    A platform mentioned twice in a sentence with different statuses keeps the first in the order blocked,
    restricted, reachable (a loss of access reported anywhere is kept); the sentence's statuses are in the
    order the platforms first get one, clause by clause and, within a clause, in the order of
    ``platforms``. :func:`analyse_many` does the same for many texts at once.
    """
    return analyse_many([text], [lang], [platforms])[0]


class _Mentions(NamedTuple):
    """The platform mentions that start inside a sentence, in the order of their texts' lists."""

    sentence: np.ndarray  # the index of the sentence holding the mention's start
    at: np.ndarray  # where it starts in the texts joined by line breaks ...
    end: np.ndarray  # ... and ends
    platform: np.ndarray  # the index in names of the first mention (of all texts) of its platform
    names: list[str]  # the platform ids of all mentions, read or not


def _mentions(platforms: Sequence[Sequence[tuple[int, int, str]]], offsets: np.ndarray, lengths: np.ndarray,
              starts: np.ndarray, ends: np.ndarray) -> _Mentions:
    """The platform spans of each text that start inside one of the sentences ``starts``-``ends`` (all
    texts' sentences, in the texts joined by line breaks); ValueError for a span ending before it starts."""
    counts = np.fromiter(map(len, platforms), dtype=np.int64, count=len(platforms))
    flat = list(itertools.chain.from_iterable(platforms))
    begin, finish = (np.fromiter(map(itemgetter(field), flat), dtype=np.int64, count=len(flat))
                     for field in (0, 1))
    names = list(map(itemgetter(2), flat))
    first: dict[str, int] = {}
    platform = np.fromiter(map(first.setdefault, names, itertools.count()), dtype=np.int64, count=len(names))
    text = np.repeat(np.arange(len(platforms), dtype=np.int64), counts)
    at = offsets[text] + begin
    sentence = np.searchsorted(starts, at, side="right") - 1
    inside = (begin >= 0) & (begin < lengths[text]) & (sentence >= 0)
    inside[inside] = at[inside] < ends[sentence[inside]]
    read = np.flatnonzero(inside)
    backwards = read[finish[read] < begin[read]]
    if len(backwards):
        raise ValueError(f"platform span {flat[backwards[0]]} of text {text[backwards[0]]} ends before it "
                         "starts")
    return _Mentions(sentence[read], at[read], (at + finish - begin)[read], platform[read], names)


# What may stand between a negator and a platform name it says is missing ("no internet", "интернет жоқ").
_BESIDE = np.isin(np.arange(_BMP), [ord(mark) for mark in " \t,.;:!?،"])


def _nothing_between(codes: np.ndarray, begin: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Whether only characters of :data:`_BESIDE` are at ``codes[begin[i]:end[i]]`` (``begin <= end``)."""
    lengths = end - begin
    pair = np.repeat(np.arange(len(begin)), lengths)
    at = np.arange(len(pair)) + np.repeat(begin - (np.cumsum(lengths) - lengths), lengths)
    return np.bincount(pair[~_BESIDE[np.minimum(codes[at], _BMP - 1)]], minlength=len(begin)) == 0


_OPPOSITE = np.array([STATUS_RANK[OPPOSITE[status]] for status in STATUSES], dtype=np.int64)


def _statuses(table: _CueTable, mentions: _Mentions, starts: np.ndarray, codes: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """The status each platform mention gets in its clause (its rank in :data:`STATUSES`, -1 for none; see
    :func:`analyse_sentences`) and the number of its clause among all (growing along the texts).

    ``starts`` are the sentences' starts and ``codes`` the code points of the texts joined by line breaks,
    where ``table.at`` and the mentions' positions are.
    """
    category, at = table.category, mentions.at
    sentence = np.searchsorted(starts, table.at, side="right") - 1  # every cue starts inside a sentence
    contrast_at = table.at[category == CATEGORIES.index("contrast")]
    # A clause's number: the sentence's plus the contrast cues up to there; the cues of a clause share it.
    clause = sentence + np.searchsorted(contrast_at, table.at, side="right")
    contrasts = np.searchsorted(contrast_at, at, side="right")
    own = mentions.sentence + contrasts
    number = contrasts - np.searchsorted(contrast_at, starts[mentions.sentence])  # in the sentence
    # Negation: a negator whose last word is 1 to NEGATION_WINDOW words before a status cue, or a postposed
    # one as far after the cue's last word. A text's cues hold distinct words in order (cue k + d starts at
    # least d words after cue k ends), so only the NEGATION_WINDOW cues on either side can be that near.
    status, negator = category < len(STATUSES), category == CATEGORIES.index("negation")
    last_word = table.word + table.words - 1
    negated, used = np.zeros(len(category), dtype=bool), np.zeros(len(category), dtype=bool)
    for step in range(1, NEGATION_WINDOW + 1):
        gap = table.word[step:] - last_word[:-step]
        near = (clause[step:] == clause[:-step]) & (gap > 0) & (gap <= NEGATION_WINDOW)
        before = near & negator[:-step] & status[step:]
        after = near & status[:-step] & negator[step:] & table.postposed[step:]
        negated[step:] |= before
        used[:-step] |= before
        negated[:-step] |= after
        used[step:] |= after
    cues = np.flatnonzero(status)
    cue_at, cue_clause, cue_sentence = table.at[cues], clause[cues], sentence[cues]
    given = np.where(negated[cues], _OPPOSITE[category[cues]], category[cues])
    restricting = np.concatenate(([0], np.cumsum(given == STATUS_RANK["restricted"])))
    low, high = np.searchsorted(cue_clause, own), np.searchsorted(cue_clause, own, side="right")
    left = np.searchsorted(cue_at, at, side="right") - 1  # the last status cue starting at or before
    result = np.full(len(at), -1, dtype=np.int64)
    # Status cues in the clause: the nearest is its last one starting at or before the name, or the next.
    cued = np.flatnonzero(high > low)
    if len(cued):
        first, last, there, before = low[cued], high[cued] - 1, at[cued], left[cued]
        nearer = there - cue_at[before] <= cue_at[np.minimum(before + 1, last)] - there
        nearest = np.where((before >= first) & ((before == last) | nearer), before, before + 1)
        found = given[nearest]
        restricted = (restricting[last + 1] > restricting[first]) & (found == STATUS_RANK["reachable"])
        result[cued] = np.where(restricted, STATUS_RANK["restricted"], found)
    # A contrast clause without one: the opposite of the last status cue before it in the sentence.
    previous = np.flatnonzero((high == low) & (number > 0) & (left >= 0))
    previous = previous[cue_sentence[left[previous]] == mentions.sentence[previous]]
    result[previous] = _OPPOSITE[given[left[previous]]]
    # Else a negator of the clause that negates nothing, right beside the name: of those, only the last
    # ending at or before the name's start and the first starting at or after its end can be (letters of
    # another negator would lie between). A negator starting after the name is in its clause or a later one.
    free = np.flatnonzero(negator & ~used)
    rest = np.flatnonzero((result < 0) & (high == low))
    if len(free) and len(rest):
        free_at, free_clause = table.at[free], clause[free]
        free_end = free_at + (table.end - table.start)[free]
        there, end, clause_there = at[rest], mentions.end[rest], own[rest]
        before = np.maximum(np.searchsorted(free_end, there, side="right") - 1, 0)
        after = np.minimum(np.searchsorted(free_at, end), len(free) - 1)
        beside = np.zeros(len(rest), dtype=bool)
        # A negator before the name (its end to the name's start), or after it (the name's end to its start).
        for negator_of, begin, finish in ((before, free_end[before], there), (after, end, free_at[after])):
            pair = np.flatnonzero((begin <= finish) & (free_clause[negator_of] == clause_there))
            beside[pair[_nothing_between(codes, begin[pair], finish[pair])]] = True
        result[rest[beside]] = STATUS_RANK["blocked"]
    return result, own


def _given(mentions: _Mentions, status: np.ndarray, clause: np.ndarray, count: int) -> list[dict[str, str]]:
    """The statuses of each of ``count`` sentences from its platform mentions' (:func:`_statuses`): per
    platform the first in :data:`STATUSES` of those it gets, in the order the platforms first get one
    (clause by clause, then in their text's list)."""
    given: list[dict[str, str]] = [{} for _ in range(count)]
    got = np.flatnonzero(status >= 0)
    if not len(got):
        return given
    got = got[np.lexsort((got, clause[got]))]
    platform, sentence = mentions.platform[got], mentions.sentence[got]
    # Each platform of a sentence: its mentions from the first on, their best status.
    grouped = np.lexsort((np.arange(len(got)), platform, sentence))
    bounds = np.flatnonzero(np.concatenate(([True], (np.diff(sentence[grouped]) != 0)
                                            | (np.diff(platform[grouped]) != 0))))
    firsts = grouped[bounds]
    best = np.minimum.reduceat(status[got][grouped], bounds)
    order = np.argsort(firsts)
    kept = firsts[order]
    for number, name, best_status in zip(sentence[kept].tolist(),
                                         map(mentions.names.__getitem__, platform[kept].tolist()),
                                         map(STATUSES.__getitem__, best[order].tolist()), strict=True):
        given[number][name] = best_status
    return given


def analyse_many(texts: Sequence[str], langs: Sequence[str | None],
                 platforms: Sequence[Sequence[tuple[int, int, str]]]) -> list[list[Sentence]]:
    """:func:`analyse_sentences` of each text with its language and platform spans.

    The cues of all texts are read together (:func:`_read_cues`), the sentences of all texts split in one
    pass over the texts joined by line breaks, and the platform mentions of all texts given their statuses
    together, in array operations over all cues and mentions (:func:`_statuses`).
    """
    table = _read_cues(texts, langs)
    lengths = _lengths(texts)
    offsets = _offsets(lengths)
    codes = _codes("\n".join(texts))
    starts, ends = _sentence_spans(codes)
    mentions = _mentions(platforms, offsets, lengths, starts, ends)
    given = _given(mentions, *_statuses(table, mentions, starts, codes), len(starts))
    text_of = np.searchsorted(offsets, starts, side="right") - 1
    # Witness and habitual cues of each sentence (the cues starting in it).
    low, high = np.searchsorted(table.at, starts), np.searchsorted(table.at, ends)
    marks = [np.concatenate(([0], np.cumsum(table.category == CATEGORIES.index(name), dtype=np.int64)))
             for name in ("witness", "habitual")]
    starts, ends = starts - offsets[text_of], ends - offsets[text_of]
    sentences = list(map(Sentence, starts.tolist(), ends.tolist(), given,
                         *((mark[high] > mark[low]).tolist() for mark in marks)))
    bounds = np.searchsorted(text_of, np.arange(len(texts) + 1)).tolist()
    return [sentences[first:last] for first, last in zip(bounds, bounds[1:], strict=False)]
