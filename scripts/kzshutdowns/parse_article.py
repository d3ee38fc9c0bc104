"""Raw article text -> one row per segment: article paragraphs, embedded tweets and their translations.

Layout the parser reads (the way Global Voices and similar sites look once copied as plain text):
one paragraph per line (blank lines are allowed anywhere and ignored), and each embedded tweet as

    <tweet text, one line>
    — Author Name (@handle) December 16, 2016        <- the attribution line
    <translation, one line>                            <- zero or more, see the rule below
    <translation, one line>

Attribution line: a dash (em dash ``—``, en dash ``–``, horizontal bar ``―``, or ``--``),
the author's display name (may be empty), ``(@handle)``, then the date, with or without spaces in
between (``—Joanna Lillis (@joannalillis)December 16, 2016`` is valid). The date must be one of the
forms of :mod:`kzshutdowns.dates` (English, French, German, Russian, Kazakh, Arabic in Levantine and
Egyptian month names, ISO). A line shaped like an attribution whose date is not a real date raises
:class:`~kzshutdowns.errors.InputError` with field ``date``, and one that starts with a dash and
holds ``(@`` but no handle in parentheses (``(@a b)``, ``(@)``, ``(@Малик)``, a missing ``)``) one
with field ``handle``: a tweet is never silently demoted to a paragraph (an attribution line with
no ``(@`` at all is not recognised, though: it is a paragraph). A date more than a day after the
article's publication date (when it is known) raises one too: an embedded tweet cannot be younger
than the article, and one day is left for time zones. The tweet text is the nearest non-blank line
above the attribution; an attribution with no such line (first line, or right under another
attribution) raises an error with field ``tweet``.

Translation rule. The lines after an attribution, up to the next tweet's text, are read in order and
taken as translations of the tweet while each one

1. has a determined language (:func:`kzshutdowns.language.detect_language`) that differs from the
   tweet's and from every translation already taken (one translation per language), and
2. is at most ``2 * len(tweet) + 40`` characters long (a translation of a tweet is tweet-sized;
   article paragraphs usually are not);

and the run stops right after the translation into the article's language (the article's own
translation for its readers always comes last; the seed shows ``en`` then ``ar`` in an Arabic
article). A tweet written in the article's language gets no translations. The first line that
fails a test, and everything after it, is article text. So in the seed the Arabic line after
``@joannalillis``'s English tweet is its translation, and the Arabic line after that is a paragraph
again: the run ended with the translation into Arabic (it would also fail test 1, Arabic being
taken). The article's language comes from its metadata (the CLI passes it) or, when not given, is
the language of the lines that are neither tweets nor attributions. Known limits: a tweet or a
paragraph that spans several lines becomes several segments; a foreign-language tweet left
untranslated and followed by a short line in another language (the article's included) would take
that line as its translation.

Output columns (contract "Segments"): ``article_id``, ``segment_id``, ``kind`` (``paragraph``,
``tweet``, ``translation``), ``line`` (1-based), ``start``/``end`` (character offsets into the raw
text, ``raw[start:end] == text``; leading and trailing white space of a line is outside the span),
``text``, ``lang``, ``translates``, ``author``, ``handle``, ``date``, ``hashtags``, ``mentions``.
Segment ids: ``{article_id}:p{n}`` for the n-th paragraph, ``{article_id}:t{n}`` for the n-th tweet,
``{article_id}:t{n}.{lang}`` for its translation into ``lang``. Author, handle and date are set on
tweet rows only; a translation reaches them through ``translates``. Hashtags and mentions are found
in every segment, as written (without ``#``/``@``), outside URLs; a hashtag glued to a mention
(``@instagram#независимость``) is split into both. Rows are in document order.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kzshutdowns.dates import DateFormatError, implausible, parse_date
from kzshutdowns.errors import InputError, run_main
from kzshutdowns.files import atomic_output, read_text
from kzshutdowns.language import UNDETERMINED, detect_language

if TYPE_CHECKING:  # pandas is imported where a frame is made: the tweet parser imports this module
    import pandas as pd  # for the schema and the tags only, and pandas costs it 0.3-0.4 s CPU a job

SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("segment_id", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("line", pa.int64(), nullable=False),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("lang", pa.string(), nullable=False),
        pa.field("translates", pa.string()),
        pa.field("author", pa.string()),
        pa.field("handle", pa.string()),
        pa.field("date", pa.string()),
        pa.field("hashtags", pa.list_(pa.string()), nullable=False),
        pa.field("mentions", pa.list_(pa.string()), nullable=False),
    ]
)
COLUMNS = tuple(SCHEMA.names)
# pandas dtypes of the DataFrame parse_article returns (missing strings are NaN; tag lists are lists)
PANDAS_DTYPES = {
    field.name: "int64" if pa.types.is_integer(field.type) else "str"
    for field in SCHEMA
    if not pa.types.is_list(field.type)
}
TRANSLATION_FACTOR = 2
TRANSLATION_SLACK = 40

# The white space around the author and the date is stripped afterwards: a pattern with ``\s*`` on
# both sides of the author tried every split of a run of white space (cubic in its length).
_ATTRIBUTION = re.compile(
    r"(?P<dash>—|–|―|--)(?P<author>.*?)\(@(?P<handle>[A-Za-z0-9_]+)\)(?P<date>.*)", re.DOTALL
)
# A line that starts as an attribution does and holds "(@", but not a handle: what is written there
_NOT_A_HANDLE = re.compile(r"(?:—|–|―|--).*?(?P<written>\(@[^)]*\)?)", re.DOTALL)
# A URL is "http://", "https://", "www." or "pic.twitter.com/" (in any case) and the non-space
# characters after it. What comes before a sign inside one, read backwards from the sign: non-space
# characters, then such a prefix reversed (see _tags).
_URL_BEHIND = re.compile(r"\S*?(?://:s?ptth|\.www|/moc\.rettiwt\.cip)", re.IGNORECASE)
_WHITE_SPACE = re.compile(r"\s")
# "@" first (not preceded by a word character or "@"), so the regex engine can search for it quickly
_MENTION = re.compile(r"@(?<![\w@]@)([A-Za-z0-9_]+)")
# word characters plus the combining marks of Latin, Cyrillic and Arabic, and the zero-width non-joiner
_TAG_CHAR = r"[\w\u0300-\u036f\u0483-\u0489\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u200c]"
_HASHTAG = re.compile(rf"#({_TAG_CHAR}+)")


@dataclass(frozen=True)
class Line:
    """One non-blank line of the raw text: 1-based number and the span of its stripped content."""

    number: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Attribution:
    """The facts of an attribution line (author None when the display name is empty)."""

    author: str | None
    handle: str
    date: str


class Tag(NamedTuple):
    """A hashtag or mention: kind ("hashtag"|"mention"), span of the whole tag, value without its sign."""

    kind: str
    start: int
    end: int
    value: str


def split_lines(text: str) -> list[Line]:
    """Return the non-blank lines of ``text`` (split on LF only) with the spans of their stripped content."""
    lines = []
    offset = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if stripped:
            start = offset + (len(raw) - len(raw.lstrip()))
            lines.append(Line(number, start, start + len(stripped), stripped))
        offset += len(raw) + 1
    return lines


def find_tags(text: str) -> list[Tag]:
    """Return the mentions and hashtags of ``text`` in order, ignoring those inside URLs.

    A mention is ``@`` + letters, digits, underscore, not preceded by a word character (so e-mail
    addresses are not mentions). A hashtag is ``#`` + word characters with at least one letter, not
    preceded by a word character, ``&`` or ``#``, except right after a mention: ``@instagram#tag``.
    """
    hashtags, mentions = _tags(text)
    return sorted(mentions + hashtags, key=lambda tag: tag.start)


def tag_values(text: str) -> tuple[list[str], list[str]]:
    """The values of the hashtags and of the mentions :func:`find_tags` finds, each in text order."""
    if "#" not in text and "@" not in text:  # the same result, without the scans
        return [], []
    hashtags, mentions = _tags(text)
    return [tag.value for tag in hashtags], [tag.value for tag in mentions]


class TagValues(NamedTuple):
    """The values of one kind of tag in several texts: all of them in text order, and how many each
    text has (so the first ``counts[0]`` values are the first text's)."""

    values: list[str]
    counts: list[int]


def tag_values_many(texts: Sequence[str]) -> tuple[TagValues, TagValues]:
    """:func:`tag_values` of each of ``texts``: the values of their hashtags, and of their mentions.

    Found with one scan of each expression over the texts joined with newlines, which gives the tags
    of every text: no URL, mention or hashtag holds white space, and a sign after a newline is as
    free as one at the start of a text. Each tag then goes to the text its start falls in.
    """
    hashtags, mentions = _tags("\n".join(texts))
    # one past the newline after each text
    ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1)
    return _values_by_text(hashtags, ends), _values_by_text(mentions, ends)


def _values_by_text(tags: list[Tag], ends: np.ndarray) -> TagValues:
    """The values of ``tags`` (in order, spans into joined texts) and their number in each text, the
    texts ending before the offsets ``ends``."""
    starts = np.fromiter((tag.start for tag in tags), dtype=np.int64, count=len(tags))
    counts = np.bincount(np.searchsorted(ends, starts, side="right"), minlength=len(ends))
    return TagValues([tag.value for tag in tags], counts.tolist())


def _tags(text: str) -> tuple[list[Tag], list[Tag]]:
    """The hashtags and the mentions of ``text``, each in text order."""
    # A sign is inside a URL when a URL's prefix comes before it in its run of non-space characters
    # (a URL runs from its prefix to the next white space, and no prefix holds "@" or "#"); that is
    # looked for backwards from each sign, so a long text with few signs is not scanned for URLs.
    backwards = text[::-1] if "/" in text or "." in text else None  # every URL holds a "/" or a "."
    size, last, inside = len(text), -1, False  # the last sign asked about and its answer

    def in_url(position: int) -> bool:
        nonlocal last, inside
        if backwards is None:
            return False
        # After a sign asked about earlier only the characters since it are read (no prefix holds a
        # sign): the sign is inside a URL when a prefix is among them, or when the earlier sign is inside
        # one and in the same run. So a long run of many signs is not read again for each of them.
        if last < position:  # size - 1 - last: where the sign asked about last is, read backwards
            inside = _URL_BEHIND.match(backwards, size - position, size - 1 - last) is not None or (
                inside and _WHITE_SPACE.search(text, last, position) is None)
        else:
            inside = _URL_BEHIND.match(backwards, size - position) is not None
        last = position
        return inside

    mentions = [
        Tag("mention", m.start(), m.end(), m[1]) for m in _MENTION.finditer(text) if not in_url(m.start())
    ]
    mention_ends = {tag.end for tag in mentions}
    hashtags = []
    for match in _HASHTAG.finditer(text):
        start, value = match.start(), match[1]
        before = text[start - 1] if start else " "
        glued = before.isalnum() or before in "_&#"
        if (glued and start not in mention_ends) or in_url(start):
            continue
        if any(map(str.isalpha, value)):
            hashtags.append(Tag("hashtag", start, match.end(), value))
    return hashtags, mentions


def parse_attribution(line: Line, path: str | PathLike[str]) -> Attribution | None:
    """Return the attribution on ``line``, None if the line is not one; InputError if its date is bad."""
    match = _ATTRIBUTION.fullmatch(line.text)
    if match is None:
        near = _NOT_A_HANDLE.match(line.text)
        if near is not None:  # a tweet whose attribution is mistyped is not demoted to a paragraph
            raise InputError(path, f"{near['written']!r} is not '(@handle)' (letters, digits, _): a line "
                             "that starts with a dash and holds '(@' is a tweet attribution", line.number,
                             "handle")
        return None
    try:
        date = parse_date(match["date"])
    except DateFormatError as error:
        raise InputError(path, f"attribution of @{match['handle']}: {error}", line.number, "date") from None
    if (reason := implausible(date)) is not None:
        raise InputError(path, f"attribution of @{match['handle']}: {match['date'].strip()!r} {reason}",
                         line.number, "date")
    return Attribution(match["author"].strip() or None, match["handle"], date.isoformat())


def find_translations(
    candidates: Sequence[Line], tweet: Line, tweet_lang: str, article_lang: str | None
) -> list[tuple[Line, str]]:
    """Apply the translation rule (module docstring) to the lines after a tweet's attribution.

    ``candidates`` run from the line after the attribution to the line before the next tweet's text.
    Returns the leading lines that are translations, each with its language.
    """
    if tweet_lang == article_lang:
        return []
    longest = TRANSLATION_FACTOR * len(tweet.text) + TRANSLATION_SLACK
    seen = {tweet_lang}
    found: list[tuple[Line, str]] = []
    for line in candidates:
        lang = detect_language(line.text)
        if lang == UNDETERMINED or lang in seen or len(line.text) > longest:
            break
        found.append((line, lang))
        seen.add(lang)
        if lang == article_lang:
            break
    return found


def _row(
    article_id: str, segment_id: str, kind: str, line: Line, lang: str, **facts: str | None
) -> dict[str, object]:
    tags = find_tags(line.text)
    return {
        "article_id": article_id,
        "segment_id": f"{article_id}:{segment_id}",
        "kind": kind,
        "line": line.number,
        "start": line.start,
        "end": line.end,
        "text": line.text,
        "lang": lang,
        "translates": facts.get("translates"),
        "author": facts.get("author"),
        "handle": facts.get("handle"),
        "date": facts.get("date"),
        "hashtags": [tag.value for tag in tags if tag.kind == "hashtag"],
        "mentions": [tag.value for tag in tags if tag.kind == "mention"],
    }


def parse_article(
    text: str,
    article_id: str,
    path: str | PathLike[str] = "<text>",
    article_lang: str | None = None,
    published: dt.date | None = None,
) -> pd.DataFrame:
    """Split a raw article into paragraph, tweet and translation segments (see the module docstring).

    ``article_lang`` is the language the article is written in (its metadata); None guesses it from
    the lines that are neither tweets nor attributions. ``published`` (its metadata) is the latest
    date a tweet it embeds may carry, give or take a day for time zones; a later one is an error.
    ``path`` only serves error messages.
    """
    lines = split_lines(text)
    if not lines:
        raise InputError(path, "article has no text", line=1)
    attributions: dict[int, Attribution] = {}
    for index, line in enumerate(lines):
        found = parse_attribution(line, path)
        if found is None:
            continue
        if index == 0 or index - 1 in attributions:
            raise InputError(path, "attribution line has no tweet text above it", line.number, "tweet")
        if published is not None and dt.date.fromisoformat(found.date) > published + dt.timedelta(days=1):
            raise InputError(
                path,
                f"tweet dated {found.date}, after the article was published ({published})",
                line.number,
                "date",
            )
        attributions[index] = found
    bodies = [index - 1 for index in attributions]
    if article_lang is None:
        taken = set(bodies) | set(attributions)
        article_lang = detect_language("\n".join(line.text for i, line in enumerate(lines) if i not in taken))

    rows: dict[int, dict[str, object]] = {}  # by line number
    for number, body in enumerate(bodies, start=1):
        next_body = bodies[number] if number < len(bodies) else len(lines)
        tweet, facts = lines[body], attributions[body + 1]
        tweet_id, lang = f"t{number}", detect_language(tweet.text)
        rows[tweet.number] = _row(
            article_id,
            tweet_id,
            "tweet",
            tweet,
            lang,
            author=facts.author,
            handle=facts.handle,
            date=facts.date,
        )
        for line, translation_lang in find_translations(
            lines[body + 2 : next_body], tweet, lang, article_lang
        ):
            rows[line.number] = _row(
                article_id,
                f"{tweet_id}.{translation_lang}",
                "translation",
                line,
                translation_lang,
                translates=f"{article_id}:{tweet_id}",
            )
    attribution_lines = {lines[index].number for index in attributions}
    paragraphs = [line for line in lines if line.number not in rows and line.number not in attribution_lines]
    for number, line in enumerate(paragraphs, start=1):
        rows[line.number] = _row(article_id, f"p{number}", "paragraph", line, detect_language(line.text))
    import pandas as pd  # here, not at the top (see the imports)

    segments = pd.DataFrame([rows[number] for number in sorted(rows)], columns=list(COLUMNS))
    return segments.astype(PANDAS_DTYPES)


def segments_table(segments: pd.DataFrame) -> pa.Table:
    """Convert a segments DataFrame to an Arrow table with the explicit contract schema."""
    return pa.Table.from_pandas(segments[list(COLUMNS)], schema=SCHEMA, preserve_index=False)


def write_segments(segments: pd.DataFrame, path: str | PathLike[str]) -> None:
    """Write segments as Parquet (explicit schema, no index), atomically."""
    table = segments_table(segments)
    with atomic_output(path) as temporary:
        pq.write_table(table, temporary)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kzshutdowns parse",
        description="Parse a raw article (NAME.txt + NAME.yml) into paragraphs, tweets and translations.",
    )
    parser.add_argument("--text", required=True, help="raw article text (UTF-8, LF, no BOM)")
    parser.add_argument("--meta", required=True, help="its metadata .yml (validated, sha256 checked)")
    parser.add_argument("--output", required=True, help="segments Parquet file to write")
    args = parser.parse_args(argv)

    from kzshutdowns.raw_manifest import load_metadata  # here, not at the top: it imports pandas

    text = read_text(args.text)
    if Path(args.meta).stem != Path(args.text).stem:
        raise InputError(args.meta, f"metadata file name does not match the article {args.text}")
    metadata = load_metadata(args.meta, args.text)
    segments = parse_article(
        text,
        Path(args.text).stem,
        path=args.text,
        article_lang=metadata.language,
        published=dt.date.fromisoformat(metadata.published),
    )
    write_segments(segments, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
