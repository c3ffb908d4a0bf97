"""Users and ACLs with proxmoxer: a user sees and controls only what it was granted."""

import pytest
from proxmoxer import ResourceException

from conftest import ok

NODE = "pve3"


def test_users_acls_and_permissions(sim, root):
    root.access.users.post(userid="alice@pve", password="alice-password", comment="from ci")
    users = [u["userid"] for u in root.access.users.get()]
    assert "alice@pve" in users
    vmid = int(root.cluster.nextid.get())
    ok(root, root.nodes(NODE).qemu.post(vmid=vmid, memory=512, scsi0="local-lvm:2"))
    other = vmid + 1
    ok(root, root.nodes(NODE).qemu.post(vmid=other, memory=512))
    root.access.acl.put(path=f"/vms/{vmid}", users="alice@pve", roles="PVEVMUser")
    acl = root.access.acl.get()
    assert {"path": f"/vms/{vmid}", "ugid": "alice@pve", "roleid": "PVEVMUser"}.items() <= next(
        e for e in acl if e["path"] == f"/vms/{vmid}"
    ).items()

    alice = sim.api(user="alice@pve", password="alice-password")
    assert [r["vmid"] for r in alice.cluster.resources.get(type="vm")] == [vmid]
    ok(alice, alice.nodes(NODE).qemu(vmid).status.start.post())
    with pytest.raises(ResourceException) as err:
        alice.nodes(NODE).qemu(other).status.start.post()
    assert err.value.status_code == 403

    root.access.acl.put(path=f"/vms/{vmid}", users="alice@pve", roles="PVEVMUser", delete=1)
    with pytest.raises(ResourceException) as err:
        alice.nodes(NODE).qemu(vmid).status.current.get()
    assert err.value.status_code == 403
    root.access.users("alice@pve").delete()
    assert "alice@pve" not in [u["userid"] for u in root.access.users.get()]
