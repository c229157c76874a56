"""WARC export: the raw captured responses of reports, with their request, via warcio.

Each stored version of a selected report has its raw body in ``blobs``; the
crawl's ``fetches`` row for that address gives the exchange around it (status,
the headers we kept: Content-Type, ETag, Last-Modified; referer; time). Each
capture becomes a ``request`` record and a ``response`` record (WARC/1.1,
gzip per record), so replay tools and ``warcio`` read the export like any crawl
archive. A version whose exchange is not in ``fetches`` (an older store) is still
written, as a 200 response dated when the version was first seen.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from http.client import responses
from io import BytesIO
from typing import BinaryIO
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from harvester.query import capture_fetches
from harvester.store.models import Blob, Fetch, Report, ReportVersion

#: Reports whose captures are looked up together: one query for blobs and fetches per batch.
BATCH_REPORTS = 50


def _warc_date(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return datetime_to_iso_date(moment, use_micros=True)


def _closest(fetches: list[Fetch], moment: datetime) -> Fetch | None:
    """The fetch nearest in time to when the version was stored (the crawl that captured it)."""
    def distance(fetch: Fetch) -> float:
        a, b = fetch.fetched_at, moment
        if (a.tzinfo is None) != (b.tzinfo is None):
            a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
        return abs((a - b).total_seconds())

    return min(fetches, key=distance) if fetches else None


def _body(blob: Blob) -> bytes:
    return zlib.decompress(blob.data) if blob.compression == "zlib" else blob.data


class CaptureWriter:
    """Writes request/response pairs for report versions to one WARC stream."""

    def __init__(self, stream: BinaryIO, software: str = "harvester") -> None:
        self.writer = WARCWriter(stream, gzip=True, warc_version="1.1")
        self.writer.write_record(self.writer.create_warcinfo_record(
            None, {"software": software, "format": "WARC File Format 1.1",
                   "description": "raw responses of government information-disclosure annual reports"},
        ))
        self.records = 0

    def write_version(self, report: Report, version: ReportVersion, body: bytes, fetch: Fetch | None) -> None:
        url = version.url
        moment = fetch.fetched_at if fetch else version.seen_at
        date = _warc_date(moment)
        status = fetch.status if fetch and fetch.status else 200
        headers = [("Content-Length", str(len(body)))]
        if fetch is not None:
            headers += [(name, value) for name, value in (
                ("Content-Type", fetch.content_type), ("ETag", fetch.etag), ("Last-Modified", fetch.last_modified),
            ) if value]
        http = StatusAndHeaders(f"{status} {responses.get(status, 'OK')}", headers, protocol="HTTP/1.1")
        extra = {"WARC-Date": date, "WARC-Harvester-Report-Id": report.report_key,
                 "WARC-Harvester-Content-Hash": version.content_hash}
        response = self.writer.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                                  http_headers=http, warc_headers_dict=extra)
        self.writer.write_record(response)
        self.writer.write_record(self._request(url, fetch, date, response.rec_headers.get_header("WARC-Record-ID")))
        self.records += 2

    def _request(self, url: str, fetch: Fetch | None, date: str, response_id: str):
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = [("Host", parts.netloc)]
        if fetch is not None and fetch.referer:
            headers.append(("Referer", fetch.referer))
        method = fetch.method if fetch is not None and fetch.method else "GET"
        http = StatusAndHeaders(f"{method} {target} HTTP/1.1", headers, is_http_request=True)
        return self.writer.create_warc_record(url, "request", http_headers=http,
                                              warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response_id})


def _batches(reports: Iterable[Report], size: int) -> Iterator[list[Report]]:
    batch: list[Report] = []
    for report in reports:
        batch.append(report)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_captures(session: Session, reports: Iterable[Report], stream: BinaryIO, on_report=None) -> int:
    """Write every version of these reports that has a raw body; return the number of responses written."""
    writer = CaptureWriter(stream)
    responses_written = 0
    for batch in _batches(reports, BATCH_REPORTS):
        versions = [(report, version) for report in batch for version in report.versions if version.blob_sha256]
        blobs = {blob.sha256: blob for blob in session.scalars(
            select(Blob).where(Blob.sha256.in_({version.blob_sha256 for _, version in versions}))
        )}
        fetches = capture_fetches(session, (version.url for _, version in versions))
        for report, version in versions:
            blob = blobs.get(version.blob_sha256)
            if blob is None:
                continue
            writer.write_version(report, version, _body(blob), _closest(fetches.get(version.url, []), version.seen_at))
            responses_written += 1
        for report in batch:
            if on_report:
                on_report(report)
        for blob in blobs.values():
            session.expunge(blob)
    return responses_written
