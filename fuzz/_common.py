"""Shared set-up of the atheris harnesses: argv defaults, corpus directories, invariants."""

from __future__ import annotations

import math
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing


#: Real flattened reports beside the project, used as extra seeds when present.
SHARED_TEXT = HERE.parent.parent / "shared" / "examples" / "report-text"


def libfuzzer_argv(name: str, max_len: int = 65536, timeout: int = 10, extra: tuple[Path, ...] = ()) -> list[str]:
    """argv for atheris: the seed corpus of ``name`` read-only (new inputs go to a temporary
    directory first in the list, so the checked-in seeds never change), sane limits."""
    args = list(sys.argv)
    if not any(not a.startswith("-") for a in args[1:]):
        work = tempfile.mkdtemp(prefix=f"fuzz-{name}-")
        args += [work, str(HERE / "corpus" / name), *(str(p) for p in extra if p.is_dir())]
    for flag, value in (("-max_len", max_len), ("-timeout", timeout), ("-rss_limit_mb", 2048)):
        if not any(a.startswith(flag + "=") for a in args):
            args.append(f"{flag}={value}")
    os.environ.setdefault("PYTHONHASHSEED", "0")
    return args


def check_tables(parsed) -> None:
    """What every parse must give: the three table names, string keys, finite figures."""
    for name, rows in parsed.tables.items():
        assert name in ("active", "applications", "reviews"), name
        for row, columns in rows.items():
            assert isinstance(row, str)
            for column, value in columns.items():
                assert isinstance(column, str)
                if value is not None:
                    assert isinstance(value, int | float) and not isinstance(value, bool), value
                    assert math.isfinite(value) and abs(value) < 1e13, value
