"""What the workflow costs: rebuild, no-op, one-figure and corpus-scaling times, peak memory, reproducibility.

    python benchmarks/workflow.py [--sizes 10000 100000 1000000] [--cores 1 2] [--skip-rebuild]
                                  [--rounds 2] [--python PATH]

Everything runs in clean clones of the repository's HEAD under ``benchmarks/_work/`` (git-ignored;
commit first), never in the repository itself, and prints:

1. clean rebuild of the default target (everything except the rendered paper), twice in two fresh
   clones; the second also shows whether the two rebuilds are byte-identical over the published
   outputs (``data/processed/``, ``paper/figures/``, ``paper/_generated/``, ``paper/_variables.yml``);
2. no-op time (a second run with nothing to do);
3. the time to rebuild after editing one figure module (a comment line appended: Snakemake 9 ignores
   a bare ``touch``, as the file's checksum is unchanged), and which jobs reran;
4. for the synthetic corpus of :mod:`make_corpus` at each size (with ``--links``, every tweet text
   distinct; without, the templates repeat texts as retweets do), the wall time of the scale-out part
   (``parse_tweets`` and ``extract_mentions`` of every shard, forced to rerun) with each core count
   and its speed-up over one core, then of the reports (``assemble_reports`` of every source, in
   parallel, and the two gathers ``build_city_reports`` and ``city_reports_geopackage``) with the
   most cores, their sum, and the whole of it again as one run with the most cores (end to end, as a
   user runs it: the figure the 1M target is judged on); the peak RSS of the largest single job (from
   the rules' ``benchmark:`` files) and of the whole run (largest process, Snakemake included). The
   scale-out part runs ``--rounds`` times per core count, alternating, and the fastest run of each is
   kept; each round also times a pure-Python busy loop alone and as many copies at once as there are
   cores, for the speed-up the machine itself gives (a virtual machine's cores often give less than
   their number), and each run prints how busy its cores were (CPU time / cores x wall time). The
   gazetteer, the raw-manifest check and the articles are built first and not counted. Each
   collection is cut into ``size / --tweets-per-shard`` shards (at least one per core) in the clone's
   config; a run longer than ``--timeout`` (or holding more than ``--memory-mb`` resident, so as not
   to exhaust a shared machine) is stopped and printed as such.

Snakemake and its jobs run under ``--python`` (default: the Python running this script). In a venv
with the ``dev`` extra, each Snakemake start also imports the SLURM executor plugin (and pandas with
it): to time what the README's main command installs, pass the Python of a venv made by that command.

Targets for this 2-core machine: rebuild < 20 s, no-op < 2 s, touching a figure module reruns only
that figure and the paper check, 1M tweets < 60 s with 2 cores and < 1 GB per job, near-linear
speed-up from 1 to 2 cores. Wall times depend on what else the machine is doing: say so with them.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import hashlib
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "_work"
PUBLISHED = ("data/processed", "paper/figures", "paper/_generated", "paper/_variables.yml")
# The published city reports: the gather of CSV, GeoJSON and unresolved mentions, and the GeoPackage's.
REPORTS_TARGETS = ("data/processed/city_reports.csv", "data/processed/city_reports.gpkg")
GATHER_RULES = ("build_city_reports", "city_reports_geopackage")


@dataclass(frozen=True)
class Run:
    """One Snakemake invocation: wall seconds, jobs run per rule, peak RSS (MB) of its largest process."""

    seconds: float
    jobs: dict[str, int]
    peak_mb: float
    output: str
    cpu_seconds: float  # user + system time of the whole process tree


def head_commit() -> str:
    """The commit every clone of this benchmark run is checked out at (HEAD when it starts)."""
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout.strip()


def fresh_tree(name: str, commit: str) -> Path:
    """A clean clone at ``commit`` under benchmarks/_work/ (any older one of that name removed).

    Its jobs import the clone's own package (PYTHONPATH is set in :func:`snakemake`), not the
    editable install of the working tree.
    """
    tree = WORK / name
    if tree.exists():
        shutil.rmtree(tree)
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(tree)], check=True)
    subprocess.run(["git", "checkout", "--quiet", commit], cwd=tree, check=True)
    return tree


def tree_env(tree: Path, python: str) -> dict[str, str]:
    """The environment for commands run in a clone: its own package first on the import path, and the
    directory of ``python`` first on PATH, so that the jobs' ``python`` is the one Snakemake runs under."""
    path = os.pathsep.join([str(Path(python).parent), os.environ.get("PATH", "")])
    return os.environ | {"PYTHONPATH": str(tree / "scripts"), "PATH": path}


@dataclass(frozen=True)
class Stopped:
    """A timed run stopped before it ended: why, as printed in the table."""

    reason: str


def tree_rss_mb(pid: int) -> float:
    """Resident memory (MB) of a process and all its descendants right now."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += process.memory_info().rss
    return total / 2**20


def snakemake(tree: Path, cores: int, *args: str, python: str, timeout: float | None = None,
              memory_mb: float | None = None) -> Run | Stopped:
    """Run Snakemake under ``python`` in ``tree``; fail loudly if it fails.

    A run longer than ``timeout`` seconds, or whose processes together hold more than ``memory_mb``
    resident (so that a benchmark cannot exhaust a shared machine), is stopped and reported as
    :class:`Stopped`. Peak RSS comes from wait4: the largest single process of the whole tree.
    """
    log_path = tree / "benchmark-run.log"
    with open(log_path, "w", encoding="utf-8") as log:
        started = time.perf_counter()
        process = subprocess.Popen([python, "-m", "snakemake", "--cores", str(cores), *args],
                                   cwd=tree, stdout=log, stderr=subprocess.STDOUT, env=tree_env(tree, python),
                                   start_new_session=True)
        stopped = None
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            elapsed = time.perf_counter() - started
            if timeout is not None and elapsed > timeout:
                stopped = Stopped(f">{timeout:.0f}")
            elif memory_mb is not None and (held := tree_rss_mb(process.pid)) > memory_mb:
                stopped = Stopped(f"stopped: {held:.0f} MB at {elapsed:.0f} s")
            if stopped:
                os.killpg(process.pid, signal.SIGTERM)
                os.wait4(process.pid, 0)
                subprocess.run([python, "-m", "snakemake", "--unlock"], cwd=tree, env=tree_env(tree, python),
                               check=False, capture_output=True)
                return stopped
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
    output = log_path.read_text(encoding="utf-8")
    if process.returncode != 0:
        raise SystemExit(f"snakemake {' '.join(args)} failed in {tree}:\n{output[-3000:]}")
    return Run(seconds, job_counts(output), usage.ru_maxrss / 1024, output, usage.ru_utime + usage.ru_stime)


def job_counts(output: str) -> dict[str, int]:
    """The "Job stats" table Snakemake prints before running: rule -> number of jobs."""
    counts: dict[str, int] = {}
    lines = output.splitlines()
    if "Job stats:" not in lines:
        return counts
    for line in lines[lines.index("Job stats:") + 3:]:
        parts = line.split()
        if len(parts) != 2 or parts[0] == "total":
            break
        counts[parts[0]] = int(parts[1])
    return counts


def job_seconds(output: str) -> dict[str, float]:
    """Wall seconds per rule (summed over its jobs), from the time stamps in Snakemake's log (1 s steps)."""
    started: dict[str, tuple[str, datetime.datetime]] = {}
    totals: dict[str, float] = {}
    stamp = None
    rule = None
    for line in output.splitlines():
        if line.startswith("[") and line.endswith("]"):
            try:
                stamp = datetime.datetime.strptime(line[1:-1], "%a %b %d %H:%M:%S %Y")
            except ValueError:
                continue
        elif found := re.match(r"(?:local)?rule (\w+):$", line):
            rule = found[1]
        elif (found := re.match(r"\s+jobid: (\d+)$", line)) and rule and stamp:
            started[found[1]] = (rule, stamp)
            rule = None
        elif (found := re.match(r"Finished jobid: (\d+) \(Rule: (\w+)\)", line)) and stamp:
            name, began = started.get(found[1], (found[2], stamp))
            totals[name] = totals.get(name, 0.0) + (stamp - began).total_seconds()
    return totals


def job_cpu(tree: Path) -> dict[str, float]:
    """CPU seconds per rule (summed over its jobs) from the benchmark files under logs/: on a shared
    machine these move less than wall times do."""
    seconds: dict[str, float] = {}
    for path in sorted((tree / "logs").glob("*/*benchmark.tsv")):
        with open(path, encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                cpu = float(row["cpu_time"]) if row["cpu_time"] not in {"", "-", "NA"} else 0.0
                seconds[path.parent.name] = seconds.get(path.parent.name, 0.0) + cpu
    return seconds


def job_peaks(tree: Path) -> dict[str, float]:
    """Largest max_rss (MB) per rule among the benchmark files under logs/ (logs/<rule>/...tsv)."""
    peaks: dict[str, float] = {}
    for path in sorted((tree / "logs").glob("*/*benchmark.tsv")):
        with open(path, encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                rss = float(row["max_rss"]) if row["max_rss"] not in {"", "-", "NA"} else 0.0
                rule = path.parent.name
                peaks[rule] = max(peaks.get(rule, 0.0), rss)
    return peaks


def digests(tree: Path) -> dict[str, str]:
    """sha256 of every published output file, by path relative to the tree."""
    found: dict[str, str] = {}
    for name in PUBLISHED:
        path = tree / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            found[str(file.relative_to(tree))] = hashlib.sha256(file.read_bytes()).hexdigest()
    return found


def describe(jobs: dict[str, int]) -> str:
    return ", ".join(f"{rule} ({count})" for rule, count in sorted(jobs.items()) if rule != "all") or "none"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def bench_rebuild(cores: int, figure: str, commit: str, python: str) -> None:
    first_tree = fresh_tree("rebuild-1", commit)
    first = snakemake(first_tree, cores, python=python)
    print(f"clean rebuild, default target (no paper), {cores} cores: {first.seconds:.1f} s, "
          f"{sum(first.jobs.values())} jobs, largest process {first.peak_mb:.0f} MB, "
          f"{first.cpu_seconds:.1f} s CPU in all (Snakemake included)")
    per_rule = job_seconds(first.output)
    total = sum(per_rule.values())
    print(f"  sum of the jobs' wall times: {total:.0f} s, so at least {total / cores:.0f} s on {cores} cores "
          f"even with no idle core; Snakemake's own start-up and DAG: see the no-op run below")
    slowest = sorted(per_rule.items(), key=lambda item: -item[1])[:6]
    print("  slowest rules (wall s, from the log): "
          + ", ".join(f"{rule} {sec:.0f}" for rule, sec in slowest))
    print("  CPU s per rule with a benchmark file: "
          + ", ".join(f"{rule} {sec:.1f}" for rule, sec in sorted(job_cpu(first_tree).items())))
    peaks = job_peaks(first_tree)
    print("  peak MB per rule with a benchmark file: "
          + ", ".join(f"{rule} {mb:.0f}" for rule, mb in sorted(peaks.items())))
    second_tree = fresh_tree("rebuild-2", commit)
    second = snakemake(second_tree, cores, python=python)
    fastest = min(first.seconds, second.seconds)
    print(f"clean rebuild again in a second fresh clone: {second.seconds:.1f} s, "
          f"{second.cpu_seconds:.1f} s CPU [target < 20 s, the faster of the two: {verdict(fastest < 20)}]")
    one, two = digests(first_tree), digests(second_tree)
    differing = sorted(path for path in one.keys() | two.keys() if one.get(path) != two.get(path))
    print(f"reproducible: two clean rebuilds give byte-identical outputs over {len(one)} published files "
          f"({', '.join(PUBLISHED)}): {'yes' if not differing and one else 'NO'}")
    for path in differing:
        print(f"  differs: {path}")

    noop = snakemake(first_tree, cores, python=python)
    print(f"no-op run: {noop.seconds:.2f} s, jobs run: {describe(noop.jobs)} "
          f"[target < 2 s: {verdict(noop.seconds < 2 and not noop.jobs)}]")

    module = first_tree / "scripts" / "kzshutdowns" / "figures" / f"{figure}.py"
    if not module.exists():
        print(f"edit figure module: {module.relative_to(first_tree)} does not exist; skipped")
        return
    # An edit, not a bare touch: Snakemake 9 does not rerun for a newer mtime with unchanged content.
    with open(module, "a", encoding="utf-8") as handle:
        handle.write("# edited by benchmarks/workflow.py to see what reruns\n")
    touched = snakemake(first_tree, cores, python=python)
    rerun = {rule for rule in touched.jobs if rule != "all"}
    print(f"after editing scripts/kzshutdowns/figures/{figure}.py (a comment line): {touched.seconds:.1f} s, "
          f"jobs rerun: {describe(touched.jobs)}")
    # The figure itself, the aggregate target of the figures, and the paper steps that read figures.
    allowed = {f"figure_{figure}", "figures", "check_paper", "render_paper"}
    ok = f"figure_{figure}" in rerun and rerun <= allowed
    print(f"  [target: only that figure and what reads it rerun: {verdict(ok)}]")


def set_shards(tree: Path, shards: int) -> None:
    """Set ``tweets: shards:`` in the clone's config/config.yaml."""
    config = tree / "config" / "config.yaml"
    text, count = re.subn(r"(?m)^  shards: \d+$", f"  shards: {shards}", config.read_text(encoding="utf-8"))
    if count != 1:
        raise SystemExit(f"{config}: no single 'tweets: shards:' line to set")
    config.write_text(text, encoding="utf-8")


def seconds_text(run: Run | Stopped | None) -> str:
    if isinstance(run, Run):
        return f"{run.seconds:.1f}"
    return run.reason if run else "-"


def synthetic_recall(tree: Path, corpus: Path, shards: int) -> str:
    """How many of the generator's known place mentions in the tweets the workflow found, and what else."""
    columns = ["segment_id", "type", "start", "end", "value", "kind"]
    files = [tree / f"data/interim/mentions/tweets-synthetic-{k}.parquet" for k in range(shards)]
    mentions = pd.concat([pd.read_parquet(path, columns=columns) for path in files], ignore_index=True)
    texts = pd.concat([pd.read_parquet(tree / f"data/interim/segments/tweets-synthetic-{k}.parquet",
                                       columns=["text"])["text"] for k in range(shards)], ignore_index=True)
    places = mentions[mentions["type"] == "place"].copy()
    places["document"] = places["segment_id"].str.split(":", n=1).str[1]
    truth = pd.read_csv(corpus / "truth.csv", dtype={"document": str, "geonameid": str})
    truth = truth[~truth["document"].str.startswith("synthetic-")]  # the tweets, not the articles
    pairs = truth.merge(places, on="document", suffixes=("", "_found"))
    overlapping = (pairs["start_found"] < pairs["end"]) & (pairs["start"] < pairs["end_found"])
    right = pairs[overlapping & (pairs["value"] == pairs["geonameid"])]
    found = len(right.drop_duplicates(["document", "start"]))
    matched = set(zip(pairs.loc[overlapping, "document"], pairs.loc[overlapping, "start_found"], strict=True))
    outside = places[[key not in matched for key in zip(places["document"], places["start"], strict=True)]]
    counts = outside["kind"].value_counts().sort_index()
    kinds = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    return (f"{texts.nunique()} distinct texts in {len(texts)} tweets; "
            f"{found} of {len(truth)} known place mentions found with the right GeoNames id "
            f"(recall {found / max(len(truth), 1):.3f}); place matches outside them: {kinds or 'none'}")


# A pure-Python loop of about half a second: CPU only, no memory traffic, no I/O.
BUSY_LOOP = "total = 0\nfor number in range(5_000_000):\n    total += number"


def busy_loops(python: str, copies: int) -> float:
    """Wall seconds for ``copies`` copies of :data:`BUSY_LOOP` started at once."""
    started = time.perf_counter()
    processes = [subprocess.Popen([python, "-c", BUSY_LOOP]) for _ in range(copies)]
    if any([process.wait() != 0 for process in processes]):  # a list: wait for every copy
        raise SystemExit("the busy loop failed")
    return time.perf_counter() - started


def machine_speed_up(python: str, fewest: int, most: int, tries: int = 7) -> float:
    """The speed-up this machine itself gives CPU-bound work from ``fewest`` to ``most`` copies at once:
    the ceiling of any workflow's. On a virtual machine whose cores share physical ones, or slow down
    when all are busy, it is below ``most / fewest``. The two are timed in turn ``tries`` times and the
    fastest of each taken, as the machine's speed drifts from second to second."""
    few, many = [], []
    for _ in range(tries):
        few.append(busy_loops(python, fewest))
        many.append(busy_loops(python, most))
    return (most / fewest) * min(few) / min(many)


def bench_corpus(sizes: Sequence[int], cores_list: Sequence[int], articles: int, seed: int, links: bool,
                 per_shard: int, commit: str, timeout: float, memory_mb: float, python: str,
                 rounds: int) -> None:
    """Scale-out part (parse + geocode, one job per shard) per core count, then the reports and gathers.

    The scale-out part runs ``rounds`` times per core count, the counts alternating, and the fastest run
    of each is kept (the machine's speed drifts: each round also measures :func:`machine_speed_up`)."""
    tree = fresh_tree("corpus", commit)
    print("corpus: parse+geocode = parse_tweets and extract_mentions of every shard (parallel jobs); "
          "reports = assemble_reports of every source (parallel jobs) + the gathers build_city_reports and "
          "city_reports_geopackage;\n"
          f"times in s (cpu: user+system time of all its processes), memory in MB; a run is stopped after "
          f"{timeout:.0f} s or at {memory_mb:.0f} MB resident")
    print(f"{'tweets':>9} {'shards':>6} {'cores':>5} {'parse+geocode':>13} {'(cpu)':>7} {'tweets/s':>9} "
          f"{'speed-up':>8} {'reports':>8} {'total':>8} {'largest job MB':>15} {'(rule)':<20} {'run peak':>8}"
          )
    most = max(cores_list)
    for size in sizes:
        shards = max(most, math.ceil(size / per_shard))
        set_shards(tree, shards)
        corpus = WORK / f"corpus-{size}{'-links' if links else ''}"
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), "--tweets", str(size),
                        "--articles", str(articles), "--seed", str(seed), "--output-dir", str(corpus),
                        *(["--links"] if links else [])],
                       check=True, capture_output=True)
        raw = tree / "data" / "raw"
        shutil.rmtree(raw / "tweets", ignore_errors=True)
        shutil.copytree(corpus / "tweets", raw / "tweets")
        for path in sorted((corpus / "articles").iterdir()):
            shutil.copy(path, raw / "articles" / path.name)
        manifest = str(raw / "MANIFEST.tsv")
        subprocess.run([python, "-m", "kzshutdowns.raw_manifest", "--manifest", manifest, "--write"],
                       check=True, capture_output=True, env=tree_env(tree, python))
        # Everything but the tweets first (gazetteer, manifest check, articles), untimed.
        snakemake(tree, most, *REPORTS_TARGETS, "--omit-from", "parse_tweets", python=python)
        shard_mentions = [f"data/interim/mentions/tweets-synthetic-{k}.parquet" for k in range(shards)]
        scale_out: dict[int, tuple[Run | Stopped, dict[str, float]]] = {}
        runs: dict[int, list[str]] = {cores: [] for cores in cores_list}
        ceilings: list[float] = []
        for _ in range(rounds):
            if most > cores_list[0]:
                ceilings.append(machine_speed_up(python, cores_list[0], most))
            for cores in cores_list:
                shutil.rmtree(tree / "logs", ignore_errors=True)
                run = snakemake(tree, cores, *shard_mentions, "--forcerun", "parse_tweets", python=python,
                                timeout=timeout, memory_mb=memory_mb)
                runs[cores].append(seconds_text(run))
                kept = scale_out.get(cores, (None, {}))[0]
                if not isinstance(kept, Run) or (isinstance(run, Run) and run.seconds < kept.seconds):
                    scale_out[cores] = (run, job_peaks(tree))
        if isinstance(scale_out[most][0], Run):
            print(f"{'':>22} synthetic tweets: {synthetic_recall(tree, corpus, shards)}")
        gather: Run | Stopped | None = None
        gather_peaks: dict[str, float] = {}
        if all(isinstance(run, Run) for run, _ in scale_out.values()):
            shutil.rmtree(tree / "logs", ignore_errors=True)
            gather = snakemake(tree, most, *REPORTS_TARGETS, "--forcerun", *GATHER_RULES, python=python,
                               timeout=timeout, memory_mb=memory_mb)
            gather_peaks = {rule: peak for rule, peak in job_peaks(tree).items()
                            if rule in {"assemble_reports", *GATHER_RULES}}
        # The target as a user meets it: one run from the raw tweets to the published reports (the
        # fastest of ``rounds``).
        end_to_end: Run | Stopped | None = None
        if isinstance(gather, Run):
            whole = [snakemake(tree, most, *REPORTS_TARGETS, "--forcerun", "parse_tweets", python=python,
                               timeout=timeout, memory_mb=memory_mb) for _ in range(rounds)]
            done = [run for run in whole if isinstance(run, Run)]
            end_to_end = min(done, key=lambda run: run.seconds) if done else whole[0]
            if isinstance(end_to_end, Run):
                print(f"{'':>22} end to end, one run with {most} cores (parse_tweets to the gathers): "
                      f"{end_to_end.seconds:.1f} s, {end_to_end.cpu_seconds:.1f} s CPU, "
                      f"{sum(end_to_end.jobs.values())} jobs (runs: {', '.join(map(seconds_text, whole))} s)")
            else:
                print(f"{'':>22} end to end, one run with {most} cores: {end_to_end.reason}")
        first = scale_out[cores_list[0]][0]
        for cores, (run, peaks) in scale_out.items():
            peaks = peaks | gather_peaks
            rule, peak = max(peaks.items(), key=lambda item: item[1], default=("-", 0.0))
            done = isinstance(run, Run)
            rate = f"{size / run.seconds:.0f}" if done else "-"
            speed = f"{first.seconds / run.seconds:.2f}x" if done and isinstance(first, Run) else "-"
            total = f"{run.seconds + gather.seconds:.1f}" if done and isinstance(gather, Run) else "-"
            cpu = f"{run.cpu_seconds:.1f}" if done else "-"
            run_peak = max(run.peak_mb if done else 0.0, gather.peak_mb if isinstance(gather, Run) else 0.0)
            print(f"{size:>9} {shards:>6} {cores:>5} {seconds_text(run):>13} {cpu:>7} {rate:>9} "
                  f"{speed:>8} {seconds_text(gather):>8} {total:>8} {peak:>15.0f} {rule:<20} "
                  f"{run_peak:>8.0f}")
            per_rule = ", ".join(f"{name} {mb:.0f}" for name, mb in sorted(peaks.items()))
            print(f"{'':>22} peak MB per rule: {per_rule}")
            if done:
                print(f"{'':>22} runs (the fastest kept): {', '.join(runs[cores])} s; cores busy "
                      f"{run.cpu_seconds / (cores * run.seconds):.0%} of its wall time")
        ceiling = statistics.median(ceilings) if ceilings else None
        if ceiling:
            measured = ", ".join(f"{value:.2f}x" for value in ceilings)
            print(f"{'':>22} the machine's own speed-up from {cores_list[0]} to {most} busy loops at once, "
                  f"once per round: {measured} (median {ceiling:.2f}x)")
        if size >= 1_000_000:
            run = scale_out[most][0]
            in_time = isinstance(end_to_end, Run) and end_to_end.seconds < 60
            small = isinstance(gather, Run) and max(scale_out[most][1].values() or [0.0]) < 1024 and (
                max(gather_peaks.values(), default=0.0) < 1024)
            one, many = scale_out[cores_list[0]][0], run
            if most == cores_list[0]:  # one core count: no speed-up to judge
                scaling = "not measured (one core count)"
            else:
                both = isinstance(one, Run) and isinstance(many, Run)
                speed_up = one.seconds / many.seconds if both else 0.0
                machine = bool(ceiling) and speed_up >= 0.9 * ceiling
                scaling = (f"{speed_up:.2f}x (>= 90% of {most / cores_list[0]:.0f}x): "
                           f"{verdict(speed_up >= 0.9 * most / cores_list[0])}, and >= 90% of the machine's "
                           f"own ({ceiling or 0:.2f}x): {verdict(machine)}")
            print(f"{'':>22} [1M tweets < 60 s with {most} cores (end to end): {verdict(in_time)}; "
                  f"< 1 GB per job: {verdict(small)}; near-linear speed-up {scaling}]")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000],
                        help="synthetic corpus sizes in tweets (default 10000 100000 1000000)")
    parser.add_argument("--cores", type=int, nargs="+", default=[1, 2],
                        help="core counts, run fewest first (default 1 2)")
    parser.add_argument("--rebuild-cores", type=int, default=2, help="cores for the rebuild runs (default 2)")
    parser.add_argument("--figure", default="timeline", help="figure module to touch (default timeline)")
    parser.add_argument("--articles", type=int, default=4, help="synthetic articles added to the corpus")
    parser.add_argument("--seed", type=int, default=7, help="corpus seed (default 7)")
    parser.add_argument("--links", action="store_true",
                        help="end every synthetic tweet with a link of its own (every text distinct)")
    parser.add_argument("--tweets-per-shard", type=int, default=250_000,
                        help="shards per collection: size / this, at least the largest core count (default "
                        "250000: 1M tweets in 4 shards, the workflow's default)")
    parser.add_argument("--timeout", type=float, default=900,
                        help="stop a timed corpus run after this many seconds and print '>N' (default 900)")
    parser.add_argument("--memory-mb", type=float, default=6000,
                        help="stop a timed corpus run whose processes hold more than this (default 6000)")
    parser.add_argument("--skip-rebuild", action="store_true", help="only run the corpus benchmark")
    parser.add_argument("--rounds", type=int, default=2,
                        help="times the scale-out part runs per core count, alternating; the fastest is kept "
                        "(default 2)")
    parser.add_argument("--python", default=sys.executable,
                        help="the Python that Snakemake and its jobs run under (default this one); for "
                        "what the README's main command installs, that of a venv made by it")
    args = parser.parse_args(argv)

    commit = head_commit()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; Snakemake under {args.python}; "
          f"clean clones of {commit[:12]} under {WORK.relative_to(ROOT)}/")
    if not args.skip_rebuild:
        bench_rebuild(args.rebuild_cores, args.figure, commit, args.python)
    if args.sizes:
        # fewest cores first: speed-ups are against the fewest, and one count has none to judge
        bench_corpus(args.sizes, sorted(set(args.cores)), args.articles, args.seed, args.links,
                     args.tweets_per_shard, commit, args.timeout, args.memory_mb, args.python, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
