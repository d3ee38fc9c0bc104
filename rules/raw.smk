# Raw data: verify data/raw/ against its manifest, then parse each article into segments.

RAW_MANIFEST = f"{config['raw_dir']}/MANIFEST.tsv"
# Every raw file except the manifest itself: editing any of them reruns the check.
RAW_FILES = sorted(
    str(path)
    for path in Path(config["raw_dir"]).rglob("*")
    if path.is_file() and str(path) != RAW_MANIFEST
)


# Check every raw file's size and sha256 against MANIFEST.tsv and validate each raw text's .yml;
# the verified manifest copied to data/interim/ is the stamp that parsing waits for.
rule check_raw_manifest:
    input:
        manifest=RAW_MANIFEST,
        raw=RAW_FILES,
        code="scripts/kzshutdowns/raw_manifest.py",
    output:
        "data/interim/raw_manifest.tsv",
    priority: 40  # on the longest chain (see the Snakefile)
    log:
        "logs/check_raw_manifest/check_raw_manifest.log",
    shell:
        "python -m kzshutdowns.raw_manifest --manifest {input.manifest} --output {output} 2> {log}"


# Split one raw article into paragraph, tweet and translation segments with character spans.
rule parse_article:
    input:
        text=f"{config['articles_dir']}/{{article}}.txt",
        meta=f"{config['articles_dir']}/{{article}}.yml",
        checked="data/interim/raw_manifest.tsv",
        code=[
            "scripts/kzshutdowns/parse_article.py",
            "scripts/kzshutdowns/language.py",
            "scripts/kzshutdowns/dates.py",
            "scripts/kzshutdowns/raw_manifest.py",
        ],
    output:
        "data/interim/segments/{article}.parquet",
    priority: 40  # on the longest chain (see the Snakefile)
    log:
        "logs/parse_article/{article}.log",
    shell:
        "python -m kzshutdowns.parse_article --text {input.text} --meta {input.meta} --output {output} 2> {log}"
