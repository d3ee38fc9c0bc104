"""Sharding a tweet collection: every line in exactly one shard, and results independent of the count."""

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kzshutdowns import raw_manifest
from kzshutdowns.errors import run_main
from kzshutdowns.parse_tweets import parse_tweets, read_shard_lines, shard_byte_range

SAMPLE = Path(__file__).parent / "data" / "tweets" / "sample.jsonl"

# Texts mixing one-, two- and three-byte UTF-8 characters, so byte ranges cut inside characters.
TEXTS = st.text(alphabet="aé Жқ ألم#@_x1", min_size=1, max_size=40).filter(str.strip)


def parse_sharded(path, shards):
    parts = [parse_tweets(read_shard_lines(path, k, shards), "c", path=path) for k in range(shards)]
    return pd.concat(parts, ignore_index=True)


@given(size=st.integers(0, 10_000), shards=st.integers(1, 64))
def test_byte_ranges_tile_the_file(size, shards):
    ranges = [shard_byte_range(size, k, shards) for k in range(shards)]
    assert ranges[0][0] == 0 and ranges[-1][1] == size
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))


def test_shard_outside_the_count_is_refused():
    with pytest.raises(ValueError, match="not one of 0..2"):
        shard_byte_range(100, 3, 3)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(TEXTS, min_size=1, max_size=30), shards=st.integers(2, 12), final_newline=st.booleans())
def test_shards_together_equal_the_whole_file(tmp_path_factory, texts, shards, final_newline):
    lines = [json.dumps({"id": n, "text": t, "lang": "und"}, ensure_ascii=False) for n, t in enumerate(texts)]
    path = tmp_path_factory.mktemp("c") / "c.jsonl"
    path.write_text("\n".join(lines) + ("\n" if final_newline else ""), encoding="utf-8")

    whole = parse_tweets(read_shard_lines(path, 0, 1), "c", path=path)
    sharded = parse_sharded(path, shards)
    assert whole["line"].tolist() == list(range(1, len(texts) + 1))
    pd.testing.assert_frame_equal(sharded, whole)


@pytest.mark.parametrize("shards", [2, 3, 4, 50])
def test_sample_collection_is_the_same_in_any_number_of_shards(shards):
    pd.testing.assert_frame_equal(parse_sharded(SAMPLE, shards), parse_sharded(SAMPLE, 1))


def test_every_shard_counts_lines_from_the_start_of_the_file():
    # The last shard of four holds the last line only: its number must still be 4.
    numbers = [[number for number, _ in read_shard_lines(SAMPLE, k, 4)] for k in range(4)]
    assert sorted(n for shard in numbers for n in shard) == [1, 2, 3, 4]
    assert numbers[-1][-1] == 4


def snakemake(tree, *args):
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *args],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def set_shards(tree, shards):
    config = tree / "config" / "config.yaml"
    text, count = re.subn(r"(?m)^  shards: \d+$", f"  shards: {shards}", config.read_text(encoding="utf-8"))
    assert count == 1
    config.write_text(text, encoding="utf-8")


def test_city_reports_do_not_depend_on_the_number_of_shards(workflow_tree):
    tweets = workflow_tree / "data" / "raw" / "tweets"
    tweets.mkdir(parents=True)
    shutil.copy(Path(__file__).parent / "data" / "tweets" / "reports.jsonl", tweets / "reports.jsonl")
    manifest = str(workflow_tree / "data" / "raw" / "MANIFEST.tsv")
    assert run_main(raw_manifest.main, ["--manifest", manifest, "--write"]) == 0
    outputs = ["city_reports.csv", "city_reports.geojson", "unresolved_mentions.csv"]
    targets = [f"data/processed/{name}" for name in outputs]

    results = {}
    for shards in (1, 5):
        set_shards(workflow_tree, shards)
        snakemake(workflow_tree, *targets)
        shard_files = sorted((workflow_tree / "data/interim/segments").glob("tweets-reports-*.parquet"))
        assert len(shard_files) >= shards
        results[shards] = {name: (workflow_tree / "data/processed" / name).read_bytes() for name in outputs}

    assert results[1] == results[5]
    reports = pd.read_csv(io.BytesIO(results[1]["city_reports.csv"]), dtype=str)
    # the tweets really reached the reports, from several shards' worth of lines
    assert reports["source_id"].eq("tweets-reports").sum() >= 5


def test_zero_or_many_collections_each_in_its_shards(workflow_tree):
    def planned_jobs():
        result = subprocess.run([sys.executable, "-m", "snakemake", "-n", "data/processed/city_reports.csv"],
                                cwd=workflow_tree, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        stats = result.stdout.split("Job stats:", 1)[1].split("total", 1)[0]  # "rule  count" lines
        return {name: int(count) for name, count in re.findall(r"^(\w+)\s+(\d+)$", stats, re.MULTILINE)}

    without = planned_jobs()
    assert without["build_city_reports"] == 1 and "parse_tweets" not in without  # the repository ships none
    set_shards(workflow_tree, 3)
    tweets = workflow_tree / "data" / "raw" / "tweets"
    tweets.mkdir(parents=True)
    for name in ("first", "second"):
        shutil.copy(Path(__file__).parent / "data" / "tweets" / "reports.jsonl", tweets / f"{name}.jsonl")
    manifest = str(workflow_tree / "data" / "raw" / "MANIFEST.tsv")
    assert run_main(raw_manifest.main, ["--manifest", manifest, "--write"]) == 0
    jobs = planned_jobs()
    assert jobs["parse_tweets"] == 6
    assert jobs["extract_mentions"] == 6 + len(list((workflow_tree / "data/raw/articles").glob("*.txt")))
    assert jobs["build_city_reports"] == 1
