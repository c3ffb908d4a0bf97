"""Groups used by ACLs, and TOTP enrolled through PVE's own /access/tfa API, with proxmoxer."""

import base64
import hashlib
import hmac
import struct
import time

import pytest
from proxmoxer import AuthenticationError

from conftest import ok

NODE = "pve2"


def totp(secret_b32, at=None):
    """RFC 6238 (SHA-1, 30 s, 6 digits), as an authenticator app computes it."""
    counter = int((time.time() if at is None else at) // 30)
    key = base64.b32decode(secret_b32)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


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


def test_totp_enrolled_through_the_api(sim, root):
    root.access.users.post(userid="dave@pve", password="dave-password")
    secret = base64.b32encode(b"0123456789abcdefghij").decode()
    uri = f"otpauth://totp/pve:dave@pve?secret={secret}&issuer=pve"
    dave = sim.api(user="dave@pve", password="dave-password")
    dave.access.tfa("dave@pve").post(
        type="totp", totp=uri, value=totp(secret), password="dave-password"
    )
    entries = root.access.tfa("dave@pve").get()
    assert [e["type"] for e in entries] == ["totp"]
    with pytest.raises(AuthenticationError):
        sim.api(user="dave@pve", password="dave-password", otp="000000" if totp(secret) != "000000" else "111111")
    again = sim.api(user="dave@pve", password="dave-password", otp=totp(secret, time.time() + 30))
    assert again.version.get()["version"]
