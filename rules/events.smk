# The curated event dataset: validate the hand-edited tables, publish them as a Frictionless Data
# Package with the other published tables, and map the events onto Access Now STOP's columns.

EVENT_TABLES = {
    "events": "data/reference/shutdowns.csv",
    "events_schema": "data/reference/shutdowns.schema.json",
    "sources": "data/reference/sources.csv",
    "sources_schema": "data/reference/sources.schema.json",
    "platforms": "data/reference/platforms.csv",
    "platforms_schema": "data/reference/platforms.schema.json",
    "regions": "data/reference/regions.csv",
    "regions_schema": "data/reference/regions.schema.json",
}
EVENT_CODE = [
    "scripts/kzshutdowns/events.py",
    "scripts/kzshutdowns/dates.py",
    "scripts/kzshutdowns/table_schema.py",
    "scripts/kzshutdowns/platforms.py",
    "scripts/kzshutdowns/gazetteer.py",
    "scripts/kzshutdowns/normalize.py",
]


# Validate shutdowns.csv and sources.csv, copy them to data/processed/ and write datapackage.json
# listing them with the city reports (schemas inline, sha256 and bytes of every resource).
rule publish_datapackage:
    input:
        **EVENT_TABLES,
        city_reports="data/processed/city_reports.csv",
        city_reports_schema="data/reference/city_reports.schema.json",
        city_reports_geojson="data/processed/city_reports.geojson",
        city_reports_gpkg="data/processed/city_reports.gpkg",
        unresolved="data/processed/unresolved_mentions.csv",
        code=["scripts/kzshutdowns/publish_datapackage.py", *EVENT_CODE],
    output:
        events="data/processed/shutdowns.csv",
        sources="data/processed/sources.csv",
        package="data/processed/datapackage.json",
    priority: 40  # on the longest chain (see the Snakefile)
    log:
        "logs/publish_datapackage/publish_datapackage.log",
    shell:
        "python -m kzshutdowns.publish_datapackage --events {input.events} --sources {input.sources}"
        " --platforms {input.platforms} --regions {input.regions}"
        " --output-events {output.events} --output-sources {output.sources}"
        " --resource {input.city_reports}={input.city_reports_schema} --resource {input.city_reports_geojson}"
        " --resource {input.city_reports_gpkg} --resource {input.unresolved}"
        " --output {output.package} 2> {log}"


# One Access Now STOP-shaped row per event, for comparison with or contribution to STOP.
rule stop_crosswalk:
    input:
        **EVENT_TABLES,
        code=["scripts/kzshutdowns/stop_crosswalk.py", *EVENT_CODE],
    output:
        "data/processed/stop_crosswalk.csv",
    log:
        "logs/stop_crosswalk/stop_crosswalk.log",
    shell:
        "python -m kzshutdowns.stop_crosswalk --events {input.events} --sources {input.sources}"
        " --platforms {input.platforms} --regions {input.regions} --output {output} 2> {log}"
