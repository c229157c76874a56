"""``harvester enqueue`` and ``harvester cluster``: start, watch, finish and clean up a distributed crawl."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harvester.store.db import StoreError

console = Console(stderr=True)
out = Console()

EXIT_PROBLEM, EXIT_BAD_INPUT, EXIT_STORE = 1, 2, 3
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"

Redis = Annotated[str, typer.Option("--redis", envvar="HARVESTER_REDIS_URL",
                                    help="Redis of the shared frontier (default: HARVESTER_REDIS_URL or local).")]
Name = Annotated[str, typer.Option("--name", envvar="HARVESTER_CLUSTER_NAME",
                                   help="The crawl's name: the prefix of its Redis keys.")]
Db = Annotated[str | None, typer.Option(help="Store URL (default: HARVESTER_DB_URL or the project's SQLite file).")]
Force = Annotated[bool, typer.Option("--force", help="Even if the crawl still has queued or in-flight requests.")]

cluster_app = typer.Typer(help="A distributed crawl: what it is doing; finish it; clean it up.",
                          invoke_without_command=True, no_args_is_help=False)


def _fail(message: str, code: int) -> typer.Exit:
    console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _connect(url: str, name: str):
    try:
        import redis

        from harvester.cluster.keys import ClusterKeys, redis_client
    except ImportError as exc:
        raise _fail(f"{exc.name} is missing; install it with pip install 'harvester[cluster]'", EXIT_BAD_INPUT) from None

    client = redis_client(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise _fail(f"cannot reach Redis at {url.split('@')[-1]}: {exc}", EXIT_STORE) from None
    return client, ClusterKeys(name)


def _writer(db: str | None):
    from harvester.store.db import open_store
    from harvester.store.writer import StoreWriter

    try:
        return StoreWriter(open_store(db))
    except StoreError as exc:
        raise _fail(str(exc), EXIT_STORE) from None


def enqueue(
    seeds: Annotated[Path, typer.Argument(help="Seeds CSV (name, url, …) as for the crawl.")],
    redis: Redis = DEFAULT_REDIS,
    name: Name = "portals",
    db: Db = None,
    force: Force = False,
) -> None:
    """Start a distributed crawl: push each seed once into the shared queue.

    The previous crawl of the same name is forgotten first (queue, duplicate
    filter, budgets), so a recrawl walks every list page again; the portals are
    registered in the store. Start workers with `scrapy crawl portals -s
    REDIS_URL=…` (README, "Scaling out"); those already waiting begin at once.
    """
    from harvester.cluster.enqueue import CrawlInProgress, enqueue_seeds
    from harvester.discover.seeds import SeedsFileError

    if not seeds.is_file():
        raise _fail(f"no seeds file {seeds}", EXIT_BAD_INPUT)
    client, keys = _connect(redis, name)
    writer = _writer(db)
    try:
        result = enqueue_seeds(client, keys, seeds.resolve(), writer, force=force)
    except CrawlInProgress as exc:
        raise _fail(str(exc), EXIT_PROBLEM) from None
    except SeedsFileError as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None
    finally:
        writer.engine.dispose()
    for problem in result.problems:
        console.print(f"seeds {escape(str(seeds))} {escape(problem)}: row skipped", highlight=False)
    console.print(f"crawl {name!r}: {result.requests} requests for {result.portals} portals queued on "
                  f"{redis.split('@')[-1]}", highlight=False)


@cluster_app.callback()
def status(
    ctx: typer.Context,
    redis: Redis = DEFAULT_REDIS,
    name: Name = "portals",
    top: Annotated[int, typer.Option(help="Hosts shown in the backlog.")] = 15,
) -> None:
    """Show the crawl: queue length, workers seen, hosts with the most requests waiting, duplicate filter size."""
    if ctx.invoked_subcommand is not None:
        return
    from harvester.cluster.status import cluster_status

    client, keys = _connect(redis, name)
    state = cluster_status(client, keys, top=top)
    summary = Table(title=f"crawl {name!r}", show_header=False)
    summary.add_column("", style="bold")
    summary.add_column("")
    phase = "not enqueued" if not state.started else "finished" if state.finished else (
        "drained" if state.drained else "running")
    rows = [
        ("state", f"{phase}" + (f" (enqueued {state.started})" if state.started else "")),
        ("queue length", str(state.queued)),
        ("in flight", str(state.inflight)),
        ("workers seen", f"{len(state.workers)} ({sum(w.alive for w in state.workers)} alive)"),
        ("hosts with a backlog", str(state.hosts_waiting)),
        ("duplicate filter", f"{state.dupefilter_entries} fingerprints, {state.dupefilter_bytes / 1024:.1f} KiB"),
        ("portals reached / incomplete", f"{state.portals_reached} / {state.portals_incomplete}"),
    ]
    if state.gone is not None:
        rows.append(("reports marked gone", str(state.gone)))
    for label, value in rows:
        summary.add_row(label, value)
    out.print(summary)
    if state.workers:
        workers = Table(title="workers")
        for column in ("worker", "alive", "in flight"):
            workers.add_column(column)
        for worker in state.workers:
            workers.add_row(worker.id, "yes" if worker.alive else "no", str(worker.inflight))
        out.print(workers)
    if state.backlog:
        backlog = Table(title="per-host backlog")
        backlog.add_column("host")
        backlog.add_column("queued", justify="right")
        for host, count in state.backlog:
            backlog.add_row(host, str(count))
        out.print(backlog)


@cluster_app.command()
def clean(redis: Redis = DEFAULT_REDIS, name: Name = "portals", force: Force = False) -> None:
    """Drop every Redis key of a finished crawl (queue, duplicate filter, workers, host leases)."""
    from harvester.cluster.enqueue import CrawlInProgress, check_idle
    from harvester.cluster.status import clean as drop_keys

    client, keys = _connect(redis, name)
    if not force:
        try:
            check_idle(client, keys)
        except CrawlInProgress as exc:
            raise _fail(str(exc), EXIT_PROBLEM) from None
    console.print(f"crawl {name!r}: {drop_keys(client, keys)} keys dropped", highlight=False)


@cluster_app.command()
def finish(redis: Redis = DEFAULT_REDIS, name: Name = "portals", db: Db = None, force: Force = False) -> None:
    """Mark gone the reports that the crawl's fully walked portals no longer publish.

    Workers do this themselves when the crawl drains; use it after a crawl
    whose last workers were stopped by hand.
    """
    from harvester.cluster.enqueue import CrawlInProgress, check_idle
    from harvester.cluster.status import finish as finish_crawl

    client, keys = _connect(redis, name)
    if not client.exists(keys.started):
        raise _fail(f"no crawl {name!r} enqueued on this Redis", EXIT_PROBLEM)
    if not force:
        try:
            check_idle(client, keys)
        except CrawlInProgress as exc:
            raise _fail(str(exc), EXIT_PROBLEM) from None
    writer = _writer(db)
    try:
        gone = finish_crawl(client, keys, writer)
    finally:
        writer.engine.dispose()
    console.print(f"crawl {name!r}: {gone} reports marked gone", highlight=False)
