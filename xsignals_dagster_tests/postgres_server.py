"""A real, throw-away PostgreSQL server for the tests (no mock, no shared database).

Started from Debian's postgresql binaries in a temporary folder on a free loopback
port; as root it runs as the `postgres` user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa


class PostgresUnavailable(RuntimeError):
    pass


_CONTROLS: dict[str, list[str]] = {}  # server URL -> pg_ctl for that server, all but the action


def _binaries() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise PostgresUnavailable("PostgreSQL server binaries (initdb) not found: apt-get install postgresql")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Yield the SQLAlchemy URL of a fresh PostgreSQL server; stop and delete it afterwards."""
    bin_dir = _binaries()
    folder = Path(tempfile.mkdtemp(prefix="xsignals-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    subprocess.run(
        _as_server_user(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", "xsignals", "--auth=trust", "-E", "UTF8"]
        ),
        check=True,
        capture_output=True,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off -c synchronous_commit=off"
    subprocess.run(
        _as_server_user(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(folder / "log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        deadline = time.monotonic() + 30
        while subprocess.run(
            [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)], capture_output=True
        ).returncode:
            if time.monotonic() > deadline:
                raise PostgresUnavailable("PostgreSQL did not accept connections within 30 s")
            time.sleep(0.2)
        subprocess.run(
            [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "xsignals", "warehouse"],
            check=True,
            capture_output=True,
        )
        url = f"postgresql+psycopg://xsignals@127.0.0.1:{port}/warehouse"
        _CONTROLS[url] = _as_server_user(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(folder / "log"),
                "-m",
                "fast",
                "-w",
            ]
        )
        yield url
    finally:
        subprocess.run(
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def new_database(server_url: str) -> str:
    """The URL of a new, empty database on the server at `server_url`."""
    database = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{database}"


def _control(server_url: str, action: str) -> None:
    command = _CONTROLS[server_url.rsplit("/", 1)[0] + "/warehouse"]
    subprocess.run([*command, action], check=True, capture_output=True)


def restart(server_url: str) -> None:
    """Restart a server `postgres_server()` started (fast shutdown: open connections are cut)."""
    _control(server_url, "restart")


def stop(server_url: str) -> None:
    """Stop a server `postgres_server()` started (fast shutdown: open connections are cut)."""
    _control(server_url, "stop")


def start(server_url: str) -> None:
    """Start a server `stop` stopped, on the same port and data."""
    _control(server_url, "start")
