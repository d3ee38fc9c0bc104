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
from functools import cache, lru_cache

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
    """Compiled cue entries, longest first, indexed by the first letter of their first word."""

    entries: tuple[Entry, ...]
    by_initial: dict[str, tuple[tuple[int, Entry], ...]]


def _longest_first(entries: list[Entry]) -> Lexicon:
    # More words, then longer words first, so "غير ان" wins over "غير".
    entries = sorted(entries, key=lambda e: (-len(e.words), -sum(map(len, e.words)), e.words, e.category))
    by_initial: dict[str, list[tuple[int, Entry]]] = {}
    for rank, entry in enumerate(entries):
        by_initial.setdefault(entry.words[0][0], []).append((rank, entry))
    return Lexicon(tuple(entries), {initial: tuple(items) for initial, items in by_initial.items()})


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


# The letters an Arabic proclitic starts with: a token starting with another has no proclitic to strip.
_PROCLITIC_INITIALS = frozenset(proclitic[0] for proclitic in ARABIC_PROCLITICS)


@lru_cache(maxsize=1 << 16)
def _stems(token: str) -> tuple[str, ...]:
    """The token, then the token without each Arabic proclitic it may start with."""
    if token[:1] not in _PROCLITIC_INITIALS:
        return (token,)
    stripped = (token[len(p):] for p in ARABIC_PROCLITICS if token.startswith(p) and len(token) > len(p))
    return (token, *stripped)


def _candidates(lexicon: Lexicon, token: str) -> list[Entry]:
    """Entries whose first word could match ``token`` (by its first letter, with or without clitics)."""
    initials = {stem[0] for stem in _stems(token)}
    found = [item for initial in initials for item in lexicon.by_initial.get(initial, ())]
    return [entry for _, entry in sorted(found, key=lambda item: item[0])]


def _word_matches(token: str, word: str, open_end: bool, clitics: bool) -> bool:
    candidates = _stems(token) if clitics else (token,)
    return any(c.startswith(word) if open_end else c == word for c in candidates)


@lru_cache(maxsize=1 << 16)
def _starting_with(lang: str | None, token: str) -> tuple[Entry, ...]:
    """The candidate entries of ``lang``'s lexicon whose first word matches ``token``, in rank order."""
    return tuple(
        entry for entry in _candidates(entries_for(lang), token)
        if _word_matches(token, entry.words[0], entry.open_end and len(entry.words) == 1, entry.arabic)
    )


def _rest_matches(entry: Entry, tokens: list[str], at: int) -> bool:
    """Whether the words of ``entry`` after its first follow ``tokens[at]`` (an entry of
    :func:`_starting_with`, whose first word that token already matches as this would check it)."""
    words = entry.words
    if len(words) == 1:
        return True
    if at + len(words) > len(tokens):
        return False
    last = len(words) - 1
    return all(_word_matches(tokens[at + i], words[i], entry.open_end and i == last, False)
               for i in range(1, len(words)))


def _spans(folded: str, positions: list[int] | None) -> list[tuple[int, int]]:
    """The spans in the original text of the words of its folded copy (``positions`` maps them back)."""
    spans = [match.span() for match in _TOKEN.finditer(folded)]
    if positions is None:
        return spans
    return [(positions[start], positions[end - 1] + 1) for start, end in spans]


def find_cues(text: str, lang: str | None) -> list[Cue]:
    """Every cue in ``text``, leftmost-longest and non-overlapping, in text order.

    Words are read left to right; a word that starts a cue moves the reading past the cue's words.
    Spans are worked out only for a text that has a cue.
    """
    folded, positions = fold_text(text)
    tokens = _TOKEN.findall(folded)
    spans: list[tuple[int, int]] | None = None
    cues: list[Cue] = []
    at = 0  # the first word not yet taken by a cue
    for index, token in enumerate(tokens):
        if index < at:
            continue
        starting = _starting_with(lang, token)
        if not starting:
            continue
        entry = next((e for e in starting if _rest_matches(e, tokens, index)), None)
        if entry is None:
            continue
        if spans is None:
            spans = _spans(folded, positions)
        n = len(entry.words)
        cues.append(Cue(entry.category, spans[index][0], spans[index + n - 1][1], index, n))
        at = index + n
    return cues


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


def _effective_statuses(cues: list[Cue], text: str) -> tuple[list[tuple[Cue, str]], list[Cue]]:
    """Status cues with negation applied, and the negators that negated no status cue."""
    negators = [c for c in cues if c.category == "negation"]
    postposed = {neg: fold_text(text[neg.start:neg.end])[0] in POSTPOSED_NEGATORS for neg in negators}
    used: set[Cue] = set()
    result = []
    for cue in cues:
        if cue.category not in STATUSES:
            continue
        negated = False
        for neg in negators:
            gap = cue.word - (neg.word + neg.words - 1)
            after = neg.word - (cue.word + cue.words - 1)
            if 0 < gap <= NEGATION_WINDOW or (0 < after <= NEGATION_WINDOW and postposed[neg]):
                negated = True
                used.add(neg)
        result.append((cue, OPPOSITE[cue.category] if negated else cue.category))
    return result, [neg for neg in negators if neg not in used]


def _adjacent(text: str, end: int, start: int) -> bool:
    """Whether only white space or punctuation lies between ``end`` and ``start``."""
    return end <= start and not text[end:start].strip(" \t,.;:!?،")


def analyse_sentences(text: str, lang: str | None, platforms: list[tuple[int, int, str]]) -> list[Sentence]:
    """Split ``text`` into sentences and give each platform mention the status its clause gives it.

    ``platforms`` holds (start, end, platform id) spans in ``text``. A platform mentioned twice in a
    sentence with different statuses keeps the first in the order blocked, restricted, reachable (a
    loss of access reported anywhere is kept).
    """
    cues = find_cues(text, lang)
    sentences = []
    for s_start, s_end in split_sentences(text):
        sentence = Sentence(s_start, s_end)
        inside = [c for c in cues if s_start <= c.start < s_end]
        sentence.witness = any(c.category == "witness" for c in inside)
        sentence.habitual = any(c.category == "habitual" for c in inside)
        sentences.append(sentence)
        if not platforms:
            continue  # no platform to give a status to: the clauses need no reading
        # Clause boundaries: the start of the sentence and every contrast cue.
        bounds = [s_start] + [c.start for c in inside if c.category == "contrast"] + [s_end]
        previous: str | None = None
        for c_start, c_end in zip(bounds, bounds[1:], strict=False):
            clause_cues = [c for c in inside if c_start <= c.start < c_end]
            statuses, free_negators = _effective_statuses(clause_cues, text)
            contrast = any(c.category == "contrast" and c.start == c_start for c in clause_cues)
            own = [(start, end, pid) for start, end, pid in platforms if c_start <= start < c_end]
            for start, end, pid in own:
                if statuses:
                    nearest = min(statuses,
                                  key=lambda item, at=start: (abs(item[0].start - at), item[0].start))
                    status = nearest[1]
                    if status == "reachable" and any(s == "restricted" for _, s in statuses):
                        status = "restricted"  # "works with interruptions" is restricted
                elif contrast and previous is not None:
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
    return sentences
