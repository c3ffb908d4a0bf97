//! The appliance catalogue (`pveam available`) and template downloads.
//!
//! The catalogue is `data/aplinfo.json`: the 25 system templates of PVE 9.2, DERIVED from
//! Proxmox's own `aplinfo/aplinfo.dat` (pve-manager commit 14a22df3) parsed with the rules of
//! `PVE/APLInfo.pm` (copied from `pve-fixtures/nodes__node__aplinfo.derived-pve9.2.json`;
//! AGPL-3.0 data of the Proxmox VE project).

use std::sync::OnceLock;

use serde_json::Value;

use super::containers::durations;
use super::deterministic::hash;
use super::errors;
use super::tasks::{task_user, TaskEffect, TaskSpec};
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

const CATALOGUE_JSON: &str = include_str!("../../data/aplinfo.json");

/// The catalogue entries, parsed once.
pub(crate) fn catalogue() -> &'static [Value] {
    static CATALOGUE: OnceLock<Vec<Value>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        serde_json::from_str::<Value>(CATALOGUE_JSON)
            .ok()
            .and_then(|v| v.get("data").and_then(Value::as_array).cloned())
            .unwrap_or_default()
    })
}

fn find(template: &str) -> Option<&'static Value> {
    catalogue()
        .iter()
        .find(|e| e.get("template").and_then(Value::as_str) == Some(template))
}

/// `GET /nodes/{node}/aplinfo`. PVE returns its hash's values in no particular order; the
/// simulator shuffles once per seed so clients cannot come to rely on sorting.
pub(crate) fn list(state: &mut SimState, call: &Call) -> Reply {
    state.cluster.require_node(call)?;
    let seed = state.cluster.seed;
    let mut entries: Vec<&Value> = catalogue().iter().collect();
    entries.sort_by_key(|e| {
        let name = e.get("template").and_then(Value::as_str).unwrap_or("");
        hash(&[seed, super::deterministic::str_key(name)])
    });
    Ok(Value::Array(entries.into_iter().cloned().collect()))
}

/// `POST /nodes/{node}/aplinfo`: downloads a catalogue template to a storage as a `download`
/// task; the volume appears when the task ends.
pub(crate) fn download(state: &mut SimState, call: &Call) -> Reply {
    let idx = state.cluster.require_node(call)?;
    let sid = call.required("storage")?.to_owned();
    let template = call.required("template")?.to_owned();
    let entry = find(&template).ok_or_else(|| ApiError::param("template", "no such template"))?;
    let storage = state
        .cluster
        .storage(idx, &sid)
        .ok_or_else(|| errors::no_such_storage(&sid))?;
    if !storage.supports("vztmpl") {
        return Err(ApiError::internal(format!(
            "storage '{sid}' does not support templates"
        )));
    }
    let location = entry
        .get("location")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let planned = super::containers::planned_failure(state, "download");
    let log = vec![
        format!("starting template download from: {location}"),
        format!("target file: /var/lib/vz/template/cache/{template}"),
        "calculating checksum...OK, checksum verified".to_owned(),
    ];
    let upid = state.cluster.spawn_task(TaskSpec {
        node: idx,
        kind: "download",
        id: template.clone(),
        user: task_user(call),
        duration: durations::DOWNLOAD * state.faults.task_duration_scale,
        effect: TaskEffect::DownloadTemplate {
            node: idx,
            storage: sid,
            template,
        },
        planned_exit: planned,
        log,
        start: None,
    });
    Ok(Value::from(upid))
}
