"""Parity by construction: every operation of the bindings-common table is a method of the
sync and the asyncio class of its handle, with the table's docstring."""

from __future__ import annotations

import inspect

import pytest

import proxmox_api
from proxmox_api import _native

OPERATIONS = _native._operations()


def test_the_table_is_the_whole_core_surface() -> None:
    handles = {handle for handle, _, _ in OPERATIONS}
    assert handles == {
        "Client", "Nodes", "Node", "Container", "Cluster", "Containers", "Templates", "Users",
        "Tasks", "Task", "FanOut",
    }
    assert len(OPERATIONS) >= 70


@pytest.mark.parametrize("handle, name, kind", OPERATIONS)
def test_every_operation_is_on_both_faces(handle: str, name: str, kind: str) -> None:
    for cls_name in (handle, f"Async{handle}"):
        cls = getattr(proxmox_api, cls_name)
        method = getattr(cls, name, None)
        assert method is not None, f"{cls_name}.{name} is missing"
        assert inspect.getdoc(method), f"{cls_name}.{name} has no docstring"


def test_async_io_methods_return_coroutines_and_local_ones_return_handles(
    sim: "proxmox_api.testing.Simulator",
) -> None:
    client = sim.async_client()
    version = client.version()
    assert inspect.iscoroutine(version) or isinstance(version, proxmox_api._native.Pending)
    version.close()  # never awaited: nothing was sent
    assert isinstance(client.node("pve1"), proxmox_api.AsyncNode)
    assert isinstance(client.node("pve1").container(100), proxmox_api.AsyncContainer)
    assert isinstance(sim.client().node("pve1").container(100), proxmox_api.Container)
