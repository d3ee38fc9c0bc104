# City reports: mentions (places, platforms, dates) per source, then geocoded reports linked to events.

# Every source whose segments feed the reports: the articles and the tweet shards.
REPORT_SOURCES = ARTICLES + TWEET_SOURCES
REPORT_TABLES = {
    "events": "data/reference/shutdowns.csv",
    "events_schema": "data/reference/shutdowns.schema.json",
    "platforms": "data/reference/platforms.csv",
    "platforms_schema": "data/reference/platforms.schema.json",
    "regions": "data/reference/regions.csv",
    "regions_schema": "data/reference/regions.schema.json",
}


wildcard_constraints:
    source="[A-Za-z0-9_.-]+",


# Find place (geocoder), platform (lexicon) and date mentions with spans in one source's segments.
rule extract_mentions:
    input:
        segments="data/interim/segments/{source}.parquet",
        platforms=REPORT_TABLES["platforms"],
        platforms_schema=REPORT_TABLES["platforms_schema"],
        gazetteer=GAZETTEER,
        code=[
            "scripts/kzshutdowns/extract_mentions.py",
            "scripts/kzshutdowns/segments.py",
            "scripts/kzshutdowns/platforms.py",
            "scripts/kzshutdowns/table_schema.py",
            "scripts/kzshutdowns/dates.py",
            "scripts/kzshutdowns/gc_tuning.py",
            *GEOCODER_CODE,
        ],
    output:
        "data/interim/mentions/{source}.parquet",
    priority: 40  # on the longest chain (see the Snakefile)
    log:
        "logs/extract_mentions/{source}.log",
    benchmark:
        "logs/extract_mentions/{source}.benchmark.tsv"
    shell:
        "python -m kzshutdowns.extract_mentions --segments {input.segments} --platforms {input.platforms}"
        " --gazetteer {input.gazetteer} --output {output} 2> {log}"


# What both gathers of the city reports read.
GATHER_INPUTS = {
    "segments": expand("data/interim/segments/{source}.parquet", source=REPORT_SOURCES),
    "reports": expand("data/interim/reports/{source}.parquet", source=REPORT_SOURCES),
    "code": [
        "scripts/kzshutdowns/build_city_reports.py",
        "scripts/kzshutdowns/events.py",
        "scripts/kzshutdowns/table_schema.py",
        "scripts/kzshutdowns/raw_manifest.py",
        "scripts/kzshutdowns/status_cues.py",
        "scripts/kzshutdowns/normalize.py",
    ],
}


# Tie one source's places to platform statuses and link them to events (the map step, one job per source).
rule assemble_reports:
    input:
        **REPORT_TABLES,
        segments="data/interim/segments/{source}.parquet",
        mentions="data/interim/mentions/{source}.parquet",
        metadata=lambda wildcards: (
            [f"{config['articles_dir']}/{wildcards.source}.yml"] if wildcards.source in ARTICLES else []
        ),
        code=[
            "scripts/kzshutdowns/assemble_reports.py",
            "scripts/kzshutdowns/build_city_reports.py",
            "scripts/kzshutdowns/status_cues.py",
            "scripts/kzshutdowns/segments.py",
            "scripts/kzshutdowns/gc_tuning.py",
            "scripts/kzshutdowns/events.py",
            "scripts/kzshutdowns/table_schema.py",
            "scripts/kzshutdowns/raw_manifest.py",
            "scripts/kzshutdowns/normalize.py",
        ],
    output:
        reports="data/interim/reports/{source}.parquet",
        unresolved="data/interim/reports/{source}.unresolved.parquet",
    priority: 40  # on the longest chain (see the Snakefile)
    log:
        "logs/assemble_reports/{source}.log",
    benchmark:
        "logs/assemble_reports/{source}.benchmark.tsv"
    shell:
        "python -m kzshutdowns.assemble_reports --segments {input.segments} --mentions {input.mentions}"
        " --metadata {input.metadata} --events {input.events} --platforms {input.platforms}"
        " --regions {input.regions} --reports {output.reports} --unresolved {output.unresolved} 2> {log}"


# Gather every source's reports (segment ids unique across sources) and write the published tables.
rule build_city_reports:
    input:
        **GATHER_INPUTS,
        unresolved=expand("data/interim/reports/{source}.unresolved.parquet", source=REPORT_SOURCES),
    output:
        csv="data/processed/city_reports.csv",
        geojson="data/processed/city_reports.geojson",
        unresolved="data/processed/unresolved_mentions.csv",
    priority: 40  # on the longest chain (see the Snakefile)
    log:
        "logs/build_city_reports/build_city_reports.log",
    benchmark:
        "logs/build_city_reports/build_city_reports.benchmark.tsv"
    shell:
        "python -m kzshutdowns.build_city_reports --segments {input.segments} --reports {input.reports}"
        " --unresolved-parts {input.unresolved} --csv {output.csv} --geojson {output.geojson}"
        " --unresolved {output.unresolved} 2> {log}"


# The same gather into a GeoPackage layer: a job of its own, so that it runs beside the other on a
# second core (at 1M tweets GDAL's writer and the R-tree cost about as much as the CSV and GeoJSON).
rule city_reports_geopackage:
    input:
        **GATHER_INPUTS,
    output:
        "data/processed/city_reports.gpkg",
    priority: 40  # on the longest chain (see the Snakefile)
    log:
        "logs/city_reports_geopackage/city_reports_geopackage.log",
    benchmark:
        "logs/city_reports_geopackage/city_reports_geopackage.benchmark.tsv"
    shell:
        "python -m kzshutdowns.build_city_reports --segments {input.segments} --reports {input.reports}"
        " --gpkg {output} 2> {log}"
