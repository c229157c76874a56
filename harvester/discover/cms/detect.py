"""Which CMS built a page, from the page itself: markers each family cannot help leaving."""

from __future__ import annotations

import re

FAMILIES = ("hanweb", "trs", "gkmlpt", "ucap")

_GKMLPT = re.compile(r"window\._CONFIG\s*=\s*\{[^<]*\bSID\b", re.S)
_HANWEB = re.compile(r"<datastore>|/module/web/jpage/dataproxy\.jsp|\.jpage\(\s*\{", re.I)
_TRS = re.compile(r"createPageHTML\s*\(|class=[\"']?TRS_(UE)?Editor|/t\d{8}_\d+\.s?html?", re.I)
_UCAP = re.compile(r"<ucapcontent|ucapPage\s*\(|UCAP-CONTENT|/list(_\d+)?\.shtml", re.I)
_UCAP_URL = re.compile(r"/list(_\d+)?\.shtml$", re.I)
#: Scripts that draw content into the page; with no links in the markup, only a browser sees the list.
_DOM_WRITING = re.compile(r"createElement\s*\(|appendChild\s*\(|innerHTML\s*=|insertAdjacentHTML|document\.write\s*\(|"
                          r"\.(html|append)\s*\(", re.I)
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)


def detect(url: str, html: str) -> str | None:
    """The CMS family of a page, or None for anything else (walked by generic link scoring).

    >>> detect("http://x.gov.cn/gkmlpt/index", "<script>window._CONFIG = {SID: '7'};</script>")
    'gkmlpt'
    >>> detect("http://x.gov.cn/col/col1/index.html", '<script type="text/xml"><datastore></datastore></script>')
    'hanweb'
    >>> detect("http://x.gov.cn/a/index.html", "<p>nothing special</p>") is None
    True
    """
    text = html or ""
    if _GKMLPT.search(text):
        return "gkmlpt"
    if _HANWEB.search(text):
        return "hanweb"
    if _TRS.search(text):
        return "trs"
    if _UCAP.search(text) or _UCAP_URL.search(url):
        return "ucap"
    return None


_LOOP = re.compile(r"\bfor\s*\(|\bwhile\s*\(|\.forEach\s*\(|\.map\s*\(|\$\.each\s*\(", re.I)


def draws_with_script(html: str) -> bool:
    """True when an inline script draws a list into the page (writes to the DOM in a loop).

    A lone ``document.write(hits)`` (a view counter) is not a list.

    >>> draws_with_script("<script>for(var i=0;i<d.length;i++){ul.appendChild(li)}</script>")
    True
    >>> draws_with_script("<script>document.write(hits)</script>")
    False
    """
    return any(_DOM_WRITING.search(script) and _LOOP.search(script) for script in _SCRIPT.findall(html or ""))
