"""TOTP enrolled through PVE's own /access/tfa API, then used and failed, with proxmoxer."""

import base64
import hashlib
import hmac
import struct
import time

import pytest
from proxmoxer import AuthenticationError


def totp(secret_b32, at=None):
    """RFC 6238 (SHA-1, 30 s, 6 digits), as an authenticator app computes it."""
    counter = int((time.time() if at is None else at) // 30)
    key = base64.b32decode(secret_b32)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


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
    wrong = f"{(int(totp(secret)) + 1) % 1_000_000:06d}"
    with pytest.raises(AuthenticationError):
        sim.api(user="dave@pve", password="dave-password", otp=wrong)
    again = sim.api(user="dave@pve", password="dave-password", otp=totp(secret))
    assert again.version.get()["version"]
