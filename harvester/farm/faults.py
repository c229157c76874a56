"""The farm with faults: broken servers and hostile pages, on purpose.

:class:`FaultyFarmServer` is the ordinary farm plus

* a *fault portal* (``www.faults.gov.cn``) whose report column links one page
  per kind of fault in :data:`FAULTS` — a 300 MB page, a gzip bomb, an endless
  chunked body, a slow drip, a connection closed mid-body, GBK served as UTF-8,
  binary served as HTML, 10,000-level nesting, ``rowspan="100000"``, redirect
  loops and chains, 429 with Retry-After, a 5xx storm — next to healthy reports;
* optionally, *random transient faults* on every other page (5xx, 429, a
  connection closed mid-body, a slow start) chosen by a fixed seed, each on a
  URL's first attempt only, so a polite retrying crawler still gets everything;
* optionally, *stalls*: chosen pages whose first attempts are answered only after a wait.

What harvester must do with each is in :data:`FAULTS`'s ``expect``; the tests
and ``bench/bench_soak.py`` hold it to that.
"""

from __future__ import annotations

import random
import threading
import time
import zlib
from dataclasses import dataclass
from functools import cache

from harvester.farm.server import FarmServer, _Handler
from harvester.farm.site import Page, Site, build_site, html_page

FAULT_HOST = "www.faults.gov.cn"
FAULT_SEED_URL = f"http://{FAULT_HOST}/"
COLUMN = "/zwgk/zfxxgknb/"
TEMPLATE = ("www.anding.gov.cn", "/zwgk/zfxxgk/zfxxgknb/content_5170.html")  # 定西市安定区财政局 2024
TEMPLATE_AGENCY = "定西市安定区财政局"
#: Bytes served for the oversized page; DOWNLOAD_MAXSIZE (64 MiB) must cut it.
HUGE_BYTES = 300 * 1024 * 1024
#: Uncompressed size of the gzip bomb (about 0.2 MB on the wire).
BOMB_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Fault:
    path: str
    agency: str
    #: "stored": the report must be harvested; "refused": never stored, the crawl goes on.
    expect: str
    what: str


FAULTS: tuple[Fault, ...] = (
    Fault("huge.html", "会宁县发展和改革局", "refused", "a 300 MB page"),
    Fault("bomb.html", "会宁县工业和信息化局", "refused", "a gzip bomb (256 MB inflated)"),
    Fault("endless.html", "会宁县教育局", "refused", "an endless chunked body"),
    Fault("drip.html", "会宁县科学技术局", "refused", "a slow drip: one byte a second"),
    Fault("cut.html", "会宁县公安局", "refused", "the connection closed mid-body"),
    Fault("binary.html", "会宁县民政局", "refused", "binary served as text/html"),
    Fault("storm.html", "会宁县司法局", "refused", "a 5xx storm: always 503"),
    Fault("loop.html", "会宁县财政局", "refused", "a redirect loop"),
    Fault("gbk-as-utf8.html", "会宁县人力资源和社会保障局", "stored", "GBK bytes served as charset=utf-8"),
    # libxml2 stops building the tree at depth 256, so nothing of the report is left: refused, with a reason.
    Fault("nested.html", "会宁县自然资源局", "refused", "the report inside 10,000 nested <div>s"),
    Fault("rowspan.html", "会宁县生态环境局", "stored", 'a table cell with rowspan="100000"'),
    Fault("chain.html", "会宁县住房和城乡建设局", "stored", "a chain of 5 redirects to the report"),
    Fault("busy.html", "会宁县交通运输局", "stored", "429 with Retry-After: 1, then the report"),
    Fault("healthy.html", "会宁县水务局", "stored", "a healthy report"),
)


def fault_title(fault: Fault) -> str:
    return f"{fault.agency}2024年政府信息公开工作年度报告"


@cache
def _template() -> str:
    page = build_site().get(*TEMPLATE)
    return page.body.decode("utf-8")


def report_html(fault: Fault) -> str:
    """A real-looking report page of the fault portal: the farm's template with another publisher."""
    return _template().replace(TEMPLATE_AGENCY, fault.agency).replace("定西市安定区", "会宁县")


@cache
def gzip_bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(BOMB_BYTES // len(chunk))]
    return b"".join(parts) + compressor.flush()


def fault_site(base: Site | None = None) -> Site:
    """The farm plus the fault portal's ordinary pages (the faults themselves are served by the handler)."""
    site = base if base is not None else build_site()
    links = "".join(f'<li><a href="{COLUMN}{fault.path}">{fault_title(fault)}</a></li>' for fault in FAULTS)
    site.put_html(FAULT_HOST, "/", f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>会宁县人民政府</title></head>
<body><div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div></body></html>""")
    site.put_html(FAULT_HOST, "/zwgk/", f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>政务公开_会宁县人民政府</title></head>
<body><a href="{COLUMN}">政府信息公开年报</a></body></html>""")
    site.put_html(FAULT_HOST, COLUMN, f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报_会宁县人民政府</title></head>
<body><h2>政府信息公开年报</h2><ul class="list">{links}</ul></body></html>""")
    site.put(FAULT_HOST, "/robots.txt", Page(headers={"Content-Type": "text/plain"}, body=b"User-agent: *\nAllow: /\n"))
    by_path = {fault.path: fault for fault in FAULTS}
    for name in ("gbk-as-utf8.html", "nested.html", "rowspan.html", "healthy.html", "busy.html", "chain-end.html"):
        fault = by_path.get(name, by_path["chain.html"])
        html = report_html(fault)
        if name == "gbk-as-utf8.html":
            page = html_page(html.replace('charset="utf-8"', "").replace("charset=utf-8", ""), encoding="gbk")
            page.headers["Content-Type"] = "text/html; charset=utf-8"
            site.put(FAULT_HOST, COLUMN + name, page)
            continue
        if name == "nested.html":
            html = html.replace("<body>", "<body>" + "<div>" * 10_000, 1).replace("</body>", "</div>" * 10_000 + "</body>", 1)
        if name == "rowspan.html":
            html = html.replace("<td", '<td rowspan="100000"', 1)
        site.put_html(FAULT_HOST, COLUMN + name, html)
    return site


class _FaultyHandler(_Handler):
    server: object

    def _respond(self, method: str, body: bytes = b"") -> None:
        host, path = self._target()
        farm: FaultyFarmServer = self.server.farm  # type: ignore[attr-defined]
        attempt = farm.count_attempt(host, path)
        if host == FAULT_HOST and path.startswith(COLUMN) and self._serve_fault(path.removeprefix(COLUMN), attempt):
            farm._record({"time": time.time(), "host": host, "path": path, "method": method, "status": -1,
                          "if_none_match": None, "if_modified_since": None,
                          "user_agent": self.headers.get("User-Agent"), "fault": path})
            return
        if farm.random_fault(host, path, attempt, self):
            return
        stalls = farm.stalls.get((host, path), ())
        if attempt <= len(stalls):
            time.sleep(stalls[attempt - 1])
        super()._respond(method, body)

    def _head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def _stream(self, chunk: bytes, total: int | None, pause: float = 0.0, deadline: float = 120.0) -> None:
        """Write ``chunk`` repeatedly until ``total`` bytes, the client leaves, or the deadline."""
        sent, started = 0, time.monotonic()
        try:
            while (total is None or sent < total) and time.monotonic() - started < deadline:
                self.wfile.write(chunk)
                sent += len(chunk)
                if pause:
                    self.wfile.flush()
                    time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError, OSError):
            return

    def _serve_fault(self, name: str, attempt: int) -> bool:
        html_type = {"Content-Type": "text/html; charset=utf-8"}
        if name == "huge.html":
            self._head(200, {**html_type, "Content-Length": str(HUGE_BYTES)})
            self._stream(b"<p>" + b"x" * 65533, HUGE_BYTES)
        elif name == "bomb.html":
            bomb = gzip_bomb()
            self._head(200, {**html_type, "Content-Encoding": "gzip", "Content-Length": str(len(bomb))})
            self._stream(bomb, len(bomb))
        elif name == "endless.html":
            self._head(200, {**html_type, "Transfer-Encoding": "chunked"})
            piece = b"<p>" + b"y" * 65533
            self._stream(b"%x\r\n" % len(piece) + piece + b"\r\n", None)
        elif name == "drip.html":
            self._head(200, {**html_type, "Content-Length": "100000"})
            self._stream(b"<", 100000, pause=1.0, deadline=60)
        elif name == "cut.html":
            html = report_html(FAULTS[4]).encode()
            self._head(200, {**html_type, "Content-Length": str(len(html))})
            self._stream(html[: len(html) // 2], len(html) // 2)
        elif name == "binary.html":
            noise = random.Random(7).randbytes(200_000)
            self._head(200, {**html_type, "Content-Length": str(len(noise))})
            self._stream(noise, len(noise))
        elif name == "storm.html":
            self._head(503, {**html_type, "Content-Length": "0"})
        elif name in ("loop.html", "loop2.html"):
            target = "loop2.html" if name == "loop.html" else "loop.html"
            self._head(302, {"Location": COLUMN + target, "Content-Length": "0"})
        elif name.startswith("chain") and name != "chain-end.html":
            step = int(name.removeprefix("chain").removesuffix(".html") or 0)
            target = f"chain{step + 1}.html" if step < 4 else "chain-end.html"
            self._head(301, {"Location": COLUMN + target, "Content-Length": "0"})
        elif name == "busy.html" and attempt == 1:
            self._head(429, {**html_type, "Retry-After": "1", "Content-Length": "0"})
        else:
            return False
        return True


class FaultyFarmServer(FarmServer):
    """The farm with the fault portal, and random transient faults when ``fault_rate`` > 0."""

    def __init__(self, site: Site | None = None, port: int = 0, *, fault_rate: float = 0.0, seed: int = 1,
                 stalls: dict[tuple[str, str], tuple[float, ...]] | None = None) -> None:
        super().__init__(fault_site(site), port)
        self._httpd.RequestHandlerClass = _FaultyHandler
        self.fault_rate = fault_rate
        self.seed = seed
        #: (host, path) -> seconds each attempt in turn waits before it is answered; later attempts never wait.
        self.stalls = dict(stalls or {})
        self._attempts: dict[tuple[str, str], int] = {}
        self._attempts_lock = threading.Lock()
        self.injected: dict[str, int] = {}

    def count_attempt(self, host: str, path: str) -> int:
        with self._attempts_lock:
            self._attempts[(host, path)] = self._attempts.get((host, path), 0) + 1
            return self._attempts[(host, path)]

    def random_fault(self, host: str, path: str, attempt: int, handler: _FaultyHandler) -> bool:
        """Maybe fail this request; only first attempts, and never robots.txt, so retries recover."""
        if not self.fault_rate or attempt > 1 or path == "/robots.txt" or host == FAULT_HOST:
            return False
        draw = random.Random(f"{self.seed}:{host}{path}").random()
        if draw >= self.fault_rate:
            return False
        kind = ("503", "429", "cut", "slow")[int(draw / self.fault_rate * 4) % 4]
        with self._attempts_lock:
            self.injected[kind] = self.injected.get(kind, 0) + 1
        self._record({"time": time.time(), "host": host, "path": path, "method": "GET", "status": -1,
                      "if_none_match": None, "if_modified_since": None, "user_agent": handler.headers.get("User-Agent"),
                      "fault": kind})
        if kind == "503":
            handler._head(503, {"Content-Length": "0"})
        elif kind == "429":
            handler._head(429, {"Retry-After": "1", "Content-Length": "0"})
        elif kind == "cut":
            handler._head(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": "5000"})
            handler._stream(b"<html><body>", 12)
        else:
            time.sleep(2)
            return False
        return True
