"""Offline multilingual geocoder: place names in Arabic, Russian, Kazakh and Latin-script text to GeoNames.

How a text is geocoded (:meth:`Geocoder.resolve`, or many at once with :meth:`Geocoder.resolve_many`,
which folds and scans a whole batch in one go, filters its names with array operations, settles texts
whose names need no context without the guards, and looks at the fallback's words of all its texts
together; :meth:`Geocoder.resolve_batch` gives the same results before the matches of those texts are
made objects, as columns of spans and shared fields, see :class:`ResolvedBatch`), in one pass plus a
little bookkeeping:

1. **Fold** the text (:mod:`kzshutdowns.normalize`), keeping a map back to the original characters.
2. **Match** every gazetteer key with Aho-Corasick scans: one for the keys that are whole words, one
   over the stretch of Arabic letters for the Arabic names that may carry glued proclitics
   (``وألماتي``, ``بافلودار`` is tried as a whole word first), which are left out of the reported span.
   Overlaps go to the longest name.
3. **Guard** against words that are not places: Latin and Cyrillic names must be capitalised (or a
   hashtag; lower case is accepted only for large Kazakh cities, and for countries in Cyrillic); an
   Arabic word with tanween (``روسيًا``, "Russian") is an adjective; names that are also common words
   (``Oral``, ``семей``, ``طراز``, ``Essen``) need context: a locative word before them (``in``,
   ``в``, ``مدينة``), a hashtag, a list of other places, or (outside German, and not in a title-case
   phrase) capitalisation mid-sentence. At the start of a sentence a capital proves nothing, so small
   places and Latin names followed by another capitalised word ("Jordan Peterson") need context too.
4. **Disambiguate** each name among its candidates by population (regions and countries have fixed
   weights), plus document context: countries mentioned or implied by unambiguous places, and
   regions (admin-1) shared with other places in the text. Near ties across countries are rejected
   as ambiguous rather than guessed.
5. **Fall back** across scripts for unmatched words: romanise (anyascii), reduce to a consonant
   skeleton and look it up among Kazakh places, accepting only skeletons of at least four
   consonants, a unique place, a similar romanisation and a document that is about Kazakhstan.
   Words holding a digit (link ids such as ``t.co/IcrVie8ISC``) are never transliterated.

Each :class:`PlaceMatch` says how it was found (``method``) and how sure the geocoder is
(``score``); each :class:`Rejection` says why a place-like word was not taken.

As a command, ``kzshutdowns geocode INPUT -o OUTPUT`` reads JSON Lines documents
(``{"id", "text", "lang"?}``) and writes one JSON object per resolved mention (see README).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain, islice, pairwise
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import IO, NamedTuple, TypeVar

import numpy as np
from anyascii import anyascii
from rapidfuzz import fuzz

from kzshutdowns.errors import InputError, run_main
from kzshutdowns.files import atomic_output, json_object, utf8_lines
from kzshutdowns.gazetteer import (
    COMMON_WORD_NAMES,
    DEFAULT_COMMON_WORD_ZIPF,
    DEFAULT_MIN_POPULATION_KZ,
    DEFAULT_MIN_POPULATION_WORLD,
    LARGE_KZ_POPULATION,
    Candidate,
    Gazetteer,
    Key,
    Place,
    build_gazetteer,
    load_gazetteer,
    padded_key,
    read_regions,
    read_rows,
    read_toponyms,
    save_gazetteer,
    tables_fingerprint,
)
from kzshutdowns.gc_tuning import fewer_collections, load_frozen
from kzshutdowns.language import detect_language, is_language_code
from kzshutdowns.normalize import (
    ARABIC_PROCLITICS,
    BOUNDARY,
    CodeTable,
    FoldedBatch,
    code_points,
    consonant_skeleton,
    fold_batch,
    kept_positions,
    script_of,
)

REPOSITORY = Path(__file__).resolve().parents[2]
REFERENCE = REPOSITORY / "data" / "reference"
DEFAULT_GAZETTEER = REPOSITORY / "data" / "interim" / "gazetteer.pickle"

METHOD_SCORES = {"exact": 1.0, "variant": 0.95, "inflected": 0.9}
COUNTRY_CONTEXT_BONUS = 1.5
REGION_CONTEXT_BONUS = 1.0
AMBIGUITY_MARGIN = 0.25
FALLBACK_MIN_SIMILARITY = 85.0
FALLBACK_MIN_LETTERS = 5
SMALL_PLACE_POPULATION = 15_000
# Documents geocoded together by the CLI (Geocoder.geocode_many): enough to spread a batch's fixed costs
# (about 0.2 ms of array operations, against 5.5 us a tweet; 3.5% of 1,000 tweets' time, under 1% of
# 5,000's), few enough to keep memory constant and small (a few megabytes).
BATCH_SIZE = 5000
# Texts in Arabic or Cyrillic script (by their language) and texts in others that Geocoder.resolve_many
# geocodes as two batches when each part has this many (a batch's fixed costs are about 0.2 ms).
SEPARATE_BATCH_MIN = 500
_ARABIC_OR_CYRILLIC = frozenset({"ar", "kk", "ru"})
# Decoded keys, choices of candidates and fallback verdicts are cached per geocoder, up to this many
# entries each.
CACHE_SIZE = 50_000

# Words after which a common-word name is read as a place ("in Oral", "в Семее", "مدينة طراز").
LOCATIVE_CUES = frozenset(
    ("in", "from", "to", "near", "at", "into", "via", "across", "outside", "inside", "city", "town")
    + ("region", "province", "de", "d", "en", "vers", "ville", "pres")  # English, French
    + ("nach", "aus", "bei", "von", "im", "stadt")  # German
    + ("в", "во", "из", "до", "под", "около", "город", "городе", "города", "г", "регион", "области")
    + ("مدينه", "بمدينه", "لمدينه", "ومدينه", "مدن", "منطقه", "في", "الي")  # Arabic (folded)
)
# Words that join names into a list ("Astana, Almaty and Oral").
LIST_JOINERS = frozenset(
    ("and", "or", "et", "ou", "und", "oder", "и", "или", "да")  # English, French, German, Russian
    + ("мен", "бен", "пен", "жане", "немесе", "و", "او")  # Kazakh (folded: және -> жане), Arabic
)
_SENTENCE_END = ".!?\n…"
# White space, at most one word, white space: matched from the start of a gap between two names.
_WORD_AT_MOST = re.compile(r"\s*(\S*)\s*")
_TANWEEN = frozenset("\u064b\u064c\u064d")
# A folded word the fallback may transliterate, found among words separated by spaces (a folded text,
# or words joined by spaces): long enough, without a digit (link ids such as ``t.co/IcrVie8ISC``).
_TRANSLITERABLE = re.compile(rf"(?<![^ ])[^ \d]{{{FALLBACK_MIN_LETTERS},}}(?![^ ])")
_PROCLITICS_LONGEST_FIRST = sorted(ARABIC_PROCLITICS, key=len, reverse=True)
# Nisba adjective endings (كازاخستانية "Kazakhstani"): derived from names, never names themselves.
_ARABIC_ADJECTIVE_ENDINGS = ("يه", "يين", "يون", "ييه")


class PlaceFields(NamedTuple):
    """The fields of a :class:`PlaceMatch` after its span: the place, how it was found and how sure.
    The matches of one name in one context share them (see :func:`_template`)."""

    geonameid: int
    name: str
    country_code: str
    admin1: str
    lat: float
    lon: float
    method: str  # exact | variant | inflected | transliterated
    score: float
    kind: str  # city | region | country
    region_code: str | None


PlaceMatch = NamedTuple(  # type: ignore[misc]
    "PlaceMatch", [("start", int), ("end", int), ("surface", str), *PlaceFields.__annotations__.items()]
)
PlaceMatch.__doc__ = "A resolved place mention: its span in the text, then :class:`PlaceFields`' fields."


@dataclass(frozen=True)
class Rejection:
    """A place-like word that was not resolved, and why."""

    start: int
    end: int
    surface: str
    reason: str  # ambiguous | below_threshold | stopword
    detail: str


_DROP = Rejection(0, 0, "", "", "")


class _KeyInfo(NamedTuple):
    """What matching, the guards and disambiguation need to know of a key, worked out once per key."""

    key: Key
    length: int  # of the key's text
    arabic: bool
    lower_ok: bool  # a Latin or Cyrillic name accepted in lower case (see _lower_case_allowed)
    unguarded: bool  # the guard accepts it in any context (an Arabic name: unless written with tanween)
    local: bool  # its first candidate is in Kazakhstan and not the country itself
    small: bool  # its first candidate is a city of fewer than SMALL_PLACE_POPULATION people
    template: PlaceFields | None  # the only candidate's match (see _template); None: several
    skip: int  # the first candidate's clitic letters (left out of the span)
    countries: frozenset[str]  # the countries of its candidates
    regions: frozenset[tuple[str, str]]  # (country, admin-1) of its candidate cities
    region: tuple[str, str]  # (country, admin-1) of its first candidate
    shortcut: int  # how Geocoder._find_names may take it: _ANYWHERE, _MID_SENTENCE or _GUARDED
    kazakh: bool  # its only candidate is in Kazakhstan (or is the country)


# A name that is no common word is accepted without looking at its context when the guard would accept
# it anywhere (_ANYWHERE: Arabic names in text without dropped marks, Cyrillic names of places that are
# not small), or unless a capital at the start of a sentence is all that shows it to be a name
# (_MID_SENTENCE: the other names); common words (_GUARDED) go through the guard.
_ANYWHERE, _MID_SENTENCE, _GUARDED = 0, 1, 2


class _Choice(NamedTuple):
    """A name's best candidate in a context: its match (see _template) or, when ``template`` is None,
    why the name is rejected as ambiguous."""

    skip: int
    template: PlaceFields | None
    detail: str


class _Choices(NamedTuple):
    """The choices for the names of a text (see Geocoder._choices_of), and what the batch path reads of
    them: their templates and skips, whether each name has a match, and whether one is in Kazakhstan."""

    choices: list[_Choice]
    templates: list[PlaceFields | None]
    skips: list[int]
    taken: bool  # no name is too ambiguous to take
    kazakh: bool  # taken, and a match is in Kazakhstan (or is the country)


class _Span(NamedTuple):
    """A key found in the folded text (folded coordinates, without the clitic)."""

    start: int
    end: int
    key: Key
    clitic: str
    info: _KeyInfo


# _Span((start, end, key, clitic, info)) without the Python-level __new__ of a NamedTuple; spans are
# made for every name found.
_new_span = partial(tuple.__new__, _Span)
_new_tuple = tuple.__new__
_by_span = attrgetter("start", "end")  # the sort order of matches and of rejections
# str.isupper and str.isalnum of many characters at once (see CodeTable).
_IS_UPPER = CodeTable(str.isupper, np.uint8, 2)
_IS_ALNUM = CodeTable(str.isalnum, np.uint8, 2)
T = TypeVar("T")


class PlainMatches(NamedTuple):
    """The matches of the plain texts of a batch (see :meth:`Geocoder._find_names`) as columns, in text
    order: those of text ``i`` are ``cuts[i]`` to ``cuts[i + 1]`` (none for a text that is not plain).
    Each is its span in the text and its *template*: the fields of its :class:`PlaceMatch` after the
    span (:class:`PlaceFields`, see :func:`_template`), shared by all matches of one name."""

    cuts: list[int]
    documents: list[int]  # the index of each match's text
    starts: list[int]
    ends: list[int]
    templates: list[PlaceFields]

    def matches(self, texts: Sequence[str]) -> list[PlaceMatch]:
        """The matches as objects (of all texts, in order; those of text ``i`` from ``cuts[i]`` on)."""
        return [
            _new_tuple(PlaceMatch, (start, end, texts[index][start:end]) + template)  # _match, inlined
            for template, start, end, index in zip(
                self.templates, self.starts, self.ends, self.documents, strict=True
            )
        ]

    def matches_of(self, index: int, text: str) -> list[PlaceMatch]:
        """The matches of text ``index`` (``text``) as objects."""
        first, last = self.cuts[index], self.cuts[index + 1]
        return [
            _match(template, start, end, text)
            for template, start, end in zip(
                self.templates[first:last], self.starts[first:last], self.ends[first:last], strict=True
            )
        ]


class ResolvedBatch(NamedTuple):
    """What :meth:`Geocoder.resolve_batch` finds in a batch of texts: the matches of the plain texts as
    columns (``plain``), and the matches and rejections of the others, by index (``settled``: texts
    that went through the guards, disambiguation or the fallback; a plain text in which the fallback
    took or rejected a word is settled too, and ``settled`` then holds all its matches: its columns in
    ``plain`` are left out, see :meth:`results` and :meth:`match_rows`)."""

    texts: Sequence[str]
    folded: FoldedBatch  # the texts folded (see kzshutdowns.normalize.fold_batch), for other scans
    plain: PlainMatches
    settled: dict[int, tuple[list[PlaceMatch], list[Rejection]]]

    def results(self) -> list[tuple[list[PlaceMatch], list[Rejection]]]:
        """:meth:`Geocoder.resolve` for each text (see :meth:`Geocoder.resolve_many`)."""
        results = [(matches, []) for matches in self.matches()]
        for index, result in self.settled.items():
            results[index] = result
        return results  # type: ignore[return-value]

    def matches(self) -> list[list[PlaceMatch]]:
        """:meth:`Geocoder.geocode` for each text: the matches of :meth:`results`."""
        made = self.plain.matches(self.texts)
        matches = [made[first:last] for first, last in pairwise(self.plain.cuts)]
        for index, (settled, _) in self.settled.items():
            matches[index] = settled
        return matches

    def match_rows(self) -> tuple[np.ndarray, list[int], list[int], list[PlaceFields]]:
        """Every match of the batch as a row: the index of its text, its start and end, and its other
        fields (:class:`PlaceFields`: a template, see :class:`PlainMatches`, shared by the matches of
        one name, or the fields of a match that was settled). The rows of the plain texts come first,
        in text order, then those of the settled texts, by text in the order of ``settled``."""
        plain = self.plain
        documents, starts, ends, fields = plain.documents, plain.starts, plain.ends, plain.templates
        if any(plain.cuts[index] != plain.cuts[index + 1] for index in self.settled):  # rare: the fallback
            rows = [row for row, index in enumerate(documents) if index not in self.settled]
            documents, starts, ends, fields = ([column[row] for row in rows] for column in plain[1:])
        settled = [(index, match) for index, (matches, _) in self.settled.items() for match in matches]
        return (
            np.asarray(documents + [index for index, _ in settled], dtype=np.int64),
            starts + [match.start for _, match in settled],
            ends + [match.end for _, match in settled],
            fields + [PlaceFields._make(match[3:]) for _, match in settled],
        )


class _Names(NamedTuple):
    """The names of one text, in text order and without overlaps, as columns (see _next_to_place)."""

    starts: Sequence[int]  # without the clitic
    ends: Sequence[int]  # exclusive
    clitics: Sequence[int]  # the length of each name's glued Arabic proclitic (0: none)
    common: Sequence[bool]  # the name is also a common word


class _BatchNames(NamedTuple):
    """The names that :meth:`Geocoder._find_names` finds in a batch, without overlaps and in text order,
    as columns: those of document ``i`` are ``cuts[i]`` to ``cuts[i + 1]``."""

    cuts: list[int]
    starts: list[int]  # in the document's folded text, without the clitic
    stops: list[int]  # the same, exclusive
    clitics: list[int]  # the length of each name's glued Arabic proclitic (0: none)
    infos: list[_KeyInfo]
    offsets: list[int]  # where the name's document starts in the batch
    positions: dict[int, list[int]]  # for each text that folding shortened, its kept_positions
    accepted: list[bool]  # per document: the guards accept its names as found (see Geocoder._find_names)
    plain: PlainMatches  # the matches of the plain documents
    kazakh: list[bool]  # per document: plain, with a match in Kazakhstan (or of the country)
    others: list[int]  # the documents with names that are not plain
    dropped: dict[int, list[tuple[int, int]]]  # by document: common words dropped unguarded (_common_words)

    def spans(self, index: int, folded: str) -> list[_Span]:
        """The spans of document ``index`` of the batch folded as ``folded``."""
        first, last = self.cuts[index], self.cuts[index + 1]
        return [
            _new_span((start, stop, info.key, folded[offset + start - clitic : offset + start], info))
            for start, stop, clitic, info, offset in zip(
                self.starts[first:last],
                self.stops[first:last],
                self.clitics[first:last],
                self.infos[first:last],
                self.offsets[first:last],
                strict=True,
            )
        ]

    def columns(self, index: int) -> tuple[list[_KeyInfo], list[int], list[int]]:
        """The key, start and stop of each span of document ``index``."""
        first, last = self.cuts[index], self.cuts[index + 1]
        return self.infos[first:last], self.starts[first:last], self.stops[first:last]

    def covered(self, index: int) -> list[tuple[int, int]]:
        """The stretches of document ``index``'s folded text that its spans cover, clitics included
        (those of the common words dropped before the guard too)."""
        dropped = self.dropped.get(index, [])
        first, last = self.cuts[index], self.cuts[index + 1]
        return [
            (start - clitic, stop)
            for start, stop, clitic in zip(
                self.starts[first:last], self.stops[first:last], self.clitics[first:last], strict=True
            )
        ] + dropped


class Geocoder:
    """Geocode text against a loaded gazetteer; create with :meth:`load`."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._keys: dict[int, _KeyInfo] = {}
        self._choices: dict[tuple, _Choice] = {}
        self._sequences: dict[tuple, _Choices] = {}
        self._fallback_cache: dict[str, tuple[str, str, int, str, float]] = {}
        self._settled: set[str] = set()  # folded words the fallback never takes (see _verdict)

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Geocoder:
        """Load the gazetteer at ``path``; with None, use (and if needed build) a cached one.

        The cache is ``data/interim/gazetteer.pickle`` in the repository when the workflow built it
        from the current reference tables with the default thresholds, else a file in the user cache
        folder (``$XDG_CACHE_HOME/kzshutdowns``), built on first use and rebuilt when the tables change,
        or when it was written by another version of the gazetteer format (or is damaged).
        A table that changed is validated against its Table Schema when the gazetteer is rebuilt.
        """
        if path is not None:
            return cls(load_gazetteer(path))
        fingerprint = reference_fingerprint()
        for candidate in (DEFAULT_GAZETTEER, _user_cache()):
            if candidate.exists():
                try:
                    gazetteer = load_gazetteer(candidate)
                except InputError:  # another format version, or damaged: not used, and the cache rebuilt
                    continue
                if gazetteer.settings.get("reference") == fingerprint:
                    return cls(gazetteer)
        gazetteer = build_default_gazetteer()
        save_gazetteer(gazetteer, _user_cache())
        return cls(gazetteer)

    # -- public API ---------------------------------------------------------------------------

    def geocode(self, text: str, lang: str | None = None) -> list[PlaceMatch]:
        """The resolved place mentions of ``text``, in text order."""
        return self.resolve(text, lang)[0]

    def resolve(self, text: str, lang: str | None = None) -> tuple[list[PlaceMatch], list[Rejection]]:
        """Resolved place mentions and rejected place-like words of ``text``, each in text order."""
        return self.resolve_many([text], [lang])[0]

    def geocode_many(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None
    ) -> list[list[PlaceMatch]]:
        """:meth:`geocode` for each of ``texts`` (with the language of each, or None to detect it), as
        :meth:`resolve_many` finds them."""
        order, batches = self._grouped(texts, langs)
        return _in_order(order, chain.from_iterable(batch.matches() for batch in batches))

    def resolve_many(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None
    ) -> list[tuple[list[PlaceMatch], list[Rejection]]]:
        """:meth:`resolve` for each of ``texts``, much faster per text than one call each (see
        :meth:`resolve_batch`). ``langs`` gives the language of each text (None: detect it); without
        it all are detected.

        The texts are geocoded grouped by language (and so by script), which is faster than in a
        mixed order: consecutive texts then walk the same parts of the automaton and of the caches.
        With at least :data:`SEPARATE_BATCH_MIN` texts in Arabic or Cyrillic script (by their
        language) and as many in others, each of the two makes a batch of its own: the others then
        mostly fold to ASCII, which Python stores in a byte a character (faster to copy, split,
        hash and scan) and in which the glued Arabic names are not looked for. The results come in
        the order of ``texts``."""
        order, batches = self._grouped(texts, langs)
        return _in_order(order, chain.from_iterable(batch.results() for batch in batches))

    def _grouped(
        self, texts: Sequence[str], langs: Sequence[str | None] | None
    ) -> tuple[list[int], list[ResolvedBatch]]:
        """``texts`` resolved in the order of their languages, in one or two batches (see
        :meth:`resolve_many`): the index in ``texts`` of each text resolved, in order, and what
        :meth:`resolve_batch` gives for each batch."""
        known = _languages(texts, langs)
        order = sorted(range(len(texts)), key=known.__getitem__)
        ordered = [known[index] for index in order]
        parts: tuple[list[int], list[int]] = ([], [])  # the texts in Latin (or other) script, the others
        for lang in sorted(set(ordered)):  # a run of the order each
            parts[lang in _ARABIC_OR_CYRILLIC].extend(
                order[bisect_left(ordered, lang) : bisect_right(ordered, lang)]
            )
        if min(map(len, parts)) < SEPARATE_BATCH_MIN:
            return order, [self.resolve_batch([texts[index] for index in order], ordered)]
        batches = [
            self.resolve_batch([texts[index] for index in part], [known[index] for index in part])
            for part in parts
        ]
        return parts[0] + parts[1], batches

    def resolve_batch(self, texts: Sequence[str], langs: Sequence[str | None] | None = None) -> ResolvedBatch:
        """What :meth:`resolve_many` gives, before the matches of plain texts are made objects: the batch
        is folded in one go, scanned in one automaton pass, its names filtered with array operations
        and the fallback's words looked at together, and a text with plain names only (see
        :meth:`_find_names`) or none costs little more."""
        known = _languages(texts, langs)
        batch = fold_batch(texts)
        names = self._find_names(texts, known, batch)
        # Plain texts and texts without names are settled by _find_names (names.plain); the others here.
        settled: dict[int, tuple[list[PlaceMatch], list[Rejection]]] = {}
        # The fallback's context gate: texts about Kazakhstan (Kazakh, or with a Kazakh place or the country).
        kazakh = [
            lang == "kk" or in_kazakhstan for lang, in_kazakhstan in zip(known, names.kazakh, strict=True)
        ]
        for index in names.others:
            text, lang = texts[index], known[index]
            if names.accepted[index]:  # no dropped characters: no positions
                matches, rejections = self._disambiguate(*names.columns(index), text, None, lang)
                if len(rejections) > 1:
                    rejections.sort(key=_by_span)
            else:
                spans = names.spans(index, batch.folded)
                folded = batch.folded[batch.starts[index] : batch.ends[index]]
                matches, rejections = self._settle(spans, text, folded, names.positions.get(index), lang)
            settled[index] = (matches, rejections)
            kazakh[index] = lang == "kk" or "KZ" in [match.country_code for match in matches]
        for index, (found, rejected) in self._fallback(texts, batch, names, kazakh).items():
            if index in settled:
                matches, rejections = settled[index]
            else:
                matches, rejections = names.plain.matches_of(index, texts[index]), []
            if found:  # matches of spans come in text order, those of the fallback after them
                matches = sorted(matches + found, key=_by_span)
            if rejected:
                rejections = sorted(rejections + rejected, key=_by_span)
            settled[index] = (matches, rejections)
        return ResolvedBatch(texts, batch, names.plain, settled)

    def _settle(
        self, spans: list[_Span], text: str, folded: str, positions: list[int] | None, lang: str
    ) -> tuple[list[PlaceMatch], list[Rejection]]:
        """The guards and then disambiguation for the names (``spans``) of one text (see :meth:`resolve`)."""
        accepted: list[_Span] = []
        rejections: list[Rejection] = []
        names = _Names(
            [span.start for span in spans],
            [span.end for span in spans],
            [len(span.clitic) for span in spans],
            [span.key.common for span in spans],
        )
        for span in spans:
            # Tanween marks are dropped by folding: without dropped characters there is none.
            if span.info.unguarded and not (span.info.arabic and positions is not None):
                accepted.append(span)
                continue
            verdict = self._guard(span, text, folded, positions, lang, names)
            if verdict is None:
                accepted.append(span)
            elif verdict is not _DROP:
                rejections.append(verdict)
        matches, ambiguous = self._disambiguate(
            [span.info for span in accepted],
            [span.start for span in accepted],
            [span.end for span in accepted],
            text,
            positions,
            lang,
        )
        rejections += ambiguous
        if len(rejections) > 1:
            rejections.sort(key=_by_span)
        return matches, rejections

    # -- 2. matching ----------------------------------------------------------------------------

    def _find_names(self, texts: Sequence[str], langs: list[str], batch: FoldedBatch) -> _BatchNames:
        """The names in a folded batch of ``texts``: every gazetteer key found by one automaton scan, less
        Latin and Cyrillic names that must be capitalised (or hashtags) and are not, and Arabic names
        glued to a word that is no proclitic; most hits are lower-case words ("les", "der"), dropped
        here with array operations before any other work.

        The guards accept all the names of a text *as found* when folding dropped none of its
        characters and each name is accepted in any context, or mid-sentence and is so (see
        ``_KeyInfo.shortcut``), or is a common word that the words next to it settle (see
        :meth:`_common_words`, which also drops those the guard would drop). Such a text is *plain*
        when none of its names is too ambiguous to take (see
        :meth:`_choices_of`, which depends on the language of the text, in ``langs``):
        disambiguation then gives a match for each name, in text order, and no rejection, and the
        span and template of each of these matches (:class:`PlainMatches`) are found here for all
        plain texts at once.
        """
        folded = batch.folded
        codes = None if folded.isascii() else code_points(folded)
        hits = self._scan(folded, codes)
        count = len(texts)
        offsets = np.asarray(batch.starts, dtype=np.int64)
        raw_starts = np.asarray(batch.raw_starts, dtype=np.int64)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=count)
        shortened = np.asarray(batch.ends, dtype=np.int64) - offsets != lengths
        positions = {index: kept_positions(texts[index]) for index in np.flatnonzero(shortened).tolist()}
        # ``end`` indexes the space after the name in the batch: the exclusive end of the name.
        ends = np.fromiter(map(itemgetter(0), hits), dtype=np.int64, count=len(hits))
        document = np.searchsorted(batch.ends, ends)
        keys, which = np.unique(
            np.fromiter(map(itemgetter(1), hits), dtype=np.int64, count=len(hits)), return_inverse=True
        )
        infos = [self._info(number) for number in keys.tolist()]

        # A property of each hit's key, for the hits in ``which`` when called (it is filtered below).
        def column(values: Iterable[int]) -> np.ndarray:
            return np.fromiter(values, dtype=np.int64, count=len(infos))[which]

        starts = ends - column(info.length for info in infos)  # in the batch
        kept = np.ones(len(hits), dtype=bool)
        kinds = column(info.arabic + 2 * info.lower_ok for info in infos)
        capitalised = np.flatnonzero(kinds == 0)  # Latin and Cyrillic names not taken in lower case
        if capitalised.size:  # taken capitalised, or as a hashtag
            initials = _in_text(document[capitalised], (starts - offsets[document])[capitalised], positions)
            where = raw_starts[document[capitalised]] + initials
            kept[capitalised] = _IS_UPPER(batch.raw[where]).view(bool) | (
                (initials > 0) & (batch.raw[np.maximum(where - 1, 0)] == ord("#"))
            )
        clitics = np.zeros(len(hits), dtype=np.int64)
        arabic = np.flatnonzero(kinds & 1)  # Arabic names, with proclitics glued or not
        if arabic.size:  # then the batch holds Arabic letters, and ``codes`` are known
            glued = arabic[codes[starts[arabic] - 1] != ord(" ")]  # type: ignore[index]
            for hit, at in zip(glued.tolist(), starts[glued].tolist(), strict=True):
                clitic = folded[folded.rfind(" ", 0, at) + 1 : at]
                kept[hit] = clitic in ARABIC_PROCLITICS  # the name takes one (takes_proclitics)
                clitics[hit] = len(clitic)
        document, starts, ends, clitics, which = _rows(kept, document, starts, ends, clitics, which)
        # Names that overlap (a name overlaps a later one if and only if it overlaps the next: they come
        # in the order of their ends): the longest wins (see _without_overlaps).
        overlap = np.flatnonzero((document[1:] == document[:-1]) & (ends[:-1] > starts[1:] - clitics[1:]))
        if overlap.size:
            kept = _without_overlaps(overlap, document, starts, ends, clitics)
            document, starts, ends, clitics, which = _rows(kept, document, starts, ends, clitics, which)
        accepted = ~shortened
        # Common words: those the guard would take or drop whatever else the text holds are settled here
        # (see _common_words); a text with any other keeps the guard.
        common = np.flatnonzero(column(info.shortcut == _GUARDED for info in infos))
        kept, dropped = self._common_words(
            common, _Names(starts, ends, clitics, column(info.key.common for info in infos)), document,
            [infos[key] for key in which[common].tolist()], texts, langs, batch, accepted,
        )  # fmt: skip
        if dropped:
            document, starts, ends, clitics, which = _rows(kept, document, starts, ends, clitics, which)
        shortcut = column(info.shortcut for info in infos)
        skip = column(info.skip for info in infos)
        offsets = offsets[document]
        # At the start of a sentence, the guard takes such a name unless it is a small place, or a Latin
        # name before another capitalised word (which may make a longer proper name: "Jordan Peterson").
        weak = column(info.small + 2 * (info.key.script == "latin") for info in infos)
        middle = np.flatnonzero((shortcut == _MID_SENTENCE) & accepted[document] & (weak > 0))
        if middle.size:  # a hashtag stays, and so does a name after a letter or digit and a space
            initials = (starts + skip - offsets)[middle]  # in the text, whose characters all stayed
            where = raw_starts[document[middle]] + initials
            before = batch.raw[np.maximum(where - 1, 0)]
            alnum = _IS_ALNUM(batch.raw[np.maximum(where - 2, 0)]).view(bool)
            inside = (initials > 1) & (before == ord(" ")) & alnum
            middle = middle[~(((initials > 0) & (before == ord("#"))) | inside)]
        for index, at, end, small in zip(
            document[middle].tolist(),
            (starts + skip - offsets)[middle].tolist(),
            (ends - offsets)[middle].tolist(),
            (weak[middle] & 1).tolist(),
            strict=True,
        ):
            text = texts[index]
            if _sentence_initial(text, at) and (small or _next_capitalised(text, end) is not None):
                accepted[index] = False  # the guard decides
        plain = accepted.copy()
        kazakh = np.zeros(count, dtype=bool)
        kazakh[document[column(info.kazakh for info in infos) == 1]] = True
        cuts = np.searchsorted(document, np.arange(count + 1)).tolist()
        hit_infos = [infos[key] for key in which.tolist()]
        templates = [info.template for info in hit_infos]
        skips = skip.tolist()
        # A name with several candidates: the text's choices (see _choices_of), unless one is ambiguous.
        several = np.flatnonzero(column(info.template is None for info in infos) & plain[document])
        for index in np.unique(document[several]).tolist():
            first, last = cuts[index], cuts[index + 1]
            chosen = self._choices_of(hit_infos[first:last], langs[index])
            if not chosen.taken:
                plain[index] = False
                continue
            templates[first:last] = chosen.templates
            skips[first:last] = chosen.skips
            kazakh[index] = chosen.kazakh
        others = np.flatnonzero(~plain & (np.bincount(document, minlength=count) > 0))
        matched = np.flatnonzero(plain[document])
        return _BatchNames(
            cuts,
            (starts - offsets).tolist(),
            (ends - offsets).tolist(),
            clitics.tolist(),
            hit_infos,
            offsets.tolist(),
            positions,
            accepted.tolist(),
            PlainMatches(
                np.searchsorted(document[matched], np.arange(count + 1)).tolist(),
                document[matched].tolist(),
                (starts + np.asarray(skips, dtype=np.int64) - offsets)[matched].tolist(),
                (ends - offsets)[matched].tolist(),
                [templates[hit] for hit in matched.tolist()],  # type: ignore[misc]
            ),
            (kazakh & plain).tolist(),
            others.tolist(),
            dropped,
        )

    def _scan(self, folded: str, codes: np.ndarray | None) -> list[tuple[int, int]]:
        """(end, key number) of every key in ``folded`` (a batch, see :class:`FoldedBatch`; ``codes``, its
        code points, or None when it is ASCII), in the order of their ends (the longer first at one
        end): the documents from the first to the last that holds a letter that may start a glued key
        are scanned with the automaton of all keys, those before and after them with the automaton
        of the whole-word keys (see :class:`Gazetteer`). The cuts are at boundaries of documents,
        which no key spans."""
        gazetteer = self.gazetteer
        if codes is None:
            return list(gazetteer.automaton.iter(folded))
        low, high = gazetteer.glued_letters
        starting = (codes >= low) & (codes <= high)
        if not starting.any():
            return list(gazetteer.automaton.iter(folded))
        left = max(folded.rfind(BOUNDARY, 0, int(starting.argmax())), 0)
        right = folded.find(BOUNDARY, len(codes) - 1 - int(starting[::-1].argmax()))
        right = len(folded) if right < 0 else right
        hits = list(gazetteer.automaton.iter(folded, 0, left))
        hits.extend(gazetteer.full.iter(folded, left, right))
        hits.extend(gazetteer.automaton.iter(folded, right, len(folded)))
        return hits

    def _common_words(
        self,
        common: np.ndarray,
        hits: _Names,
        document: np.ndarray,
        infos: list[_KeyInfo],
        texts: Sequence[str],
        langs: list[str],
        batch: FoldedBatch,
        accepted: np.ndarray,
    ) -> tuple[np.ndarray, dict[int, list[tuple[int, int]]]]:
        """Settle the names at ``common`` (hits of common words, with their ``infos``; the ``hits``, of
        all texts, are in batch coordinates, those of text ``i`` where ``document`` is ``i``) that the
        guard would settle from the words around them alone, in the texts still ``accepted`` (folding
        dropped none of their characters, so no tanween either):

        - a hashtag, or a locative word before the name: the guard takes it, and it stays;
        - a Latin or Cyrillic name capitalised inside a sentence and outside a title-case phrase,
          where a capital shows a name (:func:`_capital_shows_name`): the guard takes it, and it
          stays (when the next word is capitalised, the guard asks whether that is a place: left to it);
        - a common Arabic word naming a place outside Kazakhstan: the guard takes it when it stands
          in a list of places (:func:`_next_to_place`), and it stays; otherwise the guard drops it
          silently, and it goes. Another name's list runs through a word only as a gap (whose words
          _next_to_place reads from the text, not from the names), so the guard settles the other
          names of the text alike with or without the names dropped here.

        A text with any other common word goes through the guard (``accepted`` is set False). Which
        names stay, as a mask of the hits, and the spans (clitics included, in the text) of those
        that go, by text: they still cover their words for the fallback (see _BatchNames.covered).
        """
        kept = np.ones(len(document), dtype=bool)
        dropped: dict[int, list[tuple[int, int]]] = {}
        folded, names = batch.folded, _Names(*(column.tolist() for column in hits))
        cuts = np.searchsorted(document, np.arange(len(texts) + 1)).tolist()  # text i: cuts[i] to cuts[i + 1]
        for hit, index, info in zip(common.tolist(), document[common].tolist(), infos, strict=True):
            if not accepted[index]:
                continue
            start, clitic, offset = names.starts[hit], names.clitics[hit], batch.starts[index]
            at, text = start - offset + info.skip, texts[index]
            if not clitic and at > 0 and text[at - 1] == "#":
                continue
            if (
                not info.arabic
                and _capital_shows_name(info.key, langs[index])
                and _next_capitalised(text, names.ends[hit] - offset) is None
                and not (_sentence_initial(text, at) or _preceded_by_capitalised(text, at))
            ):
                continue
            previous = _folded_word_before(folded, start - clitic)
            if previous in LOCATIVE_CUES or (previous == "a" and langs[index] == "fr"):
                continue
            if info.arabic and not info.local:
                first, last = cuts[index], cuts[index + 1]
                # dropped unless it stands in a list of places (never when it is the text's only name)
                alone = last - first == 1
                if alone or not _next_to_place(hit, first, last, names, folded, offset, text, None):
                    kept[hit] = False
                    dropped.setdefault(index, []).append((start - clitic - offset, names.ends[hit] - offset))
                continue
            accepted[index] = False
        return kept, dropped

    def _info(self, number: int) -> _KeyInfo:
        """What is needed of key ``number`` (cached)."""
        info = self._keys.get(number)
        if info is None:
            if len(self._keys) >= CACHE_SIZE:
                self._keys.clear()
            info = self._keys[number] = self._key_info(self.gazetteer.key(number))
        return info

    def _key_info(self, key: Key) -> _KeyInfo:
        places = [self.gazetteer.places[candidate.place] for candidate in key.candidates]
        best = places[0]
        small = best.kind == "city" and best.population < SMALL_PLACE_POPULATION
        only = key.candidates[0] if len(key.candidates) == 1 else None
        template = (
            None if only is None else _template(best, only.method, round(METHOD_SCORES[only.method], 3))
        )
        # The guard's rules (see _guard): only common words, and Latin or small places at the start of
        # a sentence, need context.
        unguarded = not key.common and (key.script == "arabic" or (key.script == "cyrillic" and not small))
        shortcut = _GUARDED if key.common else _ANYWHERE if unguarded else _MID_SENTENCE
        return _KeyInfo(
            key,
            len(key.text),
            key.script == "arabic",
            self._lower_case_allowed(key),
            unguarded,
            best.country_code == "KZ" and best.kind != "country",
            small,
            template,
            key.candidates[0].skip,
            frozenset(place.country_code for place in places),
            frozenset((place.country_code, place.admin1) for place in places if place.kind == "city"),
            (best.country_code, best.admin1),
            shortcut,
            template is not None and best.country_code == "KZ",
        )

    def _lower_case_allowed(self, key: Key) -> bool:
        """Whether a Latin or Cyrillic name is accepted written in lower case: large Kazakh cities,
        and (in Cyrillic) countries, unless the name is also a common word."""
        best = self.gazetteer.places[key.candidates[0].place]
        if key.common:
            return False
        if best.country_code == "KZ" and best.kind != "country" and best.population >= LARGE_KZ_POPULATION:
            return True
        return key.script == "cyrillic" and best.kind == "country"

    # -- 3. guards --------------------------------------------------------------------------------

    def _guard(
        self, span: _Span, text: str, folded: str, positions: list[int] | None, lang: str, names: _Names
    ) -> Rejection | None:
        """None to accept, a Rejection to report, or ``_DROP`` to drop silently (a lower-case or
        very common word that only happens to be a foreign place name). ``names``: the spans of the
        text, ``span`` among them, as columns."""
        key, info = span.key, span.info
        start, end = _original_span(span.start + info.skip, span.end, positions, len(text))
        hashtag = start > 0 and text[start - 1] == "#" and not span.clitic
        if info.arabic and _TANWEEN & set(text[start : end + 1]):
            if not info.local:
                return _DROP
            return Rejection(
                start, end, text[start:end], "stopword", "indefinite (tanween) form: an adjective, not a name"
            )
        weak = key.common
        if not info.arabic and not hashtag and _sentence_initial(text, start):
            # A capital at the start of a sentence is no evidence of a name: small places
            # ("Достық", a village, is also "friendship") and names opening a longer proper name
            # ("Jordan Peterson") then need context too.
            phrase = key.script == "latin" and _followed_by_capitalised(text, end, names.starts, positions)
            weak = weak or info.small or phrase
        if not weak:
            return None
        if hashtag or self._has_cue(span, folded, text, positions, start, lang, names):
            return None
        if info.local or not info.arabic:
            surface = text[start:end]
            what = "a common word" if key.common else "at the start of a sentence"
            return Rejection(
                start, end, surface, "stopword", f"{surface!r} is {what} and has no place context"
            )
        return _DROP  # a common Arabic word naming a foreign place: too frequent to report

    def _has_cue(
        self,
        span: _Span,
        folded: str,
        text: str,
        positions: list[int] | None,
        start: int,
        lang: str,
        names: _Names,
    ) -> bool:
        previous = _folded_word_before(folded, span.start - len(span.clitic))
        if previous in LOCATIVE_CUES or (previous == "a" and lang == "fr"):  # French "à" folds to "a"
            return True
        # no two spans start at the same place
        here = bisect_left(names.starts, span.start)
        if _next_to_place(here, 0, len(names.starts), names, folded, 0, text, positions):
            return True
        if _capital_shows_name(span.key, lang):
            # Capitalised inside a sentence, and not inside a title-case phrase ("Internet Freedom").
            end = _original_span(span.end, span.end, positions, len(text))[0]
            return not (
                _sentence_initial(text, start)
                or _preceded_by_capitalised(text, start)
                or _followed_by_capitalised(text, end, names.starts, positions)
            )
        return False

    # -- 4. disambiguation ------------------------------------------------------------------------

    def _disambiguate(
        self,
        infos: list[_KeyInfo],
        starts: list[int],
        stops: list[int],
        text: str,
        positions: list[int] | None,
        lang: str,
    ) -> tuple[list[PlaceMatch], list[Rejection]]:
        """Matches for the accepted names of a text (the key, start and stop of each, as in a
        :class:`_Span`), and rejections of those too ambiguous to take, each in text order."""
        matches: list[PlaceMatch] = []
        rejections: list[Rejection] = []
        for choice, span_start, span_end in zip(
            self._choices_of(infos, lang).choices, starts, stops, strict=True
        ):
            start, end = _original_span(span_start + choice.skip, span_end, positions, len(text))
            if choice.template is None:
                rejections.append(Rejection(start, end, text[start:end], "ambiguous", choice.detail))
            else:
                matches.append(_match(choice.template, start, end, text))
        return matches, rejections

    def _choices_of(self, infos: list[_KeyInfo], lang: str) -> _Choices:
        """The choice for each of the accepted names of a text (see :meth:`_choose`), as
        :class:`_Choices`; it depends only on its names (their countries and regions make the context)
        and on whether the text is Kazakh. Cached per sequence of names and that flag: texts repeat
        them."""
        relevant = (lang == "kk", *[info.key.text for info in infos])
        chosen = self._sequences.get(relevant)
        if chosen is None:
            choices = []
            context: tuple[set[str], list[tuple[str, str]], Counter[tuple[str, str]]] | None = None
            for number, info in enumerate(infos):
                if info.template is not None:  # the usual case: nothing to weigh
                    choices.append(_Choice(info.skip, info.template, ""))
                    continue
                if context is None:  # the document's context, needed only to choose
                    countries, admin1 = self._context(infos, lang)
                    context = (countries, admin1, Counter(admin1))
                countries, admin1, pairs = context
                # the (country, admin-1) pairs of the other names: its own only if another name has it
                others = pairs if pairs[admin1[number]] > 1 else pairs.keys() - {admin1[number]}
                choices.append(self._choose(info, countries, set(others)))
            templates = [choice.template for choice in choices]
            taken = None not in templates
            kazakh = taken and "KZ" in [template.country_code for template in templates]  # type: ignore[union-attr]
            chosen = _Choices(choices, templates, [choice.skip for choice in choices], taken, kazakh)
            if len(self._sequences) >= CACHE_SIZE:
                self._sequences.clear()
            self._sequences[relevant] = chosen
        return chosen

    def _context(self, infos: list[_KeyInfo], lang: str) -> tuple[set[str], list[tuple[str, str]]]:
        """The countries a document is about (Kazakhstan for Kazakh text, and the country of each name
        whose candidates all lie in one), and the (country, admin-1) of each name's first candidate."""
        countries = {"KZ"} if lang == "kk" else set()
        for info in infos:
            if len(info.countries) == 1:
                countries |= info.countries
        return countries, [info.region for info in infos]

    def _choose(self, info: _KeyInfo, countries: set[str], regions: set[tuple[str, str]]) -> _Choice:
        """The best of a name's (several) candidates in a document's context, rejected as ambiguous when
        its margin over the runner-up is small and they lie in different countries; the score of a
        match grows with the margin. Cached per name and the part of the context that bears on its
        candidates: a document names few of their countries and regions."""
        relevant = (info.key.text, frozenset(countries & info.countries), frozenset(regions & info.regions))
        choice = self._choices.get(relevant)
        if choice is None:
            scored = sorted(
                ((self._score(c, countries, regions), c) for c in info.key.candidates),
                key=lambda pair: (-pair[0], pair[1].place),
            )
            (best_score, best), (runner_score, runner) = scored[:2]
            margin = best_score - runner_score
            place, other = self.gazetteer.places[best.place], self.gazetteer.places[runner.place]
            if margin < AMBIGUITY_MARGIN and other.country_code != place.country_code:
                detail = f"{place.name} ({place.country_code}) or {other.name} ({other.country_code})"
                choice = _Choice(best.skip, None, detail)
            else:
                score = round(METHOD_SCORES[best.method] * min(1.0, 0.6 + margin / 2.5), 3)
                choice = _Choice(best.skip, _template(place, best.method, score), "")
            if len(self._choices) >= CACHE_SIZE:
                self._choices.clear()
            self._choices[relevant] = choice
        return choice

    def _score(self, candidate: Candidate, countries: set[str], regions: set[tuple[str, str]]) -> float:
        place = self.gazetteer.places[candidate.place]
        score = candidate.prior
        if place.country_code in countries:
            score += COUNTRY_CONTEXT_BONUS
        if place.kind == "city" and (place.country_code, place.admin1) in regions:
            score += REGION_CONTEXT_BONUS
        return score

    # -- 5. cross-script fallback -----------------------------------------------------------------

    def _verdict(self, word: str) -> tuple[str, str, int, str, float] | None:
        """The fallback's verdict on a folded word that :data:`_TRANSLITERABLE` matches (see
        :meth:`_transliteration`), or None for a word it never takes: fitting no place, or a name the
        scan finds (see :meth:`_scanned_name`). Cached: the words with None in a set (the usual case,
        see :meth:`_fallback`), the others in a dict; each is emptied when it reaches
        :data:`CACHE_SIZE` entries, so memory stays bounded."""
        verdict = self._fallback_cache.get(word)  # holds only verdicts that are not None
        if verdict is not None:
            return verdict
        script = script_of(word)
        verdict = self._transliteration(word, script)
        if verdict is not None and self._scanned_name(word, script):  # names are few: checked last
            verdict = None
        if verdict is None:
            self._set_aside((word,))
        else:
            if len(self._fallback_cache) >= CACHE_SIZE:
                self._fallback_cache.clear()
            self._fallback_cache[word] = verdict
        return verdict

    def _set_aside(self, words: Collection[str]) -> None:
        """Add ``words`` to the words the fallback never takes, emptied first when they would pass
        :data:`CACHE_SIZE` (a batch's new words may then be more)."""
        if len(self._settled) + len(words) > CACHE_SIZE:
            self._settled.clear()
        self._settled.update(words)

    def _scanned_name(self, word: str, script: str) -> bool:
        """Whether ``word`` is an Arabic, Latin or Cyrillic gazetteer name, or an Arabic name that takes
        proclitics with one glued to it (بكاراغاندا): the scan then finds each of its occurrences as a
        whole word (with its proclitic), which becomes a span (or loses to an overlapping one), and the
        fallback skips words that a span overlaps. The only exception is a Latin or Cyrillic name in
        lower case (not a hashtag) that is no name in lower case, and the fallback skips those too."""
        if script not in ("arabic", "latin", "cyrillic"):
            return False
        number = self.gazetteer.number
        if number(padded_key(word, script)) is not None or number(padded_key(word, script, True)) is not None:
            return True
        return script == "arabic" and any(
            word.startswith(clitic) and number(padded_key(word[len(clitic) :], script, True)) is not None
            for clitic in ARABIC_PROCLITICS
        )

    def _fallback(
        self,
        texts: Sequence[str],
        batch: FoldedBatch,
        names: _BatchNames,
        kazakh: list[bool],
    ) -> dict[int, tuple[list[PlaceMatch], list[Rejection]]]:
        """Cross-script matches and rejections, by document, for the words of the batch's texts that are
        about Kazakhstan (``kazakh``: Kazakh, or with a Kazakh place or the country already found) that
        no name covers.

        Most words were seen before and fit no place, or are names the scan finds: the words of all the
        texts are dropped with set operations in one go, those the fallback never looks at (too short
        to transliterate safely, or holding a digit: a link id, whose consonants may well fit a place)
        with one regular expression over the rest, and the few others (usually none) then looked for
        in the batch, where those outside the texts about Kazakhstan are passed over."""
        # The texts about Kazakhstan come in runs of consecutive texts, first to last (exclusive): a slice
        # of the batch each (the boundary between two texts is a word of its own, set aside below).
        edges = np.flatnonzero(np.diff(np.asarray(kazakh, dtype=np.int8), prepend=0, append=0)).tolist()
        pieces = [
            batch.folded[batch.starts[first] : batch.ends[last - 1]]
            for first, last in zip(edges[::2], edges[1::2], strict=True)
        ]
        fresh = set(" ".join(pieces).split(" ")) - self._settled
        words = _TRANSLITERABLE.findall(" ".join(fresh))
        # The words it never looks at are settled now, names (covered or not) the first time they are seen.
        self._set_aside(fresh.difference(words))
        placeful = [word for word in words if self._verdict(word) is not None]
        if not placeful:
            return {}
        results: dict[int, tuple[list[PlaceMatch], list[Rejection]]] = {}
        scripts = {word: script_of(word) for word in placeful}
        for batch_start, batch_end, word in sorted(_occurrences(batch.folded, placeful)):
            index = bisect_right(batch.starts, batch_start) - 1
            if not kazakh[index]:
                continue
            text, offset = texts[index], batch.starts[index]
            word_start, word_end = batch_start - offset, batch_end - offset
            positions = names.positions.get(index)
            original_start, original_end = _original_span(word_start, word_end, positions, len(text))
            script = scripts[word]  # the cheap tests first: placeful words are often lower-case (bloqués)
            if script in ("latin", "cyrillic") and not text[original_start : original_start + 1].isupper():
                continue
            if script == "arabic" and _TANWEEN & set(text[original_start : original_end + 1]):
                continue
            # An occurrence that a name's span (clitic included) overlaps is part of that name: a word of
            # a name of several words (a name, with or without a glued proclitic, is never placeful: see
            # _scanned_name).
            covered = names.covered(index)
            if any(start < word_end and word_start < end for start, end in covered):
                continue
            clitic, outcome, place, detail, score = self._verdict(word)  # type: ignore[misc]
            start, _ = _original_span(word_start + len(clitic), word_end, positions, len(text))
            found, rejected = results.setdefault(index, ([], []))
            if outcome == "match":
                template = _template(self.gazetteer.places[place], "transliterated", score)
                found.append(_match(template, start, original_end, text))
            else:
                rejected.append(Rejection(start, original_end, text[start:original_end], outcome, detail))
        return results

    def _transliteration(self, word: str, script: str) -> tuple[str, str, int, str, float] | None:
        """Look a folded word up by consonant skeleton, with its Arabic proclitics tried off.

        Returns (clitic, outcome, place index, detail, score) with outcome "match", "ambiguous" or
        "below_threshold", or None when no Kazakh place has the word's skeleton.
        """
        verdict = None
        if not (script == "arabic" and word.endswith(_ARABIC_ADJECTIVE_ENDINGS)):
            for clitic, stem in _stems(word, script):
                places = self.gazetteer.skeletons.get(consonant_skeleton(anyascii(stem)))
                if not places:
                    continue
                if len(places) > 1:
                    names = ", ".join(self.gazetteer.places[p].name for p in places[:3])
                    verdict = (clitic, "ambiguous", -1, f"transliteration fits several places: {names}", 0.0)
                    break
                similarity = self._similarity(stem, script, places[0])
                if similarity < FALLBACK_MIN_SIMILARITY:
                    detail = f"transliteration similarity {similarity:.0f} < {FALLBACK_MIN_SIMILARITY:.0f}"
                    verdict = (clitic, "below_threshold", places[0], detail, 0.0)
                    break
                verdict = (clitic, "match", places[0], "", round(0.6 + 0.3 * similarity / 100, 3))
                break
        return verdict

    def _similarity(self, stem: str, script: str, place: int) -> float:
        """Similarity (0-100) of a word's romanisation to the closest romanised name of ``place``.

        Arabic writes no short vowels, so there the comparison is between consonant skeletons.
        """
        romanised = anyascii(stem).lower()
        names = self.gazetteer.romanised.get(place, ())
        if script == "arabic":
            skeleton = consonant_skeleton(romanised)
            return max((fuzz.ratio(skeleton, consonant_skeleton(name)) for name in names), default=0.0)
        return max((fuzz.ratio(romanised, name) for name in names), default=0.0)


def _languages(texts: Sequence[str], langs: Sequence[str | None] | None) -> list[str]:
    """The language of each of ``texts``: as given in ``langs``, detected where it is None (or for all
    without ``langs``)."""
    if langs is None:
        return [detect_language(text) for text in texts]
    if len(langs) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(langs)} languages")
    if None not in langs:  # all given (as resolve_many gives them to resolve_batch)
        return list(langs)  # type: ignore[arg-type]
    return [detect_language(text) if lang is None else lang for text, lang in zip(texts, langs, strict=True)]


def _in_order(order: list[int], items: Iterable[T]) -> list[T]:
    """``items``, given for the indices ``order`` (a permutation), put in the order of those indices."""
    ordered: list[T] = [None] * len(order)  # type: ignore[list-item]
    for index, item in zip(order, items, strict=True):
        ordered[index] = item
    return ordered


def _without_overlaps(
    overlap: np.ndarray, document: np.ndarray, starts: np.ndarray, ends: np.ndarray, clitics: np.ndarray
) -> np.ndarray:
    """Which names stay (a mask of the names, given as columns in the order of their ends, those of text
    ``i`` where ``document`` is ``i``) when names ``overlap`` overlap the names after them: the longest
    name wins, then the one with fewest clitic letters, then the leftmost. A pair that overlaps no
    other name (the usual case: "Mangystau" in "Mangystau Region") is settled with array operations,
    the names of a text with more overlaps one by one."""
    kept = np.ones(len(document), dtype=bool)
    paired = np.zeros(len(document) + 1, dtype=bool)  # the last is False, for overlap - 1 == -1
    paired[overlap] = True
    alone = ~paired[overlap - 1] & ~paired[overlap + 1]
    first = overlap[alone]
    second = first + 1
    longer = (ends - starts)[first] - (ends - starts)[second]
    fewer = clitics[second] - clitics[first]
    first_wins = (longer > 0) | (
        (longer == 0) & ((fewer > 0) | ((fewer == 0) & (starts[first] <= starts[second])))
    )
    kept[np.where(first_wins, second, first)] = False
    documents = np.unique(document[overlap[~alone]])
    firsts, lasts = np.searchsorted(document, documents).tolist(), np.searchsorted(document, documents + 1)
    for first, last in zip(firsts, lasts.tolist(), strict=True):
        names = [
            (start - stop, clitic, start, stop, hit)
            for hit, start, stop, clitic in zip(
                range(first, last),
                starts[first:last].tolist(),
                ends[first:last].tolist(),
                clitics[first:last].tolist(),
                strict=True,
            )
        ]
        # The names taken (with their clitics) never overlap, so sorted by start they are sorted by end
        # too, and a name overlaps one of them if and only if it overlaps the last that starts before
        # its end: a bisection, not a pass over all of them (quadratic in a text of many names).
        taken_starts: list[int] = []
        taken_ends: list[int] = []
        for _, clitic, start, stop, hit in sorted(names):
            at = bisect_right(taken_starts, stop - 1)  # the names taken that start before this one ends
            if at == 0 or taken_ends[at - 1] <= start - clitic:
                taken_starts.insert(at, start - clitic)
                taken_ends.insert(at, stop)
            else:
                kept[hit] = False
    return kept


def _in_text(documents: np.ndarray, at: np.ndarray, positions: dict[int, list[int]]) -> np.ndarray:
    """The offsets in their texts of the characters at offsets ``at`` of the folded forms of texts
    ``documents`` (the same, but in a text whose characters folding dropped: see its ``positions``)."""
    moved = np.flatnonzero(np.isin(documents, list(positions))) if positions else ()
    if len(moved):
        at = at.copy()
        rows = zip(moved.tolist(), documents[moved].tolist(), at[moved].tolist(), strict=True)
        for row, index, offset in rows:
            at[row] = positions[index][offset]
    return at


def _rows(mask: np.ndarray, *columns: np.ndarray) -> tuple[np.ndarray, ...]:
    """The rows of ``columns`` (arrays of one length) where the boolean ``mask`` is true."""
    return tuple(column[mask] for column in columns)


def _original_span(start: int, end: int, positions: list[int] | None, length: int) -> tuple[int, int]:
    """Map a folded [start, end) to the original text; trailing dropped marks stay with the word."""
    if positions is None:
        return start, end
    return positions[start], positions[end] if end < len(positions) - 1 else length


def _occurrences(folded: str, words: Iterable[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, word) for every occurrence of each of ``words`` as a whole word in ``folded``."""
    padded = f" {folded} "
    for word in words:
        at = padded.find(f" {word} ")
        while at >= 0:  # ``at`` in ``padded`` is where the word starts in ``folded``
            yield at, at + len(word), word
            at = padded.find(f" {word} ", at + len(word))


def _stems(word: str, script: str) -> list[tuple[str, str]]:
    """The word itself, then (for Arabic) the word without each proclitic that it starts with, longest
    proclitic first (a word starts with at most one of each length)."""
    if script != "arabic":
        return [("", word)]
    return [("", word)] + [
        (clitic, word[len(clitic) :])
        for clitic in _PROCLITICS_LONGEST_FIRST
        if word.startswith(clitic) and len(word) - len(clitic) >= FALLBACK_MIN_LETTERS - 1
    ]


def _sentence_initial(text: str, start: int) -> bool:
    """Whether the word at ``start`` begins a sentence (or the text)."""
    if start > 1 and text[start - 1] == " " and text[start - 2].isalnum():  # the usual case, without a copy
        return False
    window = max(0, start - 40)  # enough to pass quotes and spaces; avoids copying long texts
    before = text[window:start].rstrip(" \t\"'«“‘(#")
    return (not before and window == 0) or (before != "" and before[-1] in _SENTENCE_END)


def _capital_shows_name(key: Key, lang: str) -> bool:
    """Whether a capital inside a sentence, outside a title-case phrase, shows a common-word name to be
    a name (see Geocoder._has_cue): in Latin and Cyrillic script, but not in German (whose nouns are
    all capitalised), nor for the words of COMMON_WORD_NAMES ("Oral statements")."""
    return key.script in ("latin", "cyrillic") and lang != "de" and key.text not in COMMON_WORD_NAMES


def _next_capitalised(text: str, end: int) -> int | None:
    """Where the next word starts if it is capitalised and white space comes first, else None."""
    offset = end  # the next word's start: after the spaces, if any
    while offset < len(text) and text[offset] == " ":
        offset += 1
    return offset if offset != end and text[offset : offset + 1].isupper() else None


def _followed_by_capitalised(text: str, end: int, starts: Sequence[int], positions: list[int] | None) -> bool:
    """Whether the next word is capitalised and not itself a place: "Jordan Peterson", "Internet Freedom".
    ``starts``: where the names of the text start (in its folded form, in text order)."""
    offset = _next_capitalised(text, end)
    if offset is None:
        return False
    # the names are in text order, so are their starts in the text: the first at or after ``offset``
    at = bisect_left(starts, offset, key=lambda start: start if positions is None else positions[start])
    return at == len(starts) or (starts[at] if positions is None else positions[starts[at]]) != offset


def _preceded_by_capitalised(text: str, start: int) -> bool:
    """Whether the previous word (in the same sentence) is capitalised: "Internet Freedom"."""
    stop = start  # the end of the text before, less its spaces
    while stop > 0 and text[stop - 1] == " ":
        stop -= 1
    if stop == start or stop == 0 or text[stop - 1] in _SENTENCE_END:
        return False
    word = _last_word(text, stop)
    return word[:1].isupper() and not _sentence_initial(text, stop - len(word))


def _folded_word_before(folded: str, end: int) -> str:
    """:func:`_last_word` of folded text, whose only white space is the space."""
    stop = end
    while stop > 0 and folded[stop - 1] == " ":
        stop -= 1
    return folded[folded.rfind(" ", 0, stop) + 1 : stop]


def _last_word(text: str, end: int) -> str:
    """``text[:end].split()[-1]`` (or "" if there is no word), read backwards from ``end``: a text of
    many names would otherwise be split once for each."""
    stop = end
    while stop > 0 and text[stop - 1].isspace():
        stop -= 1
    start = stop
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:stop]


def _gap_word(folded: str, left: int, right: int) -> str | None:
    """The word between ``left`` and ``right`` in ``folded`` ("" for none), or None when two or more
    stand there: names that far apart are in no list together (see _next_to_place)."""
    gap = _WORD_AT_MOST.match(folded, left, right)  # stops at a second word
    return gap.group(1) if gap.end() == right else None  # type: ignore[union-attr]


def _next_to_place(
    here: int,
    first: int,
    last: int,
    names: _Names,
    folded: str,
    offset: int,
    text: str,
    positions: list[int] | None,
) -> bool:
    """Whether another (non-common) name stands right before or after name ``here`` of ``names`` in a
    list; the names of ``text`` are ``first`` to ``last`` (exclusive) of ``names``, in the coordinates
    of ``folded``, where the folded form of ``text`` starts at ``offset``.

    In a list the names are separated by a comma or a conjunction (``Astana, Oral``, ``Almaty and
    Oral``, ``أستانا وطراز``); two names side by side without one (``مدينة جاناوزين``) are not a list.
    """
    # The names are in text order and do not overlap: a name farther away has all of a nearer name's gap
    # in its own, so once a gap holds two words or more, none farther on that side is next to ``here``.
    starts, ends, clitics = names.starts, names.ends, names.clitics
    for side in (range(here - 1, first - 1, -1), range(here + 1, last)):
        for other in side:
            before, after = (other, here) if ends[other] <= starts[here] else (here, other)
            left, right = ends[before], starts[after] - clitics[after]
            word = _gap_word(folded, left, right)
            if word is None:
                break
            glued = folded[right] if clitics[after] else ""  # the first letter of the second's clitic
            if not names.common[other] and _listed(
                word, left - offset, right - offset, glued, text, positions
            ):
                return True
    return False


def _listed(word: str, left: int, right: int, glued: str, text: str, positions: list[int] | None) -> bool:
    """Whether the gap between two names (``left`` to ``right`` in the text's folded form, holding the one
    word ``word`` or none; ``glued``, the first letter of the second name's proclitic, if any) lists
    them: a conjunction, or a comma or a glued و/ف."""
    if word:
        return word in LIST_JOINERS
    start, end = _original_span(left, right, positions, len(text))
    return "," in text[start:end] or "،" in text[start:end] or glued in ("و", "ف")


def _template(place: Place, method: str, score: float) -> PlaceFields:
    """The fields of a match of ``place`` after its span (see :func:`_match`); ``score`` comes rounded
    to three decimals."""
    return PlaceFields(
        place.geonameid, place.name, place.country_code, place.admin1, place.lat, place.lon, method, score,
        place.kind, place.region_code,
    )  # fmt: skip


def _match(template: PlaceFields, start: int, end: int, text: str) -> PlaceMatch:
    """``PlaceMatch(start, end, text[start:end], *template)`` without the Python-level ``__new__`` of a
    NamedTuple: most documents have a match to make."""
    return _new_tuple(PlaceMatch, (start, end, text[start:end]) + template)


# --- the cached default gazetteer ------------------------------------------------------------


def reference_fingerprint() -> str:
    """Fingerprint of the gazetteer the repository's reference tables give with the default thresholds."""
    return tables_fingerprint(
        read_rows(REFERENCE / "regions.csv"),
        read_rows(REFERENCE / "toponyms.csv"),
        DEFAULT_MIN_POPULATION_KZ,
        DEFAULT_MIN_POPULATION_WORLD,
        DEFAULT_COMMON_WORD_ZIPF,
    )


def build_default_gazetteer() -> Gazetteer:
    """Build the gazetteer from the repository's reference tables with the default thresholds."""
    return build_gazetteer(
        read_regions(REFERENCE / "regions.csv"),
        read_toponyms(REFERENCE / "toponyms.csv"),
        regions_path=REFERENCE / "regions.csv",
        toponyms_path=REFERENCE / "toponyms.csv",
    )


def _user_cache() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "kzshutdowns" / "gazetteer.pickle"


# --- the reuse CLI -------------------------------------------------------------------------------

OUTPUT_KEYS = (
    "id",
    "start",
    "end",
    "surface",
    "geonameid",
    "name",
    "country_code",
    "admin1",
    "lat",
    "lon",
    "method",
    "score",
)


_JSON = json.JSONEncoder(ensure_ascii=False)  # what json.dumps(..., ensure_ascii=False) makes anew each call


def read_documents(handle: Iterable[str], path: str) -> Iterator[tuple[int, str, str, str | None]]:
    """Yield (line number, id, text, lang) from the lines of a JSON Lines stream, raising InputError on
    bad lines."""
    for number, line in enumerate(handle, start=1):
        document = json_object(line, path, number)
        if "id" not in document:
            raise InputError(path, "missing", line=number, field="id")
        if not isinstance(document["id"], str):
            raise InputError(
                path, f"must be a string, not {type(document['id']).__name__}", line=number, field="id"
            )
        if "text" not in document:
            raise InputError(path, "missing", line=number, field="text")
        if not isinstance(document["text"], str):
            raise InputError(path, "must be a string", line=number, field="text")
        lang = document.get("lang")
        if lang is not None and not isinstance(lang, str):
            raise InputError(path, "must be a string or null", line=number, field="lang")
        if lang is not None and not is_language_code(lang):  # "EN" or "" would silently not be English
            raise InputError(path, f"{lang!r} is not an ISO 639-1 code or 'und'", line=number, field="lang")
        for field_name in ("id", "text"):
            try:
                document[field_name].encode("utf-8")
            except UnicodeEncodeError:
                raise InputError(
                    path, "contains a lone surrogate (\\ud800-\\udfff escape)", line=number, field=field_name
                ) from None
        yield number, document["id"], document["text"], lang


def mention_record(document_id: str, match: PlaceMatch) -> dict[str, object]:
    """The JSON Lines output object for one mention (keys in :data:`OUTPUT_KEYS` order)."""
    return {"id": document_id, **{key: getattr(match, key) for key in OUTPUT_KEYS[1:]}}


def geocode_stream(
    geocoder: Geocoder, source: Iterable[str], sink: IO[str], path: str, progress: IO[str] | None = None
) -> tuple[int, int]:
    """Geocode every document of ``source`` into ``sink``, :data:`BATCH_SIZE` documents at a time
    (memory stays constant); return (documents, mentions)."""
    documents = mentions = 0
    records = read_documents(source, path)
    while batch := list(islice(records, BATCH_SIZE)):
        _, ids, texts, langs = zip(*batch, strict=True)
        lines = [
            _JSON.encode(mention_record(document_id, match)) + "\n"
            for document_id, matches in zip(ids, geocoder.geocode_many(texts, langs), strict=True)
            for match in matches
        ]
        sink.write("".join(lines))
        mentions += len(lines)
        documents += len(batch)
        if progress is not None and documents % 1000 == 0:
            progress.write(f"\rgeocoded {documents:,} documents, {mentions:,} mentions")
            progress.flush()
    if progress is not None:
        progress.write(f"\rgeocoded {documents:,} documents, {mentions:,} mentions\n")
    return documents, mentions


# The exit code of a command killed by SIGPIPE (128 + 13), which a shell reports when a reader stopped.
EXIT_BROKEN_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kzshutdowns geocode",
        description="Geocode JSON Lines documents {id, text, lang?} into one JSON object per place mention.",
    )
    parser.add_argument("input", help="JSON Lines file, or - for standard input")
    parser.add_argument(
        "-o", "--output", required=True, help="JSON Lines file to write, or - for standard output"
    )
    parser.add_argument("--gazetteer", help="gazetteer pickle (default: cached build from data/reference)")
    args = parser.parse_args(argv)
    if args.input != "-" and not Path(args.input).exists():
        raise InputError(args.input, "file not found")
    progress = sys.stderr if sys.stderr.isatty() else None
    name = "<stdin>" if args.input == "-" else args.input
    try:
        source = sys.stdin.buffer if args.input == "-" else open(args.input, "rb")  # noqa: SIM115
    except OSError as error:
        raise InputError(args.input, f"cannot read: {error.strerror or error}") from None
    lines = utf8_lines(source, name)  # split at LF only, so line numbers are those of the file
    try:
        with fewer_collections():
            geocoder = load_frozen(lambda: Geocoder.load(args.gazetteer))
            if args.output == "-":
                try:
                    geocode_stream(geocoder, lines, sys.stdout, name, progress)
                    sys.stdout.flush()
                except BrokenPipeError:  # the reader stopped early (`| head`): end as a Unix filter does,
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no flush error at exit
                    return EXIT_BROKEN_PIPE
            else:
                with atomic_output(args.output) as temporary, open(temporary, "w", encoding="utf-8") as sink:
                    geocode_stream(geocoder, lines, sink, name, progress)
    finally:
        if args.input != "-":
            source.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
