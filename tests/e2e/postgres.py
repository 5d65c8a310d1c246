"""A throwaway PostgreSQL from Debian's packages (``apt-get install -y postgresql``) for the tests
that run the server on PostgreSQL: its own data directory in a temporary folder, on a free port of
127.0.0.1, stopped and deleted afterwards. As root (CI) the server commands run as the
``postgres`` system user the package creates, since initdb refuses to run as root. A missing
installation fails the test, with the command that installs it.
"""
from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

USER = "postgres"
INSTALL = "apt-get install -y postgresql"


def _bin() -> Path:
    root = Path("/usr/lib/postgresql")
    found = sorted((p / "bin" for p in root.glob("*") if (p / "bin" / "initdb").exists()),
                   key=lambda b: float(b.parent.name) if b.parent.name.replace(".", "").isdigit() else -1)
    if not found:
        raise AssertionError(f"PostgreSQL is not installed (no {root}/<version>/bin/initdb): {INSTALL}")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def postgres() -> Iterator[tuple[str, str]]:
    """Yields (JDBC URL of a new empty database, user); trust authentication on 127.0.0.1."""
    bin_dir = _bin()
    as_root = os.geteuid() == 0
    d = Path(tempfile.mkdtemp(prefix="atelier-e2e-pg-"))
    if as_root:
        pw = pwd.getpwnam(USER)
        os.chown(d, pw.pw_uid, pw.pw_gid)
    prefix = ["runuser", "-u", USER, "--"] if as_root else []
    port = _free_port()
    data = d / "data"

    def run(*cmd: str, timeout: int = 120) -> None:
        r = subprocess.run(prefix + list(cmd), cwd=d, capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            log = (d / "server.log").read_text() if (d / "server.log").exists() else ""
            raise AssertionError(f"{' '.join(cmd)} exited with {r.returncode}:\n{r.stdout}{r.stderr}\n{log}")

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8", "--no-locale",
            "--no-sync")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(d / "server.log"), "-w", "-t", "60", "-o",
            f"-p {port} -k {d} -c listen_addresses=127.0.0.1", "start")
        run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", USER, "atelier")
        yield f"jdbc:postgresql://127.0.0.1:{port}/atelier", USER
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(prefix + [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                           cwd=d, capture_output=True, timeout=60)
        shutil.rmtree(d, ignore_errors=True)
