"""Broken servers and hostile pages: each handled in bounded time and memory, recorded, and the crawl goes on."""

from __future__ import annotations

import re
import resource
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from harvester.cli import crawl_environment, farm_crawl_command
from harvester.farm.faults import FAULT_HOST, FAULT_SEED_URL, FAULTS, COLUMN, FaultyFarmServer
from harvester.farm.seeds import write_seeds
from harvester.farm.truth import expected_reports
from harvester.store.db import PROJECT_ROOT, open_store, session_factory
from harvester.store.models import Fetch
from tests.test_crawl_farm import export_records

#: Short enough that the slow-drip page times out quickly in a test.
FAULT_SETTINGS = ("DOWNLOAD_TIMEOUT=5",)
CRAWL_TIME_LIMIT = 240


def seeds_with_faults(tmp_path: Path) -> Path:
    seeds = write_seeds(tmp_path / "seeds.csv")
    with seeds.open("a", encoding="utf-8") as handle:
        handle.write(f"会宁县人民政府,{FAULT_SEED_URL},620422,county,620400\n")
    return seeds


def crawl(farm: FaultyFarmServer, db_url: str, tmp_path: Path) -> tuple[int, float, int]:
    """Exit code, seconds, and the peak RSS (MiB) of the crawl process."""
    started = time.monotonic()
    result = subprocess.run(
        farm_crawl_command(seeds_with_faults(tmp_path), tmp_path / "crawl.log", FAULT_SETTINGS),
        cwd=PROJECT_ROOT, env=crawl_environment(db_url, farm.proxy_url), timeout=CRAWL_TIME_LIMIT,
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return result.returncode, time.monotonic() - started, peak


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("faults")
    db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with FaultyFarmServer() as farm:
        code, seconds, peak = crawl(farm, db_url, tmp_path)
        log = farm.request_log
    return db_url, code, seconds, peak, log


def test_the_crawl_survives_every_fault_in_bounded_time_and_memory(fault_crawl):
    _db, code, seconds, peak, _log = fault_crawl
    assert code == 0
    assert seconds < CRAWL_TIME_LIMIT
    assert peak < 1024, f"peak RSS {peak} MiB: a 300 MB page or a gzip bomb was held in memory"


def test_healthy_reports_are_stored_once_and_hostile_ones_refused(fault_crawl):
    db_url, *_ = fault_crawl
    records = export_records(db_url)
    agencies = [record["agency"] for record in records]
    for fault in FAULTS:
        if fault.expect == "stored":
            assert agencies.count(fault.agency) == 1, fault.what
        else:
            assert fault.agency not in agencies, fault.what
    assert len(records) == len(expected_reports()) + sum(fault.expect == "stored" for fault in FAULTS)
    gbk = next(r for r in records if r["agency"] == "会宁县人力资源和社会保障局")
    assert "人力资源和社会保障局" in gbk["text"] and "\ufffd" not in gbk["text"]


def test_every_refused_fault_is_recorded_with_a_reason(fault_crawl):
    db_url, *_ = fault_crawl
    engine = open_store(db_url)
    with session_factory(engine)() as session:
        fetches = session.scalars(select(Fetch).where(Fetch.url.like(f"http://{FAULT_HOST}{COLUMN}%"))).all()
    engine.dispose()
    by_url: dict[str, list[Fetch]] = {}
    for fetch in fetches:
        by_url.setdefault(fetch.url, []).append(fetch)
    for fault in FAULTS:
        if fault.expect != "refused":
            continue
        rows = by_url.get(f"http://{FAULT_HOST}{COLUMN}{fault.path}", [])
        assert rows, f"no record of {fault.what}"
        assert all(row.error or (row.status or 0) >= 300 or row.status == 200 for row in rows)
        assert any(row.error or (row.status or 0) >= 400 for row in rows), f"{fault.what}: no reason recorded"


def test_random_transient_faults_lose_no_report(tmp_path):
    """The soak test's short form: every page's first attempt may fail; retries must recover all reports."""
    db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with FaultyFarmServer(fault_rate=0.35, seed=11) as farm:
        code, _seconds, _peak = crawl(farm, db_url, tmp_path)
        injected = dict(farm.injected)
    assert code == 0
    assert sum(injected.values()) >= 10 and len(injected) >= 3, injected
    stored = export_records(db_url)
    expected_titles = sorted(report["title"] for report in expected_reports())
    healthy = sorted(r["title"] for r in stored if not r["agency"].startswith("会宁县"))
    assert healthy == expected_titles


def test_a_browser_page_that_outlasts_its_timeout_is_fetched_again(tmp_path):
    """A script-built list whose server stalls once: the browser's timeout is retried, not the report lost.

    The spider reads the list over plain HTTP first (answered at once), then in the browser, whose
    first load the server holds past the browser's 5 s timeout.
    """
    column = ("www.weiyuan.gov.cn", "/zgxxgk/ndbg/")
    seeds = write_seeds(tmp_path / "all.csv")
    header, *rows = seeds.read_text(encoding="utf-8").splitlines()
    only = tmp_path / "seeds.csv"
    only.write_text("\n".join([header, *[row for row in rows if column[0] in row]]) + "\n", encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with FaultyFarmServer(stalls={column: (0.0, 12.0)}) as farm:
        result = subprocess.run(
            farm_crawl_command(only, tmp_path / "crawl.log", ("HARVESTER_BROWSER_TIMEOUT=5",)),
            cwd=PROJECT_ROOT, env=crawl_environment(db_url, farm.proxy_url), timeout=CRAWL_TIME_LIMIT,
        )
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    assert result.returncode == 0
    assert "Page.goto: Timeout 5000ms exceeded" in log
    assert re.search(r"'retry/reason_count/playwright\._impl\._errors\.TimeoutError': [12],", log)
    expected = sorted(r["title"] for r in expected_reports() if r["agency"].startswith("渭源县"))
    assert expected and sorted(r["title"] for r in export_records(db_url)) == expected
