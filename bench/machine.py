"""The machine a run was made on: figures mean little without it."""

from __future__ import annotations

import os
import platform
import sqlite3
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench.core import table

PACKAGES = ("scrapy", "scrapy-playwright", "trafilatura", "lxml", "sqlalchemy", "psycopg", "pypdfium2", "rapidocr-onnxruntime")


def _first(path: str, key: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def postgres_version(url: str | None) -> str:
    if not url:
        return "not used"
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SHOW server_version")).scalar_one()
    except Exception as exc:  # noqa: BLE001 - any failure means "unavailable" in a description
        return f"unavailable ({type(exc).__name__})"
    finally:
        engine.dispose()


def describe(postgres_url: str | None) -> str:
    memory = _first("/proc/meminfo", "MemTotal")
    rows = [
        ("CPU", f"{_first('/proc/cpuinfo', 'model name') or platform.processor() or '?'}, {os.cpu_count()} logical cores"),
        ("memory", f"{int(memory.split()[0]) / 2**20:.1f} GiB" if memory else "?"),
        ("system", f"{platform.system()} {platform.release()}, {platform.machine()}"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("SQLite", sqlite3.sqlite_version),
        ("PostgreSQL", postgres_version(postgres_url)),
        ("load average at start", " ".join(f"{v:.2f}" for v in os.getloadavg())),
        *((package, _version(package)) for package in PACKAGES),
    ]
    return table(("", ""), rows, "ll")
