"""Seeded synthetic corpus for the workflow benchmarks: tweets and articles with known place mentions.

    python benchmarks/make_corpus.py --tweets 100000 --articles 4 --seed 7 --output-dir DIR

writes, inside DIR (never inside the repository's own ``data/``):

- ``tweets/synthetic.jsonl``: one tweet per line (``id``, ``text``, ``author``, ``handle``,
  ``created_at``, and ``lang`` on nine tweets in ten; the rest leave the language to detection);
  the texts come from a few templates, so they repeat (like retweets: about 2,700 distinct texts in
  62,500 tweets) unless ``--links`` ends every tweet with a short link of its own
  (``https://t.co/`` and ten letters and digits, as most real tweets carry one), which makes every
  text distinct without changing anything else the generator writes;
- ``articles/synthetic-<lang>-<n>.txt`` with a metadata file ``.yml`` beside it: articles in the
  seed's layout (paragraphs, embedded tweets with an attribution line, translations);
- ``truth.csv``: every place name the generator wrote, as ``document`` (tweet id or article file
  stem), ``start``, ``end`` (character offsets into the tweet text or the article text),
  ``surface`` and the intended ``geonameid``.

Tweets are written in Arabic, Russian, Kazakh and English with real spellings of Kazakh cities
and the forms a geocoder has to see through: Russian and Kazakh case endings (``в Астане``,
``Алматыда``), Arabic conjunction and preposition clitics (``وألماتي``, ``بافلودار``) and the
Arabic spelling of the seed (``كاراغاندا``), plus hashtags (``#Астана``) and trap words that look
like places but are not (Russian ``семей`` "families", Arabic ``طراز`` "model"). The same seed
always gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kzshutdowns.errors import run_main


@dataclass(frozen=True)
class Place:
    """A Kazakh city with the written forms used by the templates, per language and grammatical slot."""

    geonameid: int
    forms: dict[str, dict[str, str]]  # language -> slot -> surface form


# Slots: "nom" the bare name, "loc" the name inside a locative phrase ("в Астане", "Алматыда",
# "in Almaty"), "and" (Arabic) the name with the conjunction clitic, "tag" a hashtag.
PLACES: tuple[Place, ...] = (
    Place(1526384, {"en": {"nom": "Almaty", "loc": "Almaty"},
                    "ru": {"nom": "Алматы", "loc": "Алматы"},
                    "kk": {"nom": "Алматы", "loc": "Алматыда"},
                    "ar": {"nom": "ألماتي", "loc": "ألماتي", "and": "وألماتي"}}),
    Place(1526273, {"en": {"nom": "Astana", "loc": "Astana"},
                    "ru": {"nom": "Астана", "loc": "Астане"},
                    "kk": {"nom": "Астана", "loc": "Астанада"},
                    "ar": {"nom": "أستانا", "loc": "أستانا", "and": "وأستانا"}}),
    Place(609655, {"en": {"nom": "Karaganda", "loc": "Karaganda"},
                   "ru": {"nom": "Караганда", "loc": "Караганде"},
                   "kk": {"nom": "Қарағанды", "loc": "Қарағандыда"},
                   "ar": {"nom": "كاراغاندا", "loc": "كاراغاندا", "and": "وكاراغاندا"}}),
    Place(610529, {"en": {"nom": "Atyrau", "loc": "Atyrau"},
                   "ru": {"nom": "Атырау", "loc": "Атырау"},
                   "kk": {"nom": "Атырау", "loc": "Атырауда"},
                   "ar": {"nom": "أتيراو", "loc": "أتيراو", "and": "وأتيراو"}}),
    Place(607610, {"en": {"nom": "Zhanaozen", "loc": "Zhanaozen"},
                   "ru": {"nom": "Жанаозен", "loc": "Жанаозене"},
                   "kk": {"nom": "Жаңаөзен", "loc": "Жаңаөзенде"},
                   "ar": {"nom": "جاناوزين", "loc": "جاناوزين", "and": "وجاناوزين"}}),
    Place(610612, {"en": {"nom": "Aktau", "loc": "Aktau"},
                   "ru": {"nom": "Актау", "loc": "Актау"},
                   "kk": {"nom": "Ақтау", "loc": "Ақтауда"},
                   "ar": {"nom": "أكتاو", "loc": "أكتاو", "and": "وأكتاو"}}),
    Place(1518980, {"en": {"nom": "Shymkent", "loc": "Shymkent"},
                    "ru": {"nom": "Шымкент", "loc": "Шымкенте"},
                    "kk": {"nom": "Шымкент", "loc": "Шымкентте"},
                    "ar": {"nom": "شيمكنت", "loc": "شيمكنت", "and": "وشيمكنت"}}),
    Place(1520240, {"en": {"nom": "Pavlodar", "loc": "Pavlodar"},
                    "ru": {"nom": "Павлодар", "loc": "Павлодаре"},
                    "kk": {"nom": "Павлодар", "loc": "Павлодарда"},
                    "ar": {"nom": "بافلودار", "loc": "بافلودار", "and": "وبافلودار"}}),
    Place(1519422, {"en": {"nom": "Semey", "loc": "Semey"},
                    "ru": {"nom": "Семей", "loc": "Семее"},
                    "kk": {"nom": "Семей", "loc": "Семейде"},
                    "ar": {"nom": "سيمي", "loc": "سيمي", "and": "وسيمي"}}),
    Place(608668, {"en": {"nom": "Uralsk", "loc": "Uralsk"},
                   "ru": {"nom": "Уральск", "loc": "Уральске"},
                   "kk": {"nom": "Орал", "loc": "Оралда"},
                   "ar": {"nom": "أورالسك", "loc": "أورالسك", "and": "وأورالسك"}}),
)

PLATFORMS: dict[str, tuple[str, ...]] = {
    "en": ("Facebook", "YouTube", "Instagram", "WhatsApp", "Telegram"),
    "ru": ("Facebook", "YouTube", "Инстаграм", "ВКонтакте", "Telegram", "WhatsApp"),
    "kk": ("Facebook", "YouTube", "Instagram", "WhatsApp", "Telegram"),
    "ar": ("فيسبوك", "يوتيوب", "إنستغرام", "واتساب", "تيليغرام"),
}

# Tweet templates. {a} and {b} are places in the slot named after the colon, {p} a platform.
TWEET_TEMPLATES: dict[str, tuple[str, ...]] = {
    "en": (
        "No {p} in {a:loc} since this morning, same in {b:loc}. #Kazakhstan",
        "{a:nom}: {p} and Instagram blocked again, VPN still works",
        "Friends in {a:loc} say the mobile internet is down #{a:nom}",
        "Is {p} working for anyone in {a:loc} or {b:loc}? @Malik_MKZ",
    ),
    "ru": (
        "В {a:loc} с утра не открывается {p}, в {b:loc} тоже #казахстан",
        "{a:nom}: заблокировали {p} и Instagram, Twitter работает",
        "У кого в {a:loc} работает {p}? Мобильный интернет пропал #{a:nom}",
        "Много семей в {a:loc} без связи, {p} не грузится",
    ),
    "kk": (
        "{a:loc} {p} ашылмай тұр, {b:loc} да солай #қазақстан",
        "{a:nom}: {p} бұғатталды, мобильді интернет жоқ",
        "{a:loc} интернет жоқ #{a:nom}",
    ),
    "ar": (
        "لا يعمل {p} في {a:loc} منذ الصباح {b:and} أيضا #كازاخستان",
        "حجب {p} في {a:loc} بمناسبة عيد الاستقلال",
        "سكان {a:loc} يؤكدون انقطاع الإنترنت عبر الهاتف، والطراز القديم من الهواتف لا يساعد",
    ),
}

AUTHORS = ("Aigerim S.", "Daniyar K.", "Malika T.", "Yerlan B.", "Anna P.", "Sara M.", "Omar H.")
LANGUAGES = ("ar", "ru", "kk", "en")
DATES = ("2016-12-16", "2016-12-17", "2018-05-05", "2019-06-09", "2022-01-05", "2022-01-06")


def _fill(template: str, places: dict[str, Place], language: str, platform: str) -> tuple[str, list]:
    """Fill a template; return the text and (start, end, surface, geonameid) of each place written."""
    out: list[str] = []
    spans: list[tuple[int, int, str, int]] = []
    length = 0
    rest = template
    while "{" in rest:
        before, _, after = rest.partition("{")
        field, _, rest = after.partition("}")
        out.append(before)
        length += len(before)
        if field == "p":
            value = platform
        else:
            key, _, slot = field.partition(":")
            place = places[key]
            value = place.forms[language][slot]
            spans.append((length, length + len(value), value, place.geonameid))
        out.append(value)
        length += len(value)
    out.append(rest)
    return "".join(out), spans


LINK_CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def short_link(seed: int, number: int) -> str:
    """A t.co-style link unique to tweet ``number`` (drawn from a hash, so that the generator's random
    sequence, and so every other byte of the corpus, is the same with or without links)."""
    value = int.from_bytes(hashlib.sha256(f"{seed}:{number}".encode()).digest()[:8], "big")
    letters = []
    for _ in range(10):
        value, digit = divmod(value, len(LINK_CHARACTERS))
        letters.append(LINK_CHARACTERS[digit])
    return "https://t.co/" + "".join(letters)


def make_tweet(rng: random.Random, number: int, link: str = "") -> tuple[dict[str, object], list]:
    """One synthetic tweet (a JSON-ready dict) and the places written into its text; ``link``, if
    given, ends the text after a space."""
    language = rng.choice(LANGUAGES)
    first, second = rng.sample(PLACES, 2)
    text, spans = _fill(rng.choice(TWEET_TEMPLATES[language]), {"a": first, "b": second}, language,
                        rng.choice(PLATFORMS[language]))
    tweet: dict[str, object] = {
        "id": str(800000000000000000 + number),
        "text": f"{text} {link}" if link else text,
        "author": rng.choice(AUTHORS),
        "handle": f"user{rng.randrange(100000)}",
        "created_at": f"{rng.choice(DATES)}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z",
    }
    if rng.random() < 0.9:
        tweet["lang"] = language
    return tweet, spans


ATTRIBUTION_DATES = {"en": "December 16, 2016", "ru": "16 декабря 2016 г.", "kk": "16 желтоқсан 2016 ж.",
                     "ar": "16 كانون الأول/ديسمبر 2016"}
PARAGRAPHS: dict[str, tuple[str, ...]] = {
    "en": ("Residents of {a:loc} and {b:loc} told reporters that {p} could not be reached all day.",
           "In 2011, more than a dozen people died in clashes with police in {a:loc}."),
    "ru": ("Жители городов {a:nom} и {b:nom} рассказали, что {p} не открывался весь день.",
           "В {a:loc} доступ к {p} восстановили только вечером."),
    "kk": ("{a:nom} және {b:nom} қалаларының тұрғындары {p} күні бойы ашылмағанын айтты.",
           "{a:loc} интернет кешке ғана қалпына келді."),
    "ar": ("أكد سكان {a:loc} {b:and} أنه لم يعد بإمكانهم الولوج إلى {p} طوال اليوم.",
           "في عام 2011 سقط قتلى في مواجهات مع الشرطة بمدينة {a:loc}."),
}


def make_article(rng: random.Random, language: str, stem: str, tweets: int = 2) -> tuple[str, list]:
    """An article in the seed's layout: paragraphs, embedded tweets with attribution, translations."""
    lines: list[str] = []
    spans: list[tuple[int, int, str, int]] = []
    offset = 0

    def add(line: str, line_spans: list) -> None:
        nonlocal offset
        lines.append(line)
        spans.extend((offset + s, offset + e, surface, gid) for s, e, surface, gid in line_spans)
        offset += len(line) + 1

    for template in PARAGRAPHS[language]:
        first, second = rng.sample(PLACES, 2)
        add(*_fill(template, {"a": first, "b": second}, language, rng.choice(PLATFORMS[language])))
    for _ in range(tweets):
        tweet_language = rng.choice(("ru", "en", "kk"))
        first, second = rng.sample(PLACES, 2)
        add(*_fill(rng.choice(TWEET_TEMPLATES[tweet_language]), {"a": first, "b": second}, tweet_language,
                   rng.choice(PLATFORMS[tweet_language])))
        author = rng.choice(AUTHORS)
        handle = f"user{rng.randrange(100000)}"
        add(f"— {author} (@{handle}) {ATTRIBUTION_DATES['en']}", [])
        if language != tweet_language:  # a translation into the article's language, as in the seed
            add(*_fill(rng.choice(TWEET_TEMPLATES[language]), {"a": first, "b": second}, language,
                       rng.choice(PLATFORMS[language])))
    return "\n".join(lines) + "\n", spans


def article_metadata(stem: str, language: str, text: str) -> str:
    """The YAML metadata file that sits beside a raw article (same keys as the seed's)."""
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return (
        f"description: Synthetic {language} article {stem} written by benchmarks/make_corpus.py.\n"
        f"source_url: https://example.org/synthetic/{stem}\n"
        "publisher: kz-shutdowns benchmarks\n"
        f"language: {language}\n"
        "published: 2016-12-16\n"
        "licence: CC0-1.0\n"
        "licence_url: https://creativecommons.org/publicdomain/zero/1.0/\n"
        f"sha256: {sha}\n"
    )


def write_corpus(output_dir: Path, tweets: int, articles: int, seed: int, links: bool = False
                 ) -> dict[str, int]:
    """Write the corpus into ``output_dir``; return counts of tweets, articles and known place mentions.
    With ``links``, every tweet ends with a link of its own (see :func:`short_link`)."""
    rng = random.Random(seed)
    (output_dir / "tweets").mkdir(parents=True, exist_ok=True)
    (output_dir / "articles").mkdir(parents=True, exist_ok=True)
    places = 0
    with open(output_dir / "truth.csv", "w", encoding="utf-8", newline="") as truth_file:
        truth = csv.writer(truth_file, lineterminator="\n")
        truth.writerow(["document", "start", "end", "surface", "geonameid"])
        if tweets:
            with open(output_dir / "tweets" / "synthetic.jsonl", "w", encoding="utf-8", newline="\n") as out:
                for number in range(tweets):
                    tweet, spans = make_tweet(rng, number, short_link(seed, number) if links else "")
                    out.write(json.dumps(tweet, ensure_ascii=False) + "\n")
                    truth.writerows([tweet["id"], *span] for span in spans)
                    places += len(spans)
        for number in range(articles):
            language = LANGUAGES[number % len(LANGUAGES)]
            stem = f"synthetic-{language}-{number:04d}"
            text, spans = make_article(rng, language, stem)
            (output_dir / "articles" / f"{stem}.txt").write_text(text, encoding="utf-8", newline="\n")
            (output_dir / "articles" / f"{stem}.yml").write_text(
                article_metadata(stem, language, text), encoding="utf-8", newline="\n")
            truth.writerows([stem, *span] for span in spans)
            places += len(spans)
    return {"tweets": tweets, "articles": articles, "places": places}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=int, default=10000, help="number of tweets (default 10000)")
    parser.add_argument("--articles", type=int, default=4, help="number of articles (default 4)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--output-dir", type=Path, required=True, help="folder to write the corpus into")
    parser.add_argument("--links", action="store_true",
                        help="end every tweet with a link of its own, so that no two texts are the same")
    args = parser.parse_args(argv)
    counts = write_corpus(args.output_dir, args.tweets, args.articles, args.seed, args.links)
    print(f"wrote {counts['tweets']} tweets, {counts['articles']} articles and "
          f"{counts['places']} known place mentions into {args.output_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
