"""Fetching: downloader middlewares that budget, record, revalidate and unblock requests.

Scrapy's cookie middleware asks ``tldextract`` for public suffixes with the
default settings, which download the suffix list from the internet the first
time a cookie names a domain. A crawler must not make requests its operator did
not ask for (and the test farm has no internet), so the bundled snapshot is
used instead.
"""

from scrapy.downloadermiddlewares import cookies as _scrapy_cookies
from tldextract import TLDExtract

_scrapy_cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True, cache_dir=None)
