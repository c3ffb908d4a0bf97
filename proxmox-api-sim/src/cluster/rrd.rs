//! Graph data (`rrddata`) for nodes and containers, in PVE's `pve2` RRD layout: 70 rows per
//! timeframe with steps of 1 min (hour), 30 min (day), 3 h (week), 12 h (month) and 7 days
//! (year; the step the `rrddata.year` fixture shows). Values are deterministic and plausible;
//! a missing sample omits its keys, leaving only `time`, as PVE does.

use serde_json::{Map, Value};

use super::containers::Container;
use super::deterministic::{str_key, unit};
use super::errors;
use super::nodes::{loose_number, Node};
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

const ROWS: i64 = 70;

/// Step in seconds and row count of a timeframe.
fn layout(timeframe: &str) -> Option<(i64, i64)> {
    Some(match timeframe {
        "hour" => (60, ROWS),
        "day" => (1_800, ROWS),
        "week" => (10_800, ROWS),
        "month" => (43_200, ROWS),
        "year" => (604_800, ROWS),
        // PVE 9 keeps weekly samples for ten years.
        "decade" => (604_800, 520),
        _ => return None,
    })
}

struct Query {
    step: i64,
    rows: i64,
    max: bool,
}

fn query(call: &Call, allow_decade: bool) -> Result<Query, ApiError> {
    let timeframe = call.required("timeframe")?;
    let (step, rows) = layout(timeframe)
        .filter(|_| allow_decade || timeframe != "decade")
        .ok_or_else(|| {
            ApiError::param(
                "timeframe",
                format!(
                    "value '{timeframe}' does not have a value in the enumeration 'hour, day, week, month, year'"
                ),
            )
        })?;
    Ok(Query {
        step,
        rows,
        max: call.str("cf") == Some("MAX"),
    })
}

/// The row times, oldest first, ending at the step containing `now`.
fn times(now: f64, q: &Query) -> impl Iterator<Item = i64> {
    let end = (now as i64 / q.step) * q.step;
    let (step, rows) = (q.step, q.rows);
    (0..rows).map(move |i| end - (rows - 1 - i) * step)
}

fn float(x: f64) -> Value {
    loose_number(x)
}

/// `GET /nodes/{node}/rrddata`.
pub(crate) fn node_rrddata(state: &mut SimState, call: &Call) -> Reply {
    let idx = state.cluster.require_node(call)?;
    let q = query(call, true)?;
    let node: &Node = &state.cluster.nodes[idx];
    let seed = state.cluster.seed;
    let key = str_key(&node.name);
    let peak = if q.max { 1.45 } else { 1.0 };
    let rows: Vec<Value> = times(state.cluster.now, &q)
        .map(|t| {
            let mut m = Map::new();
            m.insert("time".into(), t.into());
            let r = |i: u64| unit(&[seed, key, t as u64, i]);
            // About one sample in 25 is missing (a node reboot, a busy rrdcached).
            if r(0) < 0.04 {
                return Value::Object(m);
            }
            let busy = node.load.cpu_cores / f64::from(node.maxcpu);
            m.insert("cpu".into(), float((0.003 + busy + r(1) * 0.02) * peak));
            m.insert("iowait".into(), float((0.0002 + r(2) * 0.001) * peak));
            m.insert(
                "loadavg".into(),
                float((0.05 + node.load.cpu_cores + r(3) * 0.4) * peak),
            );
            m.insert("maxcpu".into(), node.maxcpu.into());
            m.insert("memtotal".into(), node.maxmem.into());
            let mem = node.mem_used() as f64 * (0.9 + r(4) * 0.15) * peak.min(1.1);
            m.insert("memused".into(), float(mem.min(node.maxmem as f64) + r(5)));
            m.insert("netin".into(), float((2_000.0 + r(6) * 30_000.0) * peak));
            m.insert("netout".into(), float((500.0 + r(7) * 20_000.0) * peak));
            m.insert("roottotal".into(), node.rootfs_total.into());
            m.insert(
                "rootused".into(),
                float(node.rootfs_used() as f64 * (0.98 + r(8) * 0.02)),
            );
            m.insert("swaptotal".into(), node.swap_total.into());
            m.insert(
                "swapused".into(),
                (u64::from(node.load.running) * 1_048_576).into(),
            );
            Value::Object(m)
        })
        .collect();
    Ok(Value::Array(rows))
}

/// `GET /nodes/{node}/lxc/{vmid}/rrddata`: no samples before the container existed, zeros while
/// it was stopped.
pub(crate) fn container_rrddata(state: &mut SimState, call: &Call) -> Reply {
    let idx = state.cluster.require_node(call)?;
    let node = state.cluster.nodes[idx].name.clone();
    let vmid = call
        .int("vmid")
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| ApiError::param("vmid", "property is missing and it is not optional"))?;
    let ct: &Container = match state.cluster.containers.get(&vmid) {
        Some(ct) if ct.node == node => ct,
        _ => return Err(errors::no_such_container(&node, vmid)),
    };
    let q = query(call, false)?;
    let seed = state.cluster.seed;
    let now = state.cluster.now;
    let peak = if q.max { 1.5 } else { 1.0 };
    let maxmem = ct.memory.unwrap_or(512) << 20;
    let mem_running = ct.mem_used(now).max(maxmem / 20) as f64;
    let rows: Vec<Value> = times(now, &q)
        .map(|t| {
            let mut m = Map::new();
            m.insert("time".into(), t.into());
            if (t as f64) + (q.step as f64) < ct.created_at {
                return Value::Object(m);
            }
            let r = |i: u64| unit(&[seed, u64::from(vmid), t as u64, i]);
            let running = ct.running && (t as f64) >= ct.started_at - q.step as f64;
            m.insert("maxcpu".into(), ct.cpus().into());
            m.insert("maxmem".into(), maxmem.into());
            m.insert("maxdisk".into(), ct.disk_bytes.into());
            if running {
                m.insert("cpu".into(), float((0.001 + r(1) * 0.03) * peak));
                m.insert(
                    "mem".into(),
                    float(mem_running * (0.85 + r(2) * 0.2) * peak.min(1.1)),
                );
                m.insert(
                    "disk".into(),
                    float(ct.disk_bytes as f64 * (0.1 + r(3) * 0.01)),
                );
                m.insert("netin".into(), float((100.0 + r(4) * 3_000.0) * peak));
                m.insert("netout".into(), float((50.0 + r(5) * 1_000.0) * peak));
                m.insert("diskread".into(), float((r(6) * 20_000.0) * peak));
                m.insert("diskwrite".into(), float((r(7) * 40_000.0) * peak));
            } else {
                for k in [
                    "cpu",
                    "mem",
                    "disk",
                    "netin",
                    "netout",
                    "diskread",
                    "diskwrite",
                ] {
                    m.insert(k.into(), 0.into());
                }
            }
            Value::Object(m)
        })
        .collect();
    Ok(Value::Array(rows))
}

/// `GET /nodes/{node}/qemu/{vmid}/rrddata`: like a container's, with a VM's shape (`disk` is
/// always 0: PVE cannot see inside a VM's disks without an agent).
pub(crate) fn vm_rrddata(state: &mut SimState, call: &Call) -> Reply {
    let (_, vmid) = super::qemu::locate(state, call)?;
    let vm = &state.cluster.vms[&vmid];
    let q = query(call, false)?;
    let seed = state.cluster.seed;
    let now = state.cluster.now;
    let peak = if q.max { 1.5 } else { 1.0 };
    let mem_running = vm.mem_used().max(vm.maxmem / 4) as f64;
    let rows: Vec<Value> = times(now, &q)
        .map(|t| {
            let mut m = Map::new();
            m.insert("time".into(), t.into());
            if (t as f64) + (q.step as f64) < vm.created_at {
                return Value::Object(m);
            }
            let r = |i: u64| unit(&[seed, u64::from(vmid), t as u64, i, 0x51]);
            let running = vm.is_running() && (t as f64) >= vm.started_at - q.step as f64;
            m.insert("maxcpu".into(), vm.cpus.into());
            m.insert("maxmem".into(), vm.maxmem.into());
            m.insert("maxdisk".into(), vm.maxdisk.into());
            m.insert("disk".into(), 0.into());
            if running {
                m.insert("cpu".into(), float((0.002 + r(1) * 0.05) * peak));
                m.insert(
                    "mem".into(),
                    float(mem_running * (0.9 + r(2) * 0.1) * peak.min(1.1)),
                );
                m.insert("netin".into(), float((500.0 + r(4) * 4_000.0) * peak));
                m.insert("netout".into(), float((100.0 + r(5) * 1_500.0) * peak));
                m.insert("diskread".into(), float((r(6) * 50_000.0) * peak));
                m.insert("diskwrite".into(), float((r(7) * 80_000.0) * peak));
            } else {
                for k in ["cpu", "mem", "netin", "netout", "diskread", "diskwrite"] {
                    m.insert(k.into(), 0.into());
                }
            }
            Value::Object(m)
        })
        .collect();
    Ok(Value::Array(rows))
}
