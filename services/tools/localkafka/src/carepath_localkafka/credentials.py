"""The SASL/SCRAM principals of a secure local broker: one password file each, made once.

KRaft keeps SCRAM credentials in its metadata log; the local broker gets them when its storage
is formatted (`kafka-storage format --add-scram`), so the set of principals is fixed by the
first secure start of a data folder. The passwords stay in files (folder 0700, files 0600)
that the clients read; they are never put in the environment.
"""

import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from carepath_localkafka.errors import LocalKafkaError

ADMIN = "admin"
SCRAM_MECHANISM = "SCRAM-SHA-512"
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,63}$")


class PrincipalNotProvisionedError(LocalKafkaError):
    """A principal was asked for that the broker's storage was not formatted with."""


@dataclass(frozen=True)
class BrokerCredentials:
    """Password files of the broker's principals, in one folder."""

    folder: Path

    @property
    def registry(self) -> Path:
        """Which principals the storage was formatted with (written at format time)."""
        return self.folder / "principals.json"

    def password_file(self, user: str) -> Path:
        return self.folder / f"{user}.password"

    def password(self, user: str) -> str:
        return self.password_file(user).read_text(encoding="utf-8").strip()

    def ensure(self, users: tuple[str, ...]) -> None:
        """A password file for every user that has none yet."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o700)
        for user in users:
            if not _NAME.match(user):
                raise ValueError(f"principal name {user!r} is not a lower-case slug")
            path = self.password_file(user)
            if not path.exists():
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                    file.write(secrets.token_urlsafe(24))

    def scram_arguments(self, users: tuple[str, ...]) -> list[str]:
        """`--add-scram` arguments of `kafka-storage format` for these users."""
        arguments = []
        for user in users:
            credential = f"{SCRAM_MECHANISM}=[name={user},password={self.password(user)}]"
            arguments += ["--add-scram", credential]
        return arguments

    def record_provisioned(self, users: tuple[str, ...]) -> None:
        self.registry.write_text(json.dumps(sorted(users)), encoding="utf-8")

    def provisioned(self) -> set[str]:
        try:
            return set(json.loads(self.registry.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return set()

    def require(self, users: tuple[str, ...], data_dir: Path) -> None:
        missing = sorted(set(users) - self.provisioned())
        if missing:
            raise PrincipalNotProvisionedError(
                f"the secure broker in {data_dir} was formatted without the principals "
                f"{', '.join(missing)}; start it on a new --data folder (principals are fixed "
                "when a folder is first formatted) or add them with kafka-configs.sh "
                "(deploy/README.md, section 13)"
            )
