# kz-shutdowns: raw article and tweets -> geocoded city reports -> maps and figures -> Quarto paper.
# The rules live in rules/*.smk, included below in data-flow order; `snakemake --cores all` builds
# everything except the rendered paper, which needs Quarto (`snakemake --cores all render_paper`).
import jsonschema
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


# The config is checked against its JSON Schema with jsonschema itself: snakemake.utils.validate
# imports pandas (to see whether it was given a data frame), ~0.4 s of every run, even one with
# nothing to do.
with open(f"{workflow.basedir}/config/config.schema.yaml", encoding="utf-8") as schema_file:
    config_error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(yaml.safe_load(schema_file)).iter_errors(config)
    )
if config_error is not None:
    raise WorkflowError(
        f"the config does not match config/config.schema.yaml at {config_error.json_path}: "
        f"{config_error.message}"
    )


# The image every rule runs in on Kubernetes (config/profiles/kubernetes) and with `--sdm apptainer`;
# built from config/profiles/kubernetes/Dockerfile. Plain runs ignore it and use the active venv.
container: "docker://ghcr.io/kz-shutdowns/kz-shutdowns:0.1.0"


# Jobs too small (or, like Quarto, too local) to be worth a cluster submission run where Snakemake
# runs, whatever executor a profile under config/profiles/ chooses.
localrules:
    all,
    figures,
    check_raw_manifest,
    copy_paper_font,
    write_paper_inputs,
    check_paper,
    render_paper,


include: "rules/common.smk"


# Everything the workflow publishes, except the rendered paper.
rule all:
    input:
        expand("data/interim/segments/{article}.parquet", article=ARTICLES),
        "data/processed/datapackage.json",
        "data/processed/stop_crosswalk.csv",
        "data/processed/geocoder_evaluation.csv",
        "data/processed/city_reports.csv",
        "data/processed/city_reports.geojson",
        "data/processed/city_reports.gpkg",
        "data/processed/unresolved_mentions.csv",
        expand(
            "paper/figures/{name}.{ext}",
            name=["city_reports_map", "event_map", "timeline", "services_matrix", "triggers_measures"],
            ext=["svg", "pdf", "png"],
        ),
        "paper/_variables.yml",
        "data/interim/paper_check.txt",


include: "rules/raw.smk"
include: "rules/geocode.smk"
include: "rules/tweets.smk"
include: "rules/reports.smk"
include: "rules/events.smk"
include: "rules/figures.smk"
include: "rules/paper.smk"


# Scheduling: when more jobs are ready than there are cores, the longest chain of the default target
# goes first. The gazetteer has priority 50 (rules/geocode.smk); the rules on the chain (the raw check
# and the parse the mentions wait for, the mentions, the reports, the two gathers of the city reports,
# the data package), the map of the city reports, the paper inputs and the paper check have 40; the
# geocoder evaluation, which the paper inputs wait for, 30; every other job fills the cores left.
# Without this, on two cores, figures started while extract_mentions was ready and waited (4 s in a
# clean build).
