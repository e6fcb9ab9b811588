"""What the figures were measured on: CPUs, memory, Python, SQLite and PostgreSQL versions."""

import os
import platform
import sqlite3
import subprocess
from dataclasses import dataclass

from sqlalchemy import text

from services.db import make_engine


@dataclass(frozen=True)
class Machine:
    cpus: int
    memory_gib: float
    python: str
    sqlite: str
    postgres: str
    system: str
    wrk: str

    def lines(self) -> list[str]:
        return [
            f"- CPUs (nproc): {self.cpus}",
            f"- memory: {self.memory_gib:.1f} GiB",
            f"- system: {self.system}",
            f"- Python {self.python}, SQLite {self.sqlite}, {self.postgres}",
            f"- load generator: {self.wrk}",
        ]


def _memory_gib() -> float:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _wrk_version() -> str:
    try:
        run = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    except FileNotFoundError:
        return "wrk not installed"
    return (run.stdout or run.stderr).splitlines()[0].strip()


def describe(postgres_url: str | None) -> Machine:
    postgres = "no PostgreSQL"
    if postgres_url:
        engine = make_engine(postgres_url)
        with engine.connect() as connection:
            postgres = connection.execute(text("SELECT version()")).scalar().split(" on ")[0]
        engine.dispose()
    return Machine(
        cpus=len(os.sched_getaffinity(0)),
        memory_gib=_memory_gib(),
        python=platform.python_version(),
        sqlite=sqlite3.sqlite_version,
        postgres=postgres,
        system=f"{platform.system()} {platform.release()} {platform.machine()}",
        wrk=_wrk_version(),
    )
