"""The original spec's automation flow with the asyncio client, typed calls only (see
flow_sync.py for the steps and the environment variables). Progress comes from
``async for event in task.progress()``.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
from contextlib import ExitStack
from typing import Optional

import proxmox_api
from proxmox_api import AsyncClient, AsyncTask

SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTheExampleOnly0000000000000000 flow@example"


async def follow(label: str, task: AsyncTask) -> None:
    """A tqdm-style one-line progress display (no dependency) from the progress stream."""
    last = ""
    async for event in task.progress(timeout=600):
        if event.new_lines:
            last = event.new_lines[-1]
        mark = "done" if event.phase == "stopped" else "...."
        sys.stdout.write(f"\r  {label:<8} [{mark}] {event.elapsed:5.1f}s  {last[:50]:<50}")
        sys.stdout.flush()
    sys.stdout.write("\n")


def connect(stack: ExitStack) -> "tuple[AsyncClient, Optional[str]]":
    url = os.environ.get("PVE_URL")
    if url is None:
        from proxmox_api.testing import Simulator

        print("PVE_URL is not set: starting the embedded simulator (3 nodes)")
        sim = stack.enter_context(Simulator(nodes=3, task_duration_scale=0.05))
        return sim.async_client(), None
    token_id = os.environ.get("PVE_TOKEN_ID")
    if token_id:
        client = AsyncClient(url, token_id=token_id, token_secret=os.environ["PVE_TOKEN_SECRET"],
                             fingerprint=os.environ.get("PVE_FINGERPRINT"))
    else:
        client = AsyncClient(url, user=os.environ.get("PVE_USER", "root@pam"),
                             password=os.environ["PVE_PASSWORD"],
                             fingerprint=os.environ.get("PVE_FINGERPRINT"))
    return client, os.environ.get("PVE_STORAGE")


async def main() -> None:
    with ExitStack() as stack:
        unopened, storage = connect(stack)
        async with unopened as client:
            version, statuses, catalog = await asyncio.gather(
                client.version(), client.nodes().status_all(), client.templates().list_all()
            )
            print(f"Connected to Proxmox VE {version.version} at {client.base_url()}")

            print("\n== Node status of every node")
            for node, status in statuses.items():
                if isinstance(status, proxmox_api.ProxmoxError):
                    print(f"  {node:<8} unreachable: {status}")
                else:
                    print(f"  {node:<8} load {status.loadavg} memory {status.memory.used}/{status.memory.total}")

            print("\n== Templates merged across nodes")
            for template in catalog.templates:
                nodes = ", ".join(location.node for location in template.locations)
                print(f"  {template.volid:<60} on {nodes}")
            if not catalog.templates:
                raise SystemExit("no container template is downloaded on any node")

            print("\n== A user")
            password = secrets.token_urlsafe(12)
            userid = await client.users().create(f"flow-{secrets.token_hex(3)}", password,
                                                 comment="created by flow_async.py")
            print(f"  created {userid} (password not shown)")

            print("\n== A container for that user, placed by most free memory")
            created = await client.containers().create(
                hostname="flow-async", template=catalog.templates[0].volid,
                storage=storage or "local-lvm", memory_mib=512, disk_gib=4,
                ssh_public_keys=[SSH_KEY], owner=userid, placement="most_free_memory",
            )
            print(f"  CT {created.vmid} on {created.node} ({created.task.upid()})")
            await follow("create", created.task)
            container = client.node(created.node).container(created.vmid)
            await follow("start", await container.start())
            print(f"  status: {(await container.status()).status}")

            print("\n== rrd data (last hour, average CPU)")
            points = await container.rrddata("hour", "average")
            print(f"  {len(points)} points, {sum(p.cpu is not None for p in points)} with CPU samples")

            print("\n== Console")
            print(f"  {client.console_url(created.node, created.vmid, 'flow-async')}")
            session = await client.console_session_for(userid, password, created.node, created.vmid)
            print(f"  end-user session for {userid}: {session.url} (cookie {session.cookie.name})")

            stop = await container.stop()
            await stop.wait()

            print("\n== Delete the container and the user")
            outcome = await (await container.delete()).wait()
            print(f"  destroyed: {outcome.exit_status}")
            await client.users().delete(userid)
            print(f"  removed user {userid}")

            print("\n== Destroy log")
            for record in await client.cluster().destroy_log():
                print(f"  {record.vmid:>6} {record.node:<8} {record.user:<22} {record.outcome}")
            print("\nDone.")


if __name__ == "__main__":
    asyncio.run(main())
