"""proxmox_api against proxmoxer, side by side on the same loopback simulator, in one run.

Prints numbers and ratios (a benchmark, not a test):
  1. sequential GET /nodes/{node}/status: requests per second (target: >= 8x proxmoxer);
  2. a 20,000-guest GET /cluster/resources into Python objects: time and peak RSS, each library
     in its own subprocesses so RSS is its own (target: <= 0.5x proxmoxer's time, RSS <= its RSS);

Both clients are measured in alternating turns (sequential slices A B C A B C ..., listing
processes A B A B ...): on a shared VM whose speed drifts by 2x within minutes, one long turn
each would compare two different machines.
  3. the status of 16 nodes at 20 ms latency through the natural call
     (`client.nodes().status_all()`, default settings; target: within 1.3x of 20 ms).

    pip install -r bindings-python/bench/requirements.txt   # next to the installed proxmox-api
    python bindings-python/bench/bench_vs_proxmoxer.py

Section 1 also runs a bare `http.client` (one kept-alive HTTPS connection, the ticket cookie, the
body's bytes not decoded): the floor of what any Python client gets from this server. It prints
each client's CPU time and voluntary context switches per call: about 1 when the calling thread
and the runtime's worker (which also runs the simulator) share a CPU, about 2 when an idle
machine puts them on two CPUs and every call pays two cross-CPU wake-ups; the rates of both
proxmox_api and the bare client differ by 2-3x between the two cases (see docs/BENCHMARKS.md).

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
from typing import Any, Callable, Dict, List, NamedTuple

SEQUENTIAL_SECONDS = 3.0  # per client, in SEQUENTIAL_SLICES alternating slices
SEQUENTIAL_SLICES = 6
LISTING_CHILDREN = 3  # per client, alternating, each timing LISTING_ROUNDS calls
LISTING_ROUNDS = 5
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


class Sequential(NamedTuple):
    """Sequential calls: their rate, and the whole process's CPU time and voluntary context
    switches per call (the in-process simulator's included)."""

    per_second: float
    cpu_us: float
    switches: float

    def line(self, name: str) -> str:
        return (f"   {name:<17} {self.per_second:8.0f} req/s {self.cpu_us:6.0f} us CPU/call "
                f"{self.switches:5.2f} switches/call")


def sequential(calls: Dict[str, Callable[[], object]]) -> Dict[str, Sequential]:
    """Each client's sequential rate, measured in ALTERNATING slices (A B C A B C ...) so that a
    machine whose speed drifts during the run (a shared VM) slows every client alike."""
    for call in calls.values():
        call()  # warm up: login, connection
    count = {name: 0 for name in calls}
    elapsed = {name: 0.0 for name in calls}
    cpu = {name: 0.0 for name in calls}
    switches = {name: 0 for name in calls}
    for _ in range(SEQUENTIAL_SLICES):
        for name, call in calls.items():
            before = resource.getrusage(resource.RUSAGE_SELF)
            n, started = 0, time.perf_counter()
            while time.perf_counter() - started < SEQUENTIAL_SECONDS / SEQUENTIAL_SLICES:
                call()
                n += 1
            elapsed[name] += time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_SELF)
            count[name] += n
            cpu[name] += (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            switches[name] += after.ru_nvcsw - before.ru_nvcsw
    return {
        name: Sequential(count[name] / elapsed[name], cpu[name] / count[name] * 1e6,
                         switches[name] / count[name])
        for name in calls
    }


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
    call()  # warm up: the first listing also fills the allocator's pools
    timings = []
    for _ in range(LISTING_ROUNDS):
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
    print(json.dumps({"timings": timings, "rss_mb": rss_mb, "count": len(items)}))


def measure_child(kind: str, sim: Any) -> Dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, sim.url, sim.fingerprint, sim.user, sim.password],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def listing_medians(sim: Any) -> "tuple[Dict[str, Any], Dict[str, Any]]":
    """Both clients' listing, in alternating child processes (A B A B ...), so that drift in the
    machine's speed during the run reaches both alike: the median of all timed calls and the
    highest peak RSS of each."""
    runs: Dict[str, List[Dict[str, Any]]] = {"proxmox_api": [], "proxmoxer": []}
    for _ in range(LISTING_CHILDREN):
        for kind, results in runs.items():
            results.append(measure_child(kind, sim))
    summary = {}
    for kind, results in runs.items():
        summary[kind] = {
            "seconds": statistics.median(t for r in results for t in r["timings"]),
            "rss_mb": max(r["rss_mb"] for r in results),
            "count": results[-1]["count"],
        }
    return summary["proxmox_api"], summary["proxmoxer"]


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
        bare_get = bare_http_client(sim.url, sim.user, sim.password)
        rates = sequential({
            "proxmox_api": lambda: client.node("pve1").status(),
            "proxmoxer": lambda: prox.nodes("pve1").status.get(),
            "bare": lambda: bare_get("/nodes/pve1/status"),
        })
        ours, theirs, bare = rates["proxmox_api"], rates["proxmoxer"], rates["bare"]
        print(f"\n1. sequential GET /nodes/pve1/status ({SEQUENTIAL_SECONDS:.0f} s each in "
              f"{SEQUENTIAL_SLICES} alternating slices; CPU and voluntary context switches of the "
              "whole process, simulator included)")
        print(ours.line("proxmox_api"))
        print(theirs.line("proxmoxer"))
        print(bare.line("bare http.client"))
        print(f"   ratio {ours.per_second / theirs.per_second:5.2f}x (target >= 8x); the bare client "
              f"(keep-alive, body not decoded) is {bare.per_second / theirs.per_second:4.2f}x "
              f"proxmoxer, proxmox_api {ours.per_second / bare.per_second:4.2f}x the bare client")

    with Simulator(nodes=3, guests=RESOURCE_GUESTS) as sim:
        ours_r, theirs_r = listing_medians(sim)
        print(f"\n2. GET /cluster/resources, {int(ours_r['count'])} entries (median of "
              f"{LISTING_CHILDREN} x {LISTING_ROUNDS} calls in alternating processes; the highest "
              "peak RSS of each client's processes)")
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
