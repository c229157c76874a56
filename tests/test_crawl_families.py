"""End to end with real Chromium: every CMS family, a script-built list and a script challenge, with portal health."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from harvester.cli import crawl_farm
from harvester.farm.catalog import PORTALS
from harvester.farm.families import DATAPROXY
from harvester.farm.seeds import SEEDS_CSV
from harvester.farm.server import FarmServer
from harvester.farm.site import build_site
from harvester.farm.truth import expected_reports, forbidden_urls, noise_urls, portal_families
from harvester.fetch.browser import find_chromium
from harvester.store.db import open_store, session_factory
from harvester.store.models import Portal, PortalHealth
from tests.test_crawl_farm import by_sighting, export_records

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="needs Chromium (apt-get install chromium)")

DEAD_PORTAL = "http://www.nosuchcounty.gov.cn/"
#: List requests each family needs (column or list pages, API calls, a rendering), from the farm's design.
LIST_REQUESTS = {"hanweb": 2, "gkmlpt": 4, "ucap": 3, "scripted": 2, "challenge": 1, "trs": 4}


def write_seeds(path: Path, *extra: str) -> Path:
    path.write_text(SEEDS_CSV + "".join(extra), encoding="utf-8")
    return path


def crawl(farm: FarmServer, tmp_path: Path, seeds: Path) -> str:
    db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    code = crawl_farm(seeds, db_url, farm.proxy_url, tmp_path / "crawl.log")
    assert code == 0, (tmp_path / "crawl.log").read_text()[-3000:]
    return db_url


def portals_cli(db_url: str, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "harvester.cli", "portals", *args], capture_output=True, text=True,
                            env=dict(os.environ, HARVESTER_DB_URL=db_url, COLUMNS="250"), check=True)
    return result.stdout


def health_rows(db_url: str) -> dict[str, PortalHealth]:
    engine = open_store(db_url)
    with session_factory(engine)() as session:
        rows = {portal.url: health for health, portal in
                session.execute(select(PortalHealth, Portal).join(Portal, Portal.id == PortalHealth.portal_id)).all()}
    engine.dispose()
    return rows


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("families")
    with FarmServer(site=build_site(waf=True)) as farm:
        seeds = write_seeds(tmp_path / "seeds.csv", f"不存在县人民政府,{DEAD_PORTAL},999999,county,\n")
        db_url = crawl(farm, tmp_path, seeds)
        yield db_url, farm.request_log


def test_every_family_yields_all_its_reports_and_no_noise(crawled):
    db_url, _ = crawled
    records = export_records(db_url)
    harvested = by_sighting(records)
    expected = {s["url"] for r in expected_reports() for s in r["sightings"]}
    assert len(records) == len(expected_reports())
    assert set(harvested) == expected
    assert not set(harvested) & set(noise_urls())


def test_nothing_forbidden_and_no_browser_chatter(crawled):
    _, log = crawled
    requested = [f"http://{e['host']}{e['path']}" for e in log]
    for prefix in forbidden_urls():
        assert not [url for url in requested if url.startswith(prefix)], prefix
    assert all((e["user_agent"] or "").startswith("harvester/") for e in log), "every fetch, browser ones too"
    assert all(e["method"] != "CONNECT" for e in log)


def test_hanweb_pages_with_one_post_and_gkmlpt_through_its_api(crawled):
    _, log = crawled
    proxy = [e for e in log if e["path"].startswith(DATAPROXY)]
    assert [e["method"] for e in proxy] == ["POST"]
    assert b"columnid=1229213486" in proxy[0]["body"]
    gkmlpt = [e["path"] for e in log if e["path"].startswith("/gkmlpt/api/")]
    assert len(gkmlpt) == 3 and all("sid=755046" in p for p in gkmlpt)


def test_the_challenge_portal_is_crawled_through_the_browser(crawled):
    db_url, log = crawled
    lintao = [e for e in log if e["host"] == PORTALS["lintao"].host and e["path"] != "/robots.txt"]
    assert lintao[0]["status"] == 412
    assert sum(e["status"] == 412 for e in lintao) == 2, "the plain request and the browser's first load"
    assert all(e["cookie"] and "hv_clearance=" in e["cookie"] for e in lintao if e["status"] == 200)
    health = health_rows(db_url)[PORTALS["lintao"].seed_url]
    assert health.challenged and not health.blocked and health.browser_pages == 1
    assert health.reports_found == 1 and health.status == "ok"


def test_health_records_families_and_focus(crawled):
    db_url, log = crawled
    health = health_rows(db_url)
    families = portal_families()
    recognised = {"hanweb": "hanweb", "gkmlpt": "gkmlpt", "ucap": "ucap", "trs": "trs"}
    hosts = Counter(e["host"] for e in log if e["path"] != "/robots.txt")
    for portal in PORTALS.values():
        row, family = health[portal.seed_url], families[portal.seed_url]
        if family in recognised:
            assert row.cms_family == recognised[family], portal.key
        truth = [r for r in expected_reports() if any(s["portal"] == portal.seed_url for s in r["sightings"])]
        assert row.reports_found == len(truth), portal.key
        assert sum(row.reports_by_year.values()) == len(truth)
        assert row.status == "ok", (portal.key, row.reasons)
        if family in LIST_REQUESTS:
            listed = [u for u in (*noise_urls(), *(s["url"] for r in truth for s in r["sightings"]))
                      if portal.host in u or any(h in u for h in portal.hosts)]
            requests = sum(hosts[h] for h in (portal.host, *portal.hosts))
            assert requests <= 3 * (LIST_REQUESTS[family] + len(listed)), (portal.key, requests)
    assert health[PORTALS["weiyuan"].seed_url].browser_pages == 1
    assert all(health[p.seed_url].browser_pages == 0 for p in PORTALS.values() if p.key not in ("weiyuan", "lintao"))


def test_portals_command_shows_health_and_failing(crawled):
    db_url, _ = crawled
    table = portals_cli(db_url)
    assert "临洮县人民政府" in table and "solved" in table and "hanweb" in table and "gkmlpt" in table
    failing = portals_cli(db_url, "--failing")
    assert DEAD_PORTAL in failing and "home page failed: http_5xx" in failing
    assert "lintao" not in failing and "anding" not in failing
    dead = health_rows(db_url)[DEAD_PORTAL]
    assert dead.status == "failing" and dead.errors.get("http_5xx") == 1


def test_without_a_browser_the_challenge_portal_is_reported_blocked(tmp_path, monkeypatch):
    monkeypatch.setenv("HARVESTER_BROWSER_EXECUTABLE", str(tmp_path / "no-chromium"))
    lintao = PORTALS["lintao"]
    seeds = tmp_path / "seeds.csv"
    seeds.write_text(f"name,url\n{lintao.name},{lintao.seed_url}\n", encoding="utf-8")
    with FarmServer(site=build_site(waf=True)) as farm:
        db_url = crawl(farm, tmp_path, seeds)
    health = health_rows(db_url)[lintao.seed_url]
    assert health.blocked and health.status == "failing" and health.errors == {"challenge": 1}
    assert "blocked by a script challenge" in portals_cli(db_url, "--failing")
