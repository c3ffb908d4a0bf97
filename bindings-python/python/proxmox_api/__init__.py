"""Typed Proxmox VE client: a Rust core with a blocking and an asyncio Python API.

>>> import proxmox_api
>>> client = proxmox_api.Client("pve.example.com", user="root@pam", password="...",
...                             fingerprint="AA:BB:...")  # doctest: +SKIP
>>> [node.node for node in client.nodes().list()]  # doctest: +SKIP

The handles mirror the Rust core: ``client.nodes()``, ``client.node("pve1").container(100)``,
``client.cluster()``, ``client.containers()``, ``client.templates()``, ``client.users()``,
``client.tasks()`` / ``client.task(upid)``, ``client.fan_out()``; ``client.api`` reaches any
endpoint. :class:`AsyncClient` has the same handles with awaitable methods. Every failure is a
:class:`ProxmoxError` subclass (see :mod:`proxmox_api.errors`).
"""

import atexit as _atexit
import collections.abc as _abc

from proxmox_api import _native
from proxmox_api._native import (
    AclEntry,
    ApiTokenInfo,
    AplInfoEntry,
    AsyncClient,
    AsyncCluster,
    AsyncContainer,
    AsyncContainers,
    AsyncCreatedContainer,
    AsyncFanOut,
    AsyncNode,
    AsyncNodes,
    AsyncProgress,
    AsyncTask,
    AsyncTasks,
    AsyncTemplates,
    AsyncUsers,
    BrowserCookie,
    Client,
    Cluster,
    ClusterStatusEntry,
    ConsoleSession,
    Container,
    ContainerInfo,
    Containers,
    CpuInfo,
    CreatedContainer,
    DestroyRecord,
    DiskUsage,
    FanOut,
    GuestResource,
    GuestRrdPoint,
    KsmInfo,
    LxcConfig,
    LxcStatus,
    LxcSummary,
    MemoryUsage,
    Node,
    NodeResource,
    NodeRrdPoint,
    Nodes,
    NodeStatus,
    NodeSummary,
    Progress,
    Secret,
    SessionTicket,
    StorageContentItem,
    StorageResource,
    StorageSummary,
    Task,
    TaskLogLine,
    TaskOutcome,
    TaskProgress,
    Tasks,
    TaskStatus,
    TaskSummary,
    TemplateAvailability,
    TemplateCatalog,
    TemplateLocation,
    Templates,
    User,
    UserDetail,
    UserEntry,
    Users,
    Version,
    VncProxy,
    __version__,
)
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
    RetrySafety,
    TaskFailedError,
    TaskTimeoutError,
    TfaRequiredError,
    TlsError,
)
from proxmox_api.paths import ApiPath, AsyncApiPath

# The asyncio methods return `Pending`: a real coroutine for asyncio.run(), gather() and friends.
_abc.Coroutine.register(_native.Pending)

# The runtime's worker threads must be gone before the interpreter finalizes (see
# `_shutdown_runtime_at_exit` in runtime.rs): a late asyncio answer otherwise crashes the exit.
_atexit.register(_native._shutdown_runtime_at_exit)

__all__ = [
    "__version__",
    "Client", "AsyncClient", "ApiPath", "AsyncApiPath",
    "Nodes", "Node", "Container", "Cluster", "Containers", "Templates", "Users", "Tasks", "Task",
    "FanOut", "AsyncNodes", "AsyncNode", "AsyncContainer", "AsyncCluster", "AsyncContainers",
    "AsyncTemplates", "AsyncUsers", "AsyncTasks", "AsyncTask", "AsyncFanOut",
    "Progress", "AsyncProgress", "CreatedContainer", "AsyncCreatedContainer",
    "Version", "NodeSummary", "CpuInfo", "MemoryUsage", "DiskUsage", "KsmInfo", "NodeStatus",
    "StorageSummary", "StorageContentItem", "AplInfoEntry", "LxcSummary", "LxcStatus",
    "LxcConfig", "NodeResource", "GuestResource", "StorageResource", "ClusterStatusEntry",
    "TaskSummary", "TaskStatus", "TaskLogLine", "UserEntry", "UserDetail", "ApiTokenInfo",
    "AclEntry", "VncProxy", "DestroyRecord", "TemplateLocation", "TemplateAvailability",
    "TemplateCatalog", "ContainerInfo", "User", "ConsoleSession", "BrowserCookie",
    "SessionTicket", "TaskOutcome", "TaskProgress", "NodeRrdPoint", "GuestRrdPoint", "Secret",
    "RetrySafety", "ProxmoxError", "InvalidInputError", "AuthenticationError",
    "TfaRequiredError", "PermissionDeniedError", "NotFoundError", "InvalidParametersError",
    "ConflictError", "NodeUnreachableError", "ApiError", "ConnectError", "ProxmoxTimeoutError",
    "TlsError", "DecodeError", "TaskFailedError", "TaskTimeoutError",
]
