"""Formats a KRaft data folder once, with Kafka's own StorageTool."""

import base64
import subprocess
import uuid
from collections.abc import Sequence

from carepath_localkafka.data_layout import BrokerLayout
from carepath_localkafka.errors import StorageFormatError
from carepath_localkafka.server_config import jvm_logging_options

# In kafka_2.13 4.x the tool still lives in the Scala core jar.
STORAGE_TOOL_CLASS = "kafka.tools.StorageTool"


def new_cluster_id() -> str:
    """What `kafka-storage random-uuid` prints: a UUID in unpadded URL-safe base64."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")


def is_formatted(layout: BrokerLayout) -> bool:
    return (layout.kraft_dir / "meta.properties").is_file()


def format_storage(
    layout: BrokerLayout, *, java: str, classpath: str, scram_arguments: Sequence[str] = ()
) -> bool:
    """Writes meta.properties and the bootstrap metadata (with any SCRAM credentials, as
    `--add-scram` arguments); a no-op on a formatted folder. True if it formatted."""
    if is_formatted(layout):
        return False
    command = [
        java,
        *jvm_logging_options(layout),
        "-cp",
        classpath,
        STORAGE_TOOL_CLASS,
        "format",
        "--cluster-id",
        new_cluster_id(),
        "--config",
        str(layout.server_properties),
        "--ignore-formatted",
        *scram_arguments,
    ]
    result = subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0 or not is_formatted(layout):
        detail = (result.stderr or result.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"exit code {result.returncode}"
        raise StorageFormatError(f"cannot format {layout.kraft_dir}: {reason[:300]}")
    return True
