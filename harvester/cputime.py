"""CPU seconds by crawl stage: where a crawl's processor time goes.

The spider, the pipelines and the pure readers mark their work with
:func:`stage`; time is charged to the innermost stage only, so a parse inside
an extraction is not counted twice. What no stage claims (Scrapy's engine,
the downloader, middlewares, Twisted) is ``fetch``. The counters are
process-wide because the readers are pure functions that know nothing of
Scrapy; :class:`StageCpuExtension` turns them into crawl stats
(``harvester/cpu/<stage>``) and the crawl run's counts. No Scrapy import at module
level: the pure readers use the clock too.
"""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

STAGES = ("fetch", "discover", "extract", "parse", "store")
P = ParamSpec("P")
R = TypeVar("R")


class StageClock:
    """Exclusive CPU time per stage: entering a stage pauses the one it is nested in."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self._stack: list[str] = []
        self._since = 0.0

    def _charge(self, now: float) -> None:
        if self._stack:
            self.seconds[self._stack[-1]] += now - self._since
        self._since = now

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self._charge(time.process_time())
        self._stack.append(name)
        try:
            yield
        finally:
            self._charge(time.process_time())
            self._stack.pop()


CLOCK = StageClock()
stage = CLOCK.stage


def in_stage(name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator form of :func:`stage` for methods that are a stage's work as a whole."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with CLOCK.stage(name):
                return function(*args, **kwargs)

        return wrapper

    return decorate


class StageCpuExtension:
    """Puts the crawl's CPU seconds per stage into the stats when the spider closes.

    Enabled before the crawl-run extension so the figures reach the run's counts.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.started_total = 0.0
        self.started: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StageCpuExtension:
        from scrapy import signals

        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider=None) -> None:
        self.started_total = time.process_time()
        self.started = Counter(CLOCK.seconds)

    def spider_closed(self, spider=None, reason: str | None = None) -> None:
        total = time.process_time() - self.started_total
        claimed = {name: CLOCK.seconds[name] - self.started[name] for name in STAGES if name != "fetch"}
        figures = {"fetch": max(total - sum(claimed.values()), 0.0), **claimed, "total": total}
        for name, seconds in figures.items():
            self.crawler.stats.set_value(f"harvester/cpu/{name}", round(seconds, 3))
