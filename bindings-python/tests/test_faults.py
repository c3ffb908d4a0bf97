"""Behaviour under injected faults: latency, offline nodes, failures and their retry safety."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time

import proxmox_api
from proxmox_api.testing import Simulator


def test_sync_calls_release_the_gil(faults: Simulator) -> None:
    client = faults.client()
    client.version()  # log in first, so the slow part below is the call itself
    faults.set_latency(0.4)
    result: list = []
    worker = threading.Thread(target=lambda: result.append(client.version()))
    worker.start()
    spins = 0
    while worker.is_alive():
        spins += 1  # only runs while the worker's call does not hold the GIL
    worker.join()
    assert result[0].version
    assert spins > 10_000, f"the main thread barely ran ({spins} spins): GIL held during I/O?"


def test_ctrl_c_interrupts_a_blocked_sync_call(faults: Simulator) -> None:
    client = faults.client(request_timeout=120)
    client.version()
    # The answer is held for 60 s: the call can only end early through the interrupt, and if the
    # wait did not look at signals the call would succeed after the stall and the test would fail.
    faults.network_fault("stall", "GET", "/nodes/pve1/status", seconds=60)
    interrupter = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    interrupter.start()
    try:
        client.node("pve1").status()
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("the stalled call returned instead of raising KeyboardInterrupt")
    finally:
        interrupter.cancel()
    assert faults.fault_log() == [("stall", "GET", "/nodes/pve1/status")]
    assert client.node("pve1").status().memory.total > 0  # the client still works afterwards


def test_status_of_all_nodes_keeps_an_offline_node_as_its_error(faults: Simulator) -> None:
    client = faults.client()
    faults.set_node_online("pve2", False)
    per_node = client.nodes().status_all()
    assert sorted(per_node) == ["pve1", "pve2", "pve3"]
    assert isinstance(per_node["pve2"], proxmox_api.NodeUnreachableError)
    for node in ("pve1", "pve3"):
        status = per_node[node]
        assert isinstance(status, proxmox_api.NodeStatus) and status.memory.total > 0

    async def gather() -> dict:
        async with faults.async_client() as client:
            return await client.nodes().status_all()

    per_node_async = asyncio.run(gather())
    assert isinstance(per_node_async["pve2"], proxmox_api.NodeUnreachableError)
    assert per_node_async["pve1"].memory.total > 0
    with __import__("pytest").raises(proxmox_api.NodeUnreachableError):
        client.node("pve2").status()


def test_fan_out_runs_nodes_concurrently(faults: Simulator) -> None:
    client = faults.client()
    client.version()
    faults.set_latency(0.3)
    started = time.monotonic()
    per_node = client.fan_out(concurrency=8).status()
    elapsed = time.monotonic() - started
    assert sorted(per_node) == ["pve1", "pve2", "pve3"]
    # cluster/status then the three nodes at once: about two latencies, not four.
    assert elapsed < 0.3 * 3.5, elapsed


def test_retry_safety_is_an_enum(faults: Simulator) -> None:
    client = faults.client()
    faults.fail_next("GET", "/nodes/pve1/status", 1, 500, "boom")
    faults.fail_next("GET", "/nodes/pve1/status", 5, 500, "boom")
    try:
        client.node("pve1").status()
    except proxmox_api.ProxmoxError as error:
        assert isinstance(error.retry_safety, proxmox_api.RetrySafety)
        # A 500 on a read: the core says repeating the same call fails the same way.
        assert error.retry_safety is proxmox_api.RetrySafety.NEVER and not error.retry_safe
        assert error.retry_safety == "never"
    else:
        raise AssertionError("the injected failures did not surface")


def test_network_faults_from_the_simulator_helper(faults: Simulator) -> None:
    client = faults.client()
    client.version()
    faults.network_fault("reset-after", "POST", "/access/users")
    try:
        client.users().create("netfault", "netfault-pw-1")
    except proxmox_api.ProxmoxError as error:
        # The connection broke after the simulator acted: the error must say it was sent.
        assert error.sent
    else:
        raise AssertionError("a reset connection did not fail the call")
    assert "netfault@pve" in [u.userid for u in client.users().list()]
    assert faults.fault_log() == [("reset-after", "POST", "/access/users")]
    try:
        faults.network_fault("unplug")
    except proxmox_api.InvalidInputError as error:
        assert "unplug" in str(error)
    else:
        raise AssertionError("an unknown fault kind was accepted")
