"""What every CMS adapter takes and returns: a fetched page in, plain requests out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Page:
    """A fetched page as the adapters see it: no Scrapy, no network.

    ``state`` is what an adapter attached to the request that fetched this
    page (e.g. Hanweb's column ids, gkmlpt's SID and category).
    """

    url: str
    text: str
    kind: str = "column"
    portal: str = ""
    hub_depth: int = 0
    in_column: bool = False
    state: dict[str, Any] = field(default_factory=dict)
    rendered: bool = False
    max_hub_depth: int = 4


@dataclass(frozen=True)
class Next:
    """One request to make next.

    ``kind`` is the request kind of the store and middlewares (report, list,
    column, hub, notices) or ``api`` for a family's data endpoint; ``meta``
    is carried to the response (hub depth, adapter state, ``render``).
    """

    url: str
    kind: str
    method: str = "GET"
    body: str | None = None
    headers: dict[str, str] | None = None
    meta: dict[str, Any] | None = None
    text: str | None = None
