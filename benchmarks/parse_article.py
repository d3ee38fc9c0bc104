"""Speed of the article parser and of language identification (prints figures; not a timed test).

    python benchmarks/parse_article.py --repeat 200 --rounds 3

The article is the seed repeated ``--repeat`` times (paragraphs, tweets and translations in the seed's
proportions); language identification runs over every segment of it. The best of ``--rounds`` runs
is reported, so other load on the machine inflates the figures as little as possible.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from kzshutdowns.files import read_text
from kzshutdowns.language import detect_language
from kzshutdowns.parse_article import parse_article

SEED = Path(__file__).resolve().parents[1] / "data/raw/articles/globalvoices-ar-48274.txt"


def best_of(rounds: int, work) -> float:
    """The shortest wall time of ``rounds`` calls of ``work()``, in seconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="copies of the seed in the article")
    parser.add_argument("--rounds", type=int, default=3, help="runs; the best is reported")
    args = parser.parse_args()

    article = "\n".join([read_text(SEED)] * args.repeat)
    segments = parse_article(article, "bench", article_lang="ar")
    texts = segments["text"].tolist()
    parse_seconds = best_of(args.rounds, lambda: parse_article(article, "bench", article_lang="ar"))
    detect_seconds = best_of(args.rounds, lambda: [detect_language(text) for text in texts])
    print(
        f"article: {len(article)} characters, {len(segments)} segments "
        f"({(segments['kind'] == 'tweet').sum()} tweets)"
    )
    print(
        f"parse_article: {parse_seconds:.3f} s, {len(article) / parse_seconds / 1e6:.2f} M characters/s, "
        f"{len(segments) / parse_seconds:.0f} segments/s"
    )
    print(
        f"detect_language: {detect_seconds:.3f} s for {len(texts)} segments, "
        f"{len(texts) / detect_seconds:.0f} segments/s"
    )


if __name__ == "__main__":
    main()
