"""Geocoder throughput against geotext on a seeded synthetic multilingual tweet corpus.

Builds (once, into benchmarks/_work/) the gazetteer, times loading it, generates a reproducible
corpus of tweet-length documents in Arabic, Russian, Kazakh, English, French and German (place
names from several scripts and spellings, inflected and with clitics, mixed with filler), then
geocodes the corpus with kzshutdowns and with geotext in the same process (alternating slices of
the corpus, so that load from other processes on a shared machine hits both alike) and prints documents/s,
MB/s, mentions found, the throughput ratio (overall, on the Latin-script half that geotext reads, and
for each language on its own), gazetteer load time and peak memory (max RSS). Both run
with Python's cyclic garbage collector set as the ``kzshutdowns geocode`` CLI sets it (young collections
rarer, the loaded gazetteer frozen out of them: :mod:`kzshutdowns.gc_tuning`).

    python benchmarks/geocode_throughput.py [--documents 100000] [--seed 20161216]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from geotext import GeoText
from kzshutdowns.gc_tuning import fewer_collections, load_frozen
from kzshutdowns.geocode import BATCH_SIZE, REFERENCE, Geocoder, reference_fingerprint

WORK = Path(__file__).resolve().parent / "_work"

PLACES = {
    "ar": [
        "ألماتي",
        "وألماتي",
        "أستانا",
        "كاراغاندا",
        "جاناوزين",
        "أتيراو",
        "أقتاو",
        "بافلودار",
        "شيمكنت",
        "باريس",
        "موسكو",
        "للماتي",
        "بكاراغاندا",
        "تاراز",
        "منطقة مانغيستاو",
    ],
    "ru": [
        "Алматы",
        "Астане",
        "Караганде",
        "Жанаозене",
        "Атырау",
        "Актау",
        "Семее",
        "Уральске",
        "Шымкенте",
        "Москвы",
        "Павлодаре",
        "Мангистауской области",
        "#астана",
        "Таразе",
        "Бишкеке",
    ],
    "kk": [
        "Алматыда",
        "Астанада",
        "Жаңаөзенде",
        "Қарағандыда",
        "Атырауда",
        "Ақтауда",
        "Семейде",
        "Оралда",
        "Шымкентте",
        "Өскеменде",
        "Маңғыстау облысында",
        "Таразда",
    ],
    "en": [
        "Almaty",
        "Astana",
        "Karaganda",
        "Zhanaozen",
        "Atyrau",
        "Aktau",
        "Uralsk",
        "Shymkent",
        "Paris",
        "Moscow",
        "London",
        "Pavlodar",
        "Mangystau Region",
        "#Almaty",
        "Semey",
    ],
    "fr": [
        "Almaty",
        "d'Astana",
        "Karaganda",
        "Zhanaozen",
        "Atyraou",
        "Aktaou",
        "Paris",
        "Moscou",
        "Genève",
        "Lyon",
        "Chymkent",
        "Pékin",
    ],
    "de": [
        "Almaty",
        "Astana",
        "Karaganda",
        "Schanaosen",
        "Atyrau",
        "Aktau",
        "Moskau",
        "München",
        "Wien",
        "Berlin",
        "Schymkent",
        "Peking",
    ],
}
FILLER = {
    "ar": "انقطع الإنترنت في مدينة اليوم وأكد السكان أن مواقع التواصل الاجتماعي محجوبة منذ الصباح بسبب "
    "الاحتجاجات ولم تصدر الحكومة أي بيان رسمي حول أسباب تقنية",
    "ru": "сегодня в городе не работает интернет жители жалуются что социальные сети заблокированы с утра "
    "власти ссылаются на технические причины протесты продолжаются",
    "kk": "бүгін қалада интернет жоқ тұрғындар әлеуметтік желілер бұғатталды дейді билік техникалық себеп "
    "деп түсіндірді наразылық жалғасуда",
    "en": "today internet is down in the city residents say social media has been blocked since morning "
    "officials cite technical reasons while protests continue across the region",
    "fr": "aujourd'hui internet est coupé dans la ville les habitants disent que les réseaux sociaux sont "
    "bloqués depuis ce matin les autorités invoquent des raisons techniques",
    "de": "heute ist das Internet in der Stadt gestört die Bewohner sagen dass soziale Netzwerke seit dem "
    "Morgen gesperrt sind die Behörden nennen technische Gründe",
}
LANGUAGES = sorted(PLACES)
LATIN_LANGUAGES = ("de", "en", "fr")
SLICES = 20


def make_corpus(documents: int, seed: int) -> list[tuple[str, str]]:
    """``documents`` (lang, text) pairs of 60-200 characters, reproducible from ``seed``."""
    rng = random.Random(seed)
    corpus = []
    for _ in range(documents):
        lang = rng.choice(LANGUAGES)
        filler = FILLER[lang].split()
        words = [rng.choice(filler) for _ in range(rng.randint(8, 22))]
        for _ in range(rng.choice((0, 1, 1, 2))):
            words.insert(rng.randrange(len(words) + 1), rng.choice(PLACES[lang]))
        corpus.append((lang, " ".join(words)))
    return corpus


def run_ours(geocoder: Geocoder, corpus: list[tuple[str, str]]) -> tuple[float, int]:
    """Seconds to geocode ``corpus`` (language given, as the reuse CLI allows) and mentions found,
    in batches of :data:`BATCH_SIZE` documents as the CLI geocodes them."""
    started = time.perf_counter()
    found = 0
    for first in range(0, len(corpus), BATCH_SIZE):
        langs, texts = zip(*corpus[first : first + BATCH_SIZE], strict=True)
        found += sum(len(matches) for matches in geocoder.geocode_many(texts, langs))
    return time.perf_counter() - started, found


def run_geotext(corpus: list[tuple[str, str]]) -> tuple[float, int]:
    """Seconds for geotext on ``corpus`` and the city and country mentions it found."""
    started = time.perf_counter()
    found = 0
    for _, text in corpus:
        places = GeoText(text)
        found += len(places.cities) + len(places.countries)
    return time.perf_counter() - started, found


def run_interleaved(geocoder: Geocoder, corpus: list[tuple[str, str]]) -> tuple[float, int, float, int]:
    """Time both geocoders on the same corpus in alternating slices (ours first, then geotext first),
    so that a change in the machine's load (it is shared) affects both alike."""
    totals = {"ours": [0.0, 0], "geotext": [0.0, 0]}
    size = max(1, len(corpus) // SLICES)
    for number, first in enumerate(range(0, len(corpus), size)):
        part = corpus[first : first + size]
        order = ("ours", "geotext") if number % 2 == 0 else ("geotext", "ours")
        for name in order:
            seconds, found = run_ours(geocoder, part) if name == "ours" else run_geotext(part)
            totals[name][0] += seconds
            totals[name][1] += found
    (ours_seconds, ours), (theirs_seconds, theirs) = totals["ours"], totals["geotext"]
    return ours_seconds, int(ours), theirs_seconds, int(theirs)


def comparison(size: int, timed: tuple[float, int, float, int]) -> str:
    """Documents/s and mentions of both geocoders on ``size`` documents (see :func:`run_interleaved`)."""
    ours_seconds, ours, theirs_seconds, theirs = timed
    return (
        f"kzshutdowns {size / ours_seconds:,.0f} documents/s, {ours:,} mentions; geotext "
        f"{size / theirs_seconds:,.0f} documents/s, {theirs:,} mentions; "
        f"ratio {theirs_seconds / ours_seconds:.2f}"
    )


def gazetteer_path() -> Path:
    """The benchmark's gazetteer, built from data/reference on the first run (in a separate process,
    so that the peak memory printed below is that of loading and geocoding only), and again when the
    reference tables or the gazetteer's format change: its name holds their fingerprint."""
    path = WORK / f"gazetteer-{reference_fingerprint()[:16]}.pickle"
    if not path.exists():
        for stale in WORK.glob("gazetteer*.pickle"):
            stale.unlink()
        regions, toponyms = REFERENCE / "regions.csv", REFERENCE / "toponyms.csv"
        command = [sys.executable, "-m", "kzshutdowns.gazetteer", "--regions", str(regions)]
        subprocess.run([*command, "--toponyms", str(toponyms), "--output", str(path)], check=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20161216)
    args = parser.parse_args()

    path = gazetteer_path()
    with fewer_collections():  # the collector as `kzshutdowns geocode` sets it (geotext runs under it too)
        started = time.perf_counter()
        geocoder = load_frozen(lambda: Geocoder.load(path))
        load_seconds = time.perf_counter() - started

        corpus = make_corpus(args.documents, args.seed)
        megabytes = sum(len(text.encode("utf-8")) for _, text in corpus) / 1e6
        geocoder.geocode("warm-up Almaty")
        GeoText("warm-up Almaty")

        ours_seconds, ours, theirs_seconds, theirs = run_interleaved(geocoder, corpus)
        # The Latin-script half (the only one geotext reads), then each language on its own.
        subsets = {", ".join(LATIN_LANGUAGES): [item for item in corpus if item[0] in LATIN_LANGUAGES]}
        subsets |= {lang: [item for item in corpus if item[0] == lang] for lang in LANGUAGES}
        timed = {label: run_interleaved(geocoder, documents) for label, documents in subsets.items()}

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ours_rate, theirs_rate = args.documents / ours_seconds, args.documents / theirs_seconds
    print(
        f"corpus: {args.documents:,} documents, {megabytes:.1f} MB (UTF-8), seed {args.seed}, "
        f"languages {', '.join(LANGUAGES)}"
    )
    print(f"gazetteer load: {load_seconds:.3f} s")
    print(
        f"kzshutdowns: {ours_rate:,.0f} documents/s, {megabytes / ours_seconds:.2f} MB/s, "
        f"{ours:,} place mentions"
    )
    print(
        f"geotext:     {theirs_rate:,.0f} documents/s, {megabytes / theirs_seconds:.2f} MB/s, "
        f"{theirs:,} city/country mentions"
    )
    print(f"throughput ratio (kzshutdowns / geotext): {ours_rate / theirs_rate:.2f}")
    latin = ", ".join(LATIN_LANGUAGES)
    print(
        f"Latin-script documents only ({latin}; {len(subsets[latin]):,}): "
        f"{comparison(len(subsets[latin]), timed[latin])}"
    )
    print("by language, each timed on its own:")
    for lang in LANGUAGES:
        print(f"  {lang} ({len(subsets[lang]):,}): {comparison(len(subsets[lang]), timed[lang])}")
    print(f"peak memory (max RSS, whole process): {peak:.0f} MB")


if __name__ == "__main__":
    main()
