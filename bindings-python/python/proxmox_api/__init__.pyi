"""Type stubs of :mod:`proxmox_api` (the native classes live in ``proxmox_api._native``).

Kept in sync with the extension by ``tests/test_stubs.py``.
"""

from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from proxmox_api.errors import ApiError as ApiError
from proxmox_api.errors import AuthenticationError as AuthenticationError
from proxmox_api.errors import ConflictError as ConflictError
from proxmox_api.errors import ConnectError as ConnectError
from proxmox_api.errors import DecodeError as DecodeError
from proxmox_api.errors import InvalidInputError as InvalidInputError
from proxmox_api.errors import InvalidParametersError as InvalidParametersError
from proxmox_api.errors import NodeUnreachableError as NodeUnreachableError
from proxmox_api.errors import NotFoundError as NotFoundError
from proxmox_api.errors import PermissionDeniedError as PermissionDeniedError
from proxmox_api.errors import ProxmoxError as ProxmoxError
from proxmox_api.errors import ProxmoxTimeoutError as ProxmoxTimeoutError
from proxmox_api.errors import TaskFailedError as TaskFailedError
from proxmox_api.errors import TaskTimeoutError as TaskTimeoutError
from proxmox_api.errors import TfaRequiredError as TfaRequiredError
from proxmox_api.errors import TlsError as TlsError
from proxmox_api.models import NodeSummary as NodeSummary
from proxmox_api.models import Version as Version

__version__: str

#: A request parameter: lists are sent as the same key repeated, booleans as 1/0, None is omitted.
ParamValue = Union[str, int, float, bool, Sequence[Union[str, int, float, bool]], None]
#: Decoded JSON: dicts, lists, str, int, float, bool, None.
Json = Any

class Client:
    """A blocking Proxmox VE client; calls release the GIL while they wait.

    Give ``user`` and ``password`` (ticket login) or ``token_id`` (``user@realm!name``) and
    ``token_secret``. A self-signed certificate needs ``fingerprint`` (one SHA-256 ``AA:BB:...``
    or a list), or ``ca_pem``; ``danger_accept_invalid_certs=True`` accepts any certificate.
    ``insecure_http=True`` allows ``http://`` URLs. Timeouts are in seconds.
    """

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
    ) -> None: ...
    def version(self) -> Version:
        """The server's version: ``version``, ``release``, ``repoid``."""
    def nodes(self) -> List[NodeSummary]:
        """The cluster's nodes, one dict per node."""
    def node_status(self, node: str) -> Dict[str, Any]:
        """The full status of one node (memory, cpu, load, uptime, versions, ...)."""
    def node_status_all(self) -> Dict[str, Union[Dict[str, Any], ProxmoxError]]:
        """Every node's status at once; a failed node maps to its (unraised) exception."""
    def cluster_status(self) -> List[Dict[str, Any]]:
        """Quorum and which nodes are online: one dict per cluster and node entry."""
    def next_id(self) -> int:
        """The lowest free vmid (not reserved: a creation may still lose it)."""
    def containers(self) -> List[Dict[str, Any]]:
        """Every container of the cluster, one dict each, from a single request."""
    def container(self, vmid: int) -> Dict[str, Any]:
        """One container by vmid: ``{"vmid", "node", "status": {...}, "config": {...}}``."""
    def users(self) -> List[Dict[str, Any]]:
        """The users the caller may see, one dict each (never with a password)."""
    def request(
        self,
        method: str,
        path: str,
        params: Optional[Mapping[str, ParamValue]] = None,
        *,
        timeout: Optional[float] = None,
    ) -> Json:
        """Any API call below ``/api2/json``; returns the response's ``data``."""

class AsyncClient:
    """An asyncio Proxmox VE client; takes the same arguments as :class:`Client`."""

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
    ) -> None: ...
    async def version(self) -> Version:
        """The server's version: ``version``, ``release``, ``repoid``."""
    async def nodes(self) -> List[NodeSummary]:
        """The cluster's nodes, one dict per node."""
    async def node_status(self, node: str) -> Dict[str, Any]:
        """The full status of one node (memory, cpu, load, uptime, versions, ...)."""
    async def node_status_all(self) -> Dict[str, Union[Dict[str, Any], ProxmoxError]]:
        """Every node's status at once; a failed node maps to its (unraised) exception."""
    async def cluster_status(self) -> List[Dict[str, Any]]:
        """Quorum and which nodes are online: one dict per cluster and node entry."""
    async def next_id(self) -> int:
        """The lowest free vmid (not reserved: a creation may still lose it)."""
    async def containers(self) -> List[Dict[str, Any]]:
        """Every container of the cluster, one dict each, from a single request."""
    async def container(self, vmid: int) -> Dict[str, Any]:
        """One container by vmid: ``{"vmid", "node", "status": {...}, "config": {...}}``."""
    async def users(self) -> List[Dict[str, Any]]:
        """The users the caller may see, one dict each (never with a password)."""
    async def request(
        self,
        method: str,
        path: str,
        params: Optional[Mapping[str, ParamValue]] = None,
        *,
        timeout: Optional[float] = None,
    ) -> Json:
        """Any API call below ``/api2/json``; returns the response's ``data``."""

__all__ = [
    "__version__",
    "Client",
    "AsyncClient",
    "Version",
    "NodeSummary",
    "ProxmoxError",
    "InvalidInputError",
    "AuthenticationError",
    "TfaRequiredError",
    "PermissionDeniedError",
    "NotFoundError",
    "InvalidParametersError",
    "ConflictError",
    "NodeUnreachableError",
    "ApiError",
    "ConnectError",
    "ProxmoxTimeoutError",
    "TlsError",
    "DecodeError",
    "TaskFailedError",
    "TaskTimeoutError",
]
