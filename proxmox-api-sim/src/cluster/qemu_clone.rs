//! QEMU clone (full, or linked from a template) and template conversion.
//!
//! The clone exists at once with `lock: clone` (PVE writes the new config first), its disks
//! allocated; the `qmclone` task (typed and named after the SOURCE vmid, as in PVE) holds the
//! source's config lock and drops the clone's lock when it ends. Linked clones name their disks
//! `base-<template>-disk-<n>/vm-<new>-disk-<n>`, as LVM-thin does.

use std::collections::BTreeMap;

use serde_json::Value;

use super::containers::planned_failure;
use super::errors;
use super::guest::{vmid_param, GuestKind};
use super::guest_task::GuestTaskStart;
use super::qemu::{
    check_unlocked, durations, is_drive_key, locate, normalize_net, vmid_taken, QemuEffect,
    VirtualMachine,
};
use super::storage::{split_volid, Volume};
use super::tasks::TaskEffect;
use super::{caller_can, ClusterState};
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

/// `POST /nodes/{node}/qemu/{vmid}/clone`.
pub(crate) fn clone(state: &mut SimState, call: &Call) -> Reply {
    let (idx, vmid) = locate(state, call)?;
    let newid = vmid_param(call, "newid")?;
    let node = state.cluster.nodes[idx].name.clone();
    if let Some(target) = call.str("target") {
        if state.cluster.node_index(target).is_none() {
            return Err(errors::hostname_lookup_failed(target));
        }
        if target != node {
            return Err(ApiError::internal(format!(
                "can't clone VM to node '{target}' (VM uses local storage)"
            )));
        }
    }
    if let Some(err) = vmid_taken(state, newid) {
        return Err(err);
    }
    let source = &state.cluster.vms[&vmid];
    let full = call.bool("full").unwrap_or(!source.is_template());
    let target_storage = call.str("storage").map(str::to_owned);
    if !full && target_storage.is_some() {
        return Err(ApiError::param(
            "storage",
            "parameter 'storage' not allowed for linked clones",
        ));
    }
    let base_config = match call.str("snapname") {
        Some(snap) => match source.snapshots.get(snap) {
            Some(s) => s.config.clone(),
            None => return Err(ApiError::internal(super::snapshots::missing(snap))),
        },
        None => source.config.clone(),
    };
    if let Some(lock) = state.cluster.vm_lock(source, &state.faults) {
        return Err(ApiError::internal(super::qemu::locked_text(lock)));
    }
    if state.cluster.vm_busy(source) {
        return Err(super::qemu::lock_timeout(vmid));
    }
    let old_name = source.name.clone();

    // The new disks.
    let seed = state.cluster.seed;
    let now = state.cluster.now;
    let mut config = BTreeMap::new();
    let mut new_volumes: Vec<(String, Volume)> = Vec::new();
    for (key, value) in &base_config {
        if key.starts_with("unused")
            || matches!(key.as_str(), "template" | "meta" | "smbios1" | "vmgenid")
        {
            continue;
        }
        if let Some(n) = key.strip_prefix("net").and_then(|n| n.parse::<u32>().ok()) {
            let model = value
                .split(',')
                .next()
                .and_then(|p| p.split_once('='))
                .map(|(m, _)| m)
                .unwrap_or("virtio");
            let rest: Vec<&str> = value.split(',').skip(1).collect();
            let spec = std::iter::once(model)
                .chain(rest)
                .collect::<Vec<_>>()
                .join(",");
            config.insert(key.clone(), normalize_net(seed, newid, n, &spec));
            continue;
        }
        if !is_drive_key(key) || value.contains("media=cdrom") {
            config.insert(key.clone(), value.clone());
            continue;
        }
        let mut parts = value.split(',');
        let volid = parts.next().unwrap_or("");
        let options: Vec<&str> = parts.collect();
        let Some((sid, name)) = split_volid(volid) else {
            config.insert(key.clone(), value.clone());
            continue;
        };
        let size = state
            .cluster
            .storage(idx, sid)
            .and_then(|s| s.volumes.get(volid))
            .map(|v| v.size)
            .unwrap_or(0);
        let dest = if full {
            target_storage.clone().unwrap_or_else(|| sid.to_owned())
        } else {
            sid.to_owned()
        };
        let Some(storage) = state.cluster.storage(idx, &dest) else {
            return Err(errors::no_such_storage(&dest));
        };
        if !storage.supports("images") {
            return Err(ApiError::internal(format!(
                "storage '{dest}' does not support vm images"
            )));
        }
        let path = format!("/storage/{dest}");
        if !caller_can(state, call, &path, "Datastore.AllocateSpace") {
            return Err(ApiError::permission(&path, "Datastore.AllocateSpace"));
        }
        if !full && !name.starts_with("base-") {
            return Err(ApiError::internal(format!(
                "Linked clone feature is not supported for drive '{key}'"
            )));
        }
        let new_volid = (0..)
            .map(|n| {
                if full {
                    format!("{dest}:vm-{newid}-disk-{n}")
                } else {
                    format!("{dest}:{name}/vm-{newid}-disk-{n}")
                }
            })
            .find(|v| {
                !storage.volumes.contains_key(v)
                    && !new_volumes.iter().any(|(_, nv)| &nv.volid == v)
            })
            .unwrap_or_default();
        let planned: u64 = new_volumes
            .iter()
            .filter(|(s, _)| *s == dest)
            .map(|(_, v)| v.size)
            .sum();
        // A linked clone shares its base's blocks: it allocates nothing up front.
        let allocate = if full { size } else { 0 };
        if storage.avail() < planned + allocate {
            return Err(ApiError::internal(format!(
                "clone failed: lvcreate 'pve/vm-{newid}-disk-0' error:   Volume group \"pve\" has insufficient free space"
            )));
        }
        let mut text = new_volid.clone();
        for o in options {
            text.push(',');
            text.push_str(o);
        }
        config.insert(key.clone(), text);
        new_volumes.push((
            dest,
            Volume {
                volid: new_volid,
                content: "images",
                format: "raw",
                size: allocate,
                ctime: now,
                vmid: Some(newid),
            },
        ));
    }
    config.insert(
        "name".into(),
        call.str("name")
            .map(str::to_owned)
            .unwrap_or_else(|| format!("Copy-of-VM-{old_name}")),
    );
    if let Some(d) = call.str("description") {
        config.insert("description".into(), d.to_owned());
    }
    config.insert(
        "smbios1".into(),
        format!("uuid={}", clone_uuid(seed, newid, now, 1)),
    );
    config.insert("vmgenid".into(), clone_uuid(seed, newid, now, 2));
    config.insert(
        "meta".into(),
        format!(
            "creation-qemu={},ctime={}",
            super::qemu::QEMU_VERSION,
            now as i64
        ),
    );
    let mut log = vec![format!(
        "create {} clone of drive(s)",
        if full { "full" } else { "linked" }
    )];
    for (sid, volume) in new_volumes {
        let lv = volume.volid.split(':').nth(1).unwrap_or_default();
        let lv = lv.rsplit('/').next().unwrap_or(lv);
        log.push(format!("  Logical volume \"{lv}\" created."));
        if let Some(s) = state.cluster.storage_mut(idx, &sid) {
            s.add_volume(volume);
        }
    }
    let mut vm = VirtualMachine::new(newid, &node, config, now);
    vm.lock = Some("clone".into());
    state.cluster.vms.insert(newid, vm);
    let planned = planned_failure(state, "qmclone");
    let upid = GuestTaskStart {
        kind: GuestKind::Qemu,
        node: idx,
        vmid,
        task_type: "qmclone",
        duration: durations::CLONE,
        effect: TaskEffect::Qemu(QemuEffect::Clone {
            source: vmid,
            target: newid,
        }),
    }
    .fork_with(state, call, planned, log);
    Ok(Value::from(upid))
}

fn clone_uuid(seed: u64, vmid: u32, now: f64, salt: u64) -> String {
    let a = super::deterministic::hash(&[seed, u64::from(vmid), salt, now as u64, 0xC10E]);
    let b = super::deterministic::hash(&[a, salt]);
    super::deterministic::uuid_text(a, b)
}

/// `POST /nodes/{node}/qemu/{vmid}/template`: a `qmtemplate` task (stopped VMs only).
pub(crate) fn template(state: &mut SimState, call: &Call) -> Reply {
    let (idx, vmid) = locate(state, call)?;
    let vm = &state.cluster.vms[&vmid];
    if vm.is_template() {
        return Err(ApiError::internal(
            "you can't convert a template to a template",
        ));
    }
    if vm.is_running() {
        return Err(ApiError::internal(
            "you can't convert a VM to template if VM is running",
        ));
    }
    check_unlocked(state, vmid)?;
    let upid = GuestTaskStart {
        kind: GuestKind::Qemu,
        node: idx,
        vmid,
        task_type: "qmtemplate",
        duration: durations::TEMPLATE,
        effect: TaskEffect::Qemu(QemuEffect::Template { vmid }),
    }
    .fork(state, call);
    Ok(Value::from(upid))
}

/// Renames the VM's disks to base volumes and marks it a template.
pub(crate) fn apply_template(cluster: &mut ClusterState, vmid: u32) -> Result<Vec<String>, String> {
    let Some(vm) = cluster.vms.get(&vmid) else {
        return Err(format!("VM {vmid} vanished"));
    };
    let node = cluster.node_index(&vm.node).unwrap_or(0);
    let disks = vm.disk_volumes();
    let mut renames = Vec::new();
    let mut lines = Vec::new();
    for (key, volid) in disks {
        if key.starts_with("unused") {
            continue;
        }
        let Some((sid, name)) = split_volid(&volid) else {
            continue;
        };
        let Some(base) = name.strip_prefix("vm-").map(|rest| format!("base-{rest}")) else {
            continue;
        };
        let new_volid = format!("{sid}:{base}");
        if let Some(storage) = cluster.storage_mut(node, sid) {
            if let Some(mut v) = storage.remove_volume(&volid) {
                v.volid = new_volid.clone();
                storage.add_volume(v);
            }
        }
        lines.push(format!(
            "  Renamed \"{name}\" to \"{base}\" in volume group \"pve\""
        ));
        renames.push((key, volid, new_volid));
    }
    if let Some(vm) = cluster.vms.get_mut(&vmid) {
        for (key, old, new) in renames {
            if let Some(value) = vm.config.get_mut(&key) {
                *value = value.replacen(&old, &new, 1);
            }
        }
        vm.config.insert("template".into(), "1".into());
        vm.refresh();
    }
    Ok(lines)
}
