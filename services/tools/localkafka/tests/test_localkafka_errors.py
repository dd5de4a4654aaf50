"""Missing or unusable toolchain: one clear error each, and nothing half-written in the cache."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from carepath_cli.main import app
from carepath_localkafka import (
    JavaNotFoundError,
    JavaTooOldError,
    KafkaJarCache,
    LocalKafkaError,
    MavenCentralUnreachableError,
    MavenNotFoundError,
)
from carepath_localkafka.errors import PortInUseError
from carepath_localkafka.java_runtime import find_java, parse_java_major
from carepath_localkafka.locations import find_repo_root, kafka_cache_dir
from carepath_localkafka.ports import find_free_port

runner = CliRunner()


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('java version "1.8.0_292"', 8),
        ('openjdk version "11.0.2" 2019-01-15', 11),
        ("something else", None),
    ],
)
def test_parse_java_major(output: str, major: int | None) -> None:
    assert parse_java_major(output) == major


def _fake_java(folder: Path, version_line: str) -> Path:
    """A JAVA_HOME whose bin/java prints `version_line` like `java -version` does."""
    java = folder / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n")
    java.chmod(0o755)
    return folder


def test_java_too_old(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAVA_HOME", str(_fake_java(tmp_path, 'openjdk version "11.0.2"')))
    with pytest.raises(JavaTooOldError, match="Java 11 but Kafka needs Java 17"):
        find_java()


def test_java_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(JavaNotFoundError, match="java not found"):
        find_java()


def test_cli_reports_missing_java_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    port = str(find_free_port())
    result = runner.invoke(app, ["kafka", "start", "--port", port, "--data", str(tmp_path / "k")])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: java not found;")
    assert result.stderr.count("\n") == 1


def test_mvn_missing_and_nothing_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    cache = KafkaJarCache(root=tmp_path / "cache" / "kafka" / "x")
    with pytest.raises(MavenNotFoundError, match="`mvn` is not installed"):
        cache.ensure()
    assert not cache.is_complete()


def test_maven_central_unreachable_and_nothing_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A mirror nobody listens on, and an empty local repository: like a machine offline.
    settings = tmp_path / "settings.xml"
    settings.write_text(
        "<settings><mirrors><mirror><id>nowhere</id><mirrorOf>*</mirrorOf>"
        "<url>http://127.0.0.1:1/maven2</url></mirror></mirrors></settings>"
    )
    monkeypatch.setenv("CAREPATH_MAVEN_ARGS", f"-s {settings} -Dmaven.repo.local={tmp_path / 'm2'}")
    cache = KafkaJarCache(root=tmp_path / "cache" / "kafka" / "x")
    with pytest.raises(MavenCentralUnreachableError) as raised:
        cache.ensure()
    assert "\n" not in str(raised.value)
    assert not cache.is_complete()
    assert not cache.root.exists()


def test_complete_cache_needs_no_maven(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = KafkaJarCache(root=tmp_path / "kafka" / "x")
    cache.libs.mkdir(parents=True)
    (cache.libs / "kafka_2.13-x.jar").write_bytes(b"")
    cache.marker.write_text('{"version": "x", "jars": ["kafka_2.13-x.jar"]}')
    monkeypatch.setenv("PATH", str(tmp_path))  # no mvn: it must not be needed
    assert cache.ensure() == cache.libs
    (cache.libs / "kafka_2.13-x.jar").unlink()
    assert not cache.is_complete()


def test_cache_dir_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREPATH_CACHE_DIR", str(tmp_path))
    assert kafka_cache_dir("9.9.9") == tmp_path / "kafka" / "9.9.9"


def test_repo_root_is_the_uv_workspace() -> None:
    root = find_repo_root(Path(__file__).parent)
    assert root is not None
    assert "[tool.uv.workspace]" in (root / "pyproject.toml").read_text()


def test_error_messages_are_one_line() -> None:
    error = PortInUseError("first line\nsecond line")
    assert str(error) == "first line second line"
    assert isinstance(error, LocalKafkaError)
