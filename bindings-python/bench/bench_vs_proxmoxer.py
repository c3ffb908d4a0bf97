"""proxmox_api against proxmoxer, side by side on the same loopback simulator, in one run.

Prints numbers and ratios (a benchmark, not a test):
  1. sequential GET /nodes/{node}/status: requests per second (target: >= 8x proxmoxer);
  2. a 20,000-guest GET /cluster/resources into Python objects: time and peak RSS, each library
     in its own subprocess so RSS is its own (target: <= 0.5x proxmoxer's time, RSS <= its RSS);
  3. the status of 16 nodes at 20 ms latency through the natural call
     (`client.nodes().status_all()`, default settings; target: within 1.3x of 20 ms).

    pip install -r bindings-python/bench/requirements.txt   # next to the installed proxmox-api
    python bindings-python/bench/bench_vs_proxmoxer.py

The simulator is the one embedded in proxmox_api (127.0.0.1, self-signed: proxmox_api pins its
fingerprint, proxmoxer runs with verify_ssl=False, loopback only). Both clients ask for gzip
(requests sends `Accept-Encoding: gzip, deflate`, the core `gzip`), so the simulator compresses the
listing for both.

Peak RSS is the child's own high-water mark (`VmHWM` in /proc/self/status). Not `ru_maxrss`:
Linux keeps that across `exec`, so a child started by vfork/fork reports at least the parent's
RSS, and the parent here holds a 20,000-guest simulator.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
import urllib.parse
import warnings
from typing import Any, Callable, Dict, List

SEQUENTIAL_SECONDS = 3.0
RESOURCE_GUESTS = 20_000
FAN_OUT_NODES = 16
FAN_OUT_LATENCY = 0.020


def proxmoxer_client(url: str, user: str, password: str) -> Any:
    from proxmoxer import ProxmoxAPI

    warnings.filterwarnings("ignore")  # InsecureRequestWarning: loopback simulator only
    parsed = urllib.parse.urlparse(url)
    return ProxmoxAPI(parsed.hostname, port=parsed.port, user=user, password=password,
                      verify_ssl=False)


def bare_http_client(url: str, user: str, password: str) -> Callable[[str], bytes]:
    """The floor of what a Python client can do against this server: `http.client` over one
    kept-alive HTTPS connection with the ticket cookie, certificate checks off (loopback only),
    returning the body's bytes without decoding them."""
    import http.client
    import ssl

    parsed = urllib.parse.urlparse(url)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection(parsed.hostname or "127.0.0.1", parsed.port,
                                             context=context)
    form = urllib.parse.urlencode({"username": user, "password": password})
    connection.request("POST", "/api2/json/access/ticket", body=form,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    login = connection.getresponse()
    ticket = json.loads(login.read())["data"]["ticket"]
    headers = {"Cookie": f"PVEAuthCookie={ticket}"}

    def get(path: str) -> bytes:
        connection.request("GET", "/api2/json" + path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status} {response.reason}")
        return body

    return get


def rate(call: Callable[[], object]) -> float:
    call()  # warm up: login, connection
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < SEQUENTIAL_SECONDS:
        call()
        count += 1
    return count / (time.perf_counter() - started)


def peak_rss_mb() -> float:
    """This process's own peak RSS in MiB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    # Not Linux: ru_maxrss (KiB on Linux, bytes on macOS).
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def native_module_description() -> str:
    """Which build of the native module runs: its size, and whether it is stripped (only the
    shipped `dist` profile strips symbols; `ci` and `dev` keep them)."""
    from proxmox_api import _native

    path = _native.__file__ or ""
    size_mb = os.path.getsize(path) / 1024 / 1024
    return f"{os.path.basename(path)} {size_mb:.1f} MiB, {elf_build(path)}"


def elf_build(path: str) -> str:
    import struct

    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return "profile unknown (not a 64-bit ELF)"
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    names_at, = struct.unpack_from("<Q", data, shoff + shstrndx * shentsize + 0x18)
    sections = set()
    for i in range(shnum):
        name_off, = struct.unpack_from("<I", data, shoff + i * shentsize)
        end = data.index(b"\0", names_at + name_off)
        sections.add(data[names_at + name_off:end].decode())
    if ".symtab" in sections:
        return "has symbols: NOT the shipped `dist` profile"
    return "stripped: the shipped `dist` profile"


def environment() -> str:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"load average {load}, {os.cpu_count()} CPUs"


def child(kind: str, url: str, fingerprint: str, user: str, password: str) -> None:
    """One measurement in a fresh process: prints {"seconds", "rss_mb", "count"}."""
    if kind == "proxmox_api":
        import proxmox_api

        client = proxmox_api.Client(url, user=user, password=password, fingerprint=fingerprint)
        client.version()
        call: Callable[[], List[Any]] = lambda: client.cluster().resources()
    else:
        prox = proxmoxer_client(url, user, password)
        prox.version.get()
        call = lambda: prox.cluster.resources.get()
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        items = call()
        # Touch every item as a user would (the typed objects convert attributes on access).
        if kind == "proxmox_api":
            total = sum(getattr(i, "maxmem", 0) or 0 for i in items)
        else:
            total = sum(i.get("maxmem", 0) or 0 for i in items)
        timings.append(time.perf_counter() - started)
        assert total >= 0
    rss_mb = peak_rss_mb()
    print(json.dumps({"seconds": statistics.median(timings), "rss_mb": rss_mb, "count": len(items)}))


def measure_child(kind: str, sim: Any) -> Dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, sim.url, sim.fingerprint, sim.user, sim.password],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    import proxmox_api
    from proxmox_api.testing import Simulator

    import proxmoxer

    print(f"proxmox_api {proxmox_api.__version__} vs proxmoxer {proxmoxer.__version__}, "
          f"Python {sys.version.split()[0]}")
    print(f"native module: {native_module_description()}")
    print(f"start: {environment()}")

    with Simulator(nodes=3) as sim:
        client = sim.client()
        prox = proxmoxer_client(sim.url, sim.user, sim.password)
        ours = rate(lambda: client.node("pve1").status())
        theirs = rate(lambda: prox.nodes("pve1").status.get())
        bare_get = bare_http_client(sim.url, sim.user, sim.password)
        bare = rate(lambda: bare_get("/nodes/pve1/status"))
        print(f"\n1. sequential GET /nodes/pve1/status ({SEQUENTIAL_SECONDS:.0f} s each)")
        print(f"   proxmox_api {ours:8.0f} req/s   proxmoxer {theirs:8.0f} req/s   "
              f"ratio {ours / theirs:5.2f}x (target >= 8x)")
        print(f"   bare http.client (keep-alive, bytes not decoded) {bare:8.0f} req/s: "
              f"{bare / theirs:5.2f}x proxmoxer, proxmox_api is {ours / bare:4.2f}x of it")

    with Simulator(nodes=3, guests=RESOURCE_GUESTS) as sim:
        ours_r = measure_child("proxmox_api", sim)
        theirs_r = measure_child("proxmoxer", sim)
        print(f"\n2. GET /cluster/resources, {int(ours_r['count'])} entries (median of 5, own process)")
        print(f"   proxmox_api {ours_r['seconds'] * 1000:7.1f} ms {ours_r['rss_mb']:6.1f} MB peak RSS")
        print(f"   proxmoxer   {theirs_r['seconds'] * 1000:7.1f} ms {theirs_r['rss_mb']:6.1f} MB peak RSS")
        print(f"   time ratio {ours_r['seconds'] / theirs_r['seconds']:5.2f}x (target <= 0.5x), "
              f"RSS ratio {ours_r['rss_mb'] / theirs_r['rss_mb']:5.2f}x (target <= 1x)")

    with Simulator(nodes=FAN_OUT_NODES) as sim:
        client = sim.client()
        client.nodes().status_all()  # log in, warm the pool
        for i in range(1, FAN_OUT_NODES + 1):
            sim.set_node_latency(f"pve{i}", FAN_OUT_LATENCY)
        timings = []
        for _ in range(10):
            started = time.perf_counter()
            per_node = client.nodes().status_all()
            timings.append(time.perf_counter() - started)
            assert len(per_node) == FAN_OUT_NODES
        median = statistics.median(timings)
        print(f"\n3. nodes().status_all() over {FAN_OUT_NODES} nodes at {FAN_OUT_LATENCY * 1000:.0f} ms per node")
        print(f"   median {median * 1000:6.1f} ms = {median / FAN_OUT_LATENCY:4.2f}x the latency (target <= 1.3x)")
    print(f"\nend: {environment()}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:7])
    else:
        main()
