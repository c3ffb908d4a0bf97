"""A container's life with proxmoxer and its task helper."""

import pytest
from proxmoxer import ResourceException

from conftest import TEMPLATE, ok

NODE = "pve2"


def test_container_lifecycle(root):
    templates = root.nodes(NODE).storage("local").content.get(content="vztmpl")
    assert TEMPLATE in [t["volid"] for t in templates]
    vmid = int(root.cluster.nextid.get())
    upid = root.nodes(NODE).lxc.post(
        vmid=vmid,
        ostemplate=TEMPLATE,
        hostname="py-ct",
        cores=1,
        memory=512,
        rootfs="local-lvm:4",
        net0="name=eth0,bridge=vmbr0,ip=dhcp",
        password="a-long-password",
        unprivileged=1,
    )
    ok(root, upid)
    ct = root.nodes(NODE).lxc(vmid)
    assert ct.config.get()["hostname"] == "py-ct"
    ok(root, ct.status.start.post())
    current = ct.status.current.get()
    assert current["status"] == "running" and current["pid"] > 0
    console = ct.vncproxy.post()
    assert console["upid"].startswith(f"UPID:{NODE}:")
    assert len(ct.rrddata.get(timeframe="day")) == 70
    ok(root, ct.status.shutdown.post())
    ok(root, ct.delete(purge=1))
    with pytest.raises(ResourceException):
        ct.config.get()
