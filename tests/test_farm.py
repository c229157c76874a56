"""The portal farm: a real proxy server, deterministic pages, and a truth that holds up."""

from __future__ import annotations

import csv
import io
import re
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator

import lxml.html
import pytest

from harvester.farm import FarmServer, build_site, dead_urls, expected_reports, noise_urls, write_seeds
from harvester.farm.catalog import PORTALS
from harvester.farm.seeds import SEEDS_CSV
from harvester.farm.truth import calendar_start_url, redirect_urls
from harvester.parse.numbers import parse_number
from harvester.parse.schema import (
    ACTIVE_2019,
    ACTIVE_2021,
    ACTIVE_COLUMN_LABELS,
    APPLICATION_COLUMNS,
    APPLICATION_ROWS_2019,
    APPLICATION_ROWS_2021,
    OUTCOME_ROWS_2019,
    OUTCOME_ROWS_2021,
    REVIEW_CELL_ORDER,
    REVIEW_COLUMNS,
    REVIEW_ROWS,
    match_active_row,
    match_application_row,
    normalise_label,
)

REPORTS = expected_reports()


@pytest.fixture(scope="module")
def farm() -> Iterator[FarmServer]:
    with FarmServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _no_proxy_bypass(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)


def opener(farm: FarmServer) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.ProxyHandler({"http": farm.proxy_url}))


def fetch(farm: FarmServer, url: str, headers: dict[str, str] | None = None, method: str = "GET",
          data: bytes | None = None) -> tuple[int, dict[str, str], bytes, str]:
    """Status, headers, body and final URL of ``url`` fetched through the farm's proxy."""
    request = urllib.request.Request(url, headers=headers or {}, method=method, data=data)
    try:
        with opener(farm).open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read(), response.url
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read(), url


def raw_request(farm: FarmServer, request_line: str, host: str | None = None) -> tuple[int, bytes]:
    """Send one request verbatim, to control the request-line form."""
    with socket.create_connection(("127.0.0.1", farm.port), timeout=10) as sock:
        head = request_line + "\r\n" + (f"Host: {host}\r\n" if host else "") + "Connection: close\r\n\r\n"
        sock.sendall(head.encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    raw = b"".join(chunks)
    status = int(raw.split(b" ", 2)[1])
    return status, raw.partition(b"\r\n\r\n")[2]


# --- the server as a proxy ----------------------------------------------------------


def test_absolute_form_proxying_serves_every_host(farm: FarmServer) -> None:
    hosts = {p.host for p in PORTALS.values()} | {h for p in PORTALS.values() for h in p.hosts}
    for host in sorted(hosts):
        status, headers, body, _ = fetch(farm, f"http://{host}/robots.txt")
        assert status == 200, host
        assert b"User-agent: *" in body
    status, _, body, _ = fetch(farm, "http://www.anding.gov.cn/")
    assert status == 200 and "定西市安定区人民政府".encode() in body
    status, _, body, _ = fetch(farm, "http://www.zhanggong.gov.cn/")
    assert status == 200 and "赣州市章贡区人民政府".encode() in body


def test_origin_form_with_host_header(farm: FarmServer) -> None:
    status, body = raw_request(farm, "GET /zwgk/ HTTP/1.1", host="www.anding.gov.cn")
    assert status == 200 and "政府信息公开".encode() in body
    status, _ = raw_request(farm, "GET http://www.anding.gov.cn:80/zwgk/ HTTP/1.1", host="www.anding.gov.cn")
    assert status == 200


def test_unknown_host_is_bad_gateway_and_unknown_path_not_found(farm: FarmServer) -> None:
    assert fetch(farm, "http://www.nosuchcounty.gov.cn/")[0] == 502
    assert fetch(farm, "http://www.anding.gov.cn/no/such/page.html")[0] == 404


def test_connect_is_refused(farm: FarmServer) -> None:
    status, _ = raw_request(farm, "CONNECT www.anding.gov.cn:443 HTTP/1.1", host="www.anding.gov.cn:443")
    assert status == 405


def test_head_and_post(farm: FarmServer) -> None:
    url = REPORTS[0]["sightings"][0]["url"]
    status, headers, body, _ = fetch(farm, url, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000
    assert fetch(farm, url, method="POST", data=b"a=1")[0] == 405
    assert fetch(farm, "http://www.anding.gov.cn/hdjl/submit.html", method="POST", data=b"title=x")[0] == 200


def test_conditional_requests_answer_304(farm: FarmServer) -> None:
    url = REPORTS[0]["sightings"][0]["url"]
    status, headers, body, _ = fetch(farm, url)
    assert status == 200
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    assert re.fullmatch(r'"[0-9a-f]{40}"', etag)
    assert fetch(farm, url, {"If-None-Match": etag})[0] == 304
    assert fetch(farm, url, {"If-Modified-Since": last_modified})[0] == 304
    assert fetch(farm, url, {"If-None-Match": '"stale"'})[0] == 200
    assert fetch(farm, url, {"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"})[0] == 200
    assert fetch(farm, url, {"If-None-Match": etag})[2] == b""


def test_one_portal_sends_no_validators(farm: FarmServer) -> None:
    url = next(r["sightings"][0]["url"] for r in REPORTS if "zhanggong" in r["sightings"][0]["url"])
    status, headers, _, _ = fetch(farm, url)
    assert status == 200 and "ETag" not in headers and "Last-Modified" not in headers
    assert fetch(farm, url, {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"})[0] == 200


def test_request_log_records_every_request(farm: FarmServer) -> None:
    farm.clear_log()
    fetch(farm, "http://www.dingxi.gov.cn/zfxxgk/?x=1", {"User-Agent": "farm-test", "If-None-Match": '"x"'})
    fetch(farm, "http://www.gone.gov.cn/")
    log = farm.request_log
    assert [(e["host"], e["path"], e["status"]) for e in log] == [
        ("www.dingxi.gov.cn", "/zfxxgk/?x=1", 404), ("www.gone.gov.cn", "/", 502)]
    assert log[0]["user_agent"] == "farm-test" and log[0]["if_none_match"] == '"x"'
    assert log[0]["method"] == "GET" and log[0]["if_modified_since"] is None and isinstance(log[0]["time"], float)


# --- content -------------------------------------------------------------------------


def test_gbk_portal_needs_gbk(farm: FarmServer) -> None:
    url = next(r["sightings"][0]["url"] for r in REPORTS if "nankang" in r["sightings"][0]["url"])
    status, headers, body, _ = fetch(farm, url)
    assert status == 200 and headers["Content-Type"] == "text/html"
    assert b'charset=gb2312' in body
    text = body.decode("gb18030")
    assert "堃" in text and "珺" in text and "镕" in text
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")


def test_every_sighting_answers_200_and_noise_exists(farm: FarmServer) -> None:
    for report in REPORTS:
        for sighting in report["sightings"]:
            status, _, body, final = fetch(farm, sighting["url"])
            assert status == 200 and final == sighting["url"], sighting
    for url in noise_urls():
        assert fetch(farm, url)[0] == 200, url
    for url in dead_urls():
        assert fetch(farm, url)[0] == 404, url


def test_old_address_redirects_permanently(farm: FarmServer) -> None:
    redirects = redirect_urls()
    assert redirects
    for old, new in redirects.items():
        status, body = raw_request(farm, f"GET {old} HTTP/1.1", host=old.split("/")[2])
        assert status == 301
        assert fetch(farm, old)[3] == new


def test_repost_and_second_column_carry_the_same_body(farm: FarmServer) -> None:
    multi = [r for r in REPORTS if len(r["sightings"]) > 1]
    assert {len({s["portal"] for s in r["sightings"]}) for r in multi} == {1, 2}
    for report in multi:
        bodies = {main_text(fetch(farm, s["url"])[2]) for s in report["sightings"]}
        assert len(bodies) == 1, report["title"]


def test_distinct_reports_have_distinct_text() -> None:
    site = build_site()
    texts = {main_text(page_of(site, r["sightings"][0]["url"]).body) for r in REPORTS}
    assert len(texts) == len(REPORTS)


def test_article_pages_carry_chrome_and_meta() -> None:
    site = build_site()
    with_meta = 0
    for report in REPORTS:
        html = decode(page_of(site, report["sightings"][0]["url"]).body)
        for marker in ("当前位置：", "字号：", "视力保护色", "【打印本页】", "【关闭窗口】", "分享到：", "微信",
                       "扫一扫在手机打开当前页", "责任编辑：", "主办单位：", "网站标识码：", "ICP备", "公网安备",
                       "首页", "政务公开", "政务服务", "互动交流"):
            assert marker in html, (marker, report["title"])
        assert f"<title>{report['title']}_" in html
        assert re.search(r"发布(时间|日期)：" + report["published_at"][:10], html)
        with_meta += 'name="ArticleTitle"' in html
    assert 0 < with_meta < len(REPORTS)


def test_robots_and_traps(farm: FarmServer) -> None:
    _, _, robots, _ = fetch(farm, "http://www.anding.gov.cn/robots.txt")
    assert b"Disallow: /search/" in robots
    _, _, home, _ = fetch(farm, "http://www.anding.gov.cn/")
    assert b'href="/search/?q=' in home
    status, _, results, _ = fetch(farm, "http://www.anding.gov.cn/search/?q=x")
    assert status == 200 and "年政府信息公开工作年度报告".encode() in results
    status, _, day, _ = fetch(farm, calendar_start_url())
    assert status == 200 and b"/calendar/?date=2025-01-02" in day
    _, _, later, _ = fetch(farm, calendar_start_url().replace("2025-01-01", "2031-07-09"))
    assert b"/calendar/?date=2031-07-10" in later


def test_list_pagination_styles(farm: FarmServer) -> None:
    _, _, first, _ = fetch(farm, "http://www.anding.gov.cn/zwgk/zfxxgk/zfxxgknb/")
    assert "下一页".encode() in first and b'?page=2"' in first
    _, _, trs, _ = fetch(farm, "http://xxgk.longxi.gov.cn/xxgknb/index.html")
    assert b'createPageHTML(3, 0, "index", "html")' in trs and b'href="./2025' in trs
    for n in (1, 2):
        assert fetch(farm, f"http://xxgk.longxi.gov.cn/xxgknb/index_{n}.html")[0] == 200
    _, _, home, _ = fetch(farm, "http://www.longxi.gov.cn/")
    assert b"http://xxgk.longxi.gov.cn/" in home
    _, _, hanweb, _ = fetch(farm, "http://www.nankang.gov.cn/col/col1234/index.html")
    assert "下一页".encode("gbk") in hanweb and b"/art/2025/" in hanweb


def test_build_site_is_deterministic() -> None:
    first, second = build_site(), build_site()
    assert first.pages.keys() == second.pages.keys()
    assert all(first.pages[key] == second.pages[key] for key in first.pages)


def test_site_mutation_helpers(farm: FarmServer) -> None:
    url = "http://www.anding.gov.cn/zwgk/new.html"
    farm.site.put_html("www.anding.gov.cn", "/zwgk/new.html", "<html><body>新</body></html>")
    assert fetch(farm, url)[0] == 200
    farm.site.remove("www.anding.gov.cn", "/zwgk/new.html")
    assert fetch(farm, url)[0] == 404


def test_seeds(tmp_path) -> None:
    path = write_seeds(tmp_path / "seeds.csv")
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert path.read_text(encoding="utf-8") == SEEDS_CSV
    assert list(rows[0]) == ["name", "url", "region_code", "level", "parent"]
    assert {r["url"] for r in rows} == {s["portal"] for r in REPORTS for s in r["sightings"]}
    assert all(re.fullmatch(r"\d{6}", r["region_code"]) for r in rows)
    assert {r["level"] for r in rows} == {"county", "prefecture"}


# --- the truth ------------------------------------------------------------------------


def test_truth_shape() -> None:
    assert 25 <= len(REPORTS) <= 40
    formats = {r["format_version"] for r in REPORTS}
    assert formats == {"2021", "2019", "pre2019"}
    for report in REPORTS:
        assert set(report) >= {"title", "agency", "year", "published_at", "format_version", "tables",
                               "sightings", "region_code"}
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:00\+08:00)?", report["published_at"])
        assert int(report["published_at"][:4]) == report["year"] + 1
        tables = report["tables"]
        if report["format_version"] == "pre2019":
            assert tables == {}
            continue
        new_format = report["format_version"] == "2021"
        assert list(tables["applications"]) == list(APPLICATION_ROWS_2021 if new_format else APPLICATION_ROWS_2019)
        assert all(list(cols) == list(APPLICATION_COLUMNS) for cols in tables["applications"].values())
        active = ACTIVE_2021 if new_format else ACTIVE_2019
        assert {row: tuple(cols) for row, cols in tables["active"].items()} == active
        assert list(tables["reviews"]) == list(REVIEW_ROWS)
        assert all(list(cols) == list(REVIEW_COLUMNS) for cols in tables["reviews"].values())
    place_only = [r for r in REPORTS if not r["title"].startswith(r["agency"])]
    assert place_only and all(r["agency"].endswith("人民政府") for r in place_only)
    assert any(None in cols.values() for r in REPORTS for t in r["tables"].values() for cols in t.values())


def _sum(values: list) -> int | float | None:
    return None if any(v is None for v in values) else sum(values)


def test_truth_satisfies_consistency_rules() -> None:
    checked = 0
    for report in REPORTS:
        if report["format_version"] == "pre2019":
            continue
        apps, reviews = report["tables"]["applications"], report["tables"]["reviews"]
        outcomes = OUTCOME_ROWS_2021 if report["format_version"] == "2021" else OUTCOME_ROWS_2019
        for blanks_as_zero in (False, True):
            def v(row: str, col: str, table: dict = apps) -> int | None:
                value = table[row][col]
                return 0 if value is None and blanks_as_zero else value

            for col in APPLICATION_COLUMNS:
                left, right = _sum([v("new", col), v("carried_over", col)]), _sum([v("total", col), v("carried_forward", col)])
                if left is not None and right is not None:
                    assert left == right, ("balance", report["title"], col)
                    checked += 1
                outcome = _sum([v(row, col) for row in outcomes])
                if outcome is not None and v("total", col) is not None:
                    assert outcome == v("total", col), ("outcomes_sum", report["title"], col)
            for row in apps:
                parts = _sum([v(row, col) for col in APPLICATION_COLUMNS[:6]])
                if parts is not None:
                    assert parts == v(row, "total"), ("row_sum", report["title"], row)
            for row in REVIEW_ROWS:
                parts = _sum([v(row, col, reviews) for col in REVIEW_COLUMNS[:4]])
                if parts is not None:
                    assert parts == v(row, "total", reviews), ("reviews_sum", report["title"], row)
    assert checked > 100


def test_truth_satisfies_carry_chain() -> None:
    by_agency = {(r["agency"], r["year"]): r for r in REPORTS if r["format_version"] != "pre2019"}
    chained = 0
    for (agency, year), report in by_agency.items():
        previous = by_agency.get((agency, year - 1))
        if previous:
            assert report["tables"]["applications"]["carried_over"] == previous["tables"]["applications"]["carried_forward"]
            chained += 1
    assert chained >= 10


def test_text_states_the_table_figures() -> None:
    site = build_site()
    for report in REPORTS:
        if report["format_version"] == "pre2019":
            continue
        text = main_text(page_of(site, report["sightings"][0]["url"]).body)
        new = report["tables"]["applications"]["new"]["total"]
        review = report["tables"]["reviews"]["review"]["total"]
        assert f"本年新收政府信息公开申请{new}件" in text
        assert f"行政复议{review}件" in text


def test_page_tables_read_back_as_the_truth() -> None:
    """Reading the served tables cell by cell (rowspan/colspan expanded) gives the truth."""
    site = build_site()
    for report in REPORTS:
        doc = lxml.html.fromstring(decode(page_of(site, report["sightings"][0]["url"]).body))
        tables = doc.xpath("//div[@id='zoom' or @class='TRS_Editor']//table")
        if report["format_version"] == "pre2019":
            assert len(tables) == 1
            continue
        assert len(tables) == 3
        read = {"active": read_active(grid(tables[0])), "applications": read_applications(grid(tables[1])),
                "reviews": read_reviews(grid(tables[2]))}
        assert read == report["tables"], report["title"]


# --- helpers -------------------------------------------------------------------------


def page_of(site, url: str):
    host, _, path = url.removeprefix("http://").partition("/")
    return site.get(host, "/" + path)


def decode(body: bytes) -> str:
    return body.decode("gb18030") if b"charset=gb2312" in body[:400] else body.decode("utf-8")


def main_text(body: bytes) -> str:
    doc = lxml.html.fromstring(decode(body))
    main = doc.xpath("//div[@id='zoom' or @class='TRS_Editor']")[0]
    return re.sub(r"\s+", "", main.text_content())


def grid(table) -> list[list[tuple[int, str]]]:
    """The table as a full grid of (cell id, text), spans expanded."""
    rows: list[list[tuple[int, str]]] = []
    pending: dict[tuple[int, int], tuple[int, str]] = {}
    for r, tr in enumerate(table.xpath(".//tr")):
        row: list[tuple[int, str]] = []
        cells = iter(tr.xpath("./td|./th"))
        c = 0
        while True:
            if (r, c) in pending:
                row.append(pending.pop((r, c)))
                c += 1
                continue
            cell = next(cells, None)
            if cell is None:
                break
            value = (r * 1000 + c, cell.text_content().strip())
            for dr in range(int(cell.get("rowspan", 1))):
                for dc in range(int(cell.get("colspan", 1))):
                    if dr == 0:
                        row.append(value)
                    else:
                        pending[(r + dr, c + dc)] = value
            c += int(cell.get("colspan", 1))
        rows.append(row)
    return rows


def _distinct(cells: list[tuple[int, str]]) -> list[str]:
    seen, out = set(), []
    for ident, text in cells:
        if ident not in seen:
            seen.add(ident)
            out.append(text)
    return out


def read_active(rows: list[list[tuple[int, str]]]) -> dict:
    table, columns = {}, []
    for row in rows:
        texts = _distinct(row)
        if texts[0] == "信息内容":
            columns = [next(k for k, label in ACTIVE_COLUMN_LABELS.items() if normalise_label(t).endswith(
                normalise_label(label))) for t in texts[1:]]
        elif (key := match_active_row(texts[0])) and len(texts) > 1:
            table[key] = {col: parse_number(t) for col, t in zip(columns, texts[1:])}
    return table


def read_applications(rows: list[list[tuple[int, str]]]) -> dict:
    table = {}
    for row in rows[3:]:
        labels = _distinct(row[:-7])
        key = match_application_row("".join(labels))
        table[key] = {col: parse_number(text) for col, (_, text) in zip(APPLICATION_COLUMNS, row[-7:])}
    return table


def read_reviews(rows: list[list[tuple[int, str]]]) -> dict:
    assert len(rows[-1]) == 15 and len(rows[0]) == 15
    table: dict = {}
    for (row, col), (_, text) in zip(REVIEW_CELL_ORDER, rows[-1]):
        table.setdefault(row, {})[col] = parse_number(text)
    return table
