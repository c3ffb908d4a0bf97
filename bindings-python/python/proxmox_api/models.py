"""Shapes of the dicts the clients return, for type checkers (plain dicts at runtime).

Keys follow Proxmox VE's JSON; the values are already normalised by the Rust core (numbers as
numbers, booleans as booleans), and a value the server did not send is ``None``.
"""

from __future__ import annotations

import sys
from typing import Optional

if sys.version_info >= (3, 11):
    from typing import Literal, NotRequired, TypedDict
else:  # pragma: no cover - Python 3.9 and 3.10
    from typing import Literal, TypedDict

    NotRequired = Optional  # only used in annotations below, never at runtime

__all__ = ["Version", "NodeSummary"]


class Version(TypedDict):
    """``GET /version``; unknown keys the server sends are kept as well."""

    version: str
    release: str
    repoid: str
    console: NotRequired[str]


class NodeSummary(TypedDict):
    """One entry of ``GET /nodes``; offline nodes have ``None`` metrics."""

    node: str
    status: Literal["online", "offline", "unknown"]
    cpu: Optional[float]
    maxcpu: Optional[int]
    mem: Optional[int]
    maxmem: Optional[int]
    disk: Optional[int]
    maxdisk: Optional[int]
    uptime: Optional[int]
    level: Optional[str]
    ssl_fingerprint: Optional[str]
    id: Optional[str]
    type: Optional[str]
