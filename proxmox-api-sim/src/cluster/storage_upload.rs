//! `POST /nodes/{node}/storage/{storage}/upload`: the multipart file (parsed by the server) lands
//! on the storage as an `imgcopy` task, as pve-manager's upload does (the file is first received
//! into a temporary file, then a worker copies it into place).

use serde_json::Value;

use super::containers::planned_failure;
use super::errors;
use super::tasks::{task_user, TaskEffect, TaskSpec};
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

/// Base task duration in seconds, before `faults.task_duration_scale`.
const IMGCOPY: f64 = 0.5;

/// The endings PVE accepts per content type (`ISO_EXT_RE_0`, `VZTMPL_EXT_RE_1`, import).
fn valid_extension(content: &str, filename: &str) -> bool {
    let ends = |list: &[&str]| {
        list.iter()
            .any(|e| filename.to_ascii_lowercase().ends_with(e))
    };
    match content {
        "iso" => ends(&[".iso", ".img"]),
        "vztmpl" => ends(&[".tar.gz", ".tar.xz", ".tar.zst"]),
        "import" => ends(&[".ova", ".qcow2", ".raw", ".vmdk"]),
        _ => false,
    }
}

/// Stores an uploaded file of `size` bytes named `filename` (the client's name, without path).
pub fn upload(state: &mut SimState, call: &Call, filename: &str, size: u64) -> Reply {
    super::tick_state(state);
    let idx = state.cluster.require_node(call)?;
    let sid = call.required("storage")?.to_owned();
    let Some(storage) = state.cluster.storage(idx, &sid) else {
        return Err(errors::no_such_storage(&sid));
    };
    let content: &'static str = match call.required("content")? {
        "iso" => "iso",
        "vztmpl" => "vztmpl",
        "import" => "import",
        other => {
            return Err(ApiError::param(
                "content",
                format!(
                "value '{other}' does not have a value in the enumeration 'iso, vztmpl, import'"
            ),
            ))
        }
    };
    if !storage.supports(content) {
        return Err(ApiError::internal(format!(
            "storage '{sid}' is not configured for content-type '{content}'"
        )));
    }
    // Browsers send a bare name; some clients a path: PVE keeps the last component.
    let filename = filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(filename)
        .to_owned();
    if filename.is_empty() || !valid_extension(content, &filename) {
        return Err(ApiError::param("filename", "wrong file extension"));
    }
    let volid = format!("{sid}:{content}/{filename}");
    let dir = match content {
        "iso" => "template/iso",
        "vztmpl" => "template/cache",
        _ => "import",
    };
    let node_name = state.cluster.nodes[idx].name.clone();
    let temp = format!(
        "/var/tmp/pveupload-{:016x}",
        super::deterministic::hash(&[state.cluster.seed, size, state.cluster.now as u64])
    );
    let target = format!("/var/lib/vz/{dir}/{filename}");
    let log = vec![
        format!("starting file import from: {temp}"),
        format!("target node: {node_name}"),
        format!("target file: {target}"),
        format!("file size is: {size}"),
        format!("command: cp -- {temp} {target}"),
        "finished file import successfully".to_owned(),
    ];
    let planned = planned_failure(state, "imgcopy");
    let upid = state.cluster.spawn_task(TaskSpec {
        node: idx,
        kind: "imgcopy",
        id: String::new(),
        user: task_user(call),
        duration: IMGCOPY * state.faults.task_duration_scale,
        effect: TaskEffect::DownloadUrl {
            node: idx,
            storage: sid,
            volid,
            content,
            size,
        },
        planned_exit: planned,
        log,
        start: None,
    });
    Ok(Value::from(upid))
}
