"""Throughput of the city-report steps on a seeded synthetic tweet collection, phase by phase.

Writes the corpus of ``benchmarks/make_corpus.py`` (tweets only) into benchmarks/_work/, parses it
as one shard, then times, in this process: loading the reference tables (platform lexicon, regions,
events, validated), mention extraction (geocoder, platform lexicon, dates), report building (status
cues, event linking), the check of the reports, and the gather's writing of CSV, GeoJSON and
GeoPackage plus the unresolved-mentions CSV. It prints seconds and tweets/s per phase, the number
of mentions, reports and unresolved mentions, and the peak memory (max RSS) of the process.

The synthetic tweets repeat their texts (a few thousand distinct ones), and report building reads
the status cues once per distinct text; ``--unique-texts`` appends a running number to every tweet
so that no text repeats, which gives the cost per tweet of a collection without repeated texts.

    python benchmarks/city_reports_throughput.py [--tweets 20000] [--seed 7] [--unique-texts]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

from kzshutdowns.build_city_reports import (
    REPORT_COLUMNS,
    UNRESOLVED_COLUMNS,
    Context,
    build_city_reports,
    check_reports,
    country_record,
    event_spans,
    read_parts,
    write_csv,
    write_part,
    write_reports,
)
from kzshutdowns.events import load_reference_tables
from kzshutdowns.extract_mentions import extract_mentions
from kzshutdowns.geocode import Geocoder
from kzshutdowns.parse_tweets import parse_tweets, read_shard_lines
from kzshutdowns.platforms import compile_lexicon

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
WORK = Path(__file__).resolve().parent / "_work" / "city_reports"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=int, default=20000, help="tweets in the corpus (default 20000)")
    parser.add_argument("--seed", type=int, default=7, help="corpus seed (default 7)")
    parser.add_argument("--unique-texts", action="store_true", help="make every tweet's text distinct")
    args = parser.parse_args()

    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), "--tweets", str(args.tweets),
                    "--articles", "0", "--seed", str(args.seed), "--output-dir", str(WORK)], check=True,
                   stdout=subprocess.DEVNULL)
    tweets = WORK / "tweets" / "synthetic.jsonl"
    segments = parse_tweets(read_shard_lines(tweets, 0, 1), "synthetic", path=tweets)
    if args.unique_texts:
        segments["text"] = segments["text"] + [f" [{number}]" for number in range(len(segments))]
        segments["end"] = segments["start"] + segments["text"].str.len()
    count = len(segments)
    seconds: dict[str, float] = {}

    started = time.perf_counter()
    tables = load_reference_tables(REFERENCE / "shutdowns.csv", REFERENCE / "platforms.csv",
                                   REFERENCE / "regions.csv")
    seconds["reference tables"] = time.perf_counter() - started

    geocoder = Geocoder.load()
    lexicon = compile_lexicon(tables.platforms)
    started = time.perf_counter()
    mentions = extract_mentions(segments, geocoder, lexicon)
    seconds["extract_mentions"] = time.perf_counter() - started

    context = Context(
        events=event_spans(tables.events, "KZ"),
        platform_kinds=dict(zip(tables.platforms["id"], tables.platforms["kind"], strict=True)),
        region_of_admin1=dict(zip(tables.regions["admin1"], tables.regions["region_code"], strict=True)),
        country=country_record("KZ"),
        reference_dates={},
    )
    started = time.perf_counter()
    reports, unresolved = build_city_reports(segments, mentions, context)
    seconds["build reports"] = time.perf_counter() - started

    started = time.perf_counter()
    check_reports(reports, tables.events, tables.platforms, "reports")
    seconds["check reports"] = time.perf_counter() - started

    parts = {"reports": WORK / "reports.parquet", "unresolved": WORK / "unresolved.parquet"}
    write_part(reports, parts["reports"])
    write_part(unresolved, parts["unresolved"])
    started = time.perf_counter()
    write_reports(read_parts([parts["reports"]], REPORT_COLUMNS, "reports"), WORK / "city_reports.csv",
                  WORK / "city_reports.geojson", WORK / "city_reports.gpkg")
    seconds["gather: reports CSV+GeoJSON+GPKG"] = time.perf_counter() - started
    started = time.perf_counter()
    write_csv(read_parts([parts["unresolved"]], UNRESOLVED_COLUMNS, "unresolved mentions"),
              WORK / "unresolved_mentions.csv")
    seconds["gather: unresolved CSV"] = time.perf_counter() - started

    distinct = segments["text"].nunique()
    print(f"tweets: {count} ({distinct} distinct texts)  mentions: {len(mentions)}  reports: {len(reports)}  "
          f"unresolved: {len(unresolved)}")
    for phase, value in seconds.items():
        print(f"{phase:>34}: {value:6.2f} s  {count / value:>12,.0f} tweets/s")
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
