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

    digest = ct.config.get()["digest"]
    ct.config.put(memory=1024, description="from proxmoxer", digest=digest)
    config = ct.config.get()
    assert config["memory"] == 1024 and config["description"].strip() == "from proxmoxer"
    with pytest.raises(ResourceException) as err:
        ct.config.put(cores=2, digest=digest)
    assert "detected modified configuration" in str(err.value)

    ok(root, ct.snapshot.post(snapname="base", description="fresh"))
    assert [s["name"] for s in ct.snapshot.get()] == ["base", "current"]
    ct.config.put(hostname="changed")
    ok(root, ct.snapshot("base").rollback.post())
    assert ct.config.get()["hostname"] == "py-ct"
    ok(root, ct.snapshot("base").delete())

    clone_id = int(root.cluster.nextid.get())
    ok(root, ct.clone.post(newid=clone_id, hostname="py-ct-clone", full=1))
    assert root.nodes(NODE).lxc(clone_id).config.get()["hostname"] == "py-ct-clone"
    ok(root, root.nodes(NODE).lxc(clone_id).delete())
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
