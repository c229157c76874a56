"""Incremental recrawls: conditional requests, versions, gone reports, the lock, kill and resume, two writers."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from harvester.cli import crawl_environment, crawl_farm, farm_crawl_command
from harvester.farm.seeds import write_seeds
from harvester.farm.server import FarmServer
from harvester.farm.site import build_site
from harvester.farm.truth import expected_reports
from harvester.store.db import PROJECT_ROOT, open_store, session_factory
from harvester.store.models import CrawlLock, CrawlRun, Report, ReportVersion, Sighting
from tests.test_crawl_farm import export_records

#: Revisit every known report page on every run, so that edits are seen by the second crawl.
REVISIT_ALL = ("HARVESTER_REVISIT_RECENT_HOURS=0", "HARVESTER_REVISIT_OLD_DAYS=0")
ANDING = "www.anding.gov.cn"
COLUMN = "/zwgk/zfxxgk/zfxxgknb/"
EDITED = COLUMN + "content_5163.html"    # 教育局 2024: edited in place
REMOVED = COLUMN + "content_5177.html"   # 中华路街道 2024: taken down
ADDED = COLUMN + "content_5999.html"     # 卫生健康局 2024: new
COPIED = COLUMN + "content_5170.html"    # 财政局 2024: the new report's template


def report_urls() -> set[str]:
    return {s["url"] for report in expected_reports() for s in report["sightings"]}


def runs(db_url: str) -> list[CrawlRun]:
    engine = open_store(db_url)
    with session_factory(engine)() as session:
        result = session.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
    engine.dispose()
    return result


def change_the_farm(farm: FarmServer) -> None:
    """Edit one report in place, remove one, add one; every other page stays byte-identical."""
    site = farm.site
    edited = site.get(ANDING, EDITED)
    site.put_html(ANDING, EDITED, edited.body.decode("utf-8").replace("一、总体情况", "一、总体情况（2025年4月更正）", 1))
    site.remove(ANDING, REMOVED)
    added = site.get(ANDING, COPIED).body.decode("utf-8").replace("财政局", "卫生健康局")
    site.put_html(ANDING, ADDED, added)
    for path in [path for (host, path) in site.pages if host == ANDING and path.startswith(COLUMN) and "content_" not in path]:
        html = site.get(ANDING, path).body.decode("utf-8")
        if REMOVED not in html and COPIED not in html:
            continue
        html = re.sub(rf'<li><a href="{re.escape(REMOVED)}".*?</li>', "", html)
        html = html.replace(f'<li><a href="{COPIED}"', f'<li><a href="{ADDED}" title="定西市安定区卫生健康局2024年政府信息公开工作年度报告">'
                            f'定西市安定区卫生健康局2024年政府信息公开工作年度报告</a></li><li><a href="{COPIED}"', 1)
        site.put_html(ANDING, path, html)


def test_recrawl_fetches_only_what_changed(store_url, tmp_path):
    seeds = write_seeds(tmp_path / "seeds.csv")
    with FarmServer(build_site()) as farm:
        assert crawl_farm(seeds, store_url, farm.proxy_url, tmp_path / "1.log", REVISIT_ALL) == 0
        first = {r["report_id"]: r for r in export_records(store_url)}
        first_log = farm.request_log
        change_the_farm(farm)
        farm.clear_log()
        assert crawl_farm(seeds, store_url, farm.proxy_url, tmp_path / "2.log", REVISIT_ALL) == 0
        second_log = farm.request_log

    validator_portal_reports = {u for u in report_urls() if "zhanggong" not in u}
    bodies = [e for e in second_log if e["status"] == 200 and f"http://{e['host']}{e['path']}" in validator_portal_reports]
    assert {e["path"] for e in bodies} == {EDITED}, "an unchanged report page was downloaded again"
    assert any(e["path"] == ADDED and e["status"] == 200 for e in second_log)
    assert sum(e["status"] == 304 for e in second_log) >= len(validator_portal_reports) - 2
    downloads = [sum(e["status"] == 200 for e in log) for log in (first_log, second_log)]
    assert downloads[1] < downloads[0] / 2, downloads

    counts = runs(store_url)[1].counts
    assert (counts["new_reports"], counts["new_versions"], counts["gone_reports"]) == (1, 1, 1)
    assert counts["not_modified"] > 0

    second = {r["report_id"]: r for r in export_records(store_url)}
    assert len(second) == len(first) + 1
    by_url = {s["url"]: r for r in second.values() for s in r["sightings"]}
    edited = by_url[f"http://{ANDING}{EDITED}"]
    assert edited["report_id"] in first and edited["version_count"] == 2 and "更正" in edited["text"]
    assert by_url[f"http://{ANDING}{REMOVED}"]["gone_at"] is not None
    assert by_url[f"http://{ANDING}{ADDED}"]["agency"] == "定西市安定区卫生健康局"
    for report_id, record in first.items():
        if report_id in (edited["report_id"], by_url[f"http://{ANDING}{REMOVED}"]["report_id"]):
            continue
        assert second[report_id]["content_hash"] == record["content_hash"]
        assert second[report_id]["version_count"] == 1 and second[report_id]["gone_at"] is None


def test_a_second_crawl_on_a_locked_store_is_refused(sqlite_url, tmp_path):
    engine = open_store(sqlite_url)
    now = datetime.now(UTC)
    with session_factory(engine).begin() as session:
        session.add(CrawlLock(name="crawl", holder=f"{socket.gethostname()}:1", acquired_at=now, heartbeat_at=now))
    engine.dispose()
    seeds = write_seeds(tmp_path / "seeds.csv")
    with FarmServer() as farm:
        result = subprocess.run(farm_crawl_command(seeds, tmp_path / "c.log"), cwd=PROJECT_ROOT,
                                env=crawl_environment(sqlite_url, farm.proxy_url), capture_output=True, text=True)
        assert farm.request_log == []
    assert result.returncode != 0
    assert "another crawl" in (tmp_path / "c.log").read_text() + result.stderr


def test_killed_crawl_resumes_without_refetching_stored_reports(store_url, tmp_path):
    seeds = write_seeds(tmp_path / "seeds.csv")
    engine = open_store(store_url)
    with FarmServer() as farm:
        process = subprocess.Popen(farm_crawl_command(seeds, tmp_path / "1.log"), cwd=PROJECT_ROOT,
                                   env=crawl_environment(store_url, farm.proxy_url))
        deadline = time.monotonic() + 120
        stored = 0
        while time.monotonic() < deadline and process.poll() is None:
            with session_factory(engine)() as session:
                stored = session.scalar(select(func.count(Report.id)))
            if stored >= 5:
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert 5 <= stored < len(expected_reports()), "the crawl was not killed mid-run"
        with session_factory(engine)() as session:
            for report in session.scalars(select(Report)):
                assert report.current_version is not None and report.sightings, "half a report was stored"
            fetched_before = {s.url for s in session.scalars(select(Sighting))}
        farm.clear_log()
        assert crawl_farm(seeds, store_url, farm.proxy_url, tmp_path / "2.log") == 0
        refetched = {f"http://{e['host']}{e['path']}" for e in farm.request_log if e["status"] == 200}
    assert not refetched & fetched_before, "the resumed crawl downloaded stored reports again"
    assert len(export_records(store_url)) == len(expected_reports())
    statuses = [run.status for run in runs(store_url)]
    assert statuses == ["killed", "finished"]
    engine.dispose()


def test_two_crawls_at_once_on_one_store(store_url, tmp_path):
    seeds = write_seeds(tmp_path / "seeds.csv")
    with FarmServer() as farm:
        command = farm_crawl_command(seeds, tmp_path / "a.log", ("HARVESTER_CRAWL_LOCK=False",))
        other = farm_crawl_command(seeds, tmp_path / "b.log", ("HARVESTER_CRAWL_LOCK=False",))
        env = crawl_environment(store_url, farm.proxy_url)
        processes = [subprocess.Popen(c, cwd=PROJECT_ROOT, env=env) for c in (command, other)]
        assert [p.wait(timeout=300) for p in processes] == [0, 0]
    records = export_records(store_url)
    assert len(records) == len(expected_reports())
    engine = open_store(store_url)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count(ReportVersion.id))) == len(records)
        assert session.scalar(select(func.count(Sighting.id))) == len(report_urls())
    engine.dispose()
    assert json.dumps(records)
