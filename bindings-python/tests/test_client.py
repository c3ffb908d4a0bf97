"""The sync and asyncio clients against the embedded simulator."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

import proxmox_api
from conftest import CANARY_PASSWORD, EXPECTED_NODES
from proxmox_api.testing import Simulator


def _node_names(nodes: list) -> list:
    return sorted(node.node for node in nodes)


# --- sync -----------------------------------------------------------------------------------


def test_version_matches_the_raw_endpoint(client: proxmox_api.Client) -> None:
    version = client.version()
    assert isinstance(version, proxmox_api.Version)
    assert isinstance(version.version, str) and version.version
    raw = client.request("GET", "/version")
    assert raw["version"] == version.version
    assert raw["release"] == version.release
    assert version.to_dict()["release"] == raw["release"]


def test_nodes_lists_every_simulated_node(client: proxmox_api.Client) -> None:
    nodes = client.nodes().list()
    assert isinstance(nodes, list) and all(isinstance(n, proxmox_api.NodeSummary) for n in nodes)
    assert _node_names(nodes) == EXPECTED_NODES


def test_raw_request_reaches_a_node(client: proxmox_api.Client) -> None:
    status = client.request("get", "/nodes/pve2/status")
    assert isinstance(status, dict)
    assert status["memory"]["total"] > 0


def test_clients_share_nothing_but_both_work(sim: Simulator) -> None:
    first, second = sim.client(), sim.client()
    assert first.version() == second.version()


def test_threads_share_one_client(client: proxmox_api.Client) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: _node_names(client.nodes().list()), range(32)))
    assert results == [EXPECTED_NODES] * 32


# --- asyncio --------------------------------------------------------------------------------


def test_async_version_and_nodes(sim: Simulator) -> None:
    async def main() -> tuple:
        client = sim.async_client()
        return await client.version(), await client.nodes().list()

    version, nodes = asyncio.run(main())
    assert isinstance(version.version, str) and version.version
    assert _node_names(nodes) == EXPECTED_NODES


def test_async_calls_run_concurrently_on_one_client(sim: Simulator) -> None:
    async def main() -> list:
        client = sim.async_client()
        return await asyncio.gather(*(client.nodes().list() for _ in range(20)))

    results = asyncio.run(main())
    assert [_node_names(nodes) for nodes in results] == [EXPECTED_NODES] * 20


def test_async_raw_request_and_errors(sim: Simulator) -> None:
    async def main() -> None:
        client = sim.async_client()
        status = await client.request("GET", "/nodes/pve1/status")
        assert status["memory"]["total"] > 0
        with pytest.raises(proxmox_api.AuthenticationError):
            await sim.async_client(password="not-the-password").version()

    asyncio.run(main())


def test_async_client_works_across_event_loops(sim: Simulator) -> None:
    client = sim.async_client()
    for _ in range(2):
        nodes = asyncio.run(client.nodes().list())
        assert _node_names(nodes) == EXPECTED_NODES


# --- errors ---------------------------------------------------------------------------------


def test_wrong_password_is_an_authentication_error(sim: Simulator) -> None:
    with pytest.raises(proxmox_api.AuthenticationError) as caught:
        sim.client(password="wrong-password").version()
    error = caught.value
    assert isinstance(error, proxmox_api.ProxmoxError)
    assert error.code == "AUTHENTICATION"
    assert error.status == 401
    assert error.sent is True
    assert error.retry_safe is False


def test_unpinned_self_signed_certificate_is_refused(sim: Simulator) -> None:
    with pytest.raises(proxmox_api.TlsError) as caught:
        sim.client(fingerprint=None).version()
    assert caught.value.code == "TLS"
    assert caught.value.sent is False


def test_wrong_fingerprint_is_refused_naming_both(sim: Simulator) -> None:
    wrong = ":".join(["AB"] * 32)
    with pytest.raises(proxmox_api.TlsError) as caught:
        sim.client(fingerprint=wrong).version()
    error = caught.value
    assert error.sent is False
    assert wrong in str(error)
    assert sim.fingerprint.upper() in str(error).upper()


def test_one_of_several_fingerprints_may_match(sim: Simulator) -> None:
    wrong = ":".join(["AB"] * 32)
    client = sim.client(fingerprint=[wrong, sim.fingerprint])
    assert _node_names(client.nodes().list()) == EXPECTED_NODES


def test_explicitly_dangerous_option_accepts_the_certificate(sim: Simulator) -> None:
    client = sim.client(fingerprint=None, danger_accept_invalid_certs=True)
    assert client.version().version


def test_server_side_parameter_errors_come_as_a_dict(client: proxmox_api.Client) -> None:
    with pytest.raises(proxmox_api.InvalidParametersError) as caught:
        client.request("GET", "/nodes/pve1/tasks", {"limit": "lots"})
    error = caught.value
    assert error.status == 400
    assert isinstance(error.errors, dict)
    assert "limit" in error.errors and error.errors["limit"]


def test_bad_arguments_fail_before_sending(sim: Simulator) -> None:
    client = sim.client()
    with pytest.raises(proxmox_api.InvalidInputError) as caught:
        client.request("PATCH", "/version")
    assert caught.value.sent is False and "method" in caught.value.errors
    with pytest.raises(proxmox_api.InvalidInputError):
        client.request("GET", "/version", {"x": object()})
    with pytest.raises(proxmox_api.InvalidInputError):
        client.request("GET", "/version", ["not", "a", "dict"])


@pytest.mark.parametrize(
    "kwargs, parameter",
    [
        ({}, "credentials"),
        ({"user": "root@pam"}, "password"),
        ({"token_id": "root@pam!ci"}, "token_secret"),
        ({"user": "root@pam", "password": "x", "token_id": "t", "token_secret": "s"}, None),
        ({"user": "root@pam", "password": "x", "connect_timeout": 0}, "connect_timeout"),
        ({"user": "root@pam", "password": "x", "fingerprint": 42}, "fingerprint"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs: dict, parameter) -> None:
    for cls in (proxmox_api.Client, proxmox_api.AsyncClient):
        with pytest.raises(proxmox_api.InvalidInputError) as caught:
            cls("https://127.0.0.1:8006", **kwargs)
        assert isinstance(caught.value, ValueError)
        if parameter is not None:
            assert parameter in caught.value.errors


def test_exception_hierarchy_is_complete() -> None:
    codes = {
        "INVALID_INPUT": proxmox_api.InvalidInputError,
        "AUTHENTICATION": proxmox_api.AuthenticationError,
        "TFA_REQUIRED": proxmox_api.TfaRequiredError,
        "PERMISSION_DENIED": proxmox_api.PermissionDeniedError,
        "NOT_FOUND": proxmox_api.NotFoundError,
        "INVALID_PARAMETERS": proxmox_api.InvalidParametersError,
        "CONFLICT": proxmox_api.ConflictError,
        "NODE_UNREACHABLE": proxmox_api.NodeUnreachableError,
        "API": proxmox_api.ApiError,
        "CONNECT": proxmox_api.ConnectError,
        "TIMEOUT": proxmox_api.ProxmoxTimeoutError,
        "TLS": proxmox_api.TlsError,
        "DECODE": proxmox_api.DecodeError,
        "TASK_FAILED": proxmox_api.TaskFailedError,
        "TASK_TIMEOUT": proxmox_api.TaskTimeoutError,
    }
    for code, cls in codes.items():
        assert issubclass(cls, proxmox_api.ProxmoxError)
        assert cls.code == code
    assert issubclass(proxmox_api.ProxmoxTimeoutError, TimeoutError)


def test_nothing_listens_is_a_connect_error(sim: Simulator) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = proxmox_api.Client(
        f"https://127.0.0.1:{port}", user="root@pam", password="x", fingerprint=sim.fingerprint
    )
    with pytest.raises(proxmox_api.ConnectError) as caught:
        client.version()
    assert caught.value.sent is False and caught.value.retry_safe is True


# --- secrets --------------------------------------------------------------------------------


def _all_text(error: BaseException) -> str:
    return " ".join([str(error), repr(error), repr(error.args), repr(vars(error))])


def test_canary_secrets_never_show(sim: Simulator) -> None:
    token_canary = "canary-token-Vv93Lq0z"
    password_canary = "canary-wrong-pw-4Kd0s"
    sync = sim.client()
    clients = [
        sync,
        sim.async_client(),
        proxmox_api.Client(
            sim.url, token_id="root@pam!ci", token_secret=token_canary, fingerprint=sim.fingerprint
        ),
    ]
    for each in clients:
        assert CANARY_PASSWORD not in repr(each) and CANARY_PASSWORD not in str(each)
        assert token_canary not in repr(each) and token_canary not in str(each)
    sync.version()  # logs in: the ticket now exists and must not leak either
    assert CANARY_PASSWORD not in repr(sync)

    failures: list = []
    for make in (
        lambda: sim.client(password=password_canary).version(),
        lambda: clients[2].version(),
        lambda: proxmox_api.Client(sim.url, user="root@pam", password=password_canary).version(),
        lambda: sync.request("POST", "/access/ticket", {"username": "x@pam", "password": password_canary}),
    ):
        with pytest.raises(proxmox_api.ProxmoxError) as caught:
            make()
        failures.append(caught.value)
    for error in failures:
        text = _all_text(error)
        for secret in (CANARY_PASSWORD, password_canary, token_canary):
            assert secret not in text, f"{type(error).__name__} leaks a secret"


# --- fork -----------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_can_use_the_parents_client(client: proxmox_api.Client) -> None:
    assert _node_names(client.nodes().list()) == EXPECTED_NODES  # parent runtime and pool in use
    pid = os.fork()
    if pid == 0:  # child: must not hang on the parent's runtime threads
        code = 1
        try:
            if _node_names(client.nodes().list()) == EXPECTED_NODES and client.version().version:
                code = 0
        finally:
            os._exit(code)
    deadline = time.monotonic() + 30
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("the forked child hung")
        time.sleep(0.02)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert _node_names(client.nodes().list()) == EXPECTED_NODES  # the parent is unaffected
