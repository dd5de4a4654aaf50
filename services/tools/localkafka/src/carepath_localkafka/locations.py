"""Where the jar cache and the broker's data live by default."""

import os
from pathlib import Path

CACHE_DIR_ENV = "CAREPATH_CACHE_DIR"


def find_repo_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above `start` whose pyproject.toml declares the uv workspace."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.uv.workspace]" in pyproject.read_text(encoding="utf-8"):
            return folder
    return None


def cache_root() -> Path:
    """`$CAREPATH_CACHE_DIR`, else `<repo>/.cache`, else `~/.cache/carepath` outside a checkout."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override).expanduser().resolve()
    repo = find_repo_root()
    return repo / ".cache" if repo else Path.home() / ".cache" / "carepath"


def kafka_cache_dir(version: str) -> Path:
    """One folder per Kafka version, so upgrading never mixes jars."""
    return cache_root() / "kafka" / version


def default_data_dir() -> Path:
    """`<repo>/var/kafka`, else `~/.local/state/carepath/kafka` outside a checkout."""
    repo = find_repo_root()
    return repo / "var" / "kafka" if repo else Path.home() / ".local/state/carepath/kafka"
