"""The ``kzshutdowns`` command: one subcommand per stage, each the ``main`` of its own module.

``kzshutdowns parse ...`` is the same as ``python -m kzshutdowns.parse_article ...``; the table
below is the only place that ties the two together.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from kzshutdowns import __version__
from kzshutdowns.errors import run_main

# subcommand -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "geocode": ("kzshutdowns.geocode", "JSON Lines documents -> one object per place mention (GeoNames)"),
    "build-gazetteer": ("kzshutdowns.gazetteer", "GeoNames + curated regions/toponyms -> geocoder gazetteer"),
    "evaluate-geocoder": ("kzshutdowns.evaluate_geocoder", "geocoder precision/recall/F1 per language"),
    "check-raw": ("kzshutdowns.raw_manifest", "check data/raw/ against its manifest and article metadata"),
    "parse": ("kzshutdowns.parse_article", "raw article -> paragraph, tweet and translation segments"),
    "parse-tweets": ("kzshutdowns.parse_tweets", "one shard of a tweet collection (.jsonl) -> segments"),
    "extract-mentions": ("kzshutdowns.extract_mentions", "segments -> place, platform and date mentions"),
    "assemble-reports": ("kzshutdowns.assemble_reports", "one source's mentions + events -> its reports"),
    "build-reports": ("kzshutdowns.build_city_reports", "gather every source's reports into the outputs"),
    "validate": ("kzshutdowns.validate", "check shutdowns.csv and sources.csv; list every problem"),
    "publish": ("kzshutdowns.publish_datapackage", "event tables + extra files -> Frictionless data package"),
    "stop-crosswalk": ("kzshutdowns.stop_crosswalk", "event rows -> Access Now STOP columns (CSV)"),
    "basemap": ("kzshutdowns.basemap", "basemap GeoPackage (embedded outlines or pinned Natural Earth)"),
    "figure-city-reports-map": ("kzshutdowns.figures.city_reports_map", "map of city reports by event"),
    "figure-event-map": ("kzshutdowns.figures.event_map", "small maps of where each event struck"),
    "figure-timeline": ("kzshutdowns.figures.timeline", "timeline of events by scope and measure"),
    "figure-services-matrix": ("kzshutdowns.figures.services_matrix", "services x events: blocked/reachable"),
    "figure-triggers-measures": ("kzshutdowns.figures.triggers_measures", "events by trigger and measure"),
    "paper-inputs": ("kzshutdowns.paper_inputs", "workflow outputs -> the paper's variables and tables"),
    "paper-font": ("kzshutdowns.paper_font", "copy the Arabic font (fontpkg) into paper/fonts for Typst"),
    "check-paper": ("kzshutdowns.paper_check", "check the Quarto paper statically, without Quarto"),
    "render-paper": ("kzshutdowns.render_paper", "render the paper with Quarto; fail on warnings"),
}


def usage() -> str:
    width = max((len(name) for name in COMMANDS), default=0)
    lines = [f"usage: kzshutdowns COMMAND [ARGS...]  (kzshutdowns {__version__})", "", "commands:"]
    lines += [f"  {name:<{width}}  {help_}" for name, (_, help_) in sorted(COMMANDS.items())]
    lines += ["", "Run 'kzshutdowns COMMAND --help' for the arguments of one command."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(usage())
        return 0
    if args[0] == "--version":
        print(__version__)
        return 0
    if args[0] not in COMMANDS:
        print(f"error: unknown command {args[0]!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[args[0]][0])
    return run_main(module.main, args[1:])


if __name__ == "__main__":
    raise SystemExit(main())
