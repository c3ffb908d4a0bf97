"""The domain operations wrapped from the core's handles, sync and async, on the simulator."""

from __future__ import annotations

import asyncio

import pytest

import proxmox_api
from conftest import Simulator


def test_node_status_is_the_typed_status(client: proxmox_api.Client) -> None:
    status = client.node_status("pve1")
    assert status["memory"]["total"] > 0
    assert 0 <= status["memory"]["used"] <= status["memory"]["total"]
    assert len(status["loadavg"]) == 3 and all(isinstance(x, float) for x in status["loadavg"])
    assert status["cpuinfo"]["cpus"] >= 1


def test_node_status_of_an_unknown_node_fails_typed(client: proxmox_api.Client) -> None:
    with pytest.raises(proxmox_api.ProxmoxError) as caught:
        client.node_status("nosuchnode")
    assert caught.value.status is not None and caught.value.status >= 400


def test_cluster_status_names_every_node(client: proxmox_api.Client) -> None:
    entries = client.cluster_status()
    nodes = sorted(e["name"] for e in entries if e["type"] == "node")
    assert nodes == ["pve1", "pve2", "pve3"]
    assert all(e["online"] is True for e in entries if e["type"] == "node")


def test_next_id_is_a_free_vmid(client: proxmox_api.Client) -> None:
    next_id = client.next_id()
    assert isinstance(next_id, int) and next_id >= 100
    assert next_id not in {c["vmid"] for c in client.containers()}


def test_users_include_root_and_no_password(client: proxmox_api.Client) -> None:
    users = client.users()
    assert "root@pam" in {u["userid"] for u in users}
    assert all("password" not in u for u in users)


def test_async_domain_operations_agree_with_sync(sim: Simulator, client: proxmox_api.Client) -> None:
    async def main() -> tuple:
        aclient = sim.async_client()
        return await asyncio.gather(
            aclient.node_status("pve2"),
            aclient.cluster_status(),
            aclient.next_id(),
            aclient.containers(),
            aclient.users(),
        )

    status, cluster, next_id, containers, users = asyncio.run(main())
    assert status["memory"]["total"] == client.node_status("pve2")["memory"]["total"]
    assert sorted(e["name"] for e in cluster) == sorted(e["name"] for e in client.cluster_status())
    assert next_id == client.next_id()
    assert [c["vmid"] for c in containers] == [c["vmid"] for c in client.containers()]
    assert {u["userid"] for u in users} == {u["userid"] for u in client.users()}


def test_container_merges_status_and_config(client: proxmox_api.Client) -> None:
    listed = client.containers()
    assert len(listed) >= 4
    first = listed[0]
    container = client.container(first["vmid"])
    assert container["vmid"] == first["vmid"]
    assert container["node"] == first["node"]
    assert isinstance(container["status"], dict) and isinstance(container["config"], dict)
    assert container["status"]["status"] == first["status"]


def test_missing_container_is_not_found(client: proxmox_api.Client) -> None:
    taken = {c["vmid"] for c in client.containers()}
    missing = max(taken) + 1000
    with pytest.raises(proxmox_api.NotFoundError):
        client.container(missing)


def test_async_container_matches_sync(sim: Simulator, client: proxmox_api.Client) -> None:
    vmid = client.containers()[0]["vmid"]
    container = asyncio.run(sim.async_client().container(vmid))
    assert container == client.container(vmid) or (
        container["vmid"] == vmid and container["config"] == client.container(vmid)["config"]
    )
