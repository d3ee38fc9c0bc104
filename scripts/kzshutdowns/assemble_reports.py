"""One source's segments and mentions -> its city reports and unresolved mentions (the map step).

Run once per source (an article or a tweet shard), in parallel; ``build_city_reports`` then gathers
the per-source tables into the published files. What a report is and how it is built is described
in :mod:`kzshutdowns.build_city_reports`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import pyarrow as pa

from kzshutdowns.build_city_reports import (
    SEGMENT_FIELDS,
    TARGET_COUNTRY,
    Context,
    build_city_reports,
    check_reports,
    country_record,
    event_spans,
    read_mentions,
    read_reference_dates,
    write_part,
)
from kzshutdowns.errors import run_main
from kzshutdowns.events import load_reference_tables
from kzshutdowns.gc_tuning import fewer_collections
from kzshutdowns.segments import read_segments


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kzshutdowns assemble-reports",
        description="Tie one source's places to platforms and statuses and link them to events.",
    )
    parser.add_argument("--segments", required=True, help="the source's segments Parquet file")
    parser.add_argument("--mentions", required=True, help="the source's mentions Parquet file")
    parser.add_argument("--metadata", nargs="*", default=[], help="article metadata .yml files (dates)")
    parser.add_argument("--events", required=True, help="shutdowns.csv (schema beside it)")
    parser.add_argument("--platforms", required=True, help="platforms.csv (schema beside it)")
    parser.add_argument("--regions", required=True, help="regions.csv (schema beside it)")
    parser.add_argument("--country", default=TARGET_COUNTRY, help="ISO code of the country covered (KZ)")
    parser.add_argument("--reports", required=True, help="reports Parquet file to write")
    parser.add_argument("--unresolved", required=True, help="unresolved mentions Parquet file to write")
    args = parser.parse_args(argv)

    tables = load_reference_tables(args.events, args.platforms, args.regions)
    platforms, regions, events = tables.platforms, tables.regions, tables.events
    context = Context(
        events=event_spans(events, args.country),
        platform_kinds=dict(zip(platforms["id"], platforms["kind"], strict=True)),
        region_of_admin1=dict(zip(regions["admin1"], regions["region_code"], strict=True)),
        country=country_record(args.country),
        reference_dates=read_reference_dates(args.metadata),
    )
    segments = read_segments(args.segments, columns=[*SEGMENT_FIELDS, "end"])
    mentions = read_mentions(args.mentions)
    # Reading leaves Arrow's memory pool holding the freed buffers, which the Python objects built next
    # cannot use: give them back to the system (a 250k-tweet shard's peak memory is 0.2 GB lower).
    pa.default_memory_pool().release_unused()
    # The readings and rows built form no reference cycles: reference counting frees them all, and the
    # collector would only scan them (over a second of a 125k-tweet shard, a twelfth of its CPU time).
    with fewer_collections(young=0):
        reports, unresolved = build_city_reports(segments, mentions, context, args.mentions)
    check_reports(reports, events, platforms, args.reports)
    write_part(reports, args.reports)
    write_part(unresolved, args.unresolved)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
