"""Finds a `java` executable and checks it is new enough for Kafka."""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from carepath_localkafka.errors import JavaNotFoundError, JavaTooOldError
from carepath_localkafka.versions import MINIMUM_JAVA_MAJOR

# `java -version` prints e.g. `openjdk version "17.0.15" 2025-04-15` or `"1.8.0_292"`.
_VERSION_PATTERN = re.compile(r'version "(\d+)(?:\.(\d+))?')

INSTALL_HINT = "install Java 17+ (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME"


@dataclass(frozen=True)
class JavaRuntime:
    executable: str
    major: int


def parse_java_major(version_output: str) -> int | None:
    """The feature release (8, 11, 17, ...) from `java -version` output."""
    match = _VERSION_PATTERN.search(version_output)
    if not match:
        return None
    first, second = int(match.group(1)), match.group(2)
    # Java 8 and older call themselves 1.x.
    return int(second) if first == 1 and second is not None else first


def find_java() -> JavaRuntime:
    """`$JAVA_HOME/bin/java` if set, else `java` on PATH; raises unless it is 17 or newer."""
    java_home = os.environ.get("JAVA_HOME")
    candidate = Path(java_home) / "bin" / "java" if java_home else None
    if candidate is not None and os.access(candidate, os.X_OK):
        executable = str(candidate)
    else:
        executable = shutil.which("java")
    if executable is None:
        raise JavaNotFoundError(f"java not found; {INSTALL_HINT}")
    try:
        probe = subprocess.run(
            [executable, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise JavaNotFoundError(f"cannot run {executable} ({error}); {INSTALL_HINT}") from error
    major = parse_java_major(probe.stderr + probe.stdout)
    if major is None:
        raise JavaNotFoundError(f"cannot tell the version of {executable}; {INSTALL_HINT}")
    if major < MINIMUM_JAVA_MAJOR:
        needed = MINIMUM_JAVA_MAJOR
        raise JavaTooOldError(
            f"{executable} is Java {major} but Kafka needs Java {needed}+; {INSTALL_HINT}"
        )
    return JavaRuntime(executable=executable, major=major)
