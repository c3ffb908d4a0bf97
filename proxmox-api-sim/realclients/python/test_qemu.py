"""A QEMU VM's life with proxmoxer and its task helper: create, config, power, suspend/resume,
snapshots, clone, template, guest agent, console, graphs, delete."""

import pytest
from proxmoxer import ResourceException

from conftest import ok, wait

NODE = "pve1"


def test_vm_lifecycle(root):
    vmid = int(root.cluster.nextid.get())
    upid = root.nodes(NODE).qemu.post(
        vmid=vmid,
        name="py-vm",
        cores=2,
        memory=2048,
        scsihw="virtio-scsi-single",
        scsi0="local-lvm:16,iothread=1",
        net0="virtio,bridge=vmbr0",
        ostype="l26",
        cdrom="none",
    )
    ok(root, upid)
    vm = root.nodes(NODE).qemu(vmid)
    config = vm.config.get()
    assert config["cores"] == 2
    assert config["scsi0"] == f"local-lvm:vm-{vmid}-disk-0,iothread=1,size=16G"
    assert config["net0"].startswith("virtio=BC:24:11:")
    assert any(r["id"] == f"qemu/{vmid}" for r in root.cluster.resources.get(type="vm"))

    vm.config.put(memory=4096, description="from proxmoxer", delete="ostype")
    config = vm.config.get()
    assert config["memory"] == "4096"
    assert "ostype" not in config
    ok(root, vm.config.post(tags="ci"))
    assert vm.config.get()["tags"] == "ci"

    ok(root, vm.status.start.post())
    assert vm.status.current.get()["status"] == "running"
    ok(root, vm.status.suspend.post())
    assert vm.status.current.get()["qmpstatus"] == "paused"
    ok(root, vm.status.resume.post())
    ok(root, vm.status.reboot.post())
    assert vm.status.current.get()["qmpstatus"] == "running"

    with pytest.raises(ResourceException) as err:
        vm.agent("network-get-interfaces").get()
    assert err.value.status_code == 500
    assert "No QEMU guest agent configured" in str(err.value)

    console = vm.vncproxy.post(websocket=1)
    assert int(console["port"]) >= 5900 and console["ticket"].startswith("PVEVNC:")
    rows = vm.rrddata.get(timeframe="hour")
    assert len(rows) == 70

    ok(root, vm.snapshot.post(snapname="first", description="before changes"))
    names = [s["name"] for s in vm.snapshot.get()]
    assert names == ["first", "current"]
    vm.config.put(cores=4)
    ok(root, vm.snapshot("first").rollback.post())
    assert vm.config.get()["cores"] == 2
    failed = wait(root, vm.snapshot.post(snapname="first"))
    assert failed["exitstatus"] == "snapshot name 'first' already used"
    ok(root, vm.snapshot("first").delete())
    assert [s["name"] for s in vm.snapshot.get()] == ["current"]

    ok(root, vm.status.shutdown.post())
    clone_id = int(root.cluster.nextid.get())
    ok(root, vm.clone.post(newid=clone_id, name="py-clone", full=1))
    assert root.nodes(NODE).qemu(clone_id).config.get()["name"] == "py-clone"
    ok(root, vm.template.post())
    assert vm.config.get()["template"] == 1
    linked_id = int(root.cluster.nextid.get())
    ok(root, vm.clone.post(newid=linked_id))
    assert "base-" in root.nodes(NODE).qemu(linked_id).config.get()["scsi0"]

    for guest in (linked_id, clone_id, vmid):
        ok(root, root.nodes(NODE).qemu(guest).delete(purge=1))
    with pytest.raises(ResourceException) as err:
        vm.config.get()
    assert "does not exist" in str(err.value)
    types = {t["type"] for t in root.nodes(NODE).tasks.get(vmid=vmid, limit=100)}
    assert {"qmcreate", "qmstart", "qmsnapshot", "qmdestroy"} <= types
