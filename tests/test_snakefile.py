"""The Snakefile and its rule files: the config check, and settings that reach the commands without params."""

import re
import subprocess
import sys

import yaml


def dry_run(tree, *args):
    """``snakemake -n`` in ``tree``; its messages (stdout and stderr together) in ``output``."""
    command = [sys.executable, "-m", "snakemake", "-n", *args]
    result = subprocess.run(command, cwd=tree, capture_output=True, text=True, check=False)
    result.output = result.stdout + result.stderr
    return result


def edit_config(tree, change):
    path = tree / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(config)
    path.write_text(yaml.safe_dump(config), encoding="utf-8")


def test_a_config_that_breaks_the_schema_stops_the_workflow_naming_the_key(workflow_tree):
    edit_config(workflow_tree, lambda config: config["tweets"].update(shards=0))
    result = dry_run(workflow_tree)
    assert result.returncode != 0
    assert "config/config.schema.yaml at $.tweets.shards: 0 is less than the minimum of 1" in result.output


def test_an_unknown_config_key_is_refused(workflow_tree):
    edit_config(workflow_tree, lambda config: config.update(gazeteer={}))
    result = dry_run(workflow_tree)
    assert result.returncode != 0
    assert "'gazeteer' was unexpected" in result.output


def test_config_settings_are_written_into_the_commands(workflow_tree):
    # Snakemake reruns a job whose command text changed, so a changed setting reruns its rule.
    def change(config):
        config["geocoder"].update(min_population_kz=2500, min_population_world=20000, common_word_zipf=3.75)
        config["basemap"]["focus"] = "UZ"

    edit_config(workflow_tree, change)
    result = dry_run(workflow_tree, "--forceall", "--printshellcmds")
    assert result.returncode == 0, result.output
    settings = "--min-population-kz 2500 --min-population-world 20000 --common-word-zipf 3.75 --output"
    assert settings in result.output
    assert "python -m kzshutdowns.basemap build --source embedded --focus UZ --output" in result.output


def rules_with_params(tree):
    """Names of the rules in the Snakefile and rules/*.smk that declare ``params:``."""
    found = set()
    for path in [tree / "Snakefile", *sorted((tree / "rules").glob("*.smk"))]:
        rule = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if started := re.match(r"\s*rule (\w+):", line):
                rule = started[1]
            elif rule and re.match(r"\s+params:", line):
                found.add(rule)
    return found


def test_no_job_of_the_default_target_has_params(workflow_tree):
    # Snakemake compares the params of every job it considers using pandas; a single job with params
    # makes each run import pandas, ~0.4 s even when there is nothing to do.
    result = dry_run(workflow_tree, "--forceall")
    assert result.returncode == 0, result.output
    table = result.output.split("Job stats:", 1)[1].split("total", 1)[0]
    jobs = set(re.findall(r"^(\w+)\s+\d+$", table, flags=re.MULTILINE))
    assert {"build_gazetteer", "build_basemap", "figure_timeline", "check_paper"} <= jobs
    with_params = rules_with_params(workflow_tree)
    assert "parse_tweets" in with_params  # the scan finds params where they are (not in the default target)
    assert not jobs & with_params


def test_a_changed_setting_reruns_its_rule(workflow_tree):
    # The basemap is built once; the same config then leaves it be, a changed focus reruns it.
    target = "data/interim/basemap.gpkg"
    command = [sys.executable, "-m", "snakemake", "--cores", "1", target]
    built = subprocess.run(command, cwd=workflow_tree, capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    unchanged = dry_run(workflow_tree, target)
    assert unchanged.returncode == 0, unchanged.output
    assert "Nothing to be done" in unchanged.output
    edit_config(workflow_tree, lambda config: config["basemap"].update(focus="UZ"))
    changed = dry_run(workflow_tree, target)
    assert changed.returncode == 0, changed.output
    assert "rule build_basemap:" in changed.output
    assert "reason: Code has changed since last execution" in changed.output
