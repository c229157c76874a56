"""``python -m bench.cpu_profile OUT -m MODULE ARGS…``: cProfile with the process's CPU clock.

``python -m cProfile`` times with the wall clock, so a crawl waiting on a
LibreOffice child would show the wait as work of ``select.poll``; the
process CPU clock also charges the OCR engine's worker threads to the call
that started them.
"""

from __future__ import annotations

import cProfile
import runpy
import sys
import time


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[1] != "-m":
        raise SystemExit("usage: python -m bench.cpu_profile OUT -m MODULE [ARGS…]")
    out, module, args = argv[0], argv[2], argv[3:]
    sys.argv = [module, *args]
    profiler = cProfile.Profile(time.process_time)
    try:
        profiler.runcall(runpy.run_module, module, run_name="__main__", alter_sys=True)
    finally:
        profiler.dump_stats(out)


if __name__ == "__main__":
    main(sys.argv[1:])
