"""The original spec's automation flow with the blocking client, typed calls only.

Create a user; create a container for that user with an SSH key, placed automatically, waiting
with a progress line; start and stop it; read rrd data; a console URL and an end-user console
session; the status of every node; templates merged across nodes; the destroy log; delete the
container and the user.

Against a real cluster: PVE_URL, PVE_USER/PVE_PASSWORD (or PVE_TOKEN_ID/PVE_TOKEN_SECRET),
PVE_FINGERPRINT, PVE_STORAGE. Without PVE_URL it runs against the embedded simulator.
"""

from __future__ import annotations

import os
import secrets
import sys
from contextlib import ExitStack
from typing import Callable, Optional

import proxmox_api
from proxmox_api import Client, TaskProgress

SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTheExampleOnly0000000000000000 flow@example"


def progress_line(label: str) -> Callable[[TaskProgress], None]:
    """A tqdm-style one-line progress display (no dependency): state, seconds, last log line."""
    spinner = "|/-\\"
    ticks = 0
    last = ""

    def show(event: TaskProgress) -> None:
        nonlocal ticks, last
        ticks += 1
        if event.new_lines:
            last = event.new_lines[-1]
        mark = "done" if event.phase == "stopped" else spinner[ticks % len(spinner)]
        sys.stdout.write(f"\r  {label:<8} [{mark:>4}] {event.elapsed:5.1f}s  {last[:50]:<50}")
        if event.phase == "stopped":
            sys.stdout.write("\n")
        sys.stdout.flush()

    return show


def connect(stack: ExitStack) -> "tuple[Client, Optional[str]]":
    url = os.environ.get("PVE_URL")
    if url is None:
        from proxmox_api.testing import Simulator

        print("PVE_URL is not set: starting the embedded simulator (3 nodes)")
        sim = stack.enter_context(Simulator(nodes=3, task_duration_scale=0.05))
        return stack.enter_context(sim.client()), None
    token_id = os.environ.get("PVE_TOKEN_ID")
    if token_id:
        client = Client(url, token_id=token_id, token_secret=os.environ["PVE_TOKEN_SECRET"],
                        fingerprint=os.environ.get("PVE_FINGERPRINT"))
    else:
        client = Client(url, user=os.environ.get("PVE_USER", "root@pam"),
                        password=os.environ["PVE_PASSWORD"],
                        fingerprint=os.environ.get("PVE_FINGERPRINT"))
    return stack.enter_context(client), os.environ.get("PVE_STORAGE")


def main() -> None:
    with ExitStack() as stack:
        client, storage = connect(stack)
        version = client.version()
        print(f"Connected to Proxmox VE {version.version} at {client.base_url()}")

        print("\n== Node status of every node")
        for node, status in client.nodes().status_all().items():
            if isinstance(status, proxmox_api.ProxmoxError):
                print(f"  {node:<8} unreachable: {status}")
            else:
                print(f"  {node:<8} load {status.loadavg} memory {status.memory.used}/{status.memory.total}")

        print("\n== Templates merged across nodes")
        catalog = client.templates().list_all()
        for template in catalog.templates:
            nodes = ", ".join(location.node for location in template.locations)
            print(f"  {template.volid:<60} on {nodes}")
        if not catalog.templates:
            raise SystemExit("no container template is downloaded on any node")
        template = catalog.templates[0]

        print("\n== A user")
        password = secrets.token_urlsafe(12)
        userid = client.users().create(f"flow-{secrets.token_hex(3)}", password,
                                       comment="created by flow_sync.py")
        print(f"  created {userid} (password not shown)")

        print("\n== A container for that user, placed by most free memory")
        created = client.containers().create(
            hostname="flow-sync", template=template.volid, storage=storage or "local-lvm",
            memory_mib=512, disk_gib=4, ssh_public_keys=[SSH_KEY], owner=userid,
            placement="most_free_memory",
        )
        print(f"  CT {created.vmid} on {created.node} ({created.task.upid()})")
        created.task.wait(timeout=600, on_progress=progress_line("create"))
        container = client.node(created.node).container(created.vmid)
        container.start().wait(on_progress=progress_line("start"))
        print(f"  status: {container.status().status}")

        print("\n== rrd data (last hour, average CPU)")
        points = container.rrddata("hour", "average")
        cpu = [p.cpu for p in points if p.cpu is not None]
        print(f"  {len(points)} points, {len(cpu)} with CPU samples")

        print("\n== Console")
        print(f"  {client.console_url(created.node, created.vmid, 'flow-sync')}")
        session = client.console_session_for(userid, password, created.node, created.vmid)
        print(f"  end-user session for {userid}: {session.url} (cookie {session.cookie.name}, value {session.cookie.value!r})")

        container.stop().wait(on_progress=progress_line("stop"))

        print("\n== Delete the container and the user")
        outcome = container.delete().wait(on_progress=progress_line("destroy"))
        print(f"  destroyed: {outcome.exit_status}")
        client.users().delete(userid)
        print(f"  removed user {userid}")

        print("\n== Destroy log")
        for record in client.cluster().destroy_log():
            print(f"  {record.vmid:>6} {record.node:<8} {record.user:<22} {record.outcome}")
        print("\nDone.")


if __name__ == "__main__":
    main()
