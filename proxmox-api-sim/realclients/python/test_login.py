"""Logging in both ways, failures, ticket expiry and re-login, with proxmoxer unchanged."""

import pytest
import requests
from proxmoxer import AuthenticationError, ResourceException


def test_password_login_and_reads(sim, root):
    assert root.version.get()["release"]
    nodes = root.nodes.get()
    assert sorted(n["node"] for n in nodes) == ["pve1", "pve2", "pve3"]
    status = root.nodes("pve1").status.get()
    assert status["cpuinfo"]["cpus"] > 0
    assert root.cluster.status.get()[0]["type"] == "cluster"


def test_wrong_password_is_an_authentication_error(sim):
    with pytest.raises(AuthenticationError):
        sim.api(password="not-the-password")


def test_api_token_login(sim, root):
    token = root.access.users("root@pam").token("ci").post(privsep=0)
    assert token["full-tokenid"] == "root@pam!ci"
    with_token = sim.api(user="root@pam", token_name="ci", token_value=token["value"])
    assert len(with_token.nodes.get()) == 3
    assert with_token.cluster.nextid.get() == "100"
    bad = sim.api(user="root@pam", token_name="ci", token_value="0" * 8 + token["value"][8:])
    with pytest.raises(ResourceException) as err:
        bad.nodes.get()
    assert err.value.status_code == 401
    root.access.users("root@pam").token("ci").delete()


def test_expired_ticket_then_relogin(sim):
    prox = sim.api()
    assert prox.nodes.get()
    sim.control("expire-tickets")
    with pytest.raises(ResourceException) as err:
        prox.nodes.get()
    assert err.value.status_code == 401
    again = sim.api()
    assert len(again.nodes.get()) == 3


def test_totp_user_with_a_wrong_code_fails_to_log_in(sim):
    # A fresh root session: an earlier test rotated the ticket key.
    root = sim.api()
    root.access.users.post(userid="tfa@pve", password="tfa-password-1")
    sim.control("enable-totp", userid="tfa@pve")
    code = sim.control("totp-code", userid="tfa@pve")["code"]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(AuthenticationError):
        sim.api(user="tfa@pve", password="tfa-password-1", otp=wrong)
    good = sim.api(user="tfa@pve", password="tfa-password-1", otp=code)
    assert good.version.get()["version"]


def test_control_endpoint_is_outside_the_api(sim):
    r = requests.get(f"{sim.control_url}/state", verify=False, timeout=10)
    assert r.status_code == 200
