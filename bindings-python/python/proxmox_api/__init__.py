"""Typed Proxmox VE client: a Rust core with a blocking and an asyncio Python API.

>>> import proxmox_api
>>> client = proxmox_api.Client("pve.example.com", user="root@pam", password="...",
...                             fingerprint="AA:BB:...")  # doctest: +SKIP
>>> client.nodes()  # doctest: +SKIP

Every failure is a :class:`ProxmoxError` subclass (see :mod:`proxmox_api.errors`).
"""

from proxmox_api._native import Client, __version__
from proxmox_api.async_client import AsyncClient
from proxmox_api.errors import (
    ApiError,
    AuthenticationError,
    ConflictError,
    ConnectError,
    DecodeError,
    InvalidInputError,
    InvalidParametersError,
    NodeUnreachableError,
    NotFoundError,
    PermissionDeniedError,
    ProxmoxError,
    ProxmoxTimeoutError,
    TaskFailedError,
    TaskTimeoutError,
    TfaRequiredError,
    TlsError,
)
from proxmox_api.models import NodeSummary, Version

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
