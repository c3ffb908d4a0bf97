//! Backups: `POST /nodes/{node}/vzdump` (a `vzdump` task that writes a backup archive volume
//! onto the storage) and the scheduled backup jobs of `/cluster/backup`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::config::split_list;
use super::containers::{planned_failure, Container};
use super::guest::GuestKind;
use super::storage::Volume;
use super::tasks::{task_user, TaskEffect, TaskSpec};
use super::{caller_can, errors, ClusterState};
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

/// Base task duration per guest, in seconds, before `faults.task_duration_scale`.
const PER_GUEST: f64 = 2.0;

/// `YYYY_MM_DD-HH_MM_SS` in UTC, as vzdump names its archives.
pub(crate) fn archive_timestamp(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}_{month:02}_{day:02}-{:02}_{:02}_{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Archive suffix and the `format` PVE lists for it.
fn archive_format(compress: &str) -> (&'static str, &'static str) {
    match compress {
        "zstd" => (".tar.zst", "tar.zst"),
        "gzip" | "1" => (".tar.gz", "tar.gz"),
        "lzo" => (".tar.lzo", "tar.lzo"),
        _ => (".tar", "tar"),
    }
}

/// `POST /nodes/{node}/vzdump`: backs up the listed guests of this node (or `all`) onto
/// `storage` (default `local`).
pub(crate) fn vzdump(state: &mut SimState, call: &Call) -> Reply {
    let idx = state.cluster.require_node(call)?;
    let node_name = state.cluster.nodes[idx].name.clone();
    let sid = call.str("storage").unwrap_or("local").to_owned();
    let storage = state
        .cluster
        .storage(idx, &sid)
        .ok_or_else(|| errors::no_such_storage(&sid))?;
    if !storage.supports("backup") {
        return Err(ApiError::internal(format!(
            "storage '{sid}' does not support backups"
        )));
    }
    let spath = format!("/storage/{sid}");
    if !caller_can(state, call, &spath, "Datastore.AllocateSpace") {
        return Err(ApiError::permission(&spath, "Datastore.AllocateSpace"));
    }
    let all = call.bool("all").unwrap_or(false);
    let requested: Vec<u32> = call
        .str("vmid")
        .map(split_list)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    if !all && requested.is_empty() && call.str("pool").is_none() {
        return Err(ApiError::param(
            "vmid",
            "property is missing and it is not optional",
        ));
    }
    let excluded: Vec<u32> = call
        .str("exclude")
        .map(split_list)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    let mut wanted: Vec<u32> = if all {
        state.cluster.containers.keys().copied().collect()
    } else {
        requested.clone()
    };
    if let Some(pool) = call.str("pool") {
        let p = state
            .cluster
            .pools
            .get(pool)
            .ok_or_else(|| ApiError::internal(format!("pool '{pool}' does not exist")))?;
        wanted.extend(p.vms.iter().copied());
    }
    wanted.retain(|v| !excluded.contains(v));
    wanted.sort_unstable();
    wanted.dedup();
    for vmid in &requested {
        if state.cluster.guest_kind_and_node(*vmid).is_none() {
            return Err(ApiError::internal(format!("Unable to find VMID '{vmid}'")));
        }
    }
    for vmid in &wanted {
        let path = format!("/vms/{vmid}");
        if !caller_can(state, call, &path, "VM.Backup") {
            return Err(ApiError::permission(&path, "VM.Backup"));
        }
    }
    let (local, external): (Vec<u32>, Vec<u32>) = wanted.into_iter().partition(|v| {
        state
            .cluster
            .guest_kind_and_node(*v)
            .is_some_and(|(_, n)| n == node_name)
    });
    let compress = call.str("compress").unwrap_or("0").to_owned();
    let mode = call.str("mode").unwrap_or("snapshot").to_owned();
    let mut log = vec![format!(
        "INFO: starting new backup job: vzdump {} --storage {sid} --mode {mode} --compress {compress} --node {node_name}",
        if all { "--all 1".to_owned() } else { requested.iter().map(u32::to_string).collect::<Vec<_>>().join(" ") }
    )];
    if !external.is_empty() {
        log.push(format!(
            "INFO: skip external VMs: {}",
            external
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut planned = planned_failure(state, "vzdump");
    let mut locked = Vec::new();
    for vmid in &local {
        // Only containers are backed up here; other guest kinds add their own branch.
        let Some(ct) = state.cluster.containers.get(vmid) else {
            continue;
        };
        if let Some(lock) = state.cluster.effective_lock(ct, &state.faults) {
            planned.get_or_insert_with(|| {
                format!(
                    "job errors: ERROR: Backup of VM {vmid} failed - {}",
                    GuestKind::Lxc.locked_text(lock)
                )
            });
        } else {
            locked.push(*vmid);
        }
    }
    for vmid in &locked {
        if let Some(ct) = state.cluster.containers.get_mut(vmid) {
            ct.lock = Some("backup".into());
        }
    }
    let taskid = if requested.len() == 1 && !all {
        requested[0].to_string()
    } else {
        String::new()
    };
    let count = local.len().max(1) as f64;
    let upid = state.cluster.spawn_task(TaskSpec {
        node: idx,
        kind: "vzdump",
        id: taskid,
        user: task_user(call),
        duration: PER_GUEST * count * state.faults.task_duration_scale,
        effect: TaskEffect::Backup {
            kind: GuestKind::Lxc,
            vmids: locked,
            node: idx,
            storage: sid,
            compress,
        },
        planned_exit: planned,
        log,
        start: None,
    });
    Ok(Value::from(upid))
}

impl ClusterState {
    /// The backup task ended: one archive per guest on the storage, locks released.
    pub(crate) fn finish_backup(
        &mut self,
        vmids: &[u32],
        node: usize,
        sid: &str,
        compress: &str,
        at: f64,
        _user: &str,
    ) -> Result<Vec<String>, String> {
        let (suffix, format) = archive_format(compress);
        let stamp = archive_timestamp(at as i64);
        let mut lines = Vec::new();
        for vmid in vmids {
            let Some(ct) = self.containers.get_mut(vmid) else {
                continue;
            };
            if ct.lock.as_deref() == Some("backup") {
                ct.lock = None;
            }
            let size = archive_size(ct);
            let file = format!("vzdump-lxc-{vmid}-{stamp}{suffix}");
            lines.push(format!("INFO: Starting Backup of VM {vmid} (lxc)"));
            lines.push(format!("INFO: CT Name: {}", ct.hostname));
            lines.push(format!(
                "INFO: creating vzdump archive '/var/lib/vz/dump/{file}'"
            ));
            lines.push(format!("INFO: Finished Backup of VM {vmid} (00:00:02)"));
            if let Some(s) = self.storage_mut(node, sid) {
                s.add_volume(Volume {
                    volid: format!("{sid}:backup/{file}"),
                    content: "backup",
                    format,
                    size,
                    ctime: at,
                    vmid: Some(*vmid),
                });
            }
        }
        lines.push("INFO: Backup job finished successfully".to_owned());
        Ok(lines)
    }
}

/// A stable archive size: a share of the root disk.
fn archive_size(ct: &Container) -> u64 {
    let share = 0.05 + f64::from(ct.vmid % 7) * 0.01;
    (ct.disk_bytes as f64 * share) as u64
}

/// A configured backup job (`/cluster/backup`), kept as PVE stores it: its options.
#[derive(Debug, Clone, Default)]
pub(crate) struct BackupJob {
    pub options: BTreeMap<String, String>,
}

impl BackupJob {
    fn answer(&self, id: &str) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), id.into());
        m.insert("type".into(), "vzdump".into());
        m.insert("enabled".into(), 1.into());
        for (k, v) in &self.options {
            let value: Value = match k.as_str() {
                "all" | "enabled" | "quiet" | "remove" | "protected" | "repeat-missed" | "stop"
                | "stdexcludes" => u8::from(v == "1" || v == "true").into(),
                "bwlimit" | "ionice" | "lockwait" | "maxfiles" | "pigz" | "stopwait" | "zstd" => v
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| v.clone().into()),
                _ => v.clone().into(),
            };
            m.insert(k.clone(), value);
        }
        m.entry("schedule").or_insert_with(|| "00:00".into());
        Value::Object(m)
    }
}

/// `GET /cluster/backup`.
pub(crate) fn list_jobs(state: &mut SimState, _call: &Call) -> Reply {
    Ok(Value::Array(
        state
            .cluster
            .backup_jobs
            .iter()
            .map(|(id, job)| job.answer(id))
            .collect(),
    ))
}

/// `GET /cluster/backup/{id}`.
pub(crate) fn get_job(state: &mut SimState, call: &Call) -> Reply {
    let id = call.required("id")?;
    state
        .cluster
        .backup_jobs
        .get(id)
        .map(|j| j.answer(id))
        .ok_or_else(|| ApiError::internal(format!("Job '{id}' does not exist")))
}

/// `POST /cluster/backup`: a new job (`id` generated when missing, as PVE does).
pub(crate) fn create_job(state: &mut SimState, call: &Call) -> Reply {
    if call.str("vmid").is_none()
        && !call.bool("all").unwrap_or(false)
        && call.str("pool").is_none()
    {
        return Err(ApiError::param(
            "vmid",
            "property is missing and it is not optional",
        ));
    }
    let id = match call.str("id") {
        Some(id) => id.to_owned(),
        None => {
            let n = state.cluster.backup_jobs.len() as u64 + 1;
            let h = super::deterministic::hash(&[state.cluster.seed, n, 0x00B4_C0B5]);
            format!("backup-{:08x}-{:04x}", h as u32, (h >> 32) as u16)
        }
    };
    if state.cluster.backup_jobs.contains_key(&id) {
        return Err(ApiError::internal(format!("Job '{id}' already exists")));
    }
    let options = call
        .params
        .iter()
        .filter(|(k, _)| k.as_str() != "id")
        .filter_map(|(k, v)| v.first().map(|v| (k.clone(), v.clone())))
        .collect();
    state.cluster.backup_jobs.insert(id, BackupJob { options });
    Ok(Value::Null)
}

/// `DELETE /cluster/backup/{id}`.
pub(crate) fn delete_job(state: &mut SimState, call: &Call) -> Reply {
    let id = call.required("id")?;
    state
        .cluster
        .backup_jobs
        .remove(id)
        .map(|_| Value::Null)
        .ok_or_else(|| ApiError::internal(format!("job '{id}' does not exist")))
}

#[cfg(test)]
mod tests {
    use super::archive_timestamp;

    #[test]
    fn archive_names_use_utc_calendar_time() {
        assert_eq!(archive_timestamp(0), "1970_01_01-00_00_00");
        assert_eq!(archive_timestamp(1_763_000_000), "2025_11_13-02_13_20");
        assert_eq!(archive_timestamp(951_782_400), "2000_02_29-00_00_00");
    }
}
