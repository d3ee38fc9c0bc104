"""Shared fixtures: a private copy of the workflow tree, for tests that run Snakemake."""

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Version control, environments, Snakemake state and everything the workflow generates stay behind.
_NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", ".snakemake", "__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache",
    ".hypothesis", "_work", "logs", "interim", "processed", "_generated", "_output", ".quarto",
)


@pytest.fixture
def workflow_tree(tmp_path):
    """Return a copy of the repository's working tree in tmp_path (Snakemake locks its working dir)."""
    tree = tmp_path / "tree"
    shutil.copytree(ROOT, tree, ignore=_NOT_COPIED)
    return tree
