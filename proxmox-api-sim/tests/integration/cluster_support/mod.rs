//! Shared helpers of the `cluster_*` tests: a `SimState` on a frozen clock, calls by concrete
//! path (routed to the schema template the server would match), fixtures, and a reusable
//! comparison of JSON shapes (keys and JSON types).

#![allow(dead_code)] // each test binary uses a different part

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

use http::Method;
use proxmox_api_sim::access::AccessState;
use proxmox_api_sim::api_error::{ApiError, Reply};
use proxmox_api_sim::call::{Call, Caller};
use proxmox_api_sim::clock::SimClock;
use proxmox_api_sim::cluster::{self, ClusterConfig, ClusterState};
use proxmox_api_sim::faults::Faults;
use proxmox_api_sim::state::SimState;
use serde_json::Value;

/// The templates of the methods the cluster module models (what the server's router matches).
const TEMPLATES: &[&str] = &[
    "/nodes",
    "/nodes/{node}/status",
    "/nodes/{node}/version",
    "/nodes/{node}/rrddata",
    "/nodes/{node}/storage",
    "/nodes/{node}/storage/{storage}/content",
    "/nodes/{node}/aplinfo",
    "/nodes/{node}/tasks",
    "/nodes/{node}/tasks/{upid}/status",
    "/nodes/{node}/tasks/{upid}/log",
    "/nodes/{node}/lxc",
    "/nodes/{node}/lxc/{vmid}",
    "/nodes/{node}/lxc/{vmid}/config",
    "/nodes/{node}/lxc/{vmid}/status/current",
    "/nodes/{node}/lxc/{vmid}/status/start",
    "/nodes/{node}/lxc/{vmid}/status/stop",
    "/nodes/{node}/lxc/{vmid}/status/shutdown",
    "/nodes/{node}/lxc/{vmid}/status/reboot",
    "/nodes/{node}/lxc/{vmid}/rrddata",
    "/nodes/{node}/lxc/{vmid}/vncproxy",
    "/cluster/tasks",
    "/cluster/status",
    "/cluster/resources",
    "/cluster/nextid",
];

/// Start of the frozen clock (2025-11-13).
pub const T0: u64 = 1_763_000_000;

/// A simulator state without a server: frozen clock, root caller.
pub struct Sim {
    /// The state handlers run on.
    pub state: SimState,
    /// Who calls (`root@pam` unless changed).
    pub caller: Option<Caller>,
}

impl Sim {
    /// The default 3-node cluster.
    pub fn new() -> Self {
        Self::with(ClusterConfig::default())
    }

    /// A cluster built from `config`.
    pub fn with(config: ClusterConfig) -> Self {
        Self {
            state: SimState {
                clock: SimClock::frozen_at(UNIX_EPOCH + Duration::from_secs(T0)),
                access: AccessState::default(),
                cluster: ClusterState::new(config),
                faults: Faults::default(),
            },
            caller: Some(Caller {
                userid: "root@pam".into(),
                tokenid: None,
            }),
        }
    }

    /// Calls `method path` with parameters, as the server would after validation.
    pub fn call(&mut self, method: Method, path: &str, params: &[(&str, &str)]) -> Reply {
        let (template, path_params) =
            route(path).unwrap_or_else(|| panic!("no template for {path}"));
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in params {
            map.entry((*k).to_owned())
                .or_default()
                .push((*v).to_owned());
        }
        let call = Call {
            method: method.clone(),
            template: template.to_owned(),
            path_params,
            params: map,
            caller: self.caller.clone(),
        };
        cluster::dispatch(&mut self.state, &call)
            .unwrap_or_else(|| panic!("{method} {path} is not modelled"))
    }

    /// The raw fast path (`cluster::dispatch_raw`) for a GET; `None` if the call has none.
    pub fn get_raw(&mut self, path: &str, params: &[(&str, &str)]) -> Option<String> {
        let (template, path_params) = route(path).expect("a template");
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in params {
            map.entry((*k).to_owned())
                .or_default()
                .push((*v).to_owned());
        }
        let call = Call {
            method: Method::GET,
            template: template.to_owned(),
            path_params,
            params: map,
            caller: self.caller.clone(),
        };
        let bytes = cluster::dispatch_raw(&mut self.state, &call)?.expect("raw answer");
        Some(String::from_utf8(bytes).expect("raw answer is UTF-8"))
    }

    /// Length of the raw fast-path answer (benchmarks: no parsing).
    pub fn get_raw_bytes(&mut self, path: &str) -> usize {
        let (template, path_params) = route(path).expect("a template");
        let call = Call {
            method: Method::GET,
            template: template.to_owned(),
            path_params,
            params: BTreeMap::new(),
            caller: self.caller.clone(),
        };
        let bytes = cluster::dispatch_raw(&mut self.state, &call)
            .expect("fast path")
            .expect("ok");
        bytes.len()
    }

    /// `GET`, expecting success.
    pub fn get(&mut self, path: &str, params: &[(&str, &str)]) -> Value {
        self.call(Method::GET, path, params)
            .unwrap_or_else(|e| panic!("GET {path}: {e:?}"))
    }

    /// `POST`, expecting success.
    pub fn post(&mut self, path: &str, params: &[(&str, &str)]) -> Value {
        self.call(Method::POST, path, params)
            .unwrap_or_else(|e| panic!("POST {path}: {e:?}"))
    }

    /// `DELETE`, expecting success.
    pub fn delete(&mut self, path: &str, params: &[(&str, &str)]) -> Value {
        self.call(Method::DELETE, path, params)
            .unwrap_or_else(|e| panic!("DELETE {path}: {e:?}"))
    }

    /// Any call, expecting an error.
    pub fn fail(&mut self, method: Method, path: &str, params: &[(&str, &str)]) -> ApiError {
        match self.call(method.clone(), path, params) {
            Ok(v) => panic!("{method} {path} should fail, got {v}"),
            Err(e) => e,
        }
    }

    /// Moves the clock forward.
    pub fn advance(&mut self, secs: f64) {
        self.state.clock.advance(Duration::from_secs_f64(secs));
    }

    /// Creates a container from the pre-downloaded Debian template on local-lvm.
    pub fn create_ct(&mut self, node: &str, vmid: u32, extra: &[(&str, &str)]) -> String {
        let vmid = vmid.to_string();
        let template = format!("local:vztmpl/{}", cluster::DEFAULT_TEMPLATE);
        let mut params = vec![
            ("vmid", vmid.as_str()),
            ("ostemplate", template.as_str()),
            ("rootfs", "local-lvm:8"),
            ("hostname", "web1"),
            ("memory", "1024"),
            ("swap", "512"),
            ("cores", "2"),
            ("net0", "name=eth0,bridge=vmbr0,ip=dhcp"),
            ("password", "correct horse battery"),
            ("unprivileged", "1"),
        ];
        params.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        params.extend_from_slice(extra);
        let upid = self.post(&format!("/nodes/{node}/lxc"), &params);
        upid.as_str()
            .expect("create returns a UPID string")
            .to_owned()
    }

    /// Status of a task.
    pub fn task(&mut self, upid: &str) -> Value {
        let node = upid.split(':').nth(1).expect("UPID has a node").to_owned();
        self.get(&format!("/nodes/{node}/tasks/{upid}/status"), &[])
    }

    /// Advances the clock until the task stops (bounded), returning its exit status.
    pub fn wait_task(&mut self, upid: &str) -> String {
        for _ in 0..600 {
            let status = self.task(upid);
            if status["status"] == "stopped" {
                return status["exitstatus"]
                    .as_str()
                    .expect("exitstatus")
                    .to_owned();
            }
            self.advance(0.1);
        }
        panic!("task {upid} did not finish");
    }

    /// The task's log lines.
    pub fn task_log(&mut self, upid: &str) -> Vec<String> {
        let node = upid.split(':').nth(1).expect("UPID has a node").to_owned();
        let log = self.get(
            &format!("/nodes/{node}/tasks/{upid}/log"),
            &[("limit", "1000")],
        );
        log.as_array()
            .expect("log is a list")
            .iter()
            .map(|l| l["t"].as_str().expect("t is a string").to_owned())
            .collect()
    }

    /// `avail` of a node's storage.
    pub fn avail(&mut self, node: &str, storage: &str) -> u64 {
        let list = self.get(&format!("/nodes/{node}/storage"), &[]);
        list.as_array()
            .expect("list")
            .iter()
            .find(|s| s["storage"] == storage)
            .and_then(|s| s["avail"].as_u64())
            .expect("storage with avail")
    }
}

/// Matches a concrete path to a template, returning the template and its decoded parameters.
pub fn route(path: &str) -> Option<(&'static str, BTreeMap<String, String>)> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    'templates: for t in TEMPLATES {
        let tsegs: Vec<&str> = t.trim_matches('/').split('/').collect();
        if tsegs.len() != segs.len() {
            continue;
        }
        let mut params = BTreeMap::new();
        for (ts, s) in tsegs.iter().zip(&segs) {
            if let Some(name) = ts.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
                params.insert(name.to_owned(), (*s).to_owned());
            } else if ts != s {
                continue 'templates;
            }
        }
        return Some((t, params));
    }
    None
}

/// A fixture's `data` (or the whole body for error fixtures), from `tests/cluster_fixtures`.
pub fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cluster_fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let body: Value = serde_json::from_str(&text).expect("fixture is JSON");
    match body.get("data") {
        Some(data) if !data.is_null() => data.clone(),
        _ => body,
    }
}

/// The JSON type of a value, telling integers from floats.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A float in a fixture may come back as an integer (Perl prints whole numbers as integers,
/// e.g. an idle `cpu` of `0`); every other type must match exactly.
fn compatible(fixture: &str, ours: &str) -> bool {
    fixture == ours || (fixture == "float" && ours == "int")
}

/// What a shape comparison allows.
#[derive(Default, Clone)]
pub struct Rules {
    /// Fixture keys we may omit (optional in PVE: only set when configured).
    pub optional: Vec<&'static str>,
    /// Keys we may add (documented in the schema, or newer PVE versions).
    pub extra: Vec<&'static str>,
    /// Keys whose JSON type changed between the fixture's PVE version and ours, with why.
    pub retyped: Vec<(&'static str, &'static str)>,
    /// Keys the schema types as `number`: an integer in the fixture (an idle `cpu` of `0`) does
    /// not forbid a float.
    pub numbers: Vec<&'static str>,
}

impl Rules {
    /// Allows omitting these fixture keys.
    pub fn optional(mut self, keys: &[&'static str]) -> Self {
        self.optional.extend_from_slice(keys);
        self
    }
    /// Allows these extra keys.
    pub fn extra(mut self, keys: &[&'static str]) -> Self {
        self.extra.extend_from_slice(keys);
        self
    }
    /// Marks keys as schema `number`s (integer or float).
    pub fn numbers(mut self, keys: &[&'static str]) -> Self {
        self.numbers.extend_from_slice(keys);
        self
    }
    /// Allows a documented type change.
    pub fn retyped(mut self, key: &'static str, why: &'static str) -> Self {
        self.retyped.push((key, why));
        self
    }
}

/// Differences in keys and JSON types between a fixture and our answer (empty = same shape).
///
/// Objects: every fixture key must be present (unless optional) with a compatible type, and we
/// may not add keys (unless extra). Arrays of objects: the fixture elements are merged; a key in
/// every fixture element is required, one in some is allowed; each of our elements is checked.
pub fn shape_diff(fixture: &Value, ours: &Value, rules: &Rules) -> Vec<String> {
    let mut out = Vec::new();
    diff_into(fixture, ours, rules, "$", &mut out);
    out
}

fn diff_into(fixture: &Value, ours: &Value, rules: &Rules, path: &str, out: &mut Vec<String>) {
    let key = path.rsplit('.').next().unwrap_or(path);
    if rules.retyped.iter().any(|(k, _)| *k == key) {
        return;
    }
    let (fk, ok) = (kind(fixture), kind(ours));
    let numbers_both = rules.numbers.contains(&key) && matches!((fk, ok), ("int", "float"));
    if !compatible(fk, ok) && !numbers_both {
        out.push(format!("{path}: fixture has {fk}, we send {ok}"));
        return;
    }
    match (fixture, ours) {
        (Value::Object(f), Value::Object(o)) => {
            for (k, fv) in f {
                match o.get(k) {
                    Some(ov) => diff_into(fv, ov, rules, &format!("{path}.{k}"), out),
                    None if rules.optional.contains(&k.as_str()) => {}
                    None => out.push(format!("{path}.{k}: missing")),
                }
            }
            for k in o.keys() {
                if !f.contains_key(k) && !rules.extra.contains(&k.as_str()) {
                    out.push(format!("{path}.{k}: not in the fixture"));
                }
            }
        }
        (Value::Array(f), Value::Array(o)) => {
            if f.is_empty() || o.is_empty() {
                return;
            }
            if f.iter().all(Value::is_object) {
                let merged = merge_objects(f);
                let required: BTreeSet<&String> = merged
                    .keys()
                    .filter(|k| f.iter().all(|e| e.get(k.as_str()).is_some()))
                    .collect();
                for (i, ov) in o.iter().enumerate() {
                    let p = format!("{path}[{i}]");
                    let Value::Object(om) = ov else {
                        out.push(format!("{p}: fixture has object, we send {}", kind(ov)));
                        continue;
                    };
                    for (k, fv) in &merged {
                        match om.get(k) {
                            Some(v) => diff_into(fv, v, rules, &format!("{p}.{k}"), out),
                            None if !required.contains(k) => {}
                            None if rules.optional.contains(&k.as_str()) => {}
                            None => out.push(format!("{p}.{k}: missing")),
                        }
                    }
                    for k in om.keys() {
                        if !merged.contains_key(k) && !rules.extra.contains(&k.as_str()) {
                            out.push(format!("{p}.{k}: not in the fixture"));
                        }
                    }
                }
            } else {
                for (i, ov) in o.iter().enumerate() {
                    diff_into(&f[0], ov, rules, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

/// The union of several objects' keys, each with the first value seen.
fn merge_objects(items: &[Value]) -> serde_json::Map<String, Value> {
    let mut merged = serde_json::Map::new();
    for item in items {
        if let Value::Object(m) = item {
            for (k, v) in m {
                merged.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    merged
}

/// Asserts no shape differences, printing them all.
pub fn assert_same_shape(what: &str, fixture: &Value, ours: &Value, rules: &Rules) {
    let diffs = shape_diff(fixture, ours, rules);
    assert!(
        diffs.is_empty(),
        "{what}: shape differs from the fixture:\n  {}\nours: {ours:#}",
        diffs.join("\n  ")
    );
}
