//! `PUT .../resize`: growing a container's disk, as a `resize` task, with PVE's checks made
//! before the task (digest, lock, shrinking, unchanged size).

use serde_json::Value;

use super::caller_can;
use super::config::assert_if_modified;
use super::containers::{locate, planned_failure, size_text, GIB, MIB};
use super::guest::{GuestKind, GuestTask};
use super::guest_task::GuestTaskStart;
use super::storage::split_volid;
use super::tasks::TaskEffect;
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

/// Base task duration in seconds, before `faults.task_duration_scale`.
const RESIZE: f64 = 1.0;

/// Parses PVE's `[+]<number>[KMGT]` size (no suffix: bytes) into `(grow, bytes)`.
pub(crate) fn parse_size(text: &str) -> Option<(bool, u64)> {
    let (grow, rest) = match text.strip_prefix('+') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (number, unit) = match rest.chars().last()? {
        c @ ('K' | 'M' | 'G' | 'T') => (&rest[..rest.len() - 1], c),
        _ => (rest, 'B'),
    };
    let value: f64 = number.parse().ok()?;
    let factor = match unit {
        'K' => 1u64 << 10,
        'M' => 1 << 20,
        'G' => 1 << 30,
        'T' => 1 << 40,
        _ => 1,
    };
    Some((grow, (value * factor as f64) as u64))
}

/// `PUT /nodes/{node}/lxc/{vmid}/resize`.
pub(crate) fn resize(state: &mut SimState, call: &Call) -> Reply {
    let (idx, vmid) = locate(state, call)?;
    let kind = GuestKind::Lxc;
    let disk = call.required("disk")?.to_owned();
    let size_text_param = call.required("size")?.to_owned();
    let ct = &state.cluster.containers[&vmid];
    if ct.active_task.is_some() {
        return Err(ApiError::internal(kind.lock_timeout_text(vmid)));
    }
    if let Some(lock) = state.cluster.effective_lock(ct, &state.faults) {
        return Err(ApiError::internal(kind.locked_text(lock)));
    }
    assert_if_modified(call.str("digest"), &ct.digest(ct.lock.as_deref()))?;
    if disk != "rootfs" {
        return Err(ApiError::internal(format!("disk '{disk}' does not exist")));
    }
    let (grow, amount) = parse_size(&size_text_param).ok_or_else(|| {
        ApiError::param("size", format!("unable to parse size '{size_text_param}'"))
    })?;
    let current = ct.disk_bytes;
    let new_size = if grow { current + amount } else { amount };
    if new_size < current {
        return Err(ApiError::internal("unable to shrink disk size"));
    }
    if new_size == current {
        return Err(ApiError::internal("disk is already at specified size"));
    }
    let volid = ct.rootfs_volid.clone();
    if let Some((sid, _)) = split_volid(&volid) {
        let path = format!("/storage/{sid}");
        if !caller_can(state, call, &path, "Datastore.AllocateSpace") {
            return Err(ApiError::permission(&path, "Datastore.AllocateSpace"));
        }
    }
    // LVM works in 4 MiB extents.
    let new_size = new_size.div_ceil(4 * MIB) * 4 * MIB;
    let name = volid.split(':').nth(1).unwrap_or_default().to_owned();
    let log = vec![
        format!(
            "  Size of logical volume pve/{name} changed from {:.2} GiB ({} extents) to {:.2} GiB ({} extents).",
            current as f64 / GIB as f64,
            current / (4 * MIB),
            new_size as f64 / GIB as f64,
            new_size / (4 * MIB)
        ),
        format!("  Logical volume pve/{name} successfully resized."),
        format!("resize rootfs to {}", size_text(new_size)),
    ];
    let planned = planned_failure(state, kind.task_type(GuestTask::Resize));
    let upid = GuestTaskStart {
        kind,
        node: idx,
        vmid,
        task_type: kind.task_type(GuestTask::Resize),
        duration: RESIZE,
        effect: TaskEffect::Resize {
            kind,
            vmid,
            disk,
            bytes: new_size,
        },
    }
    .fork_with(state, call, planned, log);
    Ok(Value::from(upid))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_parse_as_pve_does() {
        assert_eq!(parse_size("+1G"), Some((true, 1 << 30)));
        assert_eq!(parse_size("8G"), Some((false, 8 << 30)));
        assert_eq!(parse_size("512M"), Some((false, 512 << 20)));
        assert_eq!(parse_size("1.5G"), Some((false, 3 << 29)));
        assert_eq!(parse_size("1024"), Some((false, 1024)));
        assert_eq!(parse_size("x"), None);
    }
}
