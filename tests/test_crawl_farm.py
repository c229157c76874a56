"""End to end: the real ``portals`` spider crawls the portal farm through its proxy into a real store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import select

from harvester.cli import crawl_farm
from harvester.farm.seeds import write_seeds
from harvester.farm.server import FarmServer
from harvester.farm.truth import dead_urls, expected_reports, forbidden_urls, noise_urls, redirect_urls
from harvester.store.db import open_store, session_factory
from tests.conftest import fresh_postgres_database
from harvester.store.models import CrawlRun, Fetch, Report, ReportVersion, Sighting

CHROME = ("当前位置", "字号", "视力保护色", "打印本页", "关闭窗口", "分享到", "扫一扫", "责任编辑", "主办单位", "ICP备", "网站标识码")
EXPORT_KEYS = {"report_id", "title", "agency", "year", "published_at", "format_version", "source_type", "url",
               "sightings", "content_hash", "text", "tables", "checks"}


def export_records(db_url: str) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "harvester.cli", "export", "--format", "jsonl"],
        capture_output=True, text=True, env=dict(os.environ, HARVESTER_DB_URL=db_url), check=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture(scope="module")
def farm():
    with FarmServer() as server:
        yield server


def crawl(farm: FarmServer, db_url: str, tmp_path: Path) -> None:
    seeds = write_seeds(tmp_path / "seeds.csv")
    code = crawl_farm(seeds, db_url, farm.proxy_url, tmp_path / "crawl.log")
    assert code == 0, (tmp_path / "crawl.log").read_text()[-3000:]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def crawled(request, farm, tmp_path_factory):
    """One crawl per back end, shared by the assertions below."""
    tmp_path = tmp_path_factory.mktemp(request.param)
    with ExitStack() as stack:
        if request.param == "sqlite":
            db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
        else:
            db_url = stack.enter_context(fresh_postgres_database())
        farm.clear_log()
        crawl(farm, db_url, tmp_path)
        yield db_url, farm.request_log


def by_sighting(records: list[dict]) -> dict[str, dict]:
    return {sighting["url"]: record for record in records for sighting in record["sightings"]}


def test_every_farm_report_is_stored_once_with_all_sightings(crawled):
    db_url, _log = crawled
    records = export_records(db_url)
    expected = expected_reports()
    assert len(records) == len(expected)
    index = by_sighting(records)
    for truth in expected:
        urls = [s["url"] for s in truth["sightings"]]
        found = {index[url]["report_id"] for url in urls if url in index}
        assert len(found) == 1, (truth["title"], urls, found)
        record = index[urls[0]]
        assert sorted(s["url"] for s in record["sightings"]) == sorted(urls)
        assert {s["portal"] for s in record["sightings"]} == {s["portal"] for s in truth["sightings"]}
        for key in ("title", "agency", "year", "published_at", "format_version"):
            assert record[key] == truth[key], (key, truth["title"])
        assert record["tables"] == truth["tables"], truth["title"]
        assert record["source_type"] == "html"
        assert record["region_code"] == truth["region_code"], truth["title"]


def test_carry_chain_is_checked_across_a_publishers_consecutive_years(crawled):
    db_url, _log = crawled
    records = export_records(db_url)
    years = {(r["agency"], r["year"]) for r in records if r["tables"].get("applications")}
    chained = [r for r in records if (r["agency"], (r["year"] or 0) - 1) in years and r["tables"].get("applications")]
    assert chained, "the farm has publishers with consecutive years"
    for record in chained:
        carry = [check for check in record["checks"] if check["rule"] == "carry_chain"]
        assert len(carry) == 7 and all(check["status"] == "pass" for check in carry), record["title"]
        assert carry[0]["scope"].endswith(f"@{record['year'] - 1}")


def test_export_record_has_the_interface_keys_and_no_chrome(crawled):
    db_url, _log = crawled
    for record in export_records(db_url):
        assert EXPORT_KEYS <= set(record)
        assert len(record["content_hash"]) == 64
        for sighting in record["sightings"]:
            assert {"url", "portal", "fetched_at", "http_status"} <= set(sighting)
            assert sighting["http_status"] == 200
        for phrase in CHROME:
            assert phrase not in record["text"], (phrase, record["title"])
        for check in record["checks"]:
            assert check["status"] in ("pass", "skipped"), (record["title"], check)
        if record["format_version"] == "2021":
            rules = {check["rule"] for check in record["checks"] if check["status"] == "pass"}
            assert {"balance", "outcomes_sum", "row_sum", "reviews_sum"} <= rules


def test_noise_pages_are_not_reports_and_traps_end(crawled):
    db_url, log = crawled
    harvested = set(by_sighting(export_records(db_url)))
    assert not harvested & set(noise_urls())
    requested = {f"http://{entry['host']}{entry['path']}" for entry in log}
    assert not requested & set(forbidden_urls()), "robots.txt-disallowed pages were fetched"
    calendar = [entry for entry in log if entry["path"].startswith("/calendar/")]
    assert len(calendar) <= 5, "the calendar trap was walked"
    assert all(entry["user_agent"].startswith("harvester/") and "+http" in entry["user_agent"] for entry in log)


def test_fetches_runs_and_raw_pages_are_kept(crawled):
    db_url, _log = crawled
    engine = open_store(db_url)
    with session_factory(engine)() as session:
        fetches = session.scalars(select(Fetch)).all()
        statuses = {fetch.url: fetch for fetch in fetches}
        for url in dead_urls():
            assert statuses[url].status == 404
        for old, new in redirect_urls().items():
            assert statuses[old].final_url == new and statuses[old].status == 200
        assert any(fetch.etag for fetch in fetches) and any(fetch.last_modified for fetch in fetches)
        run = session.scalars(select(CrawlRun)).one()
        assert run.status == "finished" and run.finished_at is not None
        assert run.counts["new_reports"] == len(expected_reports())
        assert run.counts["pages_fetched"] == len([f for f in fetches if f.status is not None])
        cpu = run.counts["cpu_seconds"]
        assert set(cpu) == {"fetch", "discover", "extract", "parse", "store", "total"}
        assert all(cpu[stage] > 0 for stage in ("discover", "extract", "parse", "store"))
        assert sum(cpu[stage] for stage in cpu if stage != "total") == pytest.approx(cpu["total"], abs=0.01)
        versions = session.scalars(select(ReportVersion)).all()
        assert all(version.blob_sha256 for version in versions)
    engine.dispose()


def test_a_second_crawl_stores_nothing_new(farm, sqlite_url, tmp_path):
    crawl(farm, sqlite_url, tmp_path)
    first = export_records(sqlite_url)
    crawl(farm, sqlite_url, tmp_path)
    second = export_records(sqlite_url)
    assert [r["report_id"] for r in first] == [r["report_id"] for r in second]
    engine = open_store(sqlite_url)
    with session_factory(engine)() as session:
        assert len(session.scalars(select(ReportVersion)).all()) == len(first)
        assert len(session.scalars(select(Sighting)).all()) == sum(len(r["sightings"]) for r in first)
        runs = session.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
        second = runs[1].counts
        assert second["new_reports"] == 0 and second["new_versions"] == 0
        assert second["revisits_skipped"] + second["not_modified"] + second["unchanged_reports"] > 0
        assert len(session.scalars(select(Report)).all()) == len(first)
    engine.dispose()
