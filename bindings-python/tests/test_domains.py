"""The table's operations end to end on the embedded simulator: typed results, tasks with
progress, users and ACL ownership, the path builder, and input checked before sending."""

from __future__ import annotations

import asyncio
import hashlib
from typing import List

import pytest

import proxmox_api
from conftest import CANARY_PASSWORD, EXPECTED_NODES
from proxmox_api.testing import Simulator


def _template(client: proxmox_api.Client) -> str:
    catalog = client.templates().list_all()
    assert catalog.templates, "the simulator has no downloaded template"
    return catalog.templates[0].volid


def test_models_are_typed_comparable_and_convert_to_dicts(client: proxmox_api.Client) -> None:
    nodes = client.nodes().list()
    assert [n.node for n in nodes] == EXPECTED_NODES
    first = nodes[0]
    assert first == client.nodes().list()[0] or first.to_dict()["node"] == "pve1"
    as_dict = first.to_dict()
    assert as_dict["node"] == "pve1" and set(as_dict) >= {"node", "status", "maxmem"}
    assert "NodeSummary(node='pve1'" in repr(first)
    status = client.node("pve1").status()
    assert isinstance(status.memory, proxmox_api.MemoryUsage) and status.memory.total > 0
    assert status.to_dict()["memory"]["total"] == status.memory.total
    resources = client.cluster().resources()
    kinds = {type(r).__name__ for r in resources}
    assert {"NodeResource", "GuestResource", "StorageResource"} <= kinds
    assert client.cluster().resources(kind="vm") and all(
        isinstance(r, proxmox_api.GuestResource) for r in client.cluster().resources(kind="vm")
    )
    assert len(client.containers().list()) >= 4


def test_container_lifecycle_with_progress(sim: Simulator) -> None:
    client = sim.client()
    userid = client.users().create("lifecycle", "owner-password-1", comment="test")
    assert userid == "lifecycle@pve"
    created = client.containers().create(hostname="lifecycle", template=_template(client),
                                         owner=userid, ssh_public_keys=["ssh-ed25519 AAAAC3Nza test"])
    assert isinstance(created, proxmox_api.CreatedContainer)
    assert isinstance(created.task, proxmox_api.Task) and created.task.node() == created.node
    events: List[proxmox_api.TaskProgress] = []
    outcome = created.task.wait(timeout=60, on_progress=events.append)
    assert isinstance(outcome, proxmox_api.TaskOutcome) and outcome.exit_status == "OK"
    assert events and events[-1].phase == "stopped"
    assert any(line for e in events for line in e.new_lines)
    assert client.users().vmids(userid) == [created.vmid]
    assert [g.vmid for g in client.users().containers(userid)] == [created.vmid]

    container = client.node(created.node).container(created.vmid)
    assert container.vmid() == created.vmid and container.node() == created.node
    progress = list(container.start().progress())
    assert progress[-1].phase == "stopped"
    assert container.status().status == "running"
    info = client.containers().get(created.vmid)
    assert isinstance(info, proxmox_api.ContainerInfo) and info.config.hostname == "lifecycle"
    assert client.containers().locate(created.vmid) == created.node
    assert isinstance(container.rrddata("hour"), list)
    url = client.console_url(created.node, created.vmid, "lifecycle")
    assert url.startswith(sim.url) and f"vmid={created.vmid}" in url
    session = client.console_session_for(userid, "owner-password-1", created.node, created.vmid)
    assert session.cookie.name == "PVEAuthCookie" and session.cookie.value.reveal()
    assert "owner-password-1" not in repr(session) and session.cookie.value.reveal() not in repr(session)

    assert container.delete().wait().exit_status == "OK"
    assert any(r.vmid == created.vmid for r in client.cluster().destroy_log())
    client.users().delete(userid)
    assert userid not in {u.userid for u in client.users().list()}


def test_async_faces_mirror_the_sync_ones(sim: Simulator) -> None:
    async def main() -> None:
        async with sim.async_client() as client:
            nodes, status, next_id = await asyncio.gather(
                client.nodes().list(), client.node("pve2").status(), client.cluster().next_id()
            )
            assert [n.node for n in nodes] == EXPECTED_NODES
            assert status.memory.total > 0 and next_id >= 100
            template = (await client.templates().list_all()).templates[0].volid
            created = await client.containers().create(
                hostname="asyncct", template=template, ssh_public_keys=["ssh-ed25519 AAAAC3Nza t"]
            )
            assert isinstance(created.task, proxmox_api.AsyncTask)
            events = [event async for event in created.task.progress()]
            assert events[-1].phase == "stopped"
            ct = client.node(created.node).container(created.vmid)
            outcome = await (await ct.delete()).wait(timeout=60)
            assert outcome.exit_status == "OK"
            raw = await client.api.nodes("pve1").status.get()
            assert isinstance(raw, dict) and raw["memory"]["total"] > 0

    asyncio.run(main())


def test_path_builder_encodes_each_segment(client: proxmox_api.Client) -> None:
    status = client.api.nodes("pve1").status.get()
    assert isinstance(status, dict) and status["memory"]["total"] > 0
    assert client.api.nodes("pve1").status.path == "/nodes/pve1/status"
    # A slash inside one segment stays inside it: no route matches, nothing else is reached.
    with pytest.raises(proxmox_api.ProxmoxError) as caught:
        client.api.nodes("pve1/status").get()
    assert caught.value.status in (400, 404, 501)
    vmid = client.containers().list()[0].vmid
    node = client.containers().locate(vmid)
    current = client.api.nodes(node).lxc(vmid).status.current.get()
    assert isinstance(current, dict) and current["vmid"] == vmid


@pytest.mark.parametrize(
    "call, parameter",
    [
        (lambda c: c.node("pve1").rrddata("fortnight"), "timeframe"),
        (lambda c: c.node("pve1").container(-1), "vmid"),
        (lambda c: c.node(42), "name"),
        (lambda c: c.cluster().resources(kind="planets"), "kind"),
        (lambda c: c.containers().create(hostname="bad_name!", template="local:vztmpl/x.tar.zst"), "hostname"),
        (lambda c: c.containers().create(hostname="ok", template="local:vztmpl/x.tar.zst",
                                         ssh_public_keys="not-a-list"), "ssh_public_keys"),
        (lambda c: c.users().create("shortpw", "short"), "password"),
        (lambda c: c.task("not-a-upid"), "upid"),
        (lambda c: c.fan_out(per_node_timeout=0), "per_node_timeout"),
        (lambda c: c.request("PATCH", "/version"), "method"),
    ],
)
def test_bad_input_fails_typed_before_sending(client: proxmox_api.Client, call, parameter: str) -> None:
    with pytest.raises(proxmox_api.InvalidInputError) as caught:
        call(client)
    assert caught.value.sent is False
    assert parameter in caught.value.errors, caught.value.errors


def test_call_shape_errors_are_type_errors(client: proxmox_api.Client) -> None:
    with pytest.raises(TypeError):
        client.node()
    with pytest.raises(TypeError):
        client.node("pve1", nonsense=1)
    with pytest.raises(TypeError):
        client.nodes().list(1)


def test_closed_client_refuses_calls(sim: Simulator) -> None:
    with sim.client() as client:
        assert client.version().version
    with pytest.raises(proxmox_api.InvalidInputError):
        client.version()


def test_otp_and_tfa_callback_are_checked(sim: Simulator) -> None:
    with pytest.raises(proxmox_api.InvalidInputError):
        sim.client(otp="123456", tfa_callback=lambda user, factors: "123456")
    with pytest.raises(proxmox_api.InvalidInputError):
        sim.client(tfa_callback="not callable")
    # Accounts without TFA never ask: the provider is simply not used.
    assert sim.client(otp="123456").version().version


def test_secrets_never_show_in_models(client: proxmox_api.Client) -> None:
    vmid = client.containers().list()[0].vmid
    node = client.containers().locate(vmid)
    proxy = client.node(node).container(vmid).vnc_proxy()
    ticket = proxy.ticket.reveal()
    assert ticket and ticket not in repr(proxy) and ticket not in str(proxy.to_dict())
    assert CANARY_PASSWORD not in repr(client)


def test_task_page_pages_the_node_history(client: proxmox_api.Client) -> None:
    node = client.node("pve1")
    for entry in node.aplinfo()[:2]:
        node.download_template("local", entry.template).wait(timeout=120)
    history = node.tasks()
    assert len(history) >= 2
    first = node.task_page(limit=1)
    second = node.task_page(start=1, limit=1)
    assert [t.upid for t in first.tasks] == [history[0].upid]
    assert [t.upid for t in second.tasks] == [history[1].upid]
    # PVE sends the number of all matching tasks; a server that does not gives None.
    assert first.total is None or first.total >= len(history)
    with pytest.raises(proxmox_api.InvalidInputError):
        node.task_page(limit=-1)


def _key_marker(key: str) -> str:
    """The tag the core derives from an idempotency key (proxmox-api-core's reconcile.rs)."""
    return "pxa-key-" + hashlib.sha256(key.encode()).hexdigest()[:20]


def test_idempotency_key_reaches_the_creation_request(client: proxmox_api.Client) -> None:
    created = client.containers().create(hostname="idem-tagged", template=_template(client),
                                         idempotency_key="py-idem-tagged", password=CANARY_PASSWORD)
    created.task.wait(timeout=60)
    config = client.node(created.node).container(created.vmid).config()
    assert config.tags is not None and _key_marker("py-idem-tagged") in config.tags
    client.node(created.node).container(created.vmid).delete().wait(timeout=60)


def test_repeated_create_with_the_same_idempotency_key_returns_the_first_container(
    client: proxmox_api.Client,
) -> None:
    template = _template(client)
    first = client.containers().create(hostname="idem-once", template=template,
                                       idempotency_key="py-idem-once", password=CANARY_PASSWORD)
    first.task.wait(timeout=60)
    again = client.containers().create(hostname="idem-once", template=template,
                                       idempotency_key="py-idem-once", password=CANARY_PASSWORD)
    assert (again.vmid, again.node) == (first.vmid, first.node)
    assert [g.vmid for g in client.containers().list() if g.name == "idem-once"] == [first.vmid]
    other = client.containers().create(hostname="idem-once", template=template,
                                       idempotency_key="py-idem-other", password=CANARY_PASSWORD)
    assert other.vmid != first.vmid
    other.task.wait(timeout=60)
    for vmid in (first.vmid, other.vmid):
        client.containers().handle(vmid).delete().wait(timeout=60)
