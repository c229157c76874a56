"""A forward proxy that serves the farm's virtual hosts on 127.0.0.1.

The crawler reaches ``http://www.<county>.gov.cn/`` through ``http_proxy``, so
requests arrive in absolute form (``GET http://host/path HTTP/1.1``); origin
form with a Host header works too. Hosts not in the farm answer 502 like a
proxy that cannot reach a dead site, and CONNECT answers 405: the farm is
plain HTTP only.
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from harvester.farm.site import Page, Site, build_site

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest() + '"'


def _not_modified(page: Page, etag: str, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since when both are sent."""
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if if_modified_since and page.last_modified:
        try:
            return parsedate_to_datetime(page.last_modified) <= parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
    return False


def _simple(status: int, text: str) -> Page:
    html = f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{status}</title></head><body><h1>{text}</h1></body></html>"
    return Page(status=status, headers={"Content-Type": "text/html; charset=utf-8"}, body=html.encode(), validators=False)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    server: _FarmHTTPServer

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        """Silenced: the farm keeps its own structured request log."""

    def parse_request(self) -> bool:
        # Called as soon as the request line is read: the start of this request's interval in the log.
        self.started = time.time()
        return super().parse_request()

    def _target(self) -> tuple[str, str]:
        if self.path.lower().startswith(("http://", "https://")):
            parts = urlsplit(self.path)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            return (parts.hostname or "").lower(), path
        host = (self.headers.get("Host") or "").lower().partition(":")[0]
        return host, self.path

    def _respond(self, method: str, request_body: bytes = b"") -> None:
        host, path = self._target()
        farm = self.server.farm
        site = farm.site
        if method == "CONNECT":
            page = _simple(405, "CONNECT not supported: the farm is http only")
            page.headers["Allow"] = "GET, HEAD"
        elif host in LOCAL_HOSTS:
            page = farm.index_page()
        elif host not in site.hosts:
            page = _simple(502, f"Bad Gateway: cannot reach {host}")
        else:
            page = site.guard(host, path, self.headers.get("Cookie"))
            if page is None and method == "POST":
                page = site.post(host, path, request_body)
            if page is None:
                page = site.get(host, path) or _simple(404, "404 Not Found：您访问的页面不存在或已被删除")
                if method == "POST" and not page.accepts_post and page.status == 200:
                    page = _simple(405, "Method Not Allowed")
                    page.headers["Allow"] = "GET, HEAD"
        if_none_match = self.headers.get("If-None-Match")
        if_modified_since = self.headers.get("If-Modified-Since")
        status, headers, body = page.status, dict(page.headers), page.body
        if page.validators and status == 200:
            etag = etag_of(body)
            headers["ETag"] = etag
            if page.last_modified:
                headers["Last-Modified"] = page.last_modified
            if method in ("GET", "HEAD") and _not_modified(page, etag, if_none_match, if_modified_since):
                status, body = 304, b""
        farm._record({
            "started": self.started, "time": time.time(),
            "host": host, "path": path, "method": method, "status": status,
            "if_none_match": if_none_match, "if_modified_since": if_modified_since,
            "user_agent": self.headers.get("User-Agent"), "cookie": self.headers.get("Cookie"), "body": request_body or None,
        })
        self.send_response(status)
        for name, value in headers.items():
            if status == 304 and name.lower() == "content-type":
                continue
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if method != "HEAD" and status != 304:
            self.wfile.write(body)

    def do_GET(self) -> None:
        self._respond("GET")

    def do_HEAD(self) -> None:
        self._respond("HEAD")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._respond("POST", self.rfile.read(length) if length else b"")

    def do_CONNECT(self) -> None:
        self._respond("CONNECT")


class _FarmHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    farm: FarmServer

    def handle_error(self, request, client_address) -> None:
        """A client that hung up (a browser timing out, a crawler at its size limit) is no server error."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class FarmServer:
    """The portal farm on 127.0.0.1, serving in a background thread.

    >>> with FarmServer() as farm:  # doctest: +SKIP
    ...     os.environ["http_proxy"] = farm.proxy_url
    """

    def __init__(self, site: Site | None = None, port: int = 0) -> None:
        self.site = site if site is not None else build_site()
        self._httpd = _FarmHTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.farm = self
        self._thread: threading.Thread | None = None
        self._log: list[dict] = []
        self._log_lock = threading.Lock()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def request_log(self) -> list[dict]:
        """A snapshot of every request served so far, oldest first."""
        with self._log_lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    def _record(self, entry: dict) -> None:
        with self._log_lock:
            self._log.append(entry)

    def index_page(self) -> Page:
        """What a browser sees at the proxy's own address: the portals to start from."""
        from harvester.farm.catalog import PORTALS

        links = "".join(f'<li><a href="{p.seed_url}">{p.name}</a> {p.seed_url}</li>' for p in PORTALS.values())
        html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>portal farm</title></head><body>'
                f"<h1>portal farm</h1><p>Use http_proxy={self.proxy_url}</p><ul>{links}</ul></body></html>")
        return Page(headers={"Content-Type": "text/html; charset=utf-8"}, body=html.encode(), validators=False)

    def start(self) -> FarmServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, name=f"farm:{self.port}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> FarmServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
