"""Calendar dates written out in English, French, German, Russian, Kazakh and Arabic.

``parse_date(text)`` turns the date of a tweet attribution (or any whole date string) into a
:class:`datetime.date`; ``month_number(word)`` looks up one month name. Accepted forms:

- ``December 16, 2016`` and ``Dec. 16 2016`` (month first, English);
- ``16 December 2016``, ``16 décembre 2016``, ``1er décembre 2016``, ``16. Dezember 2016``,
  ``16 декабря 2016 г.``, ``16 дек. 2016 г.``, ``16 желтоқсан 2016 ж.``, ``16 ديسمبر 2016``,
  ``١٦ كانون الأول ٢٠١٦``
  (day first; a trailing ``г.``/``ж.``/``م`` is allowed, Arabic-Indic digits too);
- Arabic double names as Global Voices writes them, Levantine and Egyptian together:
  ``16 كانون الأول/ديسمبر 2016`` or ``16 كانون الأول (ديسمبر) 2016``; both must name the same month;
- ISO ``2016-12-16``.

Month names are matched case-insensitively after removing a trailing full stop, Arabic short vowels
and tatweel, and unifying the hamza forms of alef (أ إ آ -> ا) and final yeh (ى -> ي), so ``أبريل``,
``ابريل`` and ``إبريل`` are one name. Anything else raises :class:`DateFormatError` (a ValueError)
with a message that says what was wrong: an unknown form, an unknown month name, or an impossible
day such as 30 February.

``implausible(day)`` says why a real day cannot be the date of a tweet or of a shutdown of the event
dataset: before :data:`FIRST_TWEET` or after today (see :func:`today`).
"""

from __future__ import annotations

import datetime as dt
import re

# One row per month: English (with abbreviations), French, German, Russian (genitive, nominative,
# abbreviations), Kazakh, Arabic (Levantine, Egyptian, Maghrebi).
# fmt: off
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "janvier", "janv", "januar", "jänner", "января", "январь", "янв",
        "қаңтар", "كانون الثاني", "يناير", "جانفي"),
    2: ("february", "feb", "février", "fevrier", "févr", "fevr", "februar", "февраля", "февраль", "февр",
        "ақпан", "شباط", "فبراير", "فيفري"),
    3: ("march", "mar", "mars", "märz", "maerz", "марта", "март", "мар",
        "наурыз", "آذار", "مارس"),
    4: ("april", "apr", "avril", "avr", "апреля", "апрель", "апр",
        "сәуір", "نيسان", "أبريل", "إبريل", "أفريل"),
    5: ("may", "mai", "мая", "май",
        "мамыр", "أيار", "مايو", "ماي"),
    6: ("june", "jun", "juin", "juni", "июня", "июнь", "июн",
        "маусым", "حزيران", "يونيو", "يونيه", "جوان"),
    7: ("july", "jul", "juillet", "juil", "juli", "июля", "июль", "июл",
        "шілде", "تموز", "يوليو", "يوليه", "جويلية", "يوليوز"),
    8: ("august", "aug", "août", "aout", "августа", "август", "авг",
        "тамыз", "آب", "أغسطس", "غشت", "أوت"),
    9: ("september", "sep", "sept", "septembre", "сентября", "сентябрь", "сент", "сен",
        "қыркүйек", "أيلول", "سبتمبر", "شتنبر"),
    10: ("october", "oct", "octobre", "oktober", "okt", "октября", "октябрь", "окт",
         "қазан", "تشرين الأول", "أكتوبر"),
    11: ("november", "nov", "novembre", "ноября", "ноябрь", "нояб", "ноя",
         "қараша", "تشرين الثاني", "نوفمبر", "نونبر"),
    12: ("december", "dec", "décembre", "decembre", "déc", "dezember", "dez", "декабря", "декабрь", "дек",
         "желтоқсан", "كانون الأول", "ديسمبر", "دجنبر"),
}
# fmt: on

_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


class DateFormatError(ValueError):
    """A date string that is not one of the accepted forms or names an impossible day."""


def normalise_month(word: str) -> str:
    """Fold case, Arabic vowels and alef/yeh variants, inner spaces and a final full stop of a month name."""
    word = _ARABIC_MARKS.sub("", word.strip().rstrip(".").casefold())
    word = re.sub("[أإآ]", "ا", word).replace("ى", "ي")
    return " ".join(word.split())


MONTHS: dict[str, int] = {
    normalise_month(name): number for number, names in _MONTH_NAMES.items() for name in names
}

_MONTH_WORD = r"[^\W\d_]+\.?(?:\s+[^\W\d_]+)?"
_MONTH = rf"(?P<month>{_MONTH_WORD}(?:\s*/\s*{_MONTH_WORD}|\s*\(\s*{_MONTH_WORD}\s*\))?)"
_DAY = r"(?P<day>\d{1,2})(?:er|\.)?"
_YEAR = r"(?P<year>\d{4})(?:\s*(?:г|ж|م)\.?)?"
_FORMS = (
    re.compile(rf"{_MONTH}\s+{_DAY}\s*[,،]?\s+{_YEAR}"),
    re.compile(rf"{_DAY}\s+{_MONTH}\s*[,،]?\s+{_YEAR}"),
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"),
)


def month_number(word: str) -> int | None:
    """Return 1..12 for a month name in one of the supported languages, else None."""
    return MONTHS.get(normalise_month(word))


def _month_of(written: str) -> int:
    if written.isdigit():
        return int(written)
    names = [name for name in re.split(r"[/()]", written) if name.strip()]
    numbers = {month_number(name) for name in names}
    if None in numbers:
        unknown = next(name.strip() for name in names if month_number(name) is None)
        raise DateFormatError(f"unknown month name {unknown!r}")
    if len(numbers) != 1:
        raise DateFormatError(f"month names {written!r} disagree")
    return numbers.pop()


def parse_date(text: str) -> dt.date:
    """Return the date written in ``text`` (the whole string); raise DateFormatError if it is not one."""
    written = " ".join(text.translate(_ARABIC_DIGITS).split())
    for form in _FORMS:
        match = form.fullmatch(written)
        if match:
            break
    else:
        raise DateFormatError(
            f"{text.strip()!r} is not a date of a supported form "
            "('December 16, 2016', '16 December 2016', '16 декабря 2016 г.', '2016-12-16', ...)"
        )
    year, day = int(match["year"]), int(match["day"])
    month = _month_of(match["month"])
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateFormatError(
            f"{text.strip()!r} is an impossible date (day {day} of month {month}, {year})"
        ) from None


# The first day a tweet (or, in this dataset, an event) can bear: the day the first tweet was sent. The
# event dataset begins in 2011 and the seed tweets date from 2016, so this bound refuses only a typo.
FIRST_TWEET = dt.date(2006, 3, 21)
# The zone where each calendar day begins first: a tweet's date is its timestamp's day as written (no
# conversion), which may be a day ahead of UTC's.
_EARLIEST_ZONE = dt.timezone(dt.timedelta(hours=14))


def today() -> dt.date:
    """The latest calendar day anywhere on Earth now (the day at UTC+14)."""
    return dt.datetime.now(_EARLIEST_ZONE).date()


def implausible(first: dt.date, last: dt.date | None = None) -> str | None:
    """Why the day ``first`` (or the period ``first``..``last``, a month) cannot be the date of a tweet or
    of an event of the dataset, as the end of a message naming the date; None if it can."""
    if (first if last is None else last) < FIRST_TWEET:
        return (f"is before {FIRST_TWEET.isoformat()}, the day of the first tweet (dates run from then "
                "to today; the dataset covers 2011 onwards)")
    if first > (latest := today()):
        return f"is after today ({latest.isoformat()}): dates run from {FIRST_TWEET.isoformat()} to today"
    return None
