"""The asyncio client: coroutines over the native awaitables.

The native methods return asyncio futures, which can only be made while an event loop runs.
Wrapping them in ``async def`` gives ordinary coroutines: they can be created anywhere (before
``asyncio.run``, in ``gather``), and cancelling one cancels the Rust call.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from proxmox_api import _native
from proxmox_api.errors import ProxmoxError
from proxmox_api.models import NodeSummary, Version

__all__ = ["AsyncClient"]


class AsyncClient:
    """An asyncio Proxmox VE client; takes the same arguments as :class:`proxmox_api.Client`."""

    __slots__ = ("_native",)

    def __init__(
        self,
        host: str,
        *,
        user: Optional[str] = None,
        password: Optional[str] = None,
        token_id: Optional[str] = None,
        token_secret: Optional[str] = None,
        fingerprint: Union[str, Sequence[str], None] = None,
        ca_pem: Optional[str] = None,
        danger_accept_invalid_certs: bool = False,
        insecure_http: bool = False,
        connect_timeout: Optional[float] = None,
        request_timeout: Optional[float] = None,
    ) -> None:
        self._native = _native.AsyncClient(
            host,
            user=user,
            password=password,
            token_id=token_id,
            token_secret=token_secret,
            fingerprint=fingerprint,
            ca_pem=ca_pem,
            danger_accept_invalid_certs=danger_accept_invalid_certs,
            insecure_http=insecure_http,
            connect_timeout=connect_timeout,
            request_timeout=request_timeout,
        )

    async def version(self) -> Version:
        """The server's version: ``version``, ``release``, ``repoid``."""
        return await self._native.version()

    async def nodes(self) -> List[NodeSummary]:
        """The cluster's nodes, one dict per node."""
        return await self._native.nodes()

    async def node_status(self, node: str) -> Dict[str, Any]:
        """The full status of one node (memory, cpu, load, uptime, versions, ...)."""
        return await self._native.node_status(node)

    async def node_status_all(self) -> Dict[str, Union[Dict[str, Any], ProxmoxError]]:
        """Every node's status at once; a failed node maps to its (unraised) exception."""
        return await self._native.node_status_all()

    async def cluster_status(self) -> List[Dict[str, Any]]:
        """Quorum and which nodes are online: one dict per cluster and node entry."""
        return await self._native.cluster_status()

    async def next_id(self) -> int:
        """The lowest free vmid (not reserved: a creation may still lose it)."""
        return await self._native.next_id()

    async def containers(self) -> List[Dict[str, Any]]:
        """Every container of the cluster, one dict each, from a single request."""
        return await self._native.containers()

    async def container(self, vmid: int) -> Dict[str, Any]:
        """One container by vmid: ``{"vmid", "node", "status": {...}, "config": {...}}``."""
        return await self._native.container(vmid)

    async def users(self) -> List[Dict[str, Any]]:
        """The users the caller may see, one dict each (never with a password)."""
        return await self._native.users()

    async def request(
        self,
        method: str,
        path: str,
        params: Optional[Mapping[str, Any]] = None,
        *,
        timeout: Optional[float] = None,
    ) -> Any:
        """Any API call below ``/api2/json``; returns the response's ``data``."""
        return await self._native.request(method, path, params, timeout=timeout)

    def __repr__(self) -> str:
        return repr(self._native)
