//! Cluster nodes: hardware, uptime, load, and the `/nodes` and `/nodes/{node}/status|version`
//! answers.

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::containers::LooseNumber;
use super::deterministic::{hash, str_key, unit};
use super::storage::Storage;
use super::{caller_can, ClusterState};
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

/// The PVE release the simulator answers as (`GET /version`, `/nodes/{node}/version`,
/// `pveversion`). 9.x: `repoid` has 16 hex digits.
pub const PVE_RELEASE: &str = "9.1";
/// Full pve-manager version.
pub const PVE_VERSION: &str = "9.1.1";
/// Short git revision of pve-manager.
pub const PVE_REPOID: &str = "42db4a6cf33dac83";
const KERNEL_RELEASE: &str = "6.17.2-1-pve";
const KERNEL_BUILD: &str = "#1 SMP PREEMPT_DYNAMIC PMX 6.17.2-1 (2025-10-21T11:55Z)";

const GIB: u64 = 1 << 30;

/// Linux's default `pid_max` on 64-bit hosts.
const PID_MAX: u32 = 4_194_304;

/// Hardware profiles the nodes cycle through, so placement by free memory has something to choose.
const PROFILES: [(u32, u32, u64, &str); 4] = [
    (1, 8, 64 * GIB, "Intel(R) Xeon(R) E-2288G CPU @ 3.70GHz"),
    (1, 12, 32 * GIB, "AMD Ryzen 5 5600X 6-Core Processor"),
    (
        2,
        16,
        128 * GIB,
        "Intel(R) Xeon(R) Silver 4210R CPU @ 2.40GHz",
    ),
    (1, 4, 16 * GIB, "Intel(R) Core(TM) i5-8500T CPU @ 2.10GHz"),
];

/// Load a node carries from its running containers (recomputed when one starts or stops).
#[derive(Debug, Clone, Default)]
pub(crate) struct NodeLoad {
    pub running: u32,
    pub mem: u64,
    pub cpu_cores: f64,
}

/// One node of the cluster.
#[derive(Debug)]
pub(crate) struct Node {
    pub name: String,
    pub index: usize,
    pub ip: String,
    pub sockets: u32,
    pub maxcpu: u32,
    pub maxmem: u64,
    pub cpu_model: &'static str,
    /// Memory used by the host itself.
    pub base_mem: u64,
    pub swap_total: u64,
    pub rootfs_total: u64,
    pub boot_time: f64,
    pub ssl_fingerprint: String,
    pub storages: Vec<Storage>,
    pub load: NodeLoad,
    /// Next worker pid (PVE's pids grow; UPIDs carry them in hex).
    pub next_pid: u32,
}

impl Node {
    pub(crate) fn new(index: usize, seed: u64, guests: usize, node_count: usize) -> Self {
        let name = format!("pve{}", index + 1);
        let (sockets, maxcpu, maxmem, cpu_model) = PROFILES[index % PROFILES.len()];
        let key = str_key(&name);
        let fingerprint = (0..32)
            .map(|i| format!("{:02X}", hash(&[seed, key, i]) & 0xFF))
            .collect::<Vec<_>>()
            .join(":");
        let guests_here = guests / node_count + 1;
        Self {
            ip: format!("192.168.1.{}", index + 1),
            index,
            sockets,
            maxcpu,
            maxmem,
            cpu_model,
            base_mem: 2 * GIB + (unit(&[seed, key, 1]) * GIB as f64) as u64,
            swap_total: 8 * GIB,
            rootfs_total: 100 * GIB,
            // Relative to the first tick (see `ClusterState::anchor`): up for a few days.
            boot_time: -(3.0 * 86_400.0 + (index as f64) * 7_919.0),
            ssl_fingerprint: fingerprint,
            storages: Storage::defaults_for_node(&name, seed, guests_here),
            load: NodeLoad::default(),
            next_pid: 40_000 + (hash(&[seed, key, 2]) % 20_000) as u32,
            name,
        }
    }

    pub(crate) fn anchor(&mut self, now: f64) {
        self.boot_time += now;
        for storage in &mut self.storages {
            storage.anchor(now);
        }
    }

    pub(crate) fn uptime(&self, now: f64) -> i64 {
        (now - self.boot_time).max(0.0) as i64
    }

    pub(crate) fn mem_used(&self) -> u64 {
        (self.base_mem + self.load.mem).min(self.maxmem)
    }

    /// CPU utilisation in `[0, 1]`: a small idle load plus the running containers, with a wobble
    /// that changes every 10 s.
    pub(crate) fn cpu(&self, now: f64) -> f64 {
        let wobble = unit(&[str_key(&self.name), (now / 10.0) as u64]) * 0.004;
        ((0.002 + wobble + self.load.cpu_cores) / f64::from(self.maxcpu)).min(1.0)
    }

    pub(crate) fn loadavg(&self, now: f64) -> [f64; 3] {
        let base = self.load.cpu_cores + 0.05 * f64::from(self.load.running);
        let w = |i: u64| unit(&[str_key(&self.name), (now / 60.0) as u64, i]) * 0.1;
        [base + w(1), base * 0.9 + w(2), base * 0.8 + w(3)]
    }

    pub(crate) fn rootfs_used(&self) -> u64 {
        // The root file system holds `local` (a directory storage on it).
        self.storages
            .iter()
            .find(|s| s.id == "local")
            .map(|s| s.used())
            .unwrap_or(3 * GIB)
    }

    pub(crate) fn alloc_pid(&mut self, seed: u64) -> u32 {
        let pid = self.next_pid;
        self.next_pid += 1 + (hash(&[seed, u64::from(pid)]) % 37) as u32;
        if self.next_pid > PID_MAX {
            // Linux wraps pids at pid_max (2^22 on 64-bit hosts), skipping the low ones.
            self.next_pid = 300 + self.next_pid % 1000;
        }
        pid
    }
}

/// A number as PVE prints it: whole numbers become JSON integers (Perl's `0` for an idle cpu).
pub(crate) fn loose_number(x: f64) -> Value {
    match LooseNumber::from_f64(x) {
        LooseNumber::Int(n) => Value::from(n),
        LooseNumber::Float(f) => Value::from(f),
    }
}

/// `GET /nodes`.
pub(crate) fn list(state: &mut SimState, call: &Call) -> Reply {
    let cluster = &state.cluster;
    let now = cluster.now;
    let mut out = Vec::with_capacity(cluster.nodes.len());
    for node in &cluster.nodes {
        let online = !state.faults.offline_nodes.contains(&node.name);
        let can_audit = caller_can(state, call, &format!("/nodes/{}", node.name), "Sys.Audit");
        out.push(node_entry(node, online, can_audit, now, false));
    }
    Ok(Value::Array(out))
}

/// A node as `/nodes` and `/cluster/resources` list it (PVE::API2Tools::extract_node_stats).
pub(crate) fn node_entry(
    node: &Node,
    online: bool,
    with_stats: bool,
    now: f64,
    for_resources: bool,
) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), Value::from(format!("node/{}", node.name)));
    m.insert("node".into(), Value::from(node.name.clone()));
    m.insert("type".into(), Value::from("node"));
    m.insert(
        "status".into(),
        Value::from(if online { "online" } else { "offline" }),
    );
    m.insert("level".into(), Value::from(""));
    if !for_resources {
        m.insert(
            "ssl_fingerprint".into(),
            Value::from(node.ssl_fingerprint.clone()),
        );
    }
    if online && with_stats {
        m.insert("cpu".into(), loose_number(node.cpu(now)));
        m.insert("maxcpu".into(), Value::from(node.maxcpu));
        m.insert("mem".into(), Value::from(node.mem_used()));
        m.insert("maxmem".into(), Value::from(node.maxmem));
        m.insert("disk".into(), Value::from(node.rootfs_used()));
        m.insert("maxdisk".into(), Value::from(node.rootfs_total));
        m.insert("uptime".into(), Value::from(node.uptime(now)));
        if for_resources {
            m.insert("cgroup-mode".into(), Value::from(2));
        }
    }
    Value::Object(m)
}

/// `GET /nodes/{node}/status`.
pub(crate) fn status(state: &mut SimState, call: &Call) -> Reply {
    let reply = status_reply(state, call)?;
    serde_json::to_value(&reply).map_err(|e| ApiError::internal(format!("internal error: {e}")))
}

/// `GET /nodes/{node}/status` serialized straight to the JSON of `data`: the call a monitoring
/// loop makes most, so it skips building and dropping a `Value` tree of 40 keys (most of the
/// simulator's time per status call). Same bytes as [`status`] gives.
pub(crate) fn status_json(state: &mut SimState, call: &Call) -> Result<Vec<u8>, ApiError> {
    let reply = status_reply(state, call)?;
    let mut out = Vec::with_capacity(1536);
    serde_json::to_writer(&mut out, &reply)
        .map_err(|e| ApiError::internal(format!("internal error: {e}")))?;
    Ok(out)
}

fn status_reply<'a>(state: &'a SimState, call: &Call) -> Result<NodeStatusReply<'a>, ApiError> {
    let cluster: &ClusterState = &state.cluster;
    let idx = cluster.require_node(call)?;
    let node = &cluster.nodes[idx];
    let now = cluster.now;
    let used = node.mem_used();
    let rootfs_used = node.rootfs_used();
    let swap_used = (node.load.running as u64 * 1_048_576).min(node.swap_total);
    let rootfs_free = node.rootfs_total.saturating_sub(rootfs_used);
    Ok(NodeStatusReply {
        boot_info: BootInfo {
            mode: "efi",
            secureboot: 0,
        },
        cpu: LooseNumber::from_f64(node.cpu(now)),
        cpuinfo: CpuInfo {
            cores: node.maxcpu / node.sockets / 2,
            cpus: node.maxcpu,
            flags: CPU_FLAGS,
            hvm: "1",
            mhz: format!("{:.3}", 2100.0 + unit(&[str_key(&node.name), 3]) * 1600.0),
            model: node.cpu_model,
            sockets: node.sockets,
            user_hz: 100,
        },
        current_kernel: CurrentKernel {
            machine: "x86_64",
            release: KERNEL_RELEASE,
            sysname: "Linux",
            version: KERNEL_BUILD,
        },
        idle: 0,
        ksm: Ksm { shared: 0 },
        kversion: format!("Linux {KERNEL_RELEASE} {KERNEL_BUILD}"),
        loadavg: node.loadavg(now).map(|l| format!("{l:.2}")),
        memory: Usage {
            free: node.maxmem - used,
            total: node.maxmem,
            used,
        },
        pveversion: format!("pve-manager/{PVE_VERSION}/{PVE_REPOID}"),
        rootfs: RootFs {
            avail: rootfs_free,
            free: rootfs_free,
            total: node.rootfs_total,
            used: rootfs_used,
        },
        swap: Usage {
            free: node.swap_total - swap_used,
            total: node.swap_total,
            used: swap_used,
        },
        uptime: node.uptime(now),
        wait: LooseNumber::from_f64(unit(&[str_key(&node.name), (now / 10.0) as u64, 9]) * 0.002),
    })
}

const CPU_FLAGS: &str = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx lm constant_tsc rep_good nopl pni pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm avx2";

// The answer of `GET /nodes/{node}/status`. Fields are in the byte order of their keys, the
// order a `Value` object (a BTreeMap) writes them, so both paths send the same text.
#[derive(Serialize)]
struct NodeStatusReply<'a> {
    #[serde(rename = "boot-info")]
    boot_info: BootInfo,
    cpu: LooseNumber,
    cpuinfo: CpuInfo<'a>,
    #[serde(rename = "current-kernel")]
    current_kernel: CurrentKernel,
    idle: u8,
    ksm: Ksm,
    kversion: String,
    loadavg: [String; 3],
    memory: Usage,
    pveversion: String,
    rootfs: RootFs,
    swap: Usage,
    uptime: i64,
    wait: LooseNumber,
}

#[derive(Serialize)]
struct BootInfo {
    mode: &'static str,
    secureboot: u8,
}

#[derive(Serialize)]
struct CpuInfo<'a> {
    cores: u32,
    cpus: u32,
    flags: &'static str,
    hvm: &'static str,
    mhz: String,
    model: &'a str,
    sockets: u32,
    user_hz: u32,
}

#[derive(Serialize)]
struct CurrentKernel {
    machine: &'static str,
    release: &'static str,
    sysname: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Ksm {
    shared: u8,
}

#[derive(Serialize)]
struct Usage {
    free: u64,
    total: u64,
    used: u64,
}

#[derive(Serialize)]
struct RootFs {
    avail: u64,
    free: u64,
    total: u64,
    used: u64,
}

/// The `GET /version` / `GET /nodes/{node}/version` answer.
pub fn version_info() -> Value {
    json!({ "release": PVE_RELEASE, "version": PVE_VERSION, "repoid": PVE_REPOID })
}

/// `GET /nodes/{node}/version`.
pub(crate) fn version(state: &mut SimState, call: &Call) -> Reply {
    state.cluster.require_node(call)?;
    Ok(version_info())
}
