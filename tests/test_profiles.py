"""Cluster profiles: SLURM dry-runs with the plugin installed; every setting is a known, commented option."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "config" / "profiles"


def snakemake(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def known_options():
    """Long options of the installed snakemake (including those of installed plugins), without dashes."""
    help_text = snakemake("--help", cwd=ROOT).stdout
    return set(re.findall(r"--([a-z][a-z0-9-]+)", help_text))


@pytest.mark.skipif(
    importlib.util.find_spec("snakemake_executor_plugin_slurm") is None,
    reason="snakemake-executor-plugin-slurm is not installed",
)
def test_slurm_profile_dry_run(workflow_tree):
    result = snakemake("--profile", "config/profiles/slurm", "-n", cwd=workflow_tree)
    assert result.returncode == 0, result.stderr + result.stdout
    out = result.stdout + result.stderr
    # the profile's default resources reached the jobs
    assert "slurm_partition=CHANGE-ME" in out and "runtime=20" in out
    assert "This was a dry-run" in out


@pytest.mark.skipif(
    importlib.util.find_spec("snakemake_executor_plugin_kubernetes") is None
    or importlib.util.find_spec("snakemake_storage_plugin_s3") is None,
    reason="snakemake-executor-plugin-kubernetes and snakemake-storage-plugin-s3 are not installed "
    "(and a dry run against S3 needs credentials and a network)",
)
def test_kubernetes_profile_dry_run(workflow_tree):
    result = snakemake("--profile", "config/profiles/kubernetes", "-n", cwd=workflow_tree)
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize("profile", ["slurm", "kubernetes"])
def test_every_setting_is_a_snakemake_option_with_a_comment_above_it(profile):
    path = PROFILES / profile / "config.yaml"
    settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    options = known_options()
    plugin_prefix = f"{profile}-"  # the executor plugin's own options; known only if it is installed
    plugin_installed = importlib.util.find_spec(f"snakemake_executor_plugin_{profile}") is not None
    for key in settings:
        if key.startswith(plugin_prefix) and not plugin_installed:
            continue
        assert key in options, f"{path}: {key} is not an option of snakemake --help"
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if re.match(r"[a-z][a-z0-9-]*:", line):
            above = [earlier for earlier in lines[:number] if earlier.strip()]
            assert above and above[-1].startswith("#"), f"{path}:{number + 1}: {line} has no comment above"


def test_kubernetes_profile_shares_no_file_system_and_uses_the_workflow_image():
    settings = yaml.safe_load((PROFILES / "kubernetes" / "config.yaml").read_text(encoding="utf-8"))
    assert settings["executor"] == "kubernetes"
    assert settings["default-storage-provider"] == "s3"
    assert settings["default-storage-prefix"].startswith("s3://")
    snakefile = (ROOT / "Snakefile").read_text(encoding="utf-8")
    image = re.search(r'^container: "docker://([^"]+)"', snakefile, re.MULTILINE)
    assert image is not None, "the Snakefile has no global container"
    assert settings["container-image"] == image[1]
    dockerfile = (PROFILES / "kubernetes" / "Dockerfile").read_text(encoding="utf-8")
    assert f"-t {image[1]} " in dockerfile


def test_slurm_profile_runs_jobs_on_the_cluster_with_resources():
    settings = yaml.safe_load((PROFILES / "slurm" / "config.yaml").read_text(encoding="utf-8"))
    assert settings["executor"] == "slurm"
    assert {"slurm_account", "slurm_partition", "runtime", "mem_mb"} <= set(settings["default-resources"])


@pytest.mark.parametrize("profile", ["slurm", "kubernetes"])
def test_set_resources_names_rules_of_the_workflow(profile):
    # Snakemake ignores a rule name it does not know in set-resources: a misspelt one would leave that
    # rule on the default memory without a word.
    settings = yaml.safe_load((PROFILES / profile / "config.yaml").read_text(encoding="utf-8"))
    rules = set(snakemake("--list-rules", "--nolock", cwd=ROOT).stdout.split())
    named = set(settings["set-resources"])
    assert named and named <= rules, f"set-resources names no rule of the workflow: {sorted(named - rules)}"


def test_local_rules_exist():
    snakefile = (ROOT / "Snakefile").read_text(encoding="utf-8")
    block = re.search(r"^localrules:\n((?:    \w+,\n)+)", snakefile, re.MULTILINE)
    assert block is not None, "the Snakefile declares no localrules"
    local = set(re.findall(r"(\w+),", block[1]))
    rules = set(snakemake("--list-rules", "--nolock", cwd=ROOT).stdout.split())
    assert local <= rules, f"localrules that are not rules: {sorted(local - rules)}"
    assert "parse_tweets" not in local and "extract_mentions" not in local  # the scaled-out steps
