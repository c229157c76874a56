"""Bytes of a fetched page -> text, the way a browser would, plus the lies portals tell.

The order is w3lib's (BOM -> HTTP header -> ``<meta>`` -> detection, with gb2312/gbk
read as gb18030), but a declaration is only trusted when the bytes decode cleanly
under it: Chinese portals often serve GBK pages as ``charset=utf-8`` or keep a
``gb2312`` template around a CMS that writes UTF-8.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes
from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
    to_unicode,
)

# Share of decoding errors, per non-ASCII character, that a right guess still shows:
# CMS list pages cut titles mid-character, so a real page has a few broken
# sequences, while a wrong guess breaks nearly every character.
MAX_ERROR_RATE = 0.02

# Encodings that decode any byte sequence, so "decodes cleanly" proves nothing for
# them; a Chinese page is never really in one of them.
_PERMISSIVE = frozenset({"cp1252", "latin_1", "iso8859-1", "ascii", "cp437"})

# Codecs Python knows that are no page's charset: decoding with them fails outright
# (idna, punycode, undefined) or turns escapes into code points, lone surrogates included.
_NOT_CHARSETS = frozenset({"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape", "utf-7"})


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)`` for the bytes of an HTML page.

    >>> decode_html('<meta charset="gb2312"><p>朱镕基</p>'.encode("gbk"))
    ('<meta charset="gb2312"><p>朱镕基</p>', 'gb18030')
    >>> decode_html("<p>政府信息公开</p>".encode("gbk"), "text/html; charset=utf-8")[1]
    'gb18030'
    """
    bom_encoding, _ = read_bom(body)
    if bom_encoding is not None:
        encoding, text = html_to_unicode(content_type, body)
        return text, encoding
    for encoding in _candidates(body, content_type):
        if _decodes_cleanly(body, encoding):
            return to_unicode(body, encoding), encoding
    # Nothing decodes cleanly: keep the page's own word, else the likeliest for a mainland portal.
    encoding = next(iter(_declared(body, content_type)), "gb18030")
    return to_unicode(body, encoding), encoding


def _declared(body: bytes, content_type: str | None) -> list[str]:
    found = [http_content_type_encoding(content_type), html_body_declared_encoding(body)]
    return [enc for enc in (_canonical(enc) for enc in found if enc) if enc not in _NOT_CHARSETS]


def _candidates(body: bytes, content_type: str | None) -> list[str]:
    """Encodings to try, most trusted first, without repeats."""
    declared = _declared(body, content_type)
    trusted = [enc for enc in declared if enc not in _PERMISSIVE]
    ordered: list[str] = []
    if "gb18030" in trusted and _is_utf8(body):
        # A gb2312 template around UTF-8 content: valid multi-byte UTF-8 is
        # practically never GBK by accident, so the bytes outrank the label.
        ordered.append("utf-8")
    ordered += trusted
    ordered += ["utf-8", "gb18030"]
    detected = _detect(body)
    if detected:
        ordered.append(detected)
    ordered += [enc for enc in declared if enc in _PERMISSIVE]
    return list(dict.fromkeys(ordered))


def _canonical(encoding: str) -> str:
    resolved = resolve_encoding(encoding) or encoding
    try:
        return codecs.lookup(resolved).name
    except LookupError:
        return resolved


def _is_utf8(body: bytes) -> bool:
    return not body.isascii() and _decodes_cleanly(body, "utf-8")


def _decodes_cleanly(body: bytes, encoding: str) -> bool:
    try:
        text = to_unicode(body, encoding)
    except (LookupError, UnicodeError):
        return False
    errors = text.count("\ufffd")
    if not errors:
        return True
    non_ascii = sum(1 for char in text if ord(char) > 127)
    return errors / max(non_ascii, 1) <= MAX_ERROR_RATE


def _detect(body: bytes) -> str | None:
    best = from_bytes(body[:65536]).best()
    if best is None:
        return None
    return _canonical(best.encoding)
