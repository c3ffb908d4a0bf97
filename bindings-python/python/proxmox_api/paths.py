"""Any endpoint, in the style proxmoxer users know.

>>> client.api.nodes("pve1").lxc(100).status.current.get()        # doctest: +SKIP
>>> client.api.nodes("pve1").lxc(100).status.start.post()          # doctest: +SKIP
>>> client.api.access.users.get()                                  # doctest: +SKIP

Attribute access and calls add path segments; ``get``, ``post``, ``put`` and ``delete`` send the
request with keyword parameters. Segments are kept apart and each is percent-encoded by the Rust
core's request encoder, so ``nodes("a/b")`` is one segment, never two. Results are the response's
``data`` as plain Python data (the typed handles of :class:`~proxmox_api.Client` give models).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Awaitable, Tuple, Union

if TYPE_CHECKING:
    from proxmox_api._native import AsyncClient, Client, JsonValue, ParamValue

__all__ = ["ApiPath", "AsyncApiPath"]


class _PathBase:
    __slots__ = ("_client", "_segments")

    def __init__(self, client: Any, segments: Tuple[str, ...] = ()) -> None:
        self._client = client
        self._segments: Tuple[str, ...] = tuple(segments)

    def _child(self, *segments: Union[str, int]) -> Any:
        return type(self)(self._client, self._segments + tuple(str(s) for s in segments))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        # proxmoxer spells dashed segments with underscores only when they are not valid names;
        # PVE's own names use no underscore, so it is kept as given.
        return self._child(name)

    def __call__(self, *segments: Union[str, int]) -> Any:
        return self._child(*segments)

    def __getitem__(self, segment: Union[str, int]) -> Any:
        return self._child(segment)

    @property
    def path(self) -> str:
        """The path below ``/api2/json`` (unencoded, for display)."""
        return "/" + "/".join(self._segments)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.path!r})"


class ApiPath(_PathBase):
    """A path below ``/api2/json`` on a blocking :class:`~proxmox_api.Client`."""

    def __getattr__(self, name: str) -> "ApiPath":
        return super().__getattr__(name)  # type: ignore[no-any-return]

    def __call__(self, *segments: Union[str, int]) -> "ApiPath":
        return self._child(*segments)  # type: ignore[no-any-return]

    def __getitem__(self, segment: Union[str, int]) -> "ApiPath":
        return self._child(segment)  # type: ignore[no-any-return]

    def _send(self, method: str, params: "dict[str, ParamValue]") -> "JsonValue":
        client: "Client" = self._client
        return client._request_segments(method, list(self._segments), params)

    def get(self, **params: "ParamValue") -> "JsonValue":
        """``GET`` this path with query parameters."""
        return self._send("GET", params)

    def post(self, **params: "ParamValue") -> "JsonValue":
        """``POST`` to this path with form parameters."""
        return self._send("POST", params)

    def put(self, **params: "ParamValue") -> "JsonValue":
        """``PUT`` to this path with form parameters."""
        return self._send("PUT", params)

    def delete(self, **params: "ParamValue") -> "JsonValue":
        """``DELETE`` this path."""
        return self._send("DELETE", params)


class AsyncApiPath(_PathBase):
    """A path below ``/api2/json`` on an :class:`~proxmox_api.AsyncClient`."""

    def __getattr__(self, name: str) -> "AsyncApiPath":
        return super().__getattr__(name)  # type: ignore[no-any-return]

    def __call__(self, *segments: Union[str, int]) -> "AsyncApiPath":
        return self._child(*segments)  # type: ignore[no-any-return]

    def __getitem__(self, segment: Union[str, int]) -> "AsyncApiPath":
        return self._child(segment)  # type: ignore[no-any-return]

    def _send(self, method: str, params: "dict[str, ParamValue]") -> "Awaitable[JsonValue]":
        client: "AsyncClient" = self._client
        return client._request_segments(method, list(self._segments), params)

    def get(self, **params: "ParamValue") -> "Awaitable[JsonValue]":
        """``GET`` this path with query parameters."""
        return self._send("GET", params)

    def post(self, **params: "ParamValue") -> "Awaitable[JsonValue]":
        """``POST`` to this path with form parameters."""
        return self._send("POST", params)

    def put(self, **params: "ParamValue") -> "Awaitable[JsonValue]":
        """``PUT`` to this path with form parameters."""
        return self._send("PUT", params)

    def delete(self, **params: "ParamValue") -> "Awaitable[JsonValue]":
        """``DELETE`` this path."""
        return self._send("DELETE", params)
