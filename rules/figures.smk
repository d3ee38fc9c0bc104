# Maps and figures of the paper: the basemap, then one rule per figure, each writing SVG (HTML),
# PDF (print) and PNG (preview) to paper/figures/. `snakemake --cores all figures` builds them all.

BASEMAP = "data/interim/basemap.gpkg"
FIGURE_NAMES = ["city_reports_map", "event_map", "timeline", "services_matrix", "triggers_measures"]
# Modules every figure imports (tables.py reads dates and lists as kzshutdowns.events does):
# editing the style sheet, the saving code or these reruns every figure.
FIGURE_CODE = [
    "scripts/kzshutdowns/figures/paper.mplstyle",
    "scripts/kzshutdowns/figures/style.py",
    "scripts/kzshutdowns/figures/save.py",
    "scripts/kzshutdowns/figures/tables.py",
    "scripts/kzshutdowns/events.py",
    "scripts/kzshutdowns/table_schema.py",
]
# Modules the two maps import on top of those.
MAP_CODE = [
    *FIGURE_CODE,
    "scripts/kzshutdowns/figures/mapping.py",
    "scripts/kzshutdowns/figures/labels.py",
    "scripts/kzshutdowns/basemap.py",
]


# All five figures.
rule figures:
    input:
        expand("paper/figures/{name}.{ext}", name=FIGURE_NAMES, ext=["svg", "pdf", "png"]),


if config["basemap"]["source"] == "natural_earth":

    # Download one pinned Natural Earth archive (admin0 or admin1) and keep it only if its sha256 matches.
    rule download_natural_earth:
        output:
            "data/interim/natural_earth/{layer}.zip",
        params:
            url=lookup(dpath="basemap/natural_earth/{layer}/url", within=config),
            sha256=lookup(dpath="basemap/natural_earth/{layer}/sha256", within=config),
        wildcard_constraints:
            layer="admin0|admin1",
        log:
            "logs/download_natural_earth/{layer}.log",
        shell:
            "python -m kzshutdowns.basemap download --url {params.url} --sha256 {params.sha256}"
            " --output {output} 2> {log}"

    # Basemap from Natural Earth 1:10m: countries around the focus country and its region polygons.
    rule build_basemap:
        input:
            admin0="data/interim/natural_earth/admin0.zip",
            admin1="data/interim/natural_earth/admin1.zip",
            code="scripts/kzshutdowns/basemap.py",
        output:
            BASEMAP,
        log:
            "logs/build_basemap/build_basemap.log",
        benchmark:
            "logs/build_basemap/build_basemap.benchmark.tsv"
        # Settings written into the command, not passed as params (see the embedded build below).
        shell:
            f"python -m kzshutdowns.basemap build --source natural_earth --focus {config['basemap']['focus']}"
            " --admin0 {input.admin0}"
            f" --admin0-sha256 {config['basemap']['natural_earth']['admin0']['sha256']}"
            " --admin1 {input.admin1}"
            f" --admin1-sha256 {config['basemap']['natural_earth']['admin1']['sha256']}"
            " --output {output} 2> {log}"

else:

    # Basemap from the country outlines shipped in the countryinfo package (no network).
    rule build_basemap:
        input:
            code="scripts/kzshutdowns/basemap.py",
        output:
            BASEMAP,
        log:
            "logs/build_basemap/build_basemap.log",
        benchmark:
            "logs/build_basemap/build_basemap.benchmark.tsv"
        # The focus is written into the command, not passed as a param (see GAZETTEER_SETTINGS in
        # rules/geocode.smk): a changed focus still reruns the rule, as a changed command. In this file
        # only download_natural_earth keeps params (one URL and checksum per layer, natural_earth only).
        shell:
            f"python -m kzshutdowns.basemap build --source embedded --focus {config['basemap']['focus']}"
            " --output {output} 2> {log}"


# Map of the city reports: points sized by reports, coloured and shaped by event.
rule figure_city_reports_map:
    input:
        reports="data/processed/city_reports.csv",
        events="data/reference/shutdowns.csv",
        basemap=BASEMAP,
        code=["scripts/kzshutdowns/figures/city_reports_map.py", *MAP_CODE],
    output:
        multiext("paper/figures/city_reports_map", ".svg", ".pdf", ".png"),
    # On the longest chain (city reports -> this map -> paper check): it goes before other figures
    # still waiting when the city reports are done.
    priority: 40
    log:
        "logs/figure_city_reports_map/figure_city_reports_map.log",
    benchmark:
        "logs/figure_city_reports_map/figure_city_reports_map.benchmark.tsv",
    shell:
        "python -m kzshutdowns.figures.city_reports_map --reports {input.reports} --events {input.events}"
        " --basemap {input.basemap} --output {output} 2> {log}"


# Small maps of where each event struck: the country, a region, or cities.
rule figure_event_map:
    input:
        events="data/reference/shutdowns.csv",
        regions="data/reference/regions.csv",
        basemap=BASEMAP,
        code=["scripts/kzshutdowns/figures/event_map.py", *MAP_CODE],
    output:
        multiext("paper/figures/event_map", ".svg", ".pdf", ".png"),
    log:
        "logs/figure_event_map/figure_event_map.log",
    benchmark:
        "logs/figure_event_map/figure_event_map.benchmark.tsv",
    shell:
        "python -m kzshutdowns.figures.event_map --events {input.events} --regions {input.regions}"
        " --basemap {input.basemap} --output {output} 2> {log}"


# Timeline of all events since 2011, by scope, coloured by the most severe measure.
rule figure_timeline:
    input:
        events="data/reference/shutdowns.csv",
        code=[
            "scripts/kzshutdowns/figures/timeline.py",
            "scripts/kzshutdowns/figures/labels.py",
            *FIGURE_CODE,
        ],
    output:
        multiext("paper/figures/timeline", ".svg", ".pdf", ".png"),
    log:
        "logs/figure_timeline/figure_timeline.log",
    benchmark:
        "logs/figure_timeline/figure_timeline.benchmark.tsv"
    shell:
        "python -m kzshutdowns.figures.timeline --events {input.events} --output {output} 2> {log}"


# Services x events: blocked, reported reachable, not reported.
rule figure_services_matrix:
    input:
        events="data/reference/shutdowns.csv",
        platforms="data/reference/platforms.csv",
        code=["scripts/kzshutdowns/figures/services_matrix.py", *FIGURE_CODE],
    output:
        multiext("paper/figures/services_matrix", ".svg", ".pdf", ".png"),
    log:
        "logs/figure_services_matrix/figure_services_matrix.log",
    benchmark:
        "logs/figure_services_matrix/figure_services_matrix.benchmark.tsv"
    shell:
        "python -m kzshutdowns.figures.services_matrix --events {input.events} --platforms {input.platforms}"
        " --output {output} 2> {log}"


# Events counted by trigger and measure.
rule figure_triggers_measures:
    input:
        events="data/reference/shutdowns.csv",
        code=["scripts/kzshutdowns/figures/triggers_measures.py", *FIGURE_CODE],
    output:
        multiext("paper/figures/triggers_measures", ".svg", ".pdf", ".png"),
    log:
        "logs/figure_triggers_measures/figure_triggers_measures.log",
    benchmark:
        "logs/figure_triggers_measures/figure_triggers_measures.benchmark.tsv"
    shell:
        "python -m kzshutdowns.figures.triggers_measures --events {input.events} --output {output} 2> {log}"
