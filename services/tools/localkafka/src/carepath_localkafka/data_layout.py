"""Names of the files a local broker keeps in its data folder."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BrokerLayout:
    """The files of one broker inside its data folder."""

    data_dir: Path

    @property
    def server_properties(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def log4j_config(self) -> Path:
        return self.data_dir / "log4j2.properties"

    @property
    def kraft_dir(self) -> Path:
        """Kafka's log.dirs: topic partitions and the metadata log."""
        return self.data_dir / "kraft"

    @property
    def server_log(self) -> Path:
        return self.data_dir / "server.log"

    @property
    def console_log(self) -> Path:
        """The JVM's own stdout/stderr, for crashes before log4j is up."""
        return self.data_dir / "console.log"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "kafka.pid"

    @property
    def state_file(self) -> Path:
        return self.data_dir / "carepath-kafka.json"

    @property
    def start_lock(self) -> Path:
        return self.data_dir / ".start.lock"
