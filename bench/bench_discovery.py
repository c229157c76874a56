"""Requests per report found, per portal family: the portals spider against a plain link-following crawl.

Both crawl the same farm portals (WAF armed) through the farm's proxy and obey
robots.txt. The plain crawl is what a generic crawler does: from the home page,
fetch every link of the same government, breadth first, up to the same page
budget per portal, reading links from the markup only. Requests are counted at
the farm (browser requests included); a report counts as found when its page
was fetched (plain) or stored (spider).

    python bench/bench_discovery.py [--budget 400]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from collections import Counter, defaultdict, deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harvester.cli import crawl_farm  # noqa: E402
from harvester.discover.links import normalise_url, page_links, same_government  # noqa: E402
from harvester.farm.catalog import PORTALS  # noqa: E402
from harvester.farm.seeds import write_seeds  # noqa: E402
from harvester.farm.server import FarmServer  # noqa: E402
from harvester.farm.site import build_site  # noqa: E402
from harvester.farm.truth import expected_reports, portal_families  # noqa: E402

USER_AGENT = "harvester-bench/0.1 (+plain link-following baseline)"


def truth_by_portal() -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for report in expected_reports():
        for sighting in report["sightings"]:
            found[sighting["portal"]].add(sighting["url"])
    return found


def portal_hosts(seed: str) -> set[str]:
    portal = next(p for p in PORTALS.values() if p.seed_url == seed)
    return {portal.host, *portal.hosts}


def plain_crawl(proxy: str, seed: str, budget: int) -> set[str]:
    """Breadth-first over every same-government link in the markup; returns the URLs fetched with 200."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy}))
    robots: dict[str, urllib.robotparser.RobotFileParser] = {}
    queue, seen, fetched = deque([seed]), {seed}, set()
    spent = 0
    while queue and spent < budget:
        url = queue.popleft()
        host = urllib.parse.urlsplit(url).netloc
        if host not in robots:
            parser = urllib.robotparser.RobotFileParser()
            try:
                with opener.open(urllib.request.Request(f"http://{host}/robots.txt", headers={"User-Agent": USER_AGENT}), timeout=10) as r:
                    parser.parse(r.read().decode("utf-8", "replace").splitlines())
            except urllib.error.URLError:
                parser.parse([])
            robots[host] = parser
        if not robots[host].can_fetch(USER_AGENT, url):
            continue
        spent += 1
        try:
            with opener.open(urllib.request.Request(url, headers={"User-Agent": USER_AGENT}), timeout=10) as response:
                body, kind = response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError:
            continue
        fetched.add(url)
        if "html" not in kind:
            continue
        html = body.decode("utf-8", "replace") if b"charset=gb2312" not in body[:2000] else body.decode("gb18030", "replace")
        for link in page_links(html, url):
            target = normalise_url(link.url, url)
            if target and target not in seen and same_government(target, seed):
                seen.add(target)
                queue.append(target)
    return fetched


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=400, help="pages per portal for the plain crawl (the spider's default budget)")
    args = parser.parse_args(argv)
    families = portal_families()
    truth = truth_by_portal()
    rows: dict[str, Counter] = defaultdict(Counter)

    with FarmServer(site=build_site(waf=True)) as farm, tempfile.TemporaryDirectory() as tmp:
        seeds = write_seeds(Path(tmp) / "seeds.csv")
        started = time.monotonic()
        code = crawl_farm(seeds, f"sqlite:///{tmp}/bench.sqlite", farm.proxy_url, Path(tmp) / "crawl.log")
        spider_seconds = time.monotonic() - started
        if code != 0:
            raise SystemExit(f"crawl failed ({code}); see {tmp}/crawl.log")
        log = farm.request_log
        from harvester.export.records import iter_records
        from harvester.store.db import open_store, session_factory

        engine = open_store(f"sqlite:///{tmp}/bench.sqlite")
        with session_factory(engine)() as session:
            stored = {s["url"] for record in iter_records(session) for s in record["sightings"]}
        engine.dispose()
        for seed, family in families.items():
            hosts = portal_hosts(seed)
            rows[family]["portals"] += 1
            rows[family]["reports"] += len(truth[seed])
            rows[family]["spider_requests"] += sum(1 for e in log if e["host"] in hosts)
            rows[family]["spider_found"] += len(truth[seed] & stored)

        farm.clear_log()
        for seed, family in families.items():
            hosts = portal_hosts(seed)
            before = len(farm.request_log)
            fetched = plain_crawl(farm.proxy_url, seed, args.budget)
            rows[family]["plain_requests"] += sum(1 for e in farm.request_log[before:] if e["host"] in hosts)
            rows[family]["plain_found"] += len(truth[seed] & fetched)

    def per(requests: int, found: int) -> str:
        return f"{requests / found:.1f}" if found else "∞"

    print("| family | portals | reports | spider: requests | found | requests/report | plain: requests | found | requests/report |")
    print("|---|---|---|---|---|---|---|---|---|")
    total = Counter()
    for family in ("generic", "trs", "hanweb", "gkmlpt", "ucap", "scripted", "challenge"):
        row = rows[family]
        total.update(row)
        print(f"| {family} | {row['portals']} | {row['reports']} | {row['spider_requests']} | {row['spider_found']} | "
              f"{per(row['spider_requests'], row['spider_found'])} | {row['plain_requests']} | {row['plain_found']} | "
              f"{per(row['plain_requests'], row['plain_found'])} |")
    print(f"| **all** | {total['portals']} | {total['reports']} | {total['spider_requests']} | {total['spider_found']} | "
          f"{per(total['spider_requests'], total['spider_found'])} | {total['plain_requests']} | {total['plain_found']} | "
          f"{per(total['plain_requests'], total['plain_found'])} |")
    print(f"\nspider crawl: {spider_seconds:.1f} s wall time (browser launch included); requests include robots.txt")


if __name__ == "__main__":
    main()
