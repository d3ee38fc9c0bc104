"""``kzshutdowns validate``: check the hand-edited event tables and list every problem.

For people who edit ``data/reference/shutdowns.csv`` and ``sources.csv``: unlike the loaders, which
stop at the first problem, this prints all of them, one ``error: file:line: field: message`` line
each, and exits with status 2 if there is any. On success it prints one summary line::

    kzshutdowns validate --events data/reference/shutdowns.csv --sources data/reference/sources.csv \\
        --platforms data/reference/platforms.csv --regions data/reference/regions.csv
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import pandas as pd

from kzshutdowns.errors import EXIT_BAD_INPUT, InputError, run_main
from kzshutdowns.events import independent_source_counts, read_reference_tables, read_sources


def find_problems(
    events_path: str,
    sources_path: str,
    platforms_path: str,
    regions_path: str | None,
    events_schema: str | None = None,
    sources_schema: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[InputError]]:
    """Both tables and every problem in them, events first (schemas beside the tables unless given).

    The platform lexicon and the regions are loaded as every command loads them, raising their first
    problem; region codes are checked only if ``regions_path`` is given.
    """
    tables, event_errors = read_reference_tables(events_path, platforms_path, regions_path,
                                                 events_schema=events_schema)
    sources, source_errors = read_sources(sources_path, tables.events, schema_path=sources_schema)
    return tables.events, sources, event_errors + source_errors


def summary(events: pd.DataFrame, sources: pd.DataFrame) -> str:
    """One line: how many events and sources, and how many events two or more publishers report."""
    counts = independent_source_counts(events, sources)
    several = int((counts >= 2).sum())
    return (f"ok: {len(events)} events, {len(sources)} sources; "
            f"{several} events have two or more independent sources")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kzshutdowns validate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", required=True, help="shutdowns.csv (its schema must lie beside it)")
    parser.add_argument("--sources", required=True, help="sources.csv (its schema must lie beside it)")
    parser.add_argument("--platforms", required=True, help="platforms.csv, the vocabulary of services_*")
    parser.add_argument("--regions", help="regions.csv; if given, region codes must be listed in it")
    parser.add_argument("--events-schema", help="Table Schema of the events (default: beside --events)")
    parser.add_argument("--sources-schema", help="Table Schema of the sources (default: beside --sources)")
    args = parser.parse_args(argv)
    events, sources, problems = find_problems(args.events, args.sources, args.platforms, args.regions,
                                              args.events_schema, args.sources_schema)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(summary(events, sources))
    return 0


if __name__ == "__main__":
    raise SystemExit(run_main(main))
