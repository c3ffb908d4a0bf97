"""Shared fixtures: one simulator process per test session.

The simulator binary is given by ``$PROXMOX_API_SIM_BIN`` (``scripts/test.sh`` builds it when
unset). It prints one JSON line when ready: ``{"url", "fingerprint", "user", "password", ...}``.
"""

from __future__ import annotations

import json
import os
import queue
import ssl
import subprocess
import threading
import urllib.request
from dataclasses import dataclass
from typing import Iterator, Optional

import pytest

import proxmox_api

# A distinctive password: tests assert it never appears in any repr, str or exception text.
CANARY_PASSWORD = "canary-pw-Zq81xK3v"
STARTUP_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Simulator:
    """A running simulator, as described by its ready line."""

    url: str
    fingerprint: str
    user: str
    password: str
    control_url: Optional[str]

    def control(self, action: str, body: Optional[dict] = None) -> object:
        """POSTs to the simulator's fault-injection endpoint ``/_sim/<action>``."""
        base = self.control_url or f"{self.url}/_sim"
        request = urllib.request.Request(
            f"{base.rstrip('/')}/{action}",
            data=json.dumps(body or {}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        # Test harness only: the loopback simulator's self-signed certificate is not verified
        # here; the client under test always pins it.
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def client(self, **overrides: object) -> proxmox_api.Client:
        """A sync client pinned to the simulator's certificate."""
        kwargs: dict = dict(user=self.user, password=self.password, fingerprint=self.fingerprint)
        kwargs.update(overrides)
        return proxmox_api.Client(self.url, **kwargs)

    def async_client(self, **overrides: object) -> proxmox_api.AsyncClient:
        """An asyncio client pinned to the simulator's certificate."""
        kwargs: dict = dict(user=self.user, password=self.password, fingerprint=self.fingerprint)
        kwargs.update(overrides)
        return proxmox_api.AsyncClient(self.url, **kwargs)


def _read_ready_line(process: subprocess.Popen) -> str:
    """The first stdout line, or a failure naming the simulator's stderr."""
    lines: "queue.Queue[str]" = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=STARTUP_TIMEOUT_S)
    except queue.Empty:
        line = ""
    if not line.strip():
        process.kill()
        _, stderr = process.communicate(timeout=10)
        pytest.fail(f"simulator did not print its ready line; stderr:\n{stderr}")
    return line


@pytest.fixture(scope="session")
def sim() -> Iterator[Simulator]:
    """Starts the simulator binary: 3 nodes, 4 containers, a known password, no auth delay."""
    binary = os.environ.get("PROXMOX_API_SIM_BIN")
    if not binary or not os.access(binary, os.X_OK):
        pytest.fail(
            "set PROXMOX_API_SIM_BIN to the proxmox-api-sim binary "
            "(bindings-python/scripts/test.sh builds it)"
        )
    process = subprocess.Popen(
        [
            binary,
            "--listen",
            "127.0.0.1:0",
            "--nodes",
            "3",
            "--guests",
            "4",
            "--password",
            CANARY_PASSWORD,
            "--auth-delay-ms",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = json.loads(_read_ready_line(process))
        yield Simulator(
            url=ready["url"],
            fingerprint=ready["fingerprint"],
            user=ready["user"],
            password=ready["password"],
            control_url=ready.get("control_url"),
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture()
def client(sim: Simulator) -> proxmox_api.Client:
    """A sync client logged in as the simulator's root user."""
    return sim.client()
