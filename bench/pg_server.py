"""A PostgreSQL 15 server of the benchmark's own, made fresh for one run and removed after it.

Unlike the test server (.ci/start-postgres, fsync off), this one keeps PostgreSQL's durable
defaults: fsync and synchronous_commit on, so a commit that returned is on disk and survives an
immediate shutdown (what a crash looks like to the database). It listens on 127.0.0.1 only.
pg_ctl refuses to run as root: as root every command runs as the postgres user.
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")


class PostgresServer:
    def __init__(self, root: Path, port: int):
        self.root = root
        self.data = root / "data"
        self.log = root / "log"
        self.port = port
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _run(self, command: list[str], timeout: float = 120) -> None:
        if os.geteuid() == 0:
            command = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(_quoted(part) for part in command)]
        subprocess.run(command, check=True, timeout=timeout, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        """A new cluster in `root` (an earlier run's is stopped and removed first)."""
        if not (BIN / "pg_ctl").exists():
            raise RuntimeError("PostgreSQL 15 is not installed (Debian: apt-get install postgresql-15)")
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run(
            [
                str(BIN / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=on "
            "-c synchronous_commit=on -c full_page_writes=on -c max_connections=100"
        )
        self._run([str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, "start"])

    def restart(self, mode: str = "immediate") -> float:
        """Stop the server (`immediate`: no checkpoint, as in a crash; `fast`: cleanly) and start it again;
        returns the seconds until it accepted connections again."""
        started = time.monotonic()
        self._run([str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-m", mode, "-w", "restart"])
        return time.monotonic() - started

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run([str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def _quoted(part: str) -> str:
    return "'" + part.replace("'", "'\\''") + "'"
