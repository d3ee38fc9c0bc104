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
from dataclasses import dataclass, field
from functools import cache

from kzshutdowns.normalize import ARABIC_PROCLITICS, fold_text, script_of

STATUSES = ("blocked", "restricted", "reachable")
OPPOSITE = {"blocked": "reachable", "restricted": "reachable", "reachable": "blocked"}
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
CATEGORIES = (*STATUSES, "negation", "contrast", "witness", "habitual")

_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!?؟؛;](?=\s|$)|\n")


@dataclass(frozen=True)
class Entry:
    """One lexicon entry, folded: its words, whether the last word may continue, its category."""

    words: tuple[str, ...]
    open_end: bool
    category: str
    arabic: bool


@dataclass(frozen=True)
class Cue:
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

    ``pattern`` matches an entry where a word of the folded text starts, trying the entries in rank
    order; the capture group that took part in a match (``match.lastindex``) names the entry,
    ``groups[match.lastindex - 1]``.
    """

    entries: tuple[Entry, ...]
    pattern: re.Pattern[str]
    groups: tuple[Entry, ...]


# A character of a word (of _TOKEN). Folded text holds only these and spaces: every other character
# folds to a space, apostrophes too, so a word of folded text is a run of these.
_LETTER = r"[^\W_]"


def _alternatives(entry: Entry) -> dict[str, str]:
    """Regular expressions matching ``entry`` where a word starts, keyed by the word's first character
    and matching from its second: an Arabic entry's first word may follow a proclitic in its word, the
    words are separated by non-letters, and the last word ends its word unless it may continue."""
    ending = f"{_LETTER}*" if entry.open_end else f"(?!{_LETTER})"
    rest = "".join(r"[\W_]+" + re.escape(word) for word in entry.words[1:]) + ending
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
    # Each branch starts with its literal initial, which lets the regex engine skip other characters
    # fast; the look-behind then checks that the initial starts a word.
    branches = [f"{re.escape(initial)}(?<!{_LETTER}{re.escape(initial)})(?:"
                + "|".join(f"{alternative}()" for alternative, _ in items) + ")"
                for initial, items in by_initial.items()]
    groups = tuple(entry for items in by_initial.values() for _, entry in items)
    return Lexicon(tuple(entries), re.compile("|".join(branches)), groups)


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


def _read_cues(text: str, lang: str | None) -> tuple[list[Cue], set[int]]:
    """:func:`find_cues`, and the word indices of the negators among the cues that may follow the word
    they negate (:data:`POSTPOSED_NEGATORS`)."""
    lexicon = entries_for(lang)
    folded, positions = fold_text(text)
    cues: list[Cue] = []
    postposed: set[int] = set()
    word = 0  # the index of the first word after the last cue
    read = 0  # where the last cue ends in the folded text
    for match in lexicon.pattern.finditer(folded):
        start, end = match.span()
        entry = lexicon.groups[match.lastindex - 1]
        word += len(_TOKEN.findall(folded, read, start))
        if entry.category == "negation" and folded[start:end] in POSTPOSED_NEGATORS:
            postposed.add(word)
        if positions is None:
            cues.append(Cue(entry.category, start, end, word, len(entry.words)))
        else:
            cues.append(Cue(entry.category, positions[start], positions[end - 1] + 1, word, len(entry.words)))
        word += len(entry.words)
        read = end
    return cues, postposed


def find_cues(text: str, lang: str | None) -> list[Cue]:
    """Every cue in ``text``, leftmost-longest and non-overlapping, in text order.

    Words are read left to right; a word that starts a cue moves the reading past the cue's words.
    """
    return _read_cues(text, lang)[0]


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text``, without surrounding white space; empty ones are skipped."""
    spans, begin = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((begin, match.end()))
        begin = match.end()
    spans.append((begin, len(text)))
    trimmed = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            trimmed.append((start, end))
    return trimmed


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
    previous: str | None = None
    for number, clause_cues in enumerate(clauses):
        c_start, c_end = bounds[number], bounds[number + 1]
        statuses, free_negators = _effective_statuses(clause_cues, postposed)
        for start, end, pid in platforms:
            if not c_start <= start < c_end:
                continue
            if statuses:
                nearest = min(statuses, key=lambda item, at=start: (abs(item[0].start - at), item[0].start))
                status = nearest[1]
                if status == "reachable" and any(s == "restricted" for _, s in statuses):
                    status = "restricted"  # "works with interruptions" is restricted
            elif number and previous is not None:  # a contrast clause without a status cue
                status = OPPOSITE[previous]
            elif any(_adjacent(text, neg.end, start) or _adjacent(text, end, neg.start)
                     for neg in free_negators):
                status = "blocked"  # a negator right beside the name: "no internet", "интернет жоқ"
            else:
                continue
            known = sentence.statuses.get(pid)
            if known is None or STATUSES.index(status) < STATUSES.index(known):
                sentence.statuses[pid] = status
        if statuses:
            previous = statuses[-1][1]


def analyse_sentences(text: str, lang: str | None, platforms: list[tuple[int, int, str]]) -> list[Sentence]:
    """Split ``text`` into sentences and give each platform mention the status its clause gives it.

    ``platforms`` holds (start, end, platform id) spans in ``text``. A platform mentioned twice in a
    sentence with different statuses keeps the first in the order blocked, restricted, reachable (a
    loss of access reported anywhere is kept). Only a sentence with both a cue and a platform has
    clauses to read.
    """
    cues, postposed = _read_cues(text, lang)
    sentences = []
    for s_start, s_end in split_sentences(text):
        inside = [c for c in cues if s_start <= c.start < s_end]
        categories = {c.category for c in inside}
        sentence = Sentence(s_start, s_end, {}, "witness" in categories, "habitual" in categories)
        sentences.append(sentence)
        own = [platform for platform in platforms if s_start <= platform[0] < s_end]
        if inside and own:
            _give_statuses(sentence, text, inside, postposed, own)
    return sentences
