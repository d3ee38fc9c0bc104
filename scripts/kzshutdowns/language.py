"""Language identification by script and letters, for short texts such as tweets and paragraphs.

``detect_language(text)`` returns an ISO 639-1 code from :data:`LANGUAGES` or ``"und"``
(undetermined); ``is_language_code(code)`` tells whether a code given with a text has that form.
The rule is deliberately simple and explainable, so a reader can predict it:

1. Only letters count (Unicode category L*); digits, punctuation, marks and emoji are ignored, and so
   are @mentions, #hashtags and URLs, unless nothing else is left (a tweet made only of hashtags is
   judged by the hashtag words).
2. The script with the most letters wins if it holds more than half of them: Arabic, Cyrillic or
   Latin. Fewer than :data:`MIN_LETTERS` letters, or no majority, gives ``"und"``.
3. Arabic script is Arabic (``ar``), unless more than 2% of its letters exist only in the Persian,
   Urdu or Kazakh (Tote) alphabets (پ چ ژ ڭ ۇ ۋ ە ی ک ...): then ``"und"``.
4. Cyrillic is Kazakh (``kk``) when at least 15% of its words contain a letter of the Kazakh alphabet
   that Russian lacks (ә ғ қ ң ө ұ ү һ і); a Russian sentence quoting one Kazakh name stays Russian.
   Letters of Ukrainian or Belarusian (ї є ґ ў) give ``"und"``. Otherwise Russian (``ru``).
5. Latin is scored per language: one point per common function word (``the``, ``le``, ``der``, ...)
   and one per letter that only French (é è ê à ç œ ...) or only German (ä ö ü ß) uses. The best
   positive score wins; a tie or no evidence gives ``"und"``. So ``"Independence Day"`` is ``und``
   while ``"Independence Day from social media"`` is ``en``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

LANGUAGES: tuple[str, ...] = ("ar", "ru", "kk", "en", "fr", "de")
UNDETERMINED = "und"
MIN_LETTERS = 3

KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
NON_RUSSIAN_CYRILLIC = frozenset("їєґўЇЄҐЎ")
# Letters of Arabic-script alphabets other than Arabic (Persian, Urdu, Kazakh Tote jazu).
NON_ARABIC_ARABIC_SCRIPT = frozenset("پچژڭۇۋەیکگٴٵٶٷۆۉۊڵھےڈڑٹں")
KAZAKH_WORD_SHARE = 0.15
NON_ARABIC_LETTER_SHARE = 0.02

# fmt: off
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset({
        "the", "a", "an", "and", "or", "of", "to", "in", "on", "at", "for", "from", "with", "by", "is",
        "are", "was", "were", "be", "been", "have", "has", "had", "not", "no", "we", "you", "they",
        "he", "she", "it", "this", "that", "these", "those", "our", "your", "their", "my", "his", "her",
        "its", "will", "would", "can", "could", "as", "but", "if", "about", "after", "into", "than",
        "there", "here", "what", "who", "which", "all",
    }),
    "fr": frozenset({
        "le", "la", "les", "un", "une", "des", "du", "de", "et", "ou", "est", "sont", "été", "pas",
        "ne", "nous", "vous", "ils", "elles", "il", "elle", "ce", "cette", "ces", "au", "aux", "dans",
        "sur", "pour", "par", "avec", "sans", "que", "qui", "quoi", "leur", "leurs", "notre", "nos",
        "votre", "vos", "mais", "donc", "plus", "aussi", "très", "être", "avoir", "à", "où",
    }),
    "de": frozenset({
        "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "und",
        "oder", "ist", "sind", "war", "waren", "nicht", "kein", "keine", "wir", "ihr", "sie", "er",
        "es", "ich", "mit", "von", "zu", "zum", "zur", "im", "auf", "für", "aus", "bei", "nach", "über",
        "unter", "auch", "noch", "nur", "schon", "wie", "was", "wer", "heute", "dass", "haben", "hat",
        "wird", "werden",
    }),
}
# fmt: on
_SPECIFIC_LETTERS: dict[str, frozenset[str]] = {
    "fr": frozenset("éèêëàâçîïôûùÿœæÉÈÊËÀÂÇÎÏÔÛÙŸŒÆ"),
    "de": frozenset("äöüßÄÖÜẞ"),
}

_URL = re.compile(r"(?:https?://|www\.)\S+|\bpic\.twitter\.com/\S+", re.IGNORECASE)
_TAG = re.compile(r"[@#][\w]+")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


@lru_cache(maxsize=8192)
def script_of(char: str) -> str | None:
    """Return "arabic", "cyrillic" or "latin" for a letter of those scripts, "other" for any other
    letter, and None for what is not a letter (digits, marks, punctuation, spaces, emoji)."""
    if not unicodedata.category(char).startswith("L"):
        return None
    name = unicodedata.name(char, "")
    return next(
        (script.lower() for script in ("ARABIC", "CYRILLIC", "LATIN") if name.startswith(script)), "other"
    )


class _ScriptInitials(dict[int, str | None]):
    """A ``str.translate`` table: every letter to the initial of its script (:func:`script_of`: a, c,
    l, o), anything else dropped; each code point worked out on first sight and remembered."""

    def __missing__(self, code: int) -> str | None:
        script = script_of(chr(code))
        self[code] = initial = None if script is None else script[0]
        return initial


_SCRIPT_INITIALS = _ScriptInitials()
_SCRIPT_OF_INITIAL = {script[0]: script for script in ("arabic", "cyrillic", "latin", "other")}


def _main_script(initials: str) -> tuple[str, int]:
    """The script with the most letters and their number, ``initials`` being the letters of a text as
    the initials of their scripts (``text.translate(_SCRIPT_INITIALS)``); among scripts with as many
    letters the one whose first letter comes first."""
    count, _, initial = max((initials.count(initial), -initials.index(initial), initial)
                            for initial in set(initials))
    return _SCRIPT_OF_INITIAL[initial], count


def _latin_language(text: str) -> str:
    words = [word.lower() for word in _WORD.findall(text)]
    scores = dict.fromkeys(LANGUAGES, 0)
    for language, vocabulary in _FUNCTION_WORDS.items():
        scores[language] += sum(map(vocabulary.__contains__, words))
    if not text.isascii():  # the letters only French or only German uses are not ASCII
        for language, letters in _SPECIFIC_LETTERS.items():
            scores[language] += sum(map(letters.__contains__, text))
    best = max(scores.values())
    winners = [language for language, score in scores.items() if score == best]
    return winners[0] if best > 0 and len(winners) == 1 else UNDETERMINED  # a tie is no evidence


def _cyrillic_language(text: str) -> str:
    if not NON_RUSSIAN_CYRILLIC.isdisjoint(text):
        return UNDETERMINED
    words = [word for word in _WORD.findall(text)  # the Cyrillic ones (an ASCII word is Latin)
             if not word.isascii() and "c" in word.translate(_SCRIPT_INITIALS)]
    kazakh = sum(not KAZAKH_LETTERS.isdisjoint(word) for word in words)
    return "kk" if words and kazakh / len(words) >= KAZAKH_WORD_SHARE else "ru"


def _arabic_language(text: str, arabic_letters: int) -> str:
    if NON_ARABIC_ARABIC_SCRIPT.isdisjoint(text):
        return "ar"
    foreign = sum(text.count(char) for char in NON_ARABIC_ARABIC_SCRIPT)
    return UNDETERMINED if foreign / arabic_letters > NON_ARABIC_LETTER_SHARE else "ar"


_CODE = re.compile(r"[a-z]{2}")


@lru_cache(maxsize=1024)
def is_language_code(code: str) -> bool:
    """Whether ``code`` may stand as a text's language: two lower-case letters (ISO 639-1), or ``und``."""
    return bool(_CODE.fullmatch(code)) or code == UNDETERMINED


def detect_language(text: str) -> str:
    """Return the ISO 639-1 code of ``text`` (one of :data:`LANGUAGES`) or ``"und"``; see module doc."""
    without_urls = _URL.sub(" ", text) if "/" in text or "." in text else text  # every URL has one
    prose = _TAG.sub(" ", without_urls) if "@" in without_urls or "#" in without_urls else without_urls
    initials = prose.translate(_SCRIPT_INITIALS)  # one character per letter: its script's initial
    if len(initials) < MIN_LETTERS:
        prose = without_urls.replace("#", " ").replace("@", " ")
        initials = prose.translate(_SCRIPT_INITIALS)
    if len(initials) < MIN_LETTERS:
        return UNDETERMINED
    script, count = _main_script(initials)
    if script == "other" or count * 2 <= len(initials):
        return UNDETERMINED
    if script == "arabic":
        return _arabic_language(prose, count)
    if script == "cyrillic":
        return _cyrillic_language(prose)
    return _latin_language(prose)
