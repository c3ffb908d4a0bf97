"""Shared fixtures: one embedded simulator per test session (``proxmox_api.testing``).

The simulator is linked into the extension, so the tests need no binary and no cargo: they run
against whatever ``proxmox_api`` is installed (CI installs the built wheel into a fresh venv).
"""

from __future__ import annotations

from typing import Iterator

import pytest

import proxmox_api
from proxmox_api.testing import Simulator

# A distinctive password: tests assert it never appears in any repr, str or exception text.
CANARY_PASSWORD = "canary-pw-Zq81xK3v"
EXPECTED_NODES = ["pve1", "pve2", "pve3"]


@pytest.fixture(scope="session")
def sim() -> Iterator[Simulator]:
    """Three nodes, four containers, a known password, instant tasks."""
    with Simulator(nodes=3, guests=4, password=CANARY_PASSWORD, task_duration_scale=0.0) as sim:
        yield sim


@pytest.fixture()
def client(sim: Simulator) -> proxmox_api.Client:
    """A sync client logged in as the simulator's root user."""
    return sim.client()


@pytest.fixture()
def faults() -> Iterator[Simulator]:
    """A simulator of its own, for tests that inject faults."""
    with Simulator(nodes=3, guests=2, task_duration_scale=0.0) as sim:
        yield sim
