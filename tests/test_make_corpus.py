"""The benchmark corpus generator: seeded bytes, truth spans that round-trip, input the parsers accept."""

import csv
import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path

from kzshutdowns.files import read_text
from kzshutdowns.parse_article import parse_article
from kzshutdowns.parse_tweets import parse_tweets, read_shard_lines
from kzshutdowns.raw_manifest import load_metadata

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "make_corpus.py"
spec = importlib.util.spec_from_file_location("make_corpus", SCRIPT)
make_corpus = importlib.util.module_from_spec(spec)
sys.modules["make_corpus"] = make_corpus  # dataclasses look their module up while the class is made
spec.loader.exec_module(make_corpus)


def tree_digest(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    make_corpus.write_corpus(tmp_path / "a", 300, 4, seed=3)
    make_corpus.write_corpus(tmp_path / "b", 300, 4, seed=3)
    make_corpus.write_corpus(tmp_path / "c", 300, 4, seed=4)
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")
    assert tree_digest(tmp_path / "a") != tree_digest(tmp_path / "c")


def test_truth_spans_round_trip_and_cover_every_language(tmp_path):
    counts = make_corpus.write_corpus(tmp_path, 400, 4, seed=1)
    tweets = {}
    for line in (tmp_path / "tweets" / "synthetic.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        tweets[record["id"]] = record
    articles = {p.stem: p.read_text(encoding="utf-8") for p in (tmp_path / "articles").glob("*.txt")}
    with open(tmp_path / "truth.csv", encoding="utf-8") as handle:
        truth = list(csv.DictReader(handle))
    assert len(truth) == counts["places"] > 400
    for row in truth:
        text = tweets[row["document"]]["text"] if row["document"] in tweets else articles[row["document"]]
        assert text[int(row["start"]):int(row["end"])] == row["surface"]
    assert {record.get("lang") for record in tweets.values()} == {"ar", "ru", "kk", "en", None}
    # inflected and clitic forms, not only dictionary forms
    surfaces = {row["surface"] for row in truth}
    assert {"Астане", "Алматыда", "وألماتي", "كاراغاندا"} & surfaces == {"Астане", "Алматыда", "وألماتي",
                                                                       "كاراغاندا"}


def test_the_parsers_accept_the_corpus(tmp_path):
    make_corpus.write_corpus(tmp_path, 500, 4, seed=2)
    collection = tmp_path / "tweets" / "synthetic.jsonl"
    segments = parse_tweets(read_shard_lines(collection, 0, 1), "synthetic", collection)
    assert len(segments) == 500
    for path in sorted((tmp_path / "articles").glob("*.txt")):
        metadata = load_metadata(path.with_suffix(".yml"), path)
        parsed = parse_article(read_text(path), path.stem, path=path, article_lang=metadata.language)
        assert (parsed["kind"] == "tweet").sum() == 2


def test_links_make_every_tweet_distinct_and_change_nothing_else(tmp_path):
    make_corpus.write_corpus(tmp_path / "plain", 400, 4, seed=5)
    make_corpus.write_corpus(tmp_path / "links", 400, 4, seed=5, links=True)
    plain, linked = ([json.loads(line) for line in (tmp_path / name / "tweets" / "synthetic.jsonl")
                      .read_text(encoding="utf-8").splitlines()] for name in ("plain", "links"))
    assert len({tweet["text"] for tweet in plain}) < 400  # templates repeat
    assert len({tweet["text"] for tweet in linked}) == 400
    for before, after in zip(plain, linked, strict=True):
        text, link = after.pop("text").rsplit(" ", 1)
        assert text == before.pop("text")
        assert re.fullmatch(r"https://t\.co/[0-9A-Za-z]{10}", link)
        assert after == before
    # the places' spans, the articles and the truth table are the same bytes
    assert (tmp_path / "plain" / "truth.csv").read_bytes() == (tmp_path / "links" / "truth.csv").read_bytes()
    plain_tree, linked_tree = tree_digest(tmp_path / "plain"), tree_digest(tmp_path / "links")
    assert {k: v for k, v in plain_tree.items() if "tweets" not in k} == {
        k: v for k, v in linked_tree.items() if "tweets" not in k}
