"""Groups used by ACLs, with proxmoxer."""

from conftest import ok

NODE = "pve2"


def test_group_acl_grants_members(sim, root):
    root.access.groups.post(groupid="operators", comment="ci")
    root.access.users.post(userid="carol@pve", password="carol-password", groups="operators")
    assert "carol@pve" in root.access.groups("operators").get()["members"]
    vmid = int(root.cluster.nextid.get())
    ok(root, root.nodes(NODE).qemu.post(vmid=vmid, memory=512))
    root.access.acl.put(path=f"/vms/{vmid}", groups="operators", roles="PVEVMAdmin")
    carol = sim.api(user="carol@pve", password="carol-password")
    assert [r["vmid"] for r in carol.cluster.resources.get(type="vm")] == [vmid]
    ok(carol, carol.nodes(NODE).qemu(vmid).status.start.post())
    root.access.users("carol@pve").delete()
    root.access.groups("operators").delete()

