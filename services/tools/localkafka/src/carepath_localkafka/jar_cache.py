"""Resolves kafka_2.13 and its runtime jars from Maven Central into a per-version cache."""

import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from carepath_localkafka.errors import (
    JarFetchError,
    MavenCentralUnreachableError,
    MavenNotFoundError,
)
from carepath_localkafka.file_lock import exclusive_file_lock
from carepath_localkafka.locations import kafka_cache_dir
from carepath_localkafka.versions import (
    KAFKA_VERSION,
    LOG4J_VERSION,
    MAVEN_DEPENDENCY_PLUGIN,
)

# Extra arguments for every mvn call, e.g. `-s /path/settings.xml` for a company mirror.
MAVEN_ARGS_ENV = "CAREPATH_MAVEN_ARGS"

MARKER_NAME = "complete.json"
FETCH_TIMEOUT_SECONDS = 900

# Maven's wording when the repository could not be reached at all (as opposed to "not found").
_NETWORK_FAILURE = re.compile(
    r"Could not transfer|transfer failed|Connection refused|UnknownHost|Unknown host|"
    r"Network is unreachable|timed out|No route to host|Temporary failure in name resolution",
    re.IGNORECASE,
)
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
# "... from/to central (https://repo.maven.apache.org/maven2): transfer failed for URL: CAUSE"
_REPOSITORY = re.compile(r"from/to (\S+ \([^)]*\))")
_TRANSFER_CAUSE = re.compile(r"transfer failed for \S+: (.*)$")

_POM_TEMPLATE = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>carepath.localkafka</groupId>
  <artifactId>kafka-runtime-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>{kafka}</version>
    </dependency>
    <!-- kafka_2.13 logs through SLF4J 1.x but ships no binding: route it to log4j2. -->
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>{log4j}</version>
    </dependency>
  </dependencies>
</project>
"""


class KafkaJarCache:
    """The folder of jars for one Kafka version; `ensure()` fills it once, then works offline."""

    def __init__(self, version: str = KAFKA_VERSION, root: Path | None = None) -> None:
        self.version = version
        self.root = root if root is not None else kafka_cache_dir(version)
        self.libs = self.root / "libs"
        self.marker = self.root / MARKER_NAME

    @property
    def classpath(self) -> str:
        """A JVM wildcard classpath over every cached jar."""
        return f"{self.libs}/*"

    def is_complete(self) -> bool:
        """True when the marker exists and every jar it lists is still on disk."""
        try:
            listed = json.loads(self.marker.read_text(encoding="utf-8"))["jars"]
        except (OSError, ValueError, KeyError):
            return False
        return bool(listed) and all((self.libs / name).is_file() for name in listed)

    def ensure(self, on_fetch_start=None) -> Path:
        """Returns the jar folder, running Maven only when the cache is not complete."""
        if self.is_complete():
            return self.libs
        self.root.parent.mkdir(parents=True, exist_ok=True)
        with exclusive_file_lock(self.root.parent / f"{self.version}.lock"):
            # Another process may have filled it while we waited for the lock.
            if self.is_complete():
                return self.libs
            mvn = shutil.which("mvn")
            if mvn is None:
                raise MavenNotFoundError(
                    f"Kafka {self.version} jars are not cached in {self.root} and `mvn` is not "
                    "installed to fetch them; install Maven (Debian: apt-get install maven)"
                )
            if on_fetch_start is not None:
                on_fetch_start(self)
            self._fetch_with(mvn)
        return self.libs

    def _fetch_with(self, mvn: str) -> None:
        # Resolve into a scratch folder next to the cache, then move it in whole,
        # so an interrupted fetch never leaves a cache that looks complete.
        with tempfile.TemporaryDirectory(dir=self.root.parent, prefix=".fetch-") as scratch:
            scratch_dir = Path(scratch)
            (scratch_dir / "pom.xml").write_text(
                _POM_TEMPLATE.format(kafka=self.version, log4j=LOG4J_VERSION), encoding="utf-8"
            )
            fetched = scratch_dir / "libs"
            command = [
                mvn,
                "-B",
                "-q",
                "-Dstyle.color=never",
                *shlex.split(os.environ.get(MAVEN_ARGS_ENV, "")),
                "-f",
                str(scratch_dir / "pom.xml"),
                f"{MAVEN_DEPENDENCY_PLUGIN}:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={fetched}",
            ]
            try:
                result = subprocess.run(
                    command,
                    cwd=scratch_dir,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=FETCH_TIMEOUT_SECONDS,
                    check=False,
                )
            except subprocess.TimeoutExpired as error:
                raise MavenCentralUnreachableError(
                    f"Maven did not finish fetching Kafka {self.version} jars within "
                    f"{FETCH_TIMEOUT_SECONDS} s and none are cached in {self.root}"
                ) from error
            if result.returncode != 0:
                raise self._explain_failure(result.stdout + result.stderr)
            jars = sorted(path.name for path in fetched.glob("*.jar"))
            if not any(name.startswith(f"kafka_2.13-{self.version}") for name in jars):
                raise JarFetchError(f"Maven finished but kafka_2.13-{self.version}.jar is missing")
            if self.root.exists():
                shutil.rmtree(self.root)
            self.root.mkdir(parents=True)
            fetched.rename(self.libs)
            # The marker is written last: its presence means the folder is whole.
            self.marker.write_text(
                json.dumps({"version": self.version, "jars": jars}, indent=2), encoding="utf-8"
            )

    def _explain_failure(self, output: str) -> Exception:
        lines = [_ANSI_ESCAPE.sub("", line).strip() for line in output.splitlines()]
        errors = [line.removeprefix("[ERROR]").strip() for line in lines if "[ERROR]" in line]
        first_error = next((line for line in errors if line), lines[-1] if lines else "no output")
        first_error = first_error.removesuffix("-> [Help 1]").strip()
        if _NETWORK_FAILURE.search(output):
            repository = _REPOSITORY.search(first_error)
            cause = _TRANSFER_CAUSE.search(first_error)
            return MavenCentralUnreachableError(
                f"cannot reach {repository.group(1) if repository else 'Maven Central'} to fetch "
                f"Kafka {self.version} jars and none are cached in {self.root}: "
                f"{cause.group(1) if cause else first_error[:300]}"
            )
        return JarFetchError(f"mvn failed to fetch Kafka {self.version} jars: {first_error[:300]}")
