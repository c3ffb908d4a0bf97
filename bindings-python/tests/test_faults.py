"""Behaviour under injected faults: latency, offline nodes, per-call timeouts."""

from __future__ import annotations

import threading
from typing import Iterator

import pytest

import proxmox_api
from conftest import Simulator


@pytest.fixture()
def faults(sim: Simulator) -> Iterator[Simulator]:
    """The simulator, with every injected fault cleared afterwards."""
    sim.control("clear-faults")
    try:
        yield sim
    finally:
        sim.control("clear-faults")


def test_sync_calls_release_the_gil(faults: Simulator) -> None:
    client = faults.client()
    client.version()  # log in first, so the slow part below is the call itself
    faults.control("latency", {"ms": 400})
    result: dict = {}
    worker = threading.Thread(target=lambda: result.update(client.version()))
    worker.start()
    spins = 0
    while worker.is_alive():
        spins += 1  # only runs while the worker's call does not hold the GIL
    worker.join()
    assert result["version"]
    assert spins > 10_000, f"the main thread barely ran ({spins} spins): GIL held during I/O?"


def test_offline_node_is_node_unreachable(faults: Simulator) -> None:
    client = faults.client()
    faults.control("node-online", {"node": "pve3", "online": False})
    with pytest.raises(proxmox_api.NodeUnreachableError) as caught:
        client.request("GET", "/nodes/pve3/status")
    assert caught.value.status in (595, 596)
    assert client.request("GET", "/nodes/pve1/status")["memory"]["total"] > 0


def test_per_call_timeout(faults: Simulator) -> None:
    client = faults.client()
    client.version()
    faults.control("latency", {"ms": 3000})
    with pytest.raises(proxmox_api.ProxmoxTimeoutError) as caught:
        client.request("GET", "/version", timeout=0.2)
    assert isinstance(caught.value, TimeoutError)
    assert caught.value.code == "TIMEOUT"
