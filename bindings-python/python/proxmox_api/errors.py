"""Exceptions raised by :mod:`proxmox_api`.

Every error is a :class:`ProxmoxError` with the core client's stable ``code`` and one subclass per
code, so callers can catch exactly what they can act on::

    try:
        client.nodes()
    except proxmox_api.AuthenticationError:
        ...  # fix the credentials
    except proxmox_api.ProxmoxError as e:
        if e.retry_safe:
            ...  # nothing reached the server, or the call has no side effects

Messages never contain passwords, tickets, token secrets or CSRF tokens.
"""

from __future__ import annotations

import enum
from typing import Any, Dict, Optional, Union

__all__ = [
    "RetrySafety",
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


class RetrySafety(str, enum.Enum):
    """Whether a failed call may be repeated (the core's ``RetrySafety``).

    A ``str`` enum, so ``error.retry_safety == "safe"`` keeps working.
    """

    SAFE = "safe"
    """Nothing reached the server, or the call has no side effects: repeating it is safe."""
    AFTER_CHECK = "after_check"
    """A write may have taken effect: check the state before repeating a non-idempotent call."""
    NEVER = "never"
    """The same call fails the same way: change the input, credentials or permissions."""


class ProxmoxError(Exception):
    """Base class of every error raised by :mod:`proxmox_api`.

    Attributes:
        code: stable machine-readable kind, e.g. ``"AUTHENTICATION"`` (see the subclasses).
        status: the HTTP status when the server answered, else ``None``.
        retry_safe: ``True`` when repeating the call unchanged is safe (nothing was sent, or the
            call has no side effects and the failure is transient).
        retry_safety: a :class:`RetrySafety`: ``SAFE``, ``AFTER_CHECK`` (a write may have taken
            effect: check state first) or ``NEVER`` (the same call fails the same way).
        sent: whether the request may have reached the server.
        details: further fields of the error kind (e.g. ``upid`` and ``log_tail`` of a failed
            task, ``expected`` and ``presented`` fingerprints of a TLS pin mismatch).
    """

    code: str = "ERROR"

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        status: Optional[int] = None,
        retry_safety: Union[RetrySafety, str] = RetrySafety.NEVER,
        sent: bool = True,
        details: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(message)
        self.message: str = message
        if code is not None:
            self.code = code
        self.status: Optional[int] = status
        self.retry_safety: RetrySafety = RetrySafety(retry_safety)
        self.retry_safe: bool = self.retry_safety is RetrySafety.SAFE
        self.sent: bool = sent
        self.details: Dict[str, Any] = dict(details or {})


class InvalidInputError(ProxmoxError, ValueError):
    """An argument was rejected before anything was sent (``INVALID_INPUT``).

    ``errors`` maps the argument to what is wrong with it.
    """

    code = "INVALID_INPUT"

    @property
    def errors(self) -> Dict[str, str]:
        """The rejected argument and the reason, as ``{name: reason}``."""
        return dict(self.details.get("errors", {}))


class AuthenticationError(ProxmoxError):
    """Login failed or the session was refused (HTTP 401, ``AUTHENTICATION``)."""

    code = "AUTHENTICATION"


class TfaRequiredError(ProxmoxError):
    """The account needs a second factor and none could be supplied (``TFA_REQUIRED``)."""

    code = "TFA_REQUIRED"


class PermissionDeniedError(ProxmoxError):
    """HTTP 403: the user lacks a privilege on a path (``PERMISSION_DENIED``)."""

    code = "PERMISSION_DENIED"


class NotFoundError(ProxmoxError, LookupError):
    """The object does not exist (``NOT_FOUND``)."""

    code = "NOT_FOUND"


class InvalidParametersError(ProxmoxError, ValueError):
    """HTTP 400: the server rejected parameters (``INVALID_PARAMETERS``).

    ``errors`` maps each parameter to Proxmox VE's reason.
    """

    code = "INVALID_PARAMETERS"

    @property
    def errors(self) -> Dict[str, str]:
        """Proxmox VE's reason per parameter, as ``{name: reason}``."""
        return dict(self.details.get("errors", {}))


class ConflictError(ProxmoxError):
    """The object already exists or is locked by another operation (``CONFLICT``)."""

    code = "CONFLICT"


class NodeUnreachableError(ProxmoxError):
    """HTTP 595/596: the node the request was proxied to is unreachable (``NODE_UNREACHABLE``)."""

    code = "NODE_UNREACHABLE"


class ApiError(ProxmoxError):
    """Any other error status from the API (``API``)."""

    code = "API"


class ConnectError(ProxmoxError, ConnectionError):
    """The connection could not be made; nothing was sent (``CONNECT``)."""

    code = "CONNECT"


class ProxmoxTimeoutError(ProxmoxError, TimeoutError):
    """No answer in time (``TIMEOUT``); ``sent`` says whether the request may have arrived."""

    code = "TIMEOUT"


class TlsError(ProxmoxError):
    """The TLS handshake failed: untrusted certificate or fingerprint mismatch (``TLS``)."""

    code = "TLS"


class DecodeError(ProxmoxError):
    """The response could not be decoded into the expected type (``DECODE``)."""

    code = "DECODE"


class TaskFailedError(ProxmoxError):
    """A Proxmox VE task ended in failure (``TASK_FAILED``)."""

    code = "TASK_FAILED"


class TaskTimeoutError(ProxmoxError):
    """Waiting for a task exceeded the maximum; it may still be running (``TASK_TIMEOUT``)."""

    code = "TASK_TIMEOUT"


_BY_CODE: Dict[str, type] = {
    cls.code: cls
    for cls in (
        InvalidInputError,
        AuthenticationError,
        TfaRequiredError,
        PermissionDeniedError,
        NotFoundError,
        InvalidParametersError,
        ConflictError,
        NodeUnreachableError,
        ApiError,
        ConnectError,
        ProxmoxTimeoutError,
        TlsError,
        DecodeError,
        TaskFailedError,
        TaskTimeoutError,
    )
}


def _from_native(
    code: str,
    message: str,
    status: Optional[int],
    retry_safety: str,
    sent: bool,
    details: Dict[str, Any],
) -> ProxmoxError:
    """Builds the exception for a core error; called by the native module."""
    cls = _BY_CODE.get(code, ProxmoxError)
    return cls(
        message,
        code=code,
        status=status,
        retry_safety=retry_safety,
        sent=sent,
        details=details,
    )
