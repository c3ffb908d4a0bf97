//! Single volumes and storage-level views: `GET/DELETE .../content/{volume}`,
//! `POST .../download-url` (a `download` task), `GET .../storage/{storage}/status`, the
//! storage directory index, and the cluster's storage configuration (`GET /storage`).

use serde_json::{json, Map, Value};

use super::containers::planned_failure;
use super::deterministic::{str_key, unit};
use super::errors;
use super::storage::{split_volid, template_volume, Storage, StorageKind, Volume};
use super::tasks::{task_user, TaskEffect, TaskSpec};
use super::{caller_can, ClusterState};
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

/// Base task durations in seconds, before `faults.task_duration_scale`.
const DOWNLOAD: f64 = 3.0;
const DELETE: f64 = 0.5;

fn can_read_storage(state: &SimState, call: &Call, sid: &str) -> bool {
    let path = format!("/storage/{sid}");
    caller_can(state, call, &path, "Datastore.Audit")
        || caller_can(state, call, &path, "Datastore.AllocateSpace")
}

/// The storage of a `/nodes/{node}/storage/{storage}/...` call.
fn storage_of<'a>(state: &'a SimState, call: &Call) -> Result<(usize, &'a Storage), ApiError> {
    let idx = state.cluster.require_node(call)?;
    let sid = call.required("storage")?;
    let storage = state
        .cluster
        .storage(idx, sid)
        .ok_or_else(|| errors::no_such_storage(sid))?;
    Ok((idx, storage))
}

/// The full volume id of `.../content/{volume}`: PVE accepts `local:iso/x.iso` or `iso/x.iso`.
fn full_volid(sid: &str, volume: &str) -> String {
    if split_volid(volume).is_some() {
        volume.to_owned()
    } else {
        format!("{sid}:{volume}")
    }
}

/// Where PVE keeps a volume (`path` of the content GET).
fn volume_path(storage: &Storage, volid: &str) -> String {
    let name = split_volid(volid).map(|(_, n)| n).unwrap_or(volid);
    match storage.kind {
        StorageKind::Dir => {
            let (dir, file) = name.split_once('/').unwrap_or(("images", name));
            let sub = match dir {
                "vztmpl" => "template/cache",
                "iso" => "template/iso",
                "backup" => "dump",
                "import" => "import",
                other => other,
            };
            format!("/var/lib/vz/{sub}/{file}")
        }
        StorageKind::LvmThin => format!("/dev/pve/{}", name.rsplit('/').next().unwrap_or(name)),
    }
}

/// `GET /nodes/{node}/storage/{storage}/content/{volume}`.
pub(crate) fn get_volume(state: &mut SimState, call: &Call) -> Reply {
    let (_, storage) = storage_of(state, call)?;
    let volid = full_volid(storage.id, call.required("volume")?);
    if !can_read_storage(state, call, storage.id) {
        return Err(ApiError::permission(
            &format!("/storage/{}", storage.id),
            "Datastore.Audit|Datastore.AllocateSpace",
        ));
    }
    let volume = storage.volumes.get(&volid).ok_or_else(|| {
        ApiError::internal(format!("volume_size_info on '{volid}' failed - no format"))
    })?;
    let mut m = Map::new();
    m.insert("path".into(), volume_path(storage, &volid).into());
    m.insert("size".into(), volume.size.into());
    m.insert("used".into(), volume.size.into());
    m.insert("format".into(), volume.format.into());
    if volume.content == "backup" {
        m.insert("protected".into(), 0.into());
    }
    Ok(Value::Object(m))
}

/// `DELETE /nodes/{node}/storage/{storage}/content/{volume}`: an `imgdel` task. Disks of
/// existing guests cannot go this way (PVE wants them detached first).
pub(crate) fn delete_volume(state: &mut SimState, call: &Call) -> Reply {
    let (idx, storage) = storage_of(state, call)?;
    let sid = storage.id;
    let volid = full_volid(sid, call.required("volume")?);
    let volume = storage
        .volumes
        .get(&volid)
        .ok_or_else(|| ApiError::internal(format!("volume '{volid}' does not exist")))?;
    let path = format!("/storage/{sid}");
    let backup_by_owner = volume.content == "backup"
        && volume.vmid.is_some_and(|v| {
            caller_can(state, call, &format!("/vms/{v}"), "VM.Backup")
                && caller_can(state, call, &path, "Datastore.AllocateSpace")
        });
    if !backup_by_owner && !caller_can(state, call, &path, "Datastore.Allocate") {
        return Err(ApiError::permission(&path, "Datastore.Allocate"));
    }
    if matches!(volume.content, "rootdir" | "images") {
        if let Some(owner) = volume
            .vmid
            .filter(|v| state.cluster.guest_kind_and_node(*v).is_some())
        {
            return Err(ApiError::internal(format!(
                "unable to delete volume '{volid}' - used by {} {owner}",
                state
                    .cluster
                    .guest_kind_and_node(owner)
                    .map_or("CT", |(kind, _)| kind.label())
            )));
        }
    }
    let planned = planned_failure(state, "imgdel");
    if planned.is_none() {
        if let Some(s) = state.cluster.storage_mut(idx, sid) {
            s.remove_volume(&volid);
        }
    }
    let upid = state.cluster.spawn_task(TaskSpec {
        node: idx,
        kind: "imgdel",
        id: String::new(),
        user: task_user(call),
        duration: DELETE * state.faults.task_duration_scale,
        effect: TaskEffect::None,
        planned_exit: planned,
        log: vec![format!("Removed volume '{volid}'")],
        start: None,
    });
    Ok(Value::from(upid))
}

/// The file name endings PVE accepts per content type of download-url.
fn valid_extension(content: &str, filename: &str) -> bool {
    match content {
        "iso" => [".iso", ".img"].iter().any(|e| filename.ends_with(e)),
        "vztmpl" => [".tar.gz", ".tar.xz", ".tar.zst"]
            .iter()
            .any(|e| filename.ends_with(e)),
        "import" => [".ova", ".qcow2", ".raw", ".vmdk"]
            .iter()
            .any(|e| filename.ends_with(e)),
        _ => false,
    }
}

/// `POST /nodes/{node}/storage/{storage}/download-url`. The simulator never fetches the URL:
/// the file appears when the task ends, with a size derived from the URL.
pub(crate) fn download_url(state: &mut SimState, call: &Call) -> Reply {
    let (idx, storage) = storage_of(state, call)?;
    let sid = storage.id;
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
    let url = call.required("url")?.to_owned();
    let filename = call.required("filename")?.to_owned();
    if filename.contains('/') || !valid_extension(content, &filename) {
        return Err(ApiError::param(
            "filename",
            "invalid filename or wrong extension",
        ));
    }
    let volid = format!("{sid}:{content}/{filename}");
    let path = volume_path(storage, &volid);
    if storage.volumes.contains_key(&volid) {
        return Err(ApiError::param(
            "filename",
            format!("refusing to override existing file '{path}'"),
        ));
    }
    if !(url.starts_with("http://") || url.starts_with("https://") || url.starts_with("ftp://")) {
        return Err(ApiError::param("url", "invalid URL"));
    }
    let size = 50_000_000 + (unit(&[str_key(&url)]) * 900_000_000.0) as u64;
    let planned = planned_failure(state, "download");
    let upid = state.cluster.spawn_task(TaskSpec {
        node: idx,
        kind: "download",
        id: filename.clone(),
        user: task_user(call),
        duration: DOWNLOAD * state.faults.task_duration_scale,
        effect: TaskEffect::DownloadUrl {
            node: idx,
            storage: sid.to_owned(),
            volid,
            content,
            size,
        },
        planned_exit: planned,
        log: vec![format!("downloading {url} to {path}")],
        start: None,
    });
    Ok(Value::from(upid))
}

impl ClusterState {
    /// The download task ended: the file is on the storage.
    pub(crate) fn finish_download_url(
        &mut self,
        node: usize,
        sid: &str,
        volid: &str,
        content: &'static str,
        size: u64,
        at: f64,
    ) -> Result<Vec<String>, String> {
        let storage = self
            .storage_mut(node, sid)
            .ok_or_else(|| format!("storage '{sid}' does not exist"))?;
        let file = volid.rsplit('/').next().unwrap_or(volid);
        let volume = if content == "vztmpl" {
            Volume {
                size,
                ..template_volume(sid, file, at)
            }
        } else {
            Volume {
                volid: volid.to_owned(),
                content,
                format: if file.ends_with(".iso") { "iso" } else { "raw" },
                size,
                ctime: at,
                vmid: None,
            }
        };
        storage.add_volume(volume);
        Ok(vec![
            format!("{size} bytes downloaded"),
            format!("download of '{file}' finished"),
        ])
    }
}

/// `GET /nodes/{node}/storage/{storage}/status`.
pub(crate) fn status(state: &mut SimState, call: &Call) -> Reply {
    let idx = state.cluster.require_node(call)?;
    let sid = call.required("storage")?;
    let storage = state
        .cluster
        .storage(idx, sid)
        .ok_or_else(|| ApiError::param("storage", "No such storage."))?;
    let mut m = Map::new();
    m.insert("type".into(), storage.kind_str().into());
    m.insert("content".into(), storage.content.into());
    m.insert("active".into(), 1.into());
    m.insert("enabled".into(), 1.into());
    m.insert("shared".into(), 0.into());
    m.insert("total".into(), storage.total.into());
    m.insert("used".into(), storage.used().into());
    m.insert("avail".into(), storage.avail().into());
    Ok(Value::Object(m))
}

/// `GET /nodes/{node}/storage/{storage}`: the directory index (after the storage check).
pub(crate) fn index(state: &mut SimState, call: &Call) -> Reply {
    storage_of(state, call)?;
    let subdirs = [
        "content",
        "download-url",
        "file-restore",
        "import-metadata",
        "prunebackups",
        "rrd",
        "rrddata",
        "status",
        "upload",
    ];
    Ok(Value::Array(
        subdirs.iter().map(|s| json!({ "subdir": s })).collect(),
    ))
}

/// The storage.cfg section of a storage, as `GET /storage` lists it.
fn config_entry(storage: &Storage) -> Value {
    let mut m = Map::new();
    m.insert("storage".into(), storage.id.into());
    m.insert("type".into(), storage.kind_str().into());
    m.insert("content".into(), storage.content.into());
    match storage.kind {
        StorageKind::Dir => {
            m.insert("path".into(), "/var/lib/vz".into());
        }
        StorageKind::LvmThin => {
            m.insert("thinpool".into(), "data".into());
            m.insert("vgname".into(), "pve".into());
        }
    }
    let text = serde_json::to_string(&m).unwrap_or_default();
    let digest = super::deterministic::hash(&[str_key(&text)]);
    m.insert(
        "digest".into(),
        format!(
            "{digest:016x}{:016x}{:08x}",
            digest.rotate_left(17),
            digest as u32
        )
        .into(),
    );
    Value::Object(m)
}

/// `GET /storage`: the cluster-wide storage configuration (every node has the same storages).
pub(crate) fn config_list(state: &mut SimState, call: &Call) -> Reply {
    let type_filter = call.str("type");
    let out = state.cluster.nodes[0]
        .storages
        .iter()
        .filter(|s| type_filter.is_none_or(|t| t == s.kind_str()))
        .filter(|s| can_read_storage(state, call, s.id))
        .map(config_entry)
        .collect();
    Ok(Value::Array(out))
}

/// `GET /storage/{storage}`.
pub(crate) fn config_get(state: &mut SimState, call: &Call) -> Reply {
    let sid = call.required("storage")?;
    let storage = state.cluster.nodes[0]
        .storages
        .iter()
        .find(|s| s.id == sid)
        .ok_or_else(|| ApiError::internal(format!("storage '{sid}' does not exist")))?;
    Ok(config_entry(storage))
}
