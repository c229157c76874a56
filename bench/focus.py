"""Focus: requests per report found, the portals spider against a plain link-following crawl.

Both crawl the same farm portals (script challenge armed) through the farm's
proxy and obey robots.txt. The plain crawl is what a generic crawler does: from
the home page, breadth first over every same-government link in the markup,
one depth level at a time. It is charged the requests of the shallowest depth
at which it has found every report it finds at all (a depth-limited crawler
fetches whole levels), up to ``MAX_DEPTH`` levels or ``MAX_REQUESTS`` per
portal (calendar and archive traps never end). Requests are counted at the farm,
robots.txt and the browser's requests included; a report counts as found when
its page was fetched (plain) or stored (spider).
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bench.core import Options, Section, median, ratio, table
from bench.crawls import crawl_portals
from harvester.discover.links import normalise_url, page_links, same_government
from harvester.export.records import iter_records
from harvester.farm.catalog import PORTALS
from harvester.farm.seeds import write_seeds
from harvester.farm.server import FarmServer
from harvester.farm.site import build_site
from harvester.farm.truth import expected_reports, portal_families
from harvester.store.db import open_store, session_factory

USER_AGENT = "harvester-bench/0.1 (+plain link-following baseline)"
MAX_DEPTH = 12
MAX_REQUESTS = 1_500
FAMILIES = ("generic", "trs", "hanweb", "gkmlpt", "ucap", "scripted", "challenge")


@dataclass
class PlainCrawl:
    """Per depth level: requests made (robots.txt included) and report pages fetched."""

    requests: list[int] = field(default_factory=list)
    found: list[set[str]] = field(default_factory=list)

    def charge(self) -> tuple[int, int]:
        """(requests up to the shallowest depth finding everything it ever finds, reports found)."""
        everything = set().union(*self.found) if self.found else set()
        spent, seen = 0, set()
        for requests, found in zip(self.requests, self.found, strict=True):
            spent += requests
            seen |= found
            if seen == everything:
                break
        return spent, len(everything)


def truth_by_portal() -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for report in expected_reports():
        for sighting in report["sightings"]:
            found[sighting["portal"]].add(sighting["url"])
    return found


def portal_hosts(seed: str) -> set[str]:
    portal = next(p for p in PORTALS.values() if p.seed_url == seed)
    return {portal.host, *portal.hosts}


def _decode(body: bytes) -> str:
    return body.decode("gb18030", "replace") if b"charset=gb2312" in body[:2000].lower() else body.decode("utf-8", "replace")


def plain_crawl(proxy: str, seed: str, reports: set[str]) -> PlainCrawl:
    """Breadth first, level by level, over every same-government link in the markup."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy}))
    robots: dict[str, urllib.robotparser.RobotFileParser] = {}
    result, level, seen, spent = PlainCrawl(), [seed], {seed}, 0
    for _depth in range(MAX_DEPTH + 1):
        if not level or spent >= MAX_REQUESTS:
            break
        requests, found, following = 0, set(), []
        for url in level:
            if spent + requests >= MAX_REQUESTS:
                break
            host = urllib.parse.urlsplit(url).netloc
            if host not in robots:
                robots[host] = urllib.robotparser.RobotFileParser()
                requests += 1
                try:
                    with opener.open(urllib.request.Request(f"http://{host}/robots.txt", headers={"User-Agent": USER_AGENT}), timeout=10) as answer:
                        robots[host].parse(answer.read().decode("utf-8", "replace").splitlines())
                except urllib.error.URLError:
                    robots[host].parse([])
            if not robots[host].can_fetch(USER_AGENT, url):
                continue
            requests += 1
            try:
                with opener.open(urllib.request.Request(url, headers={"User-Agent": USER_AGENT}), timeout=10) as answer:
                    body, kind = answer.read(), answer.headers.get("Content-Type", "")
            except urllib.error.HTTPError:
                continue
            if url in reports:
                found.add(url)
            if "html" not in kind:
                continue
            for link in page_links(_decode(body), url):
                target = normalise_url(link.url, url)
                if target and target not in seen and same_government(target, seed):
                    seen.add(target)
                    following.append(target)
        result.requests.append(requests)
        result.found.append(found)
        spent += requests
        level = following
    return result


def spider_requests(options: Options) -> tuple[list[Counter], list[set[str]]]:
    """Per run: requests per portal seed at the farm, and the report URLs stored."""
    counts, stored_runs = [], []
    hosts = {seed: portal_hosts(seed) for seed in portal_families()}
    with FarmServer(site=build_site(waf=True)) as farm:
        seeds = write_seeds(options.work / "focus-seeds.csv")
        for number in range(options.runs):
            db_url = f"sqlite:///{options.work / f'focus-{number}.sqlite'}"
            crawl = crawl_portals(farm, seeds, db_url, options.work / f"focus-{number}.log")
            engine = open_store(db_url)
            with session_factory(engine)() as session:
                stored_runs.append({s["url"] for record in iter_records(session) for s in record["sightings"]})
            engine.dispose()
            counts.append(Counter({seed: sum(1 for e in crawl.log if e["host"] in portal_hosts_)
                                   for seed, portal_hosts_ in hosts.items()}))
    return counts, stored_runs


def run(options: Options) -> Section:
    families = portal_families()
    truth = truth_by_portal()
    spider_counts, stored_runs = spider_requests(options)
    rows: dict[str, Counter] = defaultdict(Counter)
    with FarmServer(site=build_site(waf=True)) as farm:
        for seed, family in families.items():
            hosts = portal_hosts(seed)
            row = rows[family]
            row["portals"] += 1
            row["reports"] += len(truth[seed])
            row["spider_requests"] += median(c[seed] for c in spider_counts)
            row["spider_found"] += median(len(truth[seed] & stored) for stored in stored_runs)
            farm.clear_log()
            plain = plain_crawl(farm.proxy_url, seed, truth[seed])
            charged, found = plain.charge()
            row["plain_found"] += found
            row["plain_requests"] += charged
            row["plain_all_requests"] += sum(1 for e in farm.request_log if e["host"] in hosts)
            row["plain_depth"] = max(row["plain_depth"], len(plain.requests))

    def per(requests: float, found: float) -> str:
        return f"{requests / found:.1f}" if found else "∞ (none found)"

    table_rows, total = [], Counter()
    for family in FAMILIES:
        row = rows[family]
        total.update({k: v for k, v in row.items() if k != "plain_depth"})
        total["plain_depth"] = max(total["plain_depth"], row["plain_depth"])
        table_rows.append(_row(family, row, per))
    table_rows.append(_row("**all**", total, per))
    spider_per = total["spider_requests"] / total["spider_found"]
    plain_per = total["plain_requests"] / total["plain_found"]
    body = table(("family", "portals", "reports", "spider: requests", "found", "requests/report",
                  "plain: requests to its depth", "found", "requests/report", "spider vs plain",
                  "plain: requests until it stops", "plain: levels"), table_rows) + "\n"
    method = (
        f"The unscaled farm with its script challenge armed ({len(families)} portals, one or more per CMS family; "
        f"copies of the farm repeat the same structure, so the ratio does not change with copies). The spider's "
        f"requests are the median of {options.runs} crawls. The plain crawl goes breadth first over every "
        f"same-government link in the markup, robots.txt obeyed, and is charged the requests of every level up to "
        f"the shallowest depth at which it has found all the reports it finds at any depth (up to {MAX_DEPTH} levels "
        f"or {MAX_REQUESTS:,} requests per portal). \"reports\" counts report pages per portal (a report reposted "
        f"on two portals counts twice). \"requests until it stops\" is what the plain crawl spent before running out of "
        f"links or hitting a limit: a crawler that does not know the right depth in advance pays that."
    )
    headlines = [f"Focus: {spider_per:.1f} requests per report found against {plain_per:.1f} for plain link-following "
                 f"to the depth that finds its reports ({ratio(spider_per, plain_per)}); the spider finds "
                 f"{total['spider_found']:.0f} of {total['reports']} report pages, the plain crawl "
                 f"{total['plain_found']:.0f}."]
    return Section("focus", "Focus", method, body, headlines)


def _row(name: str, row: Counter, per) -> tuple:
    spider = row["spider_requests"] / row["spider_found"] if row["spider_found"] else 0.0
    plain = row["plain_requests"] / row["plain_found"] if row["plain_found"] else 0.0
    return (name, row["portals"], row["reports"], row["spider_requests"], row["spider_found"],
            per(row["spider_requests"], row["spider_found"]), row["plain_requests"], row["plain_found"],
            per(row["plain_requests"], row["plain_found"]), ratio(spider, plain) if plain and spider else "–",
            row["plain_all_requests"], row["plain_depth"])
