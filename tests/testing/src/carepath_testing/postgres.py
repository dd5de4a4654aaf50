"""A throwaway PostgreSQL cluster for the test session, and fresh databases inside it."""

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from carepath_localkafka.ports import find_free_port

URL_ENV = "CAREPATH_TEST_POSTGRES_URL"
SUPERUSER = "postgres"
HOW_TO_GET_POSTGRES = (
    "install the PostgreSQL server (Debian: apt-get install postgresql) or set "
    f"{URL_ENV}=postgresql+asyncpg://USER:PASSWORD@HOST:PORT/DB"
)


class PostgresUnavailableError(RuntimeError):
    """No server binaries to start a cluster with, and no URL given."""


def find_postgres_bindir() -> Path | None:
    """The newest Debian /usr/lib/postgresql/<major>/bin, else the folder of `pg_ctl` on PATH."""
    debian = [Path(path) for path in glob.glob("/usr/lib/postgresql/*/bin")]
    debian = [path for path in debian if path.parent.name.isdigit()]
    for bindir in sorted(debian, key=lambda path: int(path.parent.name), reverse=True):
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl and (Path(pg_ctl).resolve().parent / "initdb").exists():
        return Path(pg_ctl).resolve().parent
    return None


def _as_cluster_owner() -> tuple[list[str], int | None, int | None]:
    """Command prefix and uid/gid to run the server with: initdb refuses to run as root."""
    if os.geteuid() != 0:
        return [], None, None
    try:
        owner = pwd.getpwnam(SUPERUSER)
    except KeyError as error:
        raise PostgresUnavailableError(
            f"running as root but there is no {SUPERUSER!r} OS user to own the test cluster; "
            f"{HOW_TO_GET_POSTGRES}"
        ) from error
    return ["runuser", "-u", SUPERUSER, "--"], owner.pw_uid, owner.pw_gid


def _run(command: list[str], what: str, log: Path | None = None) -> None:
    result = subprocess.run(
        command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        where = f"; see {log}" if log else ""
        raise PostgresUnavailableError(
            f"{what} failed: {detail[-1] if detail else result.returncode}{where}"
        )


@contextmanager
def throwaway_postgres_cluster() -> Iterator[str]:
    """initdb + start on a free loopback port with trust auth; yields the SQLAlchemy async URL."""
    bindir = find_postgres_bindir()
    if bindir is None:
        raise PostgresUnavailableError(
            f"no PostgreSQL server binaries (looked in /usr/lib/postgresql/*/bin and PATH); "
            f"{HOW_TO_GET_POSTGRES}"
        )
    prefix, uid, gid = _as_cluster_owner()
    # Directly under the system temp dir: pytest's own tmp folders are private to our
    # user, and the postgres OS user could not enter them.
    root = Path(tempfile.mkdtemp(prefix="carepath-pg-"))
    try:
        if uid is not None:
            os.chown(root, uid, gid)
        data = root / "data"
        log = root / "postgres.log"
        port = find_free_port()
        _run(
            [
                *prefix,
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--no-instructions",
            ],
            "initdb",
        )
        # Durability off: a test cluster is thrown away, and fsync makes it slow.
        server_options = (
            f"-p {port} -c listen_addresses=127.0.0.1 -k {root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        _run(
            [
                *prefix,
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-o",
                server_options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            "pg_ctl start",
            log,
        )
        try:
            yield f"postgresql+asyncpg://{SUPERUSER}@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=120,
                check=False,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def session_postgres_url() -> Iterator[str]:
    """`$CAREPATH_TEST_POSTGRES_URL` as given, else a throwaway cluster for the session."""
    given = os.environ.get(URL_ENV)
    if given:
        yield given
        return
    with throwaway_postgres_cluster() as url:
        yield url


async def _admin_connection(base_url: str) -> asyncpg.Connection:
    url = make_url(base_url)
    return await asyncpg.connect(
        user=url.username,
        password=url.password,
        host=url.host,
        port=url.port,
        database=url.database or SUPERUSER,
    )


async def create_fresh_database(base_url: str) -> str:
    """Creates a uniquely named database on the server of `base_url`; returns its URL."""
    name = f"t_{secrets.token_hex(6)}"
    connection = await _admin_connection(base_url)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


async def drop_database(base_url: str, database_url: str) -> None:
    name = make_url(database_url).database
    connection = await _admin_connection(base_url)
    try:
        # FORCE: a test that leaked a connection must not keep its database alive.
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()
