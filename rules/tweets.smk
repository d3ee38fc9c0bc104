# Tweet collections: every data/raw/tweets/NAME.jsonl is parsed in `shards` jobs of its own; each
# shard's segments then flow through extract_mentions like an article's (source tweets-NAME-K).

# Collections the workflow sees (none in the repository itself; sub-folders are not collections).
TWEET_COLLECTIONS = sorted(
    name
    for name in glob_wildcards(f"{config['tweets']['dir']}/{{collection}}.jsonl").collection
    if "/" not in name
)
# The {source} names of all tweet shards, for the rules that gather every source's mentions.
TWEET_SOURCES = [
    f"tweets-{collection}-{shard}"
    for collection in TWEET_COLLECTIONS
    for shard in range(config["tweets"]["shards"])
]


wildcard_constraints:
    collection="[A-Za-z0-9_.-]+",
    shard="[0-9]+",


# A file tweets-NAME-K.parquet is a tweet shard, never an article called "tweets-NAME-K".
ruleorder: parse_tweets > parse_article


# Parse one shard (the lines starting in the K-th of `shards` equal byte ranges) of a collection.
rule parse_tweets:
    input:
        tweets=f"{config['tweets']['dir']}/{{collection}}.jsonl",
        checked="data/interim/raw_manifest.tsv",
        code=[
            "scripts/kzshutdowns/parse_tweets.py",
            "scripts/kzshutdowns/parse_article.py",
            "scripts/kzshutdowns/language.py",
            "scripts/kzshutdowns/dates.py",
            "scripts/kzshutdowns/raw_manifest.py",
            "scripts/kzshutdowns/gc_tuning.py",
        ],
    output:
        "data/interim/segments/tweets-{collection}-{shard}.parquet",
    params:
        shards=config["tweets"]["shards"],
    log:
        "logs/parse_tweets/{collection}-{shard}.log",
    benchmark:
        "logs/parse_tweets/{collection}-{shard}.benchmark.tsv"
    shell:
        "python -m kzshutdowns.parse_tweets --tweets {input.tweets} --shard {wildcards.shard}"
        " --shards {params.shards} --output {output} 2> {log}"
