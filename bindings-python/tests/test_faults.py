"""Behaviour under injected faults: latency, offline nodes, per-call timeouts."""

from __future__ import annotations

import asyncio
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


def test_ctrl_c_interrupts_a_waiting_call(faults: Simulator) -> None:
    import _thread
    import time

    client = faults.client()
    client.version()
    faults.control("latency", {"ms": 5000})
    timer = threading.Timer(0.3, _thread.interrupt_main)
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            client.request("GET", "/version")
        elapsed = time.monotonic() - started
    finally:
        timer.cancel()
    # Without signal checks the call would return only after the 5 s latency.
    assert elapsed < 4.0, f"Ctrl-C took {elapsed:.1f} s to interrupt the call"


def test_status_of_all_nodes_keeps_an_offline_node_as_its_error(faults: Simulator) -> None:
    client = faults.client()
    faults.control("node-online", {"node": "pve2", "online": False})
    per_node = client.node_status_all()
    assert sorted(per_node) == ["pve1", "pve2", "pve3"]
    assert isinstance(per_node["pve2"], proxmox_api.NodeUnreachableError)
    for node in ("pve1", "pve3"):
        assert per_node[node]["memory"]["total"] > 0

    async def gather() -> dict:
        return await faults.async_client().node_status_all()

    per_node_async = asyncio.run(gather())
    assert isinstance(per_node_async["pve2"], proxmox_api.NodeUnreachableError)
    assert per_node_async["pve1"]["memory"]["total"] > 0
