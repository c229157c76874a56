"""Profiles of the crawl's heaviest stages: where inside a stage the CPU goes.

One ``scrapy crawl portals`` of the farm runs under cProfile, timed by the
process CPU clock (:mod:`bench.cpu_profile`; each reading is a system call, so
functions called millions of times weigh more than unprofiled). For each stage
that takes more than half of the spider's CPU per page (by the unprofiled
throughput crawls), or the heaviest stage when none does, the functions
called on the stage's behalf are summed by library and listed by own time
(a helper shared by stages is charged in proportion to the calls each made,
as gprof does; for fetch, every function outside harvester).
"""

from __future__ import annotations

import builtins
import pstats
import re
import sys
from collections import Counter, deque
from pathlib import Path

from bench.core import ROOT, Options, Section, table
from bench.crawls import run_measured
from bench.scaled_farm import scaled_site, write_scaled_seeds
from harvester.cli import crawl_environment, farm_crawl_command
from harvester.farm.server import FarmServer

#: Functions where each stage's work starts: (file name ending, function name).
ENTRY_POINTS = {
    "discover": [("spiders/portals.py", "_next_requests"), ("discover/links.py", "attachment_links")],
    "extract": [("extract/decode.py", "decode_html"), ("extract/__init__.py", "extract_page"),
                ("files/__init__.py", "read_file")],
    "parse": [("parse/report.py", "parse_report")],
    "store": [("store/writer.py", "store_report"), ("store/writer.py", "record_fetch"),
              ("store/writer.py", "touch_sighting"), ("store/frontier.py", "load")],
}

Function = tuple[str, int, str]


def profiled_crawl(options: Options, copies: int) -> pstats.Stats:
    site, seeds_csv = scaled_site(copies, scans=options.ocr)
    seeds = write_scaled_seeds(options.work / "profile-seeds.csv", seeds_csv)
    out = options.work / "crawl.prof"
    command = farm_crawl_command(seeds, options.work / "profile.log")
    command = [sys.executable, "-m", "bench.cpu_profile", str(out), *command[1:]]
    with FarmServer(site) as farm:
        run_measured(command, crawl_environment(f"sqlite:///{options.work / 'profile.sqlite'}", farm.proxy_url),
                     ROOT, farm)
    return pstats.Stats(str(out))


def library(function: Function) -> str:
    """The package a function belongs to: ``harvester.parse``, ``lxml``, ``sqlalchemy``, ``stdlib re`` …"""
    filename, _line, name = function
    if filename == "~":  # C functions: "<method 'findall' of 're.Pattern' objects>", "<built-in method time.time>"
        match = re.search(r"of '([\w]+)|built-in method ([\w]+)", name)
        owner = next((group for group in match.groups() if group), "") if match else ""
        if not owner or owner == "builtins" or hasattr(builtins, owner):  # builtins.len, str.lower, list.append
            return "builtins"
        return f"stdlib {owner}" if owner in sys.stdlib_module_names else owner
    parts = Path(filename).parts
    for anchor in ("site-packages", "dist-packages"):
        if anchor in parts:
            rest = parts[parts.index(anchor) + 1:]
            return rest[0].removesuffix(".py") if rest else filename
    if "harvester" in parts:
        rest = parts[parts.index("harvester"):]
        return ".".join(rest[:2]).removesuffix(".py")
    if "spiders" in parts:
        return "spiders"
    stdlib = next((i for i, part in enumerate(parts) if re.fullmatch(r"python3\.\d+", part)), None)
    if stdlib is not None and len(parts) > stdlib + 1:
        return f"stdlib {parts[stdlib + 1].removesuffix('.py')}"
    return Path(filename).stem


def attributed(stats: pstats.Stats, entries: list[tuple[str, str]], sweeps: int = 3) -> dict[Function, float]:
    """Own CPU seconds of every function, as far as the entry points' calls account for it.

    cProfile keeps one level of call edges (caller → callee, with the callee's
    cumulative time on that edge), so a callee's share is propagated from its
    callers as gprof does: shared helpers (logging, ``re``) are charged to the
    stage only for the part of their time spent on the stage's behalf.
    """
    callees: dict[Function, dict[Function, float]] = {}
    for function, (*_, callers) in stats.stats.items():
        for caller, edge in callers.items():
            callees.setdefault(caller, {})[function] = edge[3]
    starts = [f for f in stats.stats if any(f[0].endswith(path) and f[2] == name for path, name in entries)]
    order, seen, queue = [], set(starts), deque(starts)
    while queue:
        function = queue.popleft()
        order.append(function)
        for callee in callees.get(function, ()):
            if callee not in seen:
                seen.add(callee)
                queue.append(callee)
    share = dict.fromkeys(starts, 1.0)
    for _ in range(sweeps):
        for function in order:
            if function in starts:
                continue
            cumulative = stats.stats[function][3]
            callers = stats.stats[function][4]
            on_behalf = sum(share.get(caller, 0.0) * edge[3] for caller, edge in callers.items())
            share[function] = min(1.0, on_behalf / cumulative) if cumulative else 0.0
    return {function: stats.stats[function][2] * fraction for function, fraction in share.items() if fraction}


def summarise(stats: pstats.Stats, own: dict[Function, float], top: int = 10) -> tuple[float, str]:
    total = sum(own.values())
    by_library = Counter()
    for function, seconds in own.items():
        by_library[library(function)] += seconds
    libraries = table(("library", "own CPU s", "share of the stage"),
                      [(name, seconds, f"{seconds / total:.0%}") for name, seconds in by_library.most_common(8)])
    functions_table = table(("function", "calls", "own CPU s", "share of the stage"), [
        (f"`{library(f)}` {f[2]} ({Path(f[0]).name}:{f[1]})", stats.stats[f][1], seconds, f"{seconds / total:.0%}")
        for f, seconds in sorted(own.items(), key=lambda item: -item[1])[:top]
    ], "lrrr")
    return total, f"{libraries}\n\n{functions_table}"


def run(options: Options, stage_shares: dict[str, float]) -> Section:
    copies = 2 if options.quick else min(options.copies, 10)
    heavy = [name for name, share in stage_shares.items() if share > 0.5]
    chosen = heavy or [max((n for n in stage_shares if n != "fetch"), key=stage_shares.get, default="extract")]
    stats = profiled_crawl(options, copies)
    parts = []
    for name in chosen:
        entries = ENTRY_POINTS.get(name)
        if entries is None:
            own = {f: figures[2] for f, figures in stats.stats.items()
                   if library(f) != "spiders" and not library(f).startswith("harvester")}
        else:
            own = attributed(stats, entries)
        total, summary = summarise(stats, own)
        parts.append(f"**{name}** ({stage_shares.get(name, 0):.0%} of the spider's CPU per page unprofiled; "
                     f"{total:.1f} s own time under the profiler):\n\n{summary}")
    shares = ", ".join(f"{name} {share:.0%}" for name, share in sorted(stage_shares.items(), key=lambda i: -i[1]))
    verdict = (f"Stages over half of the CPU per page: {', '.join(heavy)}." if heavy else
               f"No stage takes more than half of the CPU per page ({shares}); the heaviest, "
               f"{chosen[0]}, is profiled anyway.")
    method = (f"`python -m bench.cpu_profile OUT -m scrapy crawl portals` on the farm copied {copies} times. {verdict} "
              f"{__doc__.split(chr(10) + chr(10))[1].replace(chr(10), ' ')}")
    return Section("profile", "Profiles of the heaviest stages", method, "\n\n".join(parts) + "\n",
                   [f"Profile: {verdict}"])
