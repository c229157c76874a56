"""Distributed mode: worker processes on one Redis frontier and one PostgreSQL store crawl the farm together."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import scrapy
from scrapy.settings import Settings
from sqlalchemy import func, select
from typer.testing import CliRunner

from harvester.cli import app, crawl_environment, crawl_farm, farm_crawl_command
from harvester.cluster.addon import DistributedAddon
from harvester.cluster.enqueue import CrawlInProgress, enqueue_seeds
from harvester.cluster.keys import ClusterKeys, redis_client
from harvester.cluster.politeness import HostLeases
from harvester.cluster.queue import HostQueue, requeue
from harvester.cluster.status import cluster_status
from harvester.farm.seeds import write_seeds
from harvester.farm.server import FarmServer
from harvester.farm.site import build_site
from harvester.farm.truth import expected_reports
from harvester.store.db import PROJECT_ROOT, open_store, session_factory
from harvester.store.models import CrawlRun, Portal, Report, ReportVersion, Sighting
from harvester.store.writer import StoreWriter
from tests.conftest import fresh_postgres_database
from tests.test_crawl_farm import by_sighting, export_records
from tests.test_recrawl import ADDED, ANDING, EDITED, REMOVED, REVISIT_ALL, change_the_farm, report_urls

REDIS_URL = os.environ.get("HARVESTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
#: Seconds between a slot's grant and the farm reading the request, at most, on a loaded 2-core machine.
JITTER = 0.3
#: Seconds a worker may take for its part of a farm crawl.
WORKER_TIMEOUT = 120


@pytest.fixture
def cluster() -> Iterator[tuple]:
    """A Redis client and the keys of a crawl with a name of its own; CI fails (not skips) without Redis."""
    client = redis_client(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI but {REDIS_URL} is not reachable")
        pytest.skip("Redis not reachable")
    keys = ClusterKeys(f"test-{uuid.uuid4().hex[:10]}")
    yield client, keys
    for key in client.scan_iter(match=keys.pattern()):
        client.delete(key)


def worker_command(seeds: Path, log: Path, keys: ClusterKeys, settings: tuple[str, ...] = ()) -> list[str]:
    return farm_crawl_command(seeds, log, (f"REDIS_URL={REDIS_URL}", f"HARVESTER_CLUSTER_NAME={keys.name}",
                                           "HARVESTER_CLUSTER_POLL_INTERVAL=0.2", *settings))


def start_workers(count: int, seeds: Path, tmp_path: Path, keys: ClusterKeys, db_url: str, farm: FarmServer,
                  settings: tuple[str, ...] = (), tag: str = "w") -> list[subprocess.Popen]:
    env = crawl_environment(db_url, farm.proxy_url)
    return [subprocess.Popen(worker_command(seeds, tmp_path / f"{tag}{i}.log", keys, settings), cwd=PROJECT_ROOT,
                             env=env) for i in range(count)]


def wait_all(workers: list[subprocess.Popen], tmp_path: Path) -> None:
    codes = [worker.wait(timeout=WORKER_TIMEOUT) for worker in workers]
    logs = "\n".join(p.read_text()[-2000:] for p in sorted(tmp_path.glob("*.log")))
    assert all(code == 0 for code in codes), (codes, logs)


def enqueue(client, keys: ClusterKeys, seeds: Path, db_url: str, **kwargs):
    engine = open_store(db_url)
    try:
        return enqueue_seeds(client, keys, seeds, StoreWriter(engine), **kwargs)
    finally:
        engine.dispose()


def max_overlap(log: list[dict]) -> dict[str, int]:
    """Per host, the most requests the farm was serving at once ([started, time] intervals)."""
    events: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for entry in log:
        events[entry["host"]] += [(entry["started"], 1), (entry["time"], -1)]
    most = {}
    for host, points in events.items():
        current = peak = 0
        for _, step in sorted(points):  # an end sorts before a start at the same instant
            current += step
            peak = max(peak, current)
        most[host] = peak
    return most


def harvest(db_url: str) -> dict[str, tuple]:
    """What a crawl harvested, independent of row ids and times: content hash → the fields a crawl decides."""
    return {r["content_hash"]: (r["report_id"], r["title"], r["agency"], r["year"], r["published_at"],
                                sorted(s["url"] for s in r["sightings"]), r["tables"], r["gone_at"] is None)
            for r in export_records(db_url)}


def assert_every_report_once(db_url: str) -> None:
    records = export_records(db_url)
    assert len(records) == len(expected_reports())
    index = by_sighting(records)
    for truth in expected_reports():
        urls = [s["url"] for s in truth["sightings"]]
        assert len({index[url]["report_id"] for url in urls}) == 1, truth["title"]
        assert sorted(s["url"] for s in index[urls[0]]["sightings"]) == sorted(urls)
    engine = open_store(db_url)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count(ReportVersion.id))) == len(records)
        assert session.scalar(select(func.count(Sighting.id))) == len(report_urls())
    engine.dispose()


@pytest.fixture(scope="module")
def single_process_harvest(tmp_path_factory) -> dict[str, tuple]:
    """The reference: the farm crawled by one process (Scrapy's own scheduler) into SQLite."""
    tmp_path = tmp_path_factory.mktemp("single")
    db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with FarmServer() as farm:
        assert crawl_farm(write_seeds(tmp_path / "seeds.csv"), db_url, farm.proxy_url, tmp_path / "c.log") == 0
    return harvest(db_url)


# --- components against Redis ------------------------------------------------------


def test_host_leases_bound_concurrency_and_delay_for_the_whole_cluster(cluster):
    client, keys = cluster
    client.set(keys.heartbeat("a"), "1", ex=60)
    client.set(keys.heartbeat("b"), "1", ex=60)
    a = HostLeases(client, keys, "a", concurrency=2, delay=0, ttl=60)
    b = HostLeases(client, keys, "b", concurrency=2, delay=0, ttl=60)
    host = "www.x.gov.cn"
    assert a.try_acquire(host, "a|1") == 0 and b.try_acquire(host, "b|1") == 0
    assert a.try_acquire(host, "a|2") == -1, "a third request to the host"
    assert a.try_acquire("www.y.gov.cn", "a|3") == 0, "other hosts are not held up"
    b.release(host, "b|1")
    assert a.try_acquire(host, "a|2") == 0
    client.delete(keys.heartbeat("a"))  # worker a dies holding two slots: they free themselves
    assert b.try_acquire(host, "b|2") == 0

    slow = HostLeases(client, keys, "b", concurrency=5, delay=0.3, ttl=60)
    assert slow.try_acquire("www.z.gov.cn", "b|3") == 0
    assert 0 < slow.try_acquire("www.z.gov.cn", "b|4") <= 300
    time.sleep(0.35)
    assert slow.try_acquire("www.z.gov.cn", "b|4") == 0

    slow.hold_off("www.v.gov.cn", 0.3)  # a Retry-After seen by one worker holds every worker off
    assert 0 < b.try_acquire("www.v.gov.cn", "b|7") <= 300

    expiring = HostLeases(client, keys, "b", concurrency=1, delay=0, ttl=0.2)
    assert expiring.try_acquire("www.w.gov.cn", "b|5") == 0
    assert expiring.try_acquire("www.w.gov.cn", "b|6") == -1
    time.sleep(0.25)
    assert expiring.try_acquire("www.w.gov.cn", "b|6") == 0, "a hung download's lease expires"


def test_queue_interleaves_hosts_and_a_dead_workers_requests_come_back(cluster):
    client, keys = cluster
    spider = scrapy.Spider(name="portals")
    queue = HostQueue(client, spider, keys.requests)
    for url in ("http://a.gov.cn/1", "http://a.gov.cn/2", "http://a.gov.cn/3", "http://b.gov.cn/1", "http://b.gov.cn/2"):
        queue.push(scrapy.Request(url))
    queue.push(scrapy.Request("http://b.gov.cn/report", priority=30))
    assert len(queue) == 6
    assert dict(cluster_status(client, keys).backlog) == {"a.gov.cn": 3, "b.gov.cn": 3}
    queue.attach(keys, "dead")
    order = [queue.pop().url for _ in range(4)]
    assert order == ["http://b.gov.cn/report", "http://a.gov.cn/1", "http://b.gov.cn/1", "http://a.gov.cn/2"]
    assert client.hlen(keys.inflight("dead")) == 4 and len(queue) == 2
    client.set(keys.heartbeat("dead"), "1", ex=60)
    assert requeue(client, keys, "dead") == 0, "a live worker's requests stay with it"
    client.delete(keys.heartbeat("dead"))
    assert requeue(client, keys, "dead") == 4
    assert len(queue) == 6 and client.hlen(keys.inflight("dead")) == 0
    assert dict(cluster_status(client, keys).backlog) == {"a.gov.cn": 3, "b.gov.cn": 3}
    assert queue.pop().url == "http://b.gov.cn/report", "a re-queued request keeps its priority"


def test_addon_switches_to_the_redis_frontier_only_with_a_redis_url():
    plain = Settings({"HARVESTER_CRAWL_LOCK": True})
    DistributedAddon().update_settings(plain)
    assert not plain.getbool("HARVESTER_CLUSTER_ENABLED") and "SCHEDULER_QUEUE_CLASS" not in plain

    settings = Settings()
    settings.setmodule("harvester.settings", priority="project")
    settings.set("REDIS_URL", REDIS_URL, priority="cmdline")
    DistributedAddon().update_settings(settings)
    assert settings.getbool("HARVESTER_CLUSTER_ENABLED")
    assert settings["SCHEDULER"] == "harvester.cluster.leases.ClusterScheduler"
    assert settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert settings.getbool("SCHEDULER_PERSIST") and not settings.getbool("HARVESTER_CRAWL_LOCK")
    middlewares = {getattr(k, "__name__", str(k).rsplit(".", 1)[-1]): v
                   for k, v in settings.getdict("DOWNLOADER_MIDDLEWARES").items()}
    assert middlewares["ClusterPolitenessMiddleware"] > max(settings.getdict("DOWNLOADER_MIDDLEWARES_BASE").values())
    assert "ClusterBudgetMiddleware" in middlewares and "PortalBudgetMiddleware" not in middlewares


def test_enqueue_pushes_seeds_once_and_forgets_the_previous_crawl(cluster, sqlite_url, tmp_path):
    client, keys = cluster
    seeds = write_seeds(tmp_path / "seeds.csv")
    first = enqueue(client, keys, seeds, sqlite_url)
    assert first.portals == first.requests == 10
    client.sadd(keys.dupefilter, "0" * 40)
    client.set(keys.finished, "x")
    again = enqueue(client, keys, seeds, sqlite_url)
    assert again.requests == 10 and client.zcard(keys.requests) == 10, "seeds are pushed once, not per enqueue"
    assert client.scard(keys.dupefilter) == 10 and not client.exists(keys.finished)
    engine = open_store(sqlite_url)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count(Portal.id))) == 10
    engine.dispose()

    client.set(keys.heartbeat("busy"), "1", ex=60)
    client.sadd(keys.workers, "busy")
    client.hset(keys.inflight("busy"), "1", "0\nx")
    client.delete(keys.requests)
    with pytest.raises(CrawlInProgress):
        enqueue(client, keys, seeds, sqlite_url)
    assert enqueue(client, keys, seeds, sqlite_url, force=True).requests == 10


def test_cluster_commands_show_clean_and_finish(cluster, sqlite_url, tmp_path):
    client, keys = cluster
    seeds = write_seeds(tmp_path / "seeds.csv")
    runner = CliRunner()
    common = ["--redis", REDIS_URL, "--name", keys.name]
    result = runner.invoke(app, ["enqueue", str(seeds), *common, "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["cluster", *common])
    assert result.exit_code == 0, result.output
    for text in ("queue length", "10", "workers seen", "per-host backlog", "www.anding.gov.cn", "duplicate filter"):
        assert text in result.output
    assert runner.invoke(app, ["cluster", "clean", *common]).exit_code == 1, "queued work is not dropped silently"
    assert runner.invoke(app, ["cluster", "finish", *common, "--db", sqlite_url]).exit_code == 1
    result = runner.invoke(app, ["cluster", "clean", *common, "--force"])
    assert result.exit_code == 0 and not list(client.scan_iter(match=keys.pattern()))
    result = runner.invoke(app, ["cluster", "--redis", "redis://127.0.0.1:1/0", "--name", keys.name])
    assert result.exit_code == 3 and "cannot reach Redis" in result.output


def test_two_workers_storing_two_files_of_one_report_at_once_make_one_report(postgres_url):
    """The second writer waits for the first (advisory lock on publisher and year) and joins its report."""
    from tests.test_store import PORTAL_A, PORTAL_B, document, page

    writer = StoreWriter(open_store(postgres_url))
    writer.portal_id(PORTAL_A), writer.portal_id(PORTAL_B)
    first = document("一、总体情况\n本年新收政府信息公开申请12件。（网页）")
    second = document("一、总体情况\n本年新收政府信息公开申请12件。（附件）")
    outcomes = []
    with writer.sessions.begin() as session:
        writer._store_report(session, page("http://www.a.gov.cn/nb/1.html"), first, None, None)
        other = threading.Thread(target=lambda: outcomes.append(
            writer.store_report(page("http://www.b.gov.cn/nb/1.html", PORTAL_B.url, b"<html>b</html>"), second)))
        other.start()
        time.sleep(0.5)
        assert other.is_alive(), "the second writer did not wait for the first"
    other.join(timeout=10)
    assert outcomes and outcomes[0].value == "new_source"
    with session_factory(writer.engine)() as session:
        assert session.scalar(select(func.count(Report.id))) == 1
        assert session.scalar(select(func.count(ReportVersion.id))) == 2
    writer.engine.dispose()


# --- worker processes on the farm ------------------------------------------------------


@pytest.mark.parametrize(("workers", "delay"), [(2, 0.0), (4, 0.15)])
def test_workers_crawl_the_farm_together_politely(cluster, tmp_path, single_process_harvest, workers, delay):
    """Workers start before the crawl is enqueued, wait, share the work, and harvest what one process does."""
    client, keys = cluster
    seeds = write_seeds(tmp_path / "seeds.csv")
    settings = (f"HARVESTER_CLUSTER_HOST_DELAY={delay}",)
    with fresh_postgres_database() as db_url, FarmServer() as farm:
        processes = start_workers(workers, seeds, tmp_path, keys, db_url, farm, settings)
        time.sleep(1)
        enqueue(client, keys, seeds, db_url)
        wait_all(processes, tmp_path)
        log = farm.request_log
        assert_every_report_once(db_url)
        assert harvest(db_url) == single_process_harvest
        engine = open_store(db_url)
        with session_factory(engine)() as session:
            runs = session.scalars(select(CrawlRun)).all()
        engine.dispose()
    assert len(runs) == workers and all(run.status == "finished" for run in runs)
    assert sum(run.counts["pages_fetched"] > 0 for run in runs) >= 2, "the work was not shared"
    assert max(max_overlap(log).values()) <= 2, max_overlap(log)
    if delay:
        # The delay is kept between grants (on Redis's clock); the farm sees each start shifted by that request's
        # own latency, so it is checked over each host's whole series: n starts span at least (n - 1) delays.
        starts: dict[str, list[float]] = defaultdict(list)
        for entry in log:
            starts[entry["host"]].append(entry["started"])
        for host, times in starts.items():
            assert max(times) - min(times) >= (len(times) - 1) * delay - JITTER, host
    state = cluster_status(client, keys)
    assert state.finished and state.queued == 0 and state.inflight == 0
    assert len(state.workers) == workers and not any(w.alive for w in state.workers)


def test_a_killed_workers_requests_are_finished_by_the_others(cluster, tmp_path, single_process_harvest):
    client, keys = cluster
    seeds = write_seeds(tmp_path / "seeds.csv")
    with fresh_postgres_database() as db_url, FarmServer() as farm:
        enqueue(client, keys, seeds, db_url)
        # Slow enough to be caught with requests in flight; the dead worker is noticed after 3 s.
        settings = ("HARVESTER_CLUSTER_HEARTBEAT_TTL=3", "HARVESTER_CLUSTER_HOST_DELAY=0.2")
        processes = start_workers(3, seeds, tmp_path, keys, db_url, farm, settings)
        by_pid = {process.pid: process for process in processes}
        victim, lost = None, 0
        deadline = time.monotonic() + 90
        while victim is None and time.monotonic() < deadline:
            if len(farm.request_log) >= 25:
                for member in client.smembers(keys.workers):
                    worker = member.decode()
                    pid = int(worker.split(":")[-2])
                    lost = client.hlen(keys.inflight(worker))
                    if lost and pid in by_pid:
                        by_pid[pid].send_signal(signal.SIGKILL)
                        victim = by_pid.pop(pid)
                        break
            time.sleep(0.02)
        assert victim is not None, "no worker was caught with requests in flight"
        victim.wait()
        assert len(farm.request_log) < 100, "the crawl was nearly over when the worker was killed"
        wait_all(list(by_pid.values()), tmp_path)
        assert_every_report_once(db_url)
        assert harvest(db_url) == single_process_harvest
        log = farm.request_log
    assert lost > 0
    state = cluster_status(client, keys)
    assert state.finished and state.queued == 0 and state.inflight == 0
    assert max(max_overlap(log).values()) <= 2
    logs = "".join(path.read_text() for path in tmp_path.glob("*.log"))
    assert "its in-flight requests are back in the queue" in logs


def test_incremental_recrawl_in_distributed_mode(cluster, tmp_path):
    client, keys = cluster
    seeds = write_seeds(tmp_path / "seeds.csv")
    with fresh_postgres_database() as db_url, FarmServer(build_site()) as farm:
        enqueue(client, keys, seeds, db_url)
        wait_all(start_workers(1, seeds, tmp_path, keys, db_url, farm, REVISIT_ALL, tag="first"), tmp_path)
        first = {r["report_id"] for r in export_records(db_url)}
        change_the_farm(farm)
        farm.clear_log()
        enqueue(client, keys, seeds, db_url)
        wait_all(start_workers(2, seeds, tmp_path, keys, db_url, farm, REVISIT_ALL, tag="second"), tmp_path)
        second_log = farm.request_log
        records = export_records(db_url)
        engine = open_store(db_url)
        with session_factory(engine)() as session:
            runs = session.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
        engine.dispose()

    reports = {u for u in report_urls() if "zhanggong" not in u}  # the portal that sends no validators
    bodies = {e["path"] for e in second_log if e["status"] == 200 and f"http://{e['host']}{e['path']}" in reports}
    assert bodies == {EDITED}, "the recrawl downloaded unchanged report pages again"
    assert sum(e["status"] == 304 for e in second_log) >= len(reports) - 2
    counts = [run.counts for run in runs[1:]]
    assert sum(c["new_reports"] for c in counts) == 1 and sum(c["new_versions"] for c in counts) == 1
    assert sum(c["gone_reports"] for c in counts) == 1
    by_url = {s["url"]: r for r in records for s in r["sightings"]}
    assert len(records) == len(first) + 1
    assert by_url[f"http://{ANDING}{REMOVED}"]["gone_at"] is not None
    assert by_url[f"http://{ANDING}{ADDED}"]["agency"] == "定西市安定区卫生健康局"
    assert by_url[f"http://{ANDING}{EDITED}"]["version_count"] == 2
    assert sum(r["gone_at"] is not None for r in records) == 1, "only the removed report is gone"
    assert cluster_status(client, keys).gone == 1
