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

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
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
    """A cue found in a text: category, span in the text, and the index of its first word."""

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


@dataclass(frozen=True)
class Lexicon:
    """Compiled cue entries, longest first, and one regular expression that finds them all.

    ``pattern`` matches a space and an entry starting the word after it, trying the entries in rank
    order; the capture group that took part in a match (``match.lastindex``) names the entry,
    ``groups[match.lastindex - 1]``.
    """

    entries: tuple[Entry, ...]
    pattern: re.Pattern[str]
    groups: tuple[Entry, ...]


# A character of a word (of _TOKEN). Folded text holds only these and spaces: every other character
# folds to a space, apostrophes too, so a word of folded text is a run of these. (A lone surrogate folds
# to itself: _read_cues makes it a space before searching.)
_LETTER = r"[^\W_]"
_SURROGATE = re.compile("[\ud800-\udfff]")
# What separates the words of an entry of many words: anything but a letter, except the mark between two
# texts folded together (kzshutdowns.normalize.BOUNDARY, which folding never makes), so that no cue runs
# from one text into the next.
_GAP = rf"[^\w{re.escape(BOUNDARY)}]+"


def _alternatives(entry: Entry) -> dict[str, str]:
    """Regular expressions matching ``entry`` where a word starts, keyed by the word's first character
    and matching from its second: an Arabic entry's first word may follow a proclitic in its word, the
    words are separated by non-letters, and the last word ends its word unless it may continue."""
    ending = f"{_LETTER}*" if entry.open_end else f"(?!{_LETTER})"
    rest = "".join(_GAP + re.escape(word) for word in entry.words[1:]) + ending
    heads: dict[str, list[str]] = {}
    for lead in ("", *sorted(ARABIC_PROCLITICS)) if entry.arabic else ("",):
        head = lead + entry.words[0]
        heads.setdefault(head[0], []).append(re.escape(head[1:]))
    return {initial: f"(?:{'|'.join(tails)}){rest}" for initial, tails in heads.items()}


def _longest_first(entries: list[Entry]) -> Lexicon:
    """The lexicon of ``entries``: more words, then longer words first, so "غير ان" wins over "غير"."""
    entries = sorted(entries, key=lambda e: (-len(e.words), -sum(map(len, e.words)), e.words, e.category))
    by_initial: dict[str, list[tuple[str, Entry]]] = {}
    for entry in entries:
        for initial, alternative in _alternatives(entry).items():
            by_initial.setdefault(initial, []).append((alternative, entry))
    # A word of folded text starts after a space (see _read_cues): the pattern starts with one, which lets
    # the regex engine skip to the next space fast; each branch then starts with its literal initial.
    branches = [f"{re.escape(initial)}(?:" + "|".join(f"{alternative}()" for alternative, _ in items) + ")"
                for initial, items in by_initial.items()]
    groups = tuple(entry for items in by_initial.values() for _, entry in items)
    return Lexicon(tuple(entries), re.compile(f" (?:{'|'.join(branches)})"), groups)


def _compile(lexicon: dict[str, dict[str, tuple[str, ...]]]) -> dict[str, Lexicon]:
    compiled: dict[str, Lexicon] = {}
    for lang, categories in lexicon.items():
        entries = []
        for category, phrases in categories.items():
            for phrase in phrases:
                words = tuple(_TOKEN.findall(fold_text(phrase.rstrip("*"))[0]))
                entries.append(Entry(words, phrase.endswith("*"), category, script_of(phrase) == "arabic"))
        compiled[lang] = _longest_first(entries)
    return compiled


@cache
def _lexicons() -> tuple[dict[str, Lexicon], Lexicon]:
    """The compiled lexicons of :data:`CUES` per language, and every language's entries together.

    Compiled on first use: folding the entries builds the character table of
    :func:`kzshutdowns.normalize.fold_text` (a few tenths of a second), which jobs that import this
    module but read no text (the gathers) need not build.
    """
    compiled = _compile(CUES)
    return compiled, _longest_first([entry for lexicon in compiled.values() for entry in lexicon.entries])


def entries_for(lang: str | None) -> Lexicon:
    """The cue lexicon for a segment language; every language's entries when it has none."""
    compiled, every = _lexicons()
    return compiled.get(lang or "", every)


class _CueTable(NamedTuple):
    """The cues of many texts (:func:`_read_cues`), ordered by text and then by start.

    ``at[k]`` is where cue ``k`` starts in the texts joined by line breaks (its start plus its text's
    offset there, :func:`_offsets`); ``postposed[i]`` holds the word indices of text ``i``'s negators
    that may follow the word they negate (:data:`POSTPOSED_NEGATORS`), for the texts that have any.
    """

    cues: list[Cue]
    at: np.ndarray
    categories: np.ndarray  # the cues' categories
    postposed: dict[int, set[int]]


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


def _words_before(folded: str) -> np.ndarray:
    """For each position of ``folded`` (and its end), how many words start before it (a word: a run of
    letters and digits, as :data:`_TOKEN` finds them in folded text, where apostrophes are spaces)."""
    letters = _holds(_codes(folded), "isalnum")
    starts = letters.copy()
    starts[1:] &= ~letters[:-1]
    return np.concatenate(([0], np.cumsum(starts, dtype=np.int64)))


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
    by_lang: dict[str | None, list[int]] = {}
    for index, lang in enumerate(langs):
        by_lang.setdefault(lang, []).append(index)
    by_lexicon: dict[int, tuple[Lexicon, list[int]]] = {}
    for lang, indices in by_lang.items():
        lexicon = entries_for(lang)
        by_lexicon.setdefault(id(lexicon), (lexicon, []))[1].extend(indices)
    lengths = _lengths(texts)
    # Per lexicon: the text of each cue, the cues, their categories, whether each is a postposed negator.
    found: list[tuple[np.ndarray, list[Cue], np.ndarray, np.ndarray]] = []
    for lexicon, members in by_lexicon.values():
        batch = fold_batch([texts[index] for index in members])
        # Each text is folded with a space before it; a word of folded text starts after a space.
        folded = _SURROGATE.sub(" ", batch.folded)
        matches = [match.span() + (match.lastindex,) for match in lexicon.pattern.finditer(folded)]
        if not matches:
            continue
        starts, ends, groups = np.array(matches, dtype=np.int64).T
        starts += 1  # after the space
        member = np.searchsorted(batch.starts, starts, side="right") - 1
        first = np.asarray(batch.starts)[member]
        before = _words_before(folded)
        words = (before[starts] - before[first]).tolist()
        starts, ends = (starts - first).tolist(), (ends - first).tolist()
        # Where folding dropped characters (Arabic vowels), spans in the folded text are mapped back.
        shrunk = np.flatnonzero(np.subtract(batch.ends, batch.starts) != lengths[members])
        kept = {number: kept_positions(texts[members[number]]) for number in shrunk.tolist()}
        for k in np.flatnonzero(np.isin(member, shrunk)).tolist():
            positions = kept[int(member[k])]
            starts[k], ends[k] = positions[starts[k]], positions[ends[k] - 1] + 1
        categories = np.array([entry.category for entry in lexicon.groups])[groups - 1]
        lengths_in_words = [len(lexicon.groups[group - 1].words) for group in groups.tolist()]
        cues = list(map(Cue, categories.tolist(), starts, ends, words, lengths_in_words))
        postposed = np.zeros(len(cues), dtype=bool)
        for k in np.flatnonzero(categories == "negation").tolist():
            postposed[k] = folded[matches[k][0] + 1:matches[k][1]] in POSTPOSED_NEGATORS
        found.append((np.asarray(members)[member], cues, categories, postposed))
    if not found:
        return _CueTable([], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=str), {})
    text_of = np.concatenate([part[0] for part in found])
    cues = [cue for part in found for cue in part[1]]
    starts = np.fromiter((cue.start for cue in cues), dtype=np.int64, count=len(cues))
    at = _offsets(lengths)[text_of] + starts
    order = np.argsort(at, kind="stable")
    cues = [cues[k] for k in order.tolist()]
    text_of, at = text_of[order], at[order]
    postposed: dict[int, set[int]] = {}
    for k in np.flatnonzero(np.concatenate([part[3] for part in found])[order]).tolist():
        postposed.setdefault(int(text_of[k]), set()).add(cues[k].word)
    return _CueTable(cues, at, np.concatenate([part[2] for part in found])[order], postposed)


def find_cues(text: str, lang: str | None) -> list[Cue]:
    """Every cue in ``text``, leftmost-longest and non-overlapping, in text order.

    Words are read left to right; a word that starts a cue moves the reading past the cue's words.
    """
    return _read_cues([text], [lang]).cues


def _sentence_spans(joined: str) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the sentences of ``joined`` (see :func:`split_sentences`)."""
    codes = _codes(joined)
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
    starts, ends = _sentence_spans(text)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _effective_statuses(cues: list[Cue], postposed: set[int]) -> tuple[list[tuple[Cue, str]], list[Cue]]:
    """Status cues with negation applied, and the negators that negated no status cue (``postposed``:
    the word indices of negators that may follow the word they negate)."""
    negators = [c for c in cues if c.category == "negation"]
    if not negators:
        return [(cue, cue.category) for cue in cues if cue.category in STATUSES], []
    used: set[int] = set()
    result = []
    for cue in cues:
        if cue.category not in STATUSES:
            continue
        negated = False
        for neg in negators:
            gap = cue.word - (neg.word + neg.words - 1)
            after = neg.word - (cue.word + cue.words - 1)
            if 0 < gap <= NEGATION_WINDOW or (0 < after <= NEGATION_WINDOW and neg.word in postposed):
                negated = True
                used.add(neg.word)
        result.append((cue, OPPOSITE[cue.category] if negated else cue.category))
    return result, [neg for neg in negators if neg.word not in used]


def _adjacent(text: str, end: int, start: int) -> bool:
    """Whether only white space or punctuation lies between ``end`` and ``start``."""
    return end <= start and not text[end:start].strip(" \t,.;:!?،")


def _give_statuses(sentence: Sentence, text: str, cues: list[Cue], postposed: set[int],
                   platforms: list[tuple[int, int, str]]) -> None:
    """Give each of the ``platforms`` mentioned in ``sentence`` the status its clause gives it (see
    :func:`analyse_sentences`); ``cues`` are the sentence's cues."""
    # Clauses: the cues from the start of the sentence, then from each contrast cue on.
    clauses: list[list[Cue]] = [[]]
    for cue in cues:
        if cue.category == "contrast":
            clauses.append([])
        clauses[-1].append(cue)
    bounds = [sentence.start, *(clause[0].start for clause in clauses[1:]), sentence.end]
    given = sentence.statuses
    previous: str | None = None
    for number, clause_cues in enumerate(clauses):
        c_start, c_end = bounds[number], bounds[number + 1]
        statuses, free_negators = _effective_statuses(clause_cues, postposed)
        # One status cue gives its status everywhere in the clause; with more, the nearest gives it, and a
        # restricted one turns reachable to restricted ("works with interruptions").
        only = statuses[0][1] if len(statuses) == 1 else None
        restricted = only is None and "restricted" in [status for _, status in statuses]
        for start, end, pid in platforms:
            if not c_start <= start < c_end:
                continue
            if only is not None:
                status = only
            elif statuses:
                nearest = min(statuses, key=lambda item, at=start: (abs(item[0].start - at), item[0].start))
                status = "restricted" if restricted and nearest[1] == "reachable" else nearest[1]
            elif number and previous is not None:  # a contrast clause without a status cue
                status = OPPOSITE[previous]
            elif any(_adjacent(text, neg.end, start) or _adjacent(text, end, neg.start)
                     for neg in free_negators):
                status = "blocked"  # a negator right beside the name: "no internet", "интернет жоқ"
            else:
                continue
            known = given.get(pid)
            if known is None or STATUS_RANK[status] < STATUS_RANK[known]:
                given[pid] = status
        if statuses:
            previous = statuses[-1][1]


def analyse_sentences(text: str, lang: str | None, platforms: list[tuple[int, int, str]]) -> list[Sentence]:
    """Split ``text`` into sentences and give each platform mention the status its clause gives it.

    ``platforms`` holds (start, end, platform id) spans in ``text``. A platform mentioned twice in a
    sentence with different statuses keeps the first in the order blocked, restricted, reachable (a
    loss of access reported anywhere is kept). Only a sentence with both a cue and a platform has
    clauses to read. :func:`analyse_many` does the same for many texts at once.
    """
    return analyse_many([text], [lang], [platforms])[0]


def analyse_many(texts: Sequence[str], langs: Sequence[str | None],
                 platforms: Sequence[Sequence[tuple[int, int, str]]]) -> list[list[Sentence]]:
    """:func:`analyse_sentences` of each text with its language and platform spans.

    The cues of all texts are read together (:func:`_read_cues`) and the sentences of all texts split in
    one pass over the texts joined by line breaks; a text is read in Python only to make its sentences and
    to give statuses in those of its sentences that hold both a cue and a platform.
    """
    table = _read_cues(texts, langs)
    lengths = _lengths(texts)
    offsets = _offsets(lengths)
    starts, ends = _sentence_spans("\n".join(texts))
    text_of = np.searchsorted(offsets, starts, side="right") - 1
    # The cues of each sentence (every cue starts inside a sentence, on a letter) and its platforms.
    low, high = np.searchsorted(table.at, starts), np.searchsorted(table.at, ends)
    marks = {category: np.concatenate(([0], np.cumsum(table.categories == category, dtype=np.int64)))
             for category in ("witness", "habitual")}
    counts = np.fromiter(map(len, platforms), dtype=np.int64, count=len(platforms))
    placed = np.fromiter((span[0] for spans in platforms for span in spans), dtype=np.int64,
                         count=int(counts.sum()))
    inside = (placed >= 0) & (placed < np.repeat(lengths, counts))
    placed = np.sort((placed + np.repeat(offsets, counts))[inside])
    read = np.flatnonzero((high > low) & (np.searchsorted(placed, ends) > np.searchsorted(placed, starts)))
    starts, ends = starts - offsets[text_of], ends - offsets[text_of]
    sentences = [Sentence(start, end, {}, witness, habitual) for start, end, witness, habitual in zip(
        starts.tolist(), ends.tolist(), *((mark[high] > mark[low]).tolist() for mark in marks.values()),
        strict=True)]
    cues, postposed = table.cues, table.postposed
    for number, index, first, last in zip(read.tolist(), text_of[read].tolist(), low[read].tolist(),
                                          high[read].tolist(), strict=True):
        sentence = sentences[number]
        own = [span for span in platforms[index] if sentence.start <= span[0] < sentence.end]
        _give_statuses(sentence, texts[index], cues[first:last], postposed.get(index, set()), own)
    bounds = np.searchsorted(text_of, np.arange(len(texts) + 1)).tolist()
    return [sentences[first:last] for first, last in zip(bounds, bounds[1:], strict=False)]
