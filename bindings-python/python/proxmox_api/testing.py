"""Test your own automation against an in-process Proxmox VE simulator.

>>> from proxmox_api.testing import Simulator
>>> with Simulator(nodes=3) as sim:                                # doctest: +SKIP
...     client = sim.client()
...     [n.node for n in client.nodes().list()]
['pve1', 'pve2', 'pve3']

The simulator is linked into this package (no binary to find) and listens on 127.0.0.1 with a
self-signed certificate; ``sim.url``, ``sim.fingerprint``, ``sim.user`` and ``sim.password``
give everything a client needs, and the fault controls (``set_node_online``, ``set_latency``,
``fail_next``, ``expire_tickets``, ``fail_next_task``, ``hold_lock``, ``advance_clock``, ...) act
on it directly. Installed with the package, the pytest fixture ``proxmox_simulator`` gives a
fresh three-node simulator per test.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Iterator, List, Optional, Tuple, Type

from proxmox_api._native import AsyncClient, Client

try:
    from proxmox_api._native import NativeSimulator as _NativeSimulator
except ImportError:  # pragma: no cover - a build without the `sim` feature
    _NativeSimulator = None

__all__ = ["Simulator", "proxmox_simulator"]


class Simulator:
    """A running simulator; a context manager that stops it on exit."""

    def __init__(
        self,
        nodes: int = 3,
        *,
        guests: int = 0,
        password: Optional[str] = None,
        plain_http: bool = False,
        task_duration_scale: float = 1.0,
    ) -> None:
        if _NativeSimulator is None:  # pragma: no cover
            raise RuntimeError("this build of proxmox_api has no embedded simulator")
        self._native: Any = _NativeSimulator(
            nodes, guests, password, plain_http, task_duration_scale
        )

    @property
    def url(self) -> str:
        """``https://127.0.0.1:PORT``."""
        return str(self._native.url)

    @property
    def fingerprint(self) -> str:
        """The certificate's SHA-256 fingerprint, ``AA:BB:...``, to pin."""
        return str(self._native.fingerprint)

    @property
    def user(self) -> str:
        """``root@pam``."""
        return str(self._native.user)

    @property
    def password(self) -> str:
        """root@pam's password."""
        return str(self._native.password)

    def client(self, **options: Any) -> Client:
        """A blocking client logged in as root@pam, pinned to the simulator's certificate."""
        return Client(self.url, **self._login(options))

    def async_client(self, **options: Any) -> AsyncClient:
        """An asyncio client logged in as root@pam, pinned to the simulator's certificate."""
        return AsyncClient(self.url, **self._login(options))

    def _login(self, overrides: Any) -> Any:
        options = dict(user=self.user, password=self.password, fingerprint=self.fingerprint)
        options.update(overrides)
        return options

    def set_node_online(self, node: str, online: bool) -> None:
        """Takes a node offline (595 for its paths, offline in cluster views) or back online."""
        self._native.set_node_online(node, online)

    def set_latency(self, seconds: float) -> None:
        """Extra latency for every request."""
        self._native.set_latency(seconds)

    def set_node_latency(self, node: str, seconds: float) -> None:
        """Extra latency for one node's requests (0 removes it)."""
        self._native.set_node_latency(node, seconds)

    def fail_next(self, method: str, path: str, count: int = 1, status: int = 500,
                  message: str = "injected failure") -> None:
        """Fails the next ``count`` requests matching ``method`` (``*``: any) and glob ``path``."""
        self._native.fail_next(method, path, count, status, message)

    def expire_tickets(self) -> None:
        """Every ticket issued so far stops working now."""
        self._native.expire_tickets()

    def fail_next_task(self, task_type: str, exitstatus: str) -> None:
        """The next task of ``task_type`` (e.g. ``vzcreate``) ends with ``exitstatus``."""
        self._native.fail_next_task(task_type, exitstatus)

    def hold_lock(self, vmid: int, lock: str) -> None:
        """Holds container ``vmid``'s config lock until released."""
        self._native.hold_lock(vmid, lock)

    def release_lock(self, vmid: int) -> None:
        """Releases a lock taken by :meth:`hold_lock`."""
        self._native.release_lock(vmid)

    def advance_clock(self, seconds: float) -> None:
        """Moves the simulator's clock forward (tickets age, tasks finish)."""
        self._native.advance_clock(seconds)

    def set_task_duration_scale(self, scale: float) -> None:
        """Multiplies every task's duration (0 = instant)."""
        self._native.set_task_duration_scale(scale)

    def network_fault(self, kind: str, method: str = "*", path: str = "*", count: int = 1,
                      seconds: float = 1.0, chunk: int = 16) -> None:
        """A network fault on the next ``count`` requests matching ``method`` (``*`` = any) and
        the glob ``path``: ``reset-before`` (nothing happens), ``reset-after`` (the request is
        acted on, then the connection is reset), ``stall`` (the answer is held ``seconds``) or
        ``slow-body`` (the body goes out ``chunk`` bytes every ``seconds``)."""
        self._native.network_fault(kind, method, path, count, seconds, chunk)

    def fault_log(self) -> List[Tuple[str, str, str]]:
        """The network faults injected so far, oldest first, as ``(kind, method, path)``."""
        return [(str(kind), str(method), str(path)) for kind, method, path in self._native.fault_log()]

    def close(self) -> None:
        """Stops the simulator."""
        self._native.close()

    def __enter__(self) -> "Simulator":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Simulator(url={self.url!r})"


try:
    import pytest
except ImportError:  # pragma: no cover - pytest is optional
    pass
else:

    @pytest.fixture
    def proxmox_simulator() -> Iterator[Simulator]:
        """A fresh three-node simulator with instant tasks, stopped after the test."""
        with Simulator(nodes=3, task_duration_scale=0.0) as sim:
            yield sim
