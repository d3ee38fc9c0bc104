"""Throughput of the city-report steps on a seeded synthetic tweet collection.

Writes the corpus of ``benchmarks/make_corpus.py`` (tweets only) into benchmarks/_work/, parses it
as one shard, then times, in this process, mention extraction (geocoder, platform lexicon, dates)
and report building (status cues, event linking), and prints tweets/s for each step, the number
of mentions, reports and unresolved mentions, and the peak memory (max RSS) of the process.
Writing the output files is not timed.

    python benchmarks/city_reports_throughput.py [--tweets 20000] [--seed 7]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from kzshutdowns.build_city_reports import Context, build_city_reports, country_record, event_spans
from kzshutdowns.events import load_events
from kzshutdowns.extract_mentions import extract_mentions
from kzshutdowns.gazetteer import read_regions
from kzshutdowns.geocode import Geocoder
from kzshutdowns.parse_tweets import parse_tweets, read_shard_lines
from kzshutdowns.platforms import compile_lexicon, load_platforms

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
WORK = Path(__file__).resolve().parent / "_work" / "city_reports"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=int, default=20000, help="tweets in the corpus (default 20000)")
    parser.add_argument("--seed", type=int, default=7, help="corpus seed (default 7)")
    args = parser.parse_args()

    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), "--tweets", str(args.tweets),
                    "--articles", "0", "--seed", str(args.seed), "--output-dir", str(WORK)], check=True,
                   stdout=subprocess.DEVNULL)
    tweets = WORK / "tweets" / "synthetic.jsonl"
    segments = parse_tweets(read_shard_lines(tweets, 0, 1), "synthetic", path=tweets)

    platforms = load_platforms(REFERENCE / "platforms.csv")
    regions = pd.DataFrame(read_regions(REFERENCE / "regions.csv"))
    geocoder = Geocoder.load()
    lexicon = compile_lexicon(platforms)

    started = time.perf_counter()
    mentions = extract_mentions(segments, geocoder, lexicon)
    extract_seconds = time.perf_counter() - started

    context = Context(
        events=event_spans(load_events(REFERENCE / "shutdowns.csv", platforms, regions=regions), "KZ"),
        platform_kinds=dict(zip(platforms["id"], platforms["kind"], strict=True)),
        region_of_admin1=dict(zip(regions["admin1"], regions["region_code"], strict=True)),
        country=country_record("KZ"),
        reference_dates={},
    )
    started = time.perf_counter()
    reports, unresolved = build_city_reports(segments, mentions, context)
    build_seconds = time.perf_counter() - started

    count = len(segments)
    print(f"tweets: {count}  mentions: {len(mentions)}  reports: {len(reports)}  "
          f"unresolved: {len(unresolved)}")
    print(f"extract_mentions: {extract_seconds:.2f} s, {count / extract_seconds:,.0f} tweets/s")
    print(f"build_city_reports: {build_seconds:.2f} s, {count / build_seconds:,.0f} tweets/s")
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
