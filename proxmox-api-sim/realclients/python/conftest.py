"""Starts the simulator binary for the real-client tests and hands out clients.

The binary is $PROXMOX_API_SIM_BIN (run.sh sets it); it prints one JSON line with its url,
fingerprint, user, password and control_url. Each test module gets its own simulator, so ticket
rotation or faults in one module never leak into another.
"""

import json
import os
import subprocess
from urllib.parse import urlparse

import pytest
import requests
import urllib3
from proxmoxer import ProxmoxAPI
from proxmoxer.tools import Tasks

# The simulator's certificate is self-signed, like a fresh PVE node's; these scripts do what
# ordinary scripts against such a node do.
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

TEMPLATE = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"


class Sim:
    """A running simulator process."""

    def __init__(self, proc, info):
        self.proc = proc
        self.info = info
        url = urlparse(info["url"])
        self.host = url.hostname
        self.port = url.port
        self.user = info["user"]
        self.password = info["password"]
        self.control_url = info["control_url"]

    def control(self, action, **body):
        """Calls the control endpoint (`/_sim/<action>`), returning its `data`."""
        r = requests.post(f"{self.control_url}/{action}", json=body, verify=False, timeout=10)
        assert r.status_code == 200, (action, r.status_code, r.text)
        return r.json()["data"]

    def api(self, **kwargs):
        """A proxmoxer client, logged in as root@pam unless other credentials are given."""
        if "token_name" not in kwargs:
            kwargs.setdefault("user", self.user)
            kwargs.setdefault("password", self.password)
        return ProxmoxAPI(
            self.host, port=self.port, verify_ssl=False, service="PVE", timeout=30, **kwargs
        )


def start_simulator():
    binary = os.environ.get("PROXMOX_API_SIM_BIN")
    assert binary, "set PROXMOX_API_SIM_BIN to the simulator binary (run.sh does)"
    proc = subprocess.Popen(
        [binary, "--auth-delay-ms", "0", "--task-scale", "0.05"],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    assert line, f"the simulator exited with {proc.wait()}"
    return Sim(proc, json.loads(line))


@pytest.fixture(scope="module")
def sim():
    s = start_simulator()
    yield s
    s.proc.terminate()
    s.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def root(sim):
    return sim.api()


def wait(prox, upid):
    """proxmoxer's own task helper; returns the final task status."""
    status = Tasks.blocking_status(prox, upid, timeout=60, polling_interval=0.05)
    assert status is not None, f"task {upid} did not finish"
    return status


def ok(prox, upid):
    status = wait(prox, upid)
    assert status["exitstatus"] == "OK", status
    return status
