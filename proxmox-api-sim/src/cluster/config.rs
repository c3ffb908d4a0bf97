//! Guest config updates (`PUT .../config`) with PVE's `delete`, `revert` and `digest`, pending
//! changes for running guests, and `GET .../pending`.
//!
//! As in PVE (`update_pct_config` + `vmconfig_hotplug_pending`), every change is first written
//! as pending; a stopped guest applies it at once, a running one applies what can be hot-plugged
//! and keeps the rest pending until its next start. [`Pending`] and the helpers on it are generic
//! (QEMU guests keep the same two lists); the option semantics are per guest kind.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::containers::{locate, Container};
use super::guest::GuestKind;
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

/// Changes written but not yet applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Pending {
    /// Option -> new value (as given, PVE's property-string text).
    pub values: BTreeMap<String, String>,
    /// Options to delete.
    pub deletes: BTreeSet<String>,
}

impl Pending {
    /// Whether anything is pending.
    pub(crate) fn is_empty(&self) -> bool {
        self.values.is_empty() && self.deletes.is_empty()
    }

    /// Records a new value (cancelling a pending delete of the same option).
    pub(crate) fn set(&mut self, key: &str, value: &str) {
        self.deletes.remove(key);
        self.values.insert(key.to_owned(), value.to_owned());
    }

    /// Records a delete (cancelling a pending value of the same option).
    pub(crate) fn delete(&mut self, key: &str) {
        self.values.remove(key);
        self.deletes.insert(key.to_owned());
    }

    /// Drops whatever is pending for `key` (`revert`).
    pub(crate) fn revert(&mut self, key: &str) {
        self.values.remove(key);
        self.deletes.remove(key);
    }

    /// Text mixed into the config digest, so a pending change changes the digest as PVE's
    /// `[pending]` section does.
    pub(crate) fn digest_text(&self) -> String {
        let mut out = String::new();
        for (k, v) in &self.values {
            out.push_str(k);
            out.push('=');
            out.push_str(v);
            out.push('\n');
        }
        for d in &self.deletes {
            out.push_str("delete=");
            out.push_str(d);
            out.push('\n');
        }
        out
    }

    /// `GET .../pending`: one entry per option of the current config (`value`), with `pending`
    /// and `delete` where something waits, then options that exist only as pending values
    /// (PVE::GuestHelpers::config_with_pending_array). `pending_config` renders a pending value
    /// as the config would show it.
    pub(crate) fn array(
        &self,
        current: &Map<String, Value>,
        pending_config: &Map<String, Value>,
    ) -> Value {
        let mut out = Vec::new();
        for (key, value) in current {
            let mut m = Map::new();
            m.insert("key".into(), key.clone().into());
            m.insert("value".into(), value.clone());
            if self.values.contains_key(key) {
                if let Some(p) = pending_config.get(key) {
                    m.insert("pending".into(), p.clone());
                }
            }
            if self.deletes.contains(key) {
                m.insert("delete".into(), 1.into());
            }
            out.push(Value::Object(m));
        }
        for key in self.values.keys().filter(|k| !current.contains_key(*k)) {
            let mut m = Map::new();
            m.insert("key".into(), key.clone().into());
            if let Some(p) = pending_config.get(key) {
                m.insert("pending".into(), p.clone());
            }
            out.push(Value::Object(m));
        }
        for key in self.deletes.iter().filter(|k| !current.contains_key(*k)) {
            let mut m = Map::new();
            m.insert("key".into(), key.clone().into());
            m.insert("delete".into(), 1.into());
            out.push(Value::Object(m));
        }
        Value::Array(out)
    }
}

/// `a,b;c d` lists as PVE splits them (PVE::Tools::split_list).
pub(crate) fn split_list(text: &str) -> Vec<String> {
    text.split([',', ';', ' ', '\0'])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// PVE's digest check (PVE::Tools::assert_if_modified).
pub(crate) fn assert_if_modified(given: Option<&str>, current: &str) -> Result<(), ApiError> {
    match given {
        Some(d) if !d.is_empty() && d != current => Err(ApiError::internal(
            "detected modified configuration - file changed by other user? Try again.",
        )),
        _ => Ok(()),
    }
}

/// Parameters of a config PUT that are not options.
const NOT_OPTIONS: [&str; 6] = ["node", "vmid", "delete", "revert", "digest", "skiplock"];

/// The option changes of one config PUT.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    /// Options to set, with their new values.
    pub sets: Vec<(String, String)>,
    /// Options to delete.
    pub deletes: Vec<String>,
    /// Options whose pending change is dropped.
    pub reverts: Vec<String>,
}

/// The option changes of a config PUT, with PVE's parameter errors.
pub(crate) fn parse_changes(
    call: &Call,
    option_exists: impl Fn(&str) -> bool,
) -> Result<Changes, ApiError> {
    let sets: Vec<(String, String)> = call
        .params
        .iter()
        .filter(|(k, _)| !NOT_OPTIONS.contains(&k.as_str()))
        .filter_map(|(k, v)| v.first().map(|v| (k.clone(), v.clone())))
        .collect();
    let deletes = call.str("delete").map(split_list).unwrap_or_default();
    let reverts = call.str("revert").map(split_list).unwrap_or_default();
    for opt in &deletes {
        if sets.iter().any(|(k, _)| k == opt) {
            return Err(ApiError::param(
                "delete",
                format!("you can't use '-{opt}' and -delete {opt}' at the same time"),
            ));
        }
        if !option_exists(opt) {
            return Err(ApiError::param("delete", format!("unknown option '{opt}'")));
        }
    }
    for opt in &reverts {
        if sets.iter().any(|(k, _)| k == opt) || deletes.contains(opt) {
            return Err(ApiError::param(
                "revert",
                format!("you can't use '-{opt}' and '-revert {opt}' at the same time"),
            ));
        }
    }
    Ok(Changes {
        sets,
        deletes,
        reverts,
    })
}

/// The container options a running container takes at once (cgroup limits, network hotplug,
/// and the options that only live in the config); everything else waits for the next start.
fn lxc_hotpluggable(key: &str) -> bool {
    matches!(
        key,
        "cores"
            | "memory"
            | "swap"
            | "cpulimit"
            | "cpuunits"
            | "description"
            | "onboot"
            | "startup"
            | "protection"
            | "tags"
            | "hookscript"
            | "lock"
    ) || key
        .strip_prefix("net")
        .is_some_and(|n| n.parse::<u32>().is_ok())
}

/// Options of an LXC config (the schema of `PUT .../config`).
fn lxc_option_exists(key: &str) -> bool {
    const NAMED: [&str; 29] = [
        "arch",
        "cmode",
        "console",
        "cores",
        "cpulimit",
        "cpuunits",
        "debug",
        "description",
        "entrypoint",
        "env",
        "features",
        "hookscript",
        "hostname",
        "lock",
        "memory",
        "nameserver",
        "onboot",
        "ostype",
        "protection",
        "rootfs",
        "searchdomain",
        "startup",
        "swap",
        "tags",
        "template",
        "timezone",
        "tty",
        "unprivileged",
        "lxc",
    ];
    if NAMED.contains(&key) {
        return true;
    }
    ["net", "mp", "unused", "dev"].iter().any(|p| {
        key.strip_prefix(p)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// `PUT /nodes/{node}/lxc/{vmid}/config`: synchronous (returns null), under the config lock.
pub(crate) fn update(state: &mut SimState, call: &Call) -> Reply {
    let (_, vmid) = locate(state, call)?;
    let kind = GuestKind::Lxc;
    let Changes {
        sets,
        deletes,
        reverts,
    } = parse_changes(call, lxc_option_exists)?;
    for (key, _) in &sets {
        Container::check_settable(key)?;
    }
    for key in &deletes {
        if key == "memory" || key == "rootfs" {
            return Err(ApiError::internal(format!(
                "unable to delete required option '{key}'"
            )));
        }
    }
    let seed = state.cluster.seed;
    let held = state.faults.held_locks.get(&vmid).cloned();
    let ct = state
        .cluster
        .containers
        .get_mut(&vmid)
        .expect("located above");
    if ct.active_task.is_some() {
        return Err(ApiError::internal(kind.lock_timeout_text(vmid)));
    }
    if let Some(lock) = ct.lock.clone().or(held) {
        if call.bool("skiplock") != Some(true) {
            return Err(ApiError::internal(kind.locked_text(&lock)));
        }
    }
    assert_if_modified(call.str("digest"), &ct.digest(ct.lock.as_deref()))?;
    // Validate every value before changing anything (PVE dies before writing the config).
    let mut probe = ct.clone();
    for (key, value) in &sets {
        probe.set_option(seed, key, value)?;
    }
    for key in &reverts {
        ct.pending.revert(key);
    }
    for (key, value) in &sets {
        ct.pending.set(key, value);
    }
    for key in &deletes {
        ct.pending.delete(key);
    }
    let running = ct.is_running();
    ct.apply_pending(seed, |key| !running || lxc_hotpluggable(key));
    Ok(Value::Null)
}

/// `GET /nodes/{node}/lxc/{vmid}/pending`.
pub(crate) fn pending(state: &mut SimState, call: &Call) -> Reply {
    let (_, vmid) = locate(state, call)?;
    let seed = state.cluster.seed;
    let cluster = &state.cluster;
    let ct = &cluster.containers[&vmid];
    let lock = cluster.effective_lock(ct, &state.faults);
    let mut current = ct.config_map(lock);
    current.insert("digest".into(), ct.digest(lock).into());
    let mut with_pending = ct.clone();
    with_pending.apply_pending(seed, |_| true);
    let pending_config = with_pending.config_map(lock);
    Ok(ct.pending.array(&current, &pending_config))
}
